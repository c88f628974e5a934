package main

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cornershop/core"
)

type fixedIncidents core.IncidentStats

func (f fixedIncidents) IncidentStats(context.Context, time.Time) (core.IncidentStats, error) {
	return core.IncidentStats(f), nil
}

// TestIncidentsCollector: /metrics shows incidents opened, customers
// affected, and the median time to the first update only once there is
// one.
func TestIncidentsCollector(t *testing.T) {
	for _, tc := range []struct {
		name  string
		st    core.IncidentStats
		count int
		first float64
	}{
		{"no update yet", core.IncidentStats{Opened: 2, Affected: 7}, 2, 0},
		{"with updates", core.IncidentStats{Opened: 3, Affected: 9, FirstUpdate: []time.Duration{time.Minute, 3 * time.Minute, 10 * time.Minute}}, 3, 180},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(incidentsCollector{src: fixedIncidents(tc.st)})
			fams, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, f := range fams {
				for _, m := range f.GetMetric() {
					got[f.GetName()] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
				}
			}
			if len(got) != tc.count {
				t.Errorf("metrics = %v, want %d of them", got, tc.count)
			}
			if got["cornershop_incidents_opened_total"] != float64(tc.st.Opened) || got["cornershop_incident_customers_total"] != float64(tc.st.Affected) ||
				got["cornershop_incident_first_update_seconds"] != tc.first {
				t.Errorf("metrics = %v", got)
			}
		})
	}
}
