package main

import (
	"context"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cornershop/core"
)

// incidentFigures is where incidentsCollector reads incident figures: the
// store's read pool, so every replica reports the same shared numbers.
type incidentFigures interface {
	IncidentStats(ctx context.Context, since time.Time) (core.IncidentStats, error)
}

// incidentsCollector publishes incident figures read from the database at
// scrape time (all time).
type incidentsCollector struct{ src incidentFigures }

var (
	incidentsOpenedDesc = prometheus.NewDesc("cornershop_incidents_opened_total",
		"Incidents opened.", nil, nil)
	incidentCustomersDesc = prometheus.NewDesc("cornershop_incident_customers_total",
		"Conversations linked to incidents (customers affected).", nil, nil)
	incidentFirstUpdateDesc = prometheus.NewDesc("cornershop_incident_first_update_seconds",
		"Median time from an incident's first linked customer message to its first update.", nil, nil)
)

func (incidentsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- incidentsOpenedDesc
	ch <- incidentCustomersDesc
	ch <- incidentFirstUpdateDesc
}

func (c incidentsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	st, err := c.src.IncidentStats(ctx, time.Time{})
	if err != nil {
		ch <- prometheus.NewInvalidMetric(incidentsOpenedDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(incidentsOpenedDesc, prometheus.CounterValue, float64(st.Opened))
	ch <- prometheus.MustNewConstMetric(incidentCustomersDesc, prometheus.CounterValue, float64(st.Affected))
	if len(st.FirstUpdate) > 0 {
		ds := slices.Sorted(slices.Values(st.FirstUpdate))
		ch <- prometheus.MustNewConstMetric(incidentFirstUpdateDesc, prometheus.GaugeValue, ds[len(ds)/2].Seconds())
	}
}
