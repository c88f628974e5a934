package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
)

// metrics is cornershop's Prometheus registry and instruments. Every
// series carries a replica label, so replicas sharing a database can be
// told apart.
type metrics struct {
	registry *prometheus.Registry
	register prometheus.Registerer // registry, labelled with the replica
	events   *prometheus.CounterVec
	rejected *prometheus.CounterVec
	attempts *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	fallback *prometheus.CounterVec
	webhooks *prometheus.CounterVec
}

func newMetrics(st *store.Store, replica string) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		registry: reg,
		register: prometheus.WrapRegistererWith(prometheus.Labels{"replica": replica}, reg),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cornershop_events_total", Help: "Platform events recorded, by platform and kind.",
		}, []string{"platform", "kind"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cornershop_event_errors_total", Help: "Platform events that could not be recorded, by platform and reason.",
		}, []string{"platform", "reason"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cornershop_delivery_attempts_total", Help: "Delivery attempts by platform, operation and outcome (delivered, retried, retry_after, failed).",
		}, []string{"platform", "op", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cornershop_delivery_seconds", Help: "Time a delivery attempt took.", Buckets: prometheus.DefBuckets,
		}, []string{"platform"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cornershop_webhook_attempts_total", Help: "Webhook delivery attempts by endpoint and outcome (delivered, retried, retry_after, failed: given up for good).",
		}, []string{"endpoint", "outcome"}),
		fallback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cornershop_desk_fallbacks_total", Help: "Desk copies posted in the desk channel because no desk thread could be opened, by desk platform.",
		}, []string{"platform"}),
	}
	m.register.MustRegister(m.events, m.rejected, m.attempts, m.latency, m.fallback, m.webhooks,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}),
		outboxCollector{st: st})
	return m
}

// Attempted implements outbox.Observer.
func (m *metrics) Attempted(d core.Delivery, outcome outbox.Outcome, took time.Duration) {
	if d.Op == core.OpWebhook {
		m.webhooks.WithLabelValues(d.Endpoint, string(outcome)).Inc()
	}
	m.attempts.WithLabelValues(string(d.Platform), string(d.Op), string(outcome)).Inc()
	m.latency.WithLabelValues(string(d.Platform)).Observe(took.Seconds())
}

// deskFallback counts a desk copy posted without a thread
// (relay.Config.DeskFallback).
func (m *metrics) deskFallback(p core.PlatformName) { m.fallback.WithLabelValues(string(p)).Inc() }

// countInbox wraps in so every event handed to it is counted.
func (m *metrics) countInbox(in core.Inbox) core.Inbox { return countingInbox{in: in, m: m} }

type countingInbox struct {
	in core.Inbox
	m  *metrics
}

func (c countingInbox) Handle(ctx context.Context, e core.Event) error {
	err := c.in.Handle(ctx, e)
	platform := string(e.Where().Platform)
	if err != nil {
		reason := "store"
		if core.IsInvalid(err) {
			reason = "invalid"
		}
		c.m.rejected.WithLabelValues(platform, reason).Inc()
		return err
	}
	c.m.events.WithLabelValues(platform, eventKind(e)).Inc()
	return nil
}

// Act passes native actions through when the wrapped inbox takes them.
func (c countingInbox) Act(ctx context.Context, a core.ActionEvent) (core.ActionResult, error) {
	ai, ok := c.in.(core.ActionInbox)
	if !ok {
		return core.ActionResult{}, core.ErrUnsupported
	}
	res, err := ai.Act(ctx, a)
	if err == nil {
		c.m.events.WithLabelValues(string(a.Place.Platform), "action").Inc()
	}
	return res, err
}

// Cursors passes the backlog through when the wrapped inbox has one.
func (c countingInbox) Cursors(ctx context.Context, platform core.PlatformName, since time.Time) ([]core.Cursor, error) {
	bl, ok := c.in.(core.Backlog)
	if !ok {
		return nil, core.ErrUnsupported
	}
	return bl.Cursors(ctx, platform, since)
}

func eventKind(e core.Event) string {
	switch e.(type) {
	case core.MessageEvent:
		return "message"
	case core.EditEvent:
		return "edit"
	case core.DeleteEvent:
		return "delete"
	case core.ReactionEvent:
		return "reaction"
	}
	return "action"
}

// outboxCollector reads the outbox's state from the database at scrape time.
type outboxCollector struct{ st *store.Store }

var (
	deliveriesDesc = prometheus.NewDesc("cornershop_deliveries", "Deliveries in the outbox by state.", []string{"state"}, nil)
	lagDesc        = prometheus.NewDesc("cornershop_outbox_lag_seconds", "Age of the oldest due pending delivery.", nil, nil)
)

