package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cornershop/core"
)

// answerFigures is where answersCollector reads self-help figures: the
// store's read pool, so every replica reports the same shared numbers.
type answerFigures interface {
	AnswerStats(ctx context.Context, since time.Time, top int) (core.AnswerStats, error)
}

// answersCollector publishes self-help figures read from the database at
// scrape time (all time: they only grow).
type answersCollector struct{ src answerFigures }

var (
	suggestionsDesc = prometheus.NewDesc("cornershop_answer_suggestions_total",
		"Conversations offered self-help answers, by what the customer chose (pending, solved, person).", []string{"outcome"}, nil)
	answerMissesDesc = prometheus.NewDesc("cornershop_answer_miss_queries",
		"Distinct recent searches that found no answer (kept up to a bound).", nil, nil)
)

func (answersCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- suggestionsDesc
	ch <- answerMissesDesc
}

func (c answersCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	st, err := c.src.AnswerStats(ctx, time.Time{}, 1000)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(suggestionsDesc, err)
		return
	}
	pending := st.Suggested - st.SelfServed - st.Person
	for outcome, n := range map[string]int{"pending": pending, "solved": st.SelfServed, "person": st.Person} {
		ch <- prometheus.MustNewConstMetric(suggestionsDesc, prometheus.CounterValue, float64(n), outcome)
	}
	ch <- prometheus.MustNewConstMetric(answerMissesDesc, prometheus.GaugeValue, float64(len(st.Misses)))
}
