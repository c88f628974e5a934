package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cornershop/core/relay"
)

// serviceLevelCollector publishes each desk's SLA and satisfaction figures
// over the last day and week (the same as !stats), read at scrape time.
// Series exist only once there is data: no made-up 0 for a desk that has
// no clock or rating yet. Labels are bounded: desk, priority, period.
type serviceLevelCollector struct {
	relay *relay.Service
	now   func() time.Time
}

var (
	slaAttainDesc = prometheus.NewDesc("cornershop_sla_attainment_ratio",
		"Share of SLA clocks with a verdict that were met, by desk, priority and period.", []string{"desk", "priority", "period"}, nil)
	slaBreachDesc = prometheus.NewDesc("cornershop_sla_breaches",
		"SLA clocks that ran past their target, by desk, priority and period.", []string{"desk", "priority", "period"}, nil)
	csatDesc = prometheus.NewDesc("cornershop_csat_average",
		"Mean satisfaction rating (1-5) of surveys sent in the period, by desk.", []string{"desk", "period"}, nil)
	csatRatedDesc = prometheus.NewDesc("cornershop_csat_ratings",
		"Satisfaction ratings given for surveys sent in the period, by desk.", []string{"desk", "period"}, nil)
)

func (serviceLevelCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{slaAttainDesc, slaBreachDesc, csatDesc, csatRatedDesc} {
		ch <- d
	}
}

func (c serviceLevelCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for _, desk := range c.relay.Desks() {
		for _, p := range []struct {
			name string
			d    time.Duration
		}{{"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}} {
			r, err := c.relay.Report(ctx, desk.Place, c.now().Add(-p.d))
			if err != nil {
				ch <- prometheus.NewInvalidMetric(slaAttainDesc, err)
				return
			}
			if r.CSAT.Rated > 0 {
				ch <- prometheus.MustNewConstMetric(csatDesc, prometheus.GaugeValue, r.CSAT.Average(), desk.Name, p.name)
				ch <- prometheus.MustNewConstMetric(csatRatedDesc, prometheus.GaugeValue, float64(r.CSAT.Rated), desk.Name, p.name)
			}
			for prio, f := range r.SLA {
				if f.Met+f.Missed == 0 && f.Breaches == 0 {
					continue
				}
				ch <- prometheus.MustNewConstMetric(slaAttainDesc, prometheus.GaugeValue, f.Attainment(), desk.Name, relay.PriorityName(prio), p.name)
				ch <- prometheus.MustNewConstMetric(slaBreachDesc, prometheus.GaugeValue, float64(f.Breaches), desk.Name, relay.PriorityName(prio), p.name)
			}
		}
	}
}