func (outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- deliveriesDesc
	ch <- lagDesc
}

func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := c.st.OutboxStats(ctx, time.Now())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(deliveriesDesc, err)
		return
	}
	for _, state := range []core.DeliveryState{core.DeliveryPending, core.DeliveryDone, core.DeliveryFailed, core.DeliveryCancelled} {
		ch <- prometheus.MustNewConstMetric(deliveriesDesc, prometheus.GaugeValue, float64(stats.ByState[state]), string(state))
	}
	ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, stats.Lag.Seconds())
}

// deskCollector publishes the desks' response figures (the same as the
// !stats command) at scrape time, over the last day and the last week.
type deskCollector struct {
	relay *relay.Service
	now   func() time.Time
}

var (
	firstResponseDesc = prometheus.NewDesc("cornershop_first_response_seconds", "Median time to the first staff reply, by desk and period.", []string{"desk", "period"}, nil)
	resolutionDesc    = prometheus.NewDesc("cornershop_resolution_seconds", "Median time from a conversation's start to its close, by desk and period.", []string{"desk", "period"}, nil)
	reopenDesc        = prometheus.NewDesc("cornershop_reopen_ratio", "Share of conversations reopened at least once, by desk and period.", []string{"desk", "period"}, nil)
	queueDesc         = prometheus.NewDesc("cornershop_open_conversations", "Open conversations started in the period (the queue), by desk.", []string{"desk", "period"}, nil)
	staffFirstDesc    = prometheus.NewDesc("cornershop_staff_first_response_seconds", "Median first-response time per staff member, by desk and period.", []string{"desk", "period", "staff"}, nil)
	slaAttainDesc     = prometheus.NewDesc("cornershop_sla_attainment_ratio", "Share of SLA clocks with a verdict that were met, by desk, priority and period.", []string{"desk", "priority", "period"}, nil)
	csatDesc          = prometheus.NewDesc("cornershop_csat_average", "Mean satisfaction rating (1-5) of surveys sent in the period, by desk.", []string{"desk", "period"}, nil)
	csatRatedDesc     = prometheus.NewDesc("cornershop_csat_ratings", "Satisfaction ratings given for surveys sent in the period, by desk.", []string{"desk", "period"}, nil)
	slaBreachDesc     = prometheus.NewDesc("cornershop_sla_breaches", "SLA clocks that ran past their target, by desk, priority and period.", []string{"desk", "priority", "period"}, nil)
)

func (deskCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{firstResponseDesc, resolutionDesc, reopenDesc, queueDesc, staffFirstDesc, slaAttainDesc, slaBreachDesc, csatDesc, csatRatedDesc} {
		ch <- d
	}
}

func (c deskCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for _, desk := range c.relay.Desks() {
		for _, p := range []struct {
			name string
			d    time.Duration
		}{{"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}} {
			r, err := c.relay.Report(ctx, desk.Place, c.now().Add(-p.d))
			if err != nil {
				ch <- prometheus.NewInvalidMetric(firstResponseDesc, err)
				return
			}
			ch <- prometheus.MustNewConstMetric(firstResponseDesc, prometheus.GaugeValue, r.FirstResponse.Seconds(), desk.Name, p.name)
			ch <- prometheus.MustNewConstMetric(resolutionDesc, prometheus.GaugeValue, r.Resolution.Seconds(), desk.Name, p.name)
			ch <- prometheus.MustNewConstMetric(reopenDesc, prometheus.GaugeValue, r.ReopenRate, desk.Name, p.name)
			ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(r.Open), desk.Name, p.name)
			ch <- prometheus.MustNewConstMetric(csatDesc, prometheus.GaugeValue, r.CSAT.Average(), desk.Name, p.name)
			ch <- prometheus.MustNewConstMetric(csatRatedDesc, prometheus.GaugeValue, float64(r.CSAT.Rated), desk.Name, p.name)
			for prio, f := range r.SLA {
				ch <- prometheus.MustNewConstMetric(slaAttainDesc, prometheus.GaugeValue, f.Attainment(), desk.Name, relay.PriorityName(prio), p.name)
				ch <- prometheus.MustNewConstMetric(slaBreachDesc, prometheus.GaugeValue, float64(f.Breaches), desk.Name, relay.PriorityName(prio), p.name)
			}
			for who, sr := range r.ByStaff {
				if sr.FirstResponses > 0 {
					ch <- prometheus.MustNewConstMetric(staffFirstDesc, prometheus.GaugeValue, sr.FirstResponse.Seconds(), desk.Name, p.name, who)
				}
			}
		}
	}
}
