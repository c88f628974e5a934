package main

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cornershop/core"
)

type fixedFigures core.AnswerStats

func (f fixedFigures) AnswerStats(context.Context, time.Time, int) (core.AnswerStats, error) {
	return core.AnswerStats(f), nil
}

// TestAnswersCollector: /metrics shows suggestions by outcome and the
// searches that found nothing.
func TestAnswersCollector(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(answersCollector{src: fixedFigures{Suggested: 5, SelfServed: 2, Person: 1, Misses: []core.Miss{{Query: "a"}, {Query: "b"}}}})
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += "{" + l.GetName() + "=" + l.GetValue() + "}"
			}
			got[key] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	want := map[string]float64{
		"cornershop_answer_suggestions_total{outcome=pending}": 2,
		"cornershop_answer_suggestions_total{outcome=solved}":  2,
		"cornershop_answer_suggestions_total{outcome=person}":  1,
		"cornershop_answer_miss_queries":                       2,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
}
