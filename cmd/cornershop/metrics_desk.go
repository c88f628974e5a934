package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cornershop/core"
	"cornershop/core/relay"
)

// deskMetrics are the desk's response figures, counted by the replica that
// records each one when it happens (relay.Observer): no database read at
// scrape time. Labels are bounded: the configured desks, the four
// priorities, the two clock kinds, fixed outcomes.
type deskMetrics struct {
	firstResponse *prometheus.HistogramVec
	resolution    *prometheus.HistogramVec
	reopens       *prometheus.CounterVec
	sla           *prometheus.CounterVec
	ratings       *prometheus.HistogramVec
	suggestions   prometheus.Counter
	choices       *prometheus.CounterVec
	misses        prometheus.Counter
	incidents     prometheus.Counter
	affected      prometheus.Counter
	firstUpdate   prometheus.Histogram
}

var (
	_ relay.Observer = (*deskMetrics)(nil)

	// Response-time buckets, from half a minute to two days; resolution's
	// from five minutes to a week.
	responseBuckets   = []float64{30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 172800}
	resolutionBuckets = []float64{300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 259200, 604800}
	ratingBuckets     = []float64{1, 2, 3, 4, 5}

	slaKinds      = []core.SLAKind{core.FirstResponse, core.NextResponse}
	slaOutcomes   = []string{"met", "missed"}
	priorityNames = []string{"low", "normal", "high", "urgent"}
	choiceNames   = []core.SuggestionOutcome{core.SuggestionSolved, core.SuggestionPerson}
)

// newDeskMetrics makes the instruments, with every series of desks present
// at 0, and registers them on reg.
func newDeskMetrics(reg prometheus.Registerer, desks []string) *deskMetrics {
	m := &deskMetrics{
		firstResponse: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cornershop_first_response_seconds", Help: "Time from a conversation's start to its first staff reply, by desk.", Buckets: responseBuckets,
		}, []string{"desk"}),
		resolution: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cornershop_resolution_seconds", Help: "Time from a conversation's start to its close, by desk (each close).", Buckets: resolutionBuckets,
		}, []string{"desk"}),
		reopens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cornershop_reopens_total", Help: "Conversations reopened (the customer writing again after a close, or !reopen), by desk.",
		}, []string{"desk"}),
		sla: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cornershop_sla_clocks_total", Help: "SLA clocks with a verdict, by desk, priority, kind (first, next) and outcome (met, missed).",
		}, []string{"desk", "priority", "kind", "outcome"}),
		ratings: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cornershop_csat_rating", Help: "Satisfaction ratings (1-5) given, by desk.", Buckets: ratingBuckets,
		}, []string{"desk"}),
		suggestions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cornershop_answer_suggestions_total", Help: "Conversations offered self-help answers.",
		}),
		choices: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cornershop_answer_choices_total", Help: "Customers' choices on self-help suggestions (solved, person).",
		}, []string{"outcome"}),
		misses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cornershop_answer_misses_total", Help: "Self-help searches that found no answer.",
		}),
		incidents: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cornershop_incidents_opened_total", Help: "Incidents opened.",
		}),
		affected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cornershop_incident_customers_total", Help: "Conversations linked to incidents (customers affected).",
		}),
		firstUpdate: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "cornershop_incident_first_update_seconds", Help: "Time from an incident's first linked customer message to its first update.", Buckets: responseBuckets,
		}),
	}
	for _, d := range desks {
		m.firstResponse.WithLabelValues(d)
		m.resolution.WithLabelValues(d)
		m.reopens.WithLabelValues(d)
		m.ratings.WithLabelValues(d)
		for _, p := range priorityNames {
			for _, k := range slaKinds {
				for _, o := range slaOutcomes {
					m.sla.WithLabelValues(d, p, string(k), o)
				}
			}
		}
	}
	for _, o := range choiceNames {
		m.choices.WithLabelValues(string(o))
	}
	reg.MustRegister(m.firstResponse, m.resolution, m.reopens, m.sla, m.ratings, m.suggestions, m.choices, m.misses,
		m.incidents, m.affected, m.firstUpdate)
	return m
}

// FirstResponse implements relay.Observer.
func (m *deskMetrics) FirstResponse(desk string, took time.Duration) {
	m.firstResponse.WithLabelValues(desk).Observe(took.Seconds())
}

// Resolved implements relay.Observer.
func (m *deskMetrics) Resolved(desk string, took time.Duration) {
	m.resolution.WithLabelValues(desk).Observe(took.Seconds())
}

// Reopened implements relay.Observer.
func (m *deskMetrics) Reopened(desk string) { m.reopens.WithLabelValues(desk).Inc() }

// SLAVerdict implements relay.Observer.
func (m *deskMetrics) SLAVerdict(desk, priority string, kind core.SLAKind, met bool) {
	outcome := "missed"
	if met {
		outcome = "met"
	}
	m.sla.WithLabelValues(desk, priority, string(kind), outcome).Inc()
}

// Rated implements relay.Observer.
func (m *deskMetrics) Rated(desk string, rating int) {
	m.ratings.WithLabelValues(desk).Observe(float64(rating))
}

// Suggested implements relay.Observer.
func (m *deskMetrics) Suggested() { m.suggestions.Inc() }

// Decided implements relay.Observer.
func (m *deskMetrics) Decided(o core.SuggestionOutcome) { m.choices.WithLabelValues(string(o)).Inc() }

// Missed implements relay.Observer.
func (m *deskMetrics) Missed() { m.misses.Inc() }

// deskNames names the configured desks, whose series start at 0.
func deskNames(desks []relay.Desk) []string {
	out := make([]string, len(desks))
	for i, d := range desks {
		out[i] = d.Name
	}
	return out
}

// IncidentOpened implements relay.Observer.
func (m *deskMetrics) IncidentOpened() { m.incidents.Inc() }

// IncidentLinked implements relay.Observer.
func (m *deskMetrics) IncidentLinked() { m.affected.Inc() }

// IncidentFirstUpdate implements relay.Observer.
func (m *deskMetrics) IncidentFirstUpdate(took time.Duration) { m.firstUpdate.Observe(took.Seconds()) }
