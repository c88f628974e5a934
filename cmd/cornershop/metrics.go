package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/store"
)

// metrics is cornershop's Prometheus registry and instruments. Every
// series carries a replica label, so replicas sharing a database can be
// told apart; no label takes an unbounded set of values (no staff, contact
// or chat ids).
type metrics struct {
	registry  *prometheus.Registry
	register  prometheus.Registerer // registry, labelled with the replica
	events    *prometheus.CounterVec
	rejected  *prometheus.CounterVec
	attempts  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	fallback  *prometheus.CounterVec
	connected *prometheus.GaugeVec
	webhooks  *prometheus.CounterVec
}

// Label values every counter is created with at start, so each series
// exists at 0 before its first event.
var (
	eventKinds    = []string{"message", "edit", "delete", "reaction", "action"}
	rejectReasons = []string{"store", "invalid"}
	deliveryOps   = []core.Op{core.OpSend, core.OpEdit, core.OpDelete, core.OpOpenThread, core.OpUpdateCard, core.OpReact, core.OpWake, core.OpIdeaCard, core.OpNotify, core.OpSignalCard}
	outcomes      = []outbox.Outcome{outbox.Delivered, outbox.Retried, outbox.RateLimit, outbox.GaveUp, outbox.StoreError}
)

// newMetrics builds the registry for a replica serving platforms, with
// every counter of those platforms present at 0.
func newMetrics(st *store.Store, replica string, platforms []string) *metrics {
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
		connected: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cornershop_platform_connected", Help: "1 while this replica holds a live connection to the platform (or receives its pushes), else 0.",
		}, []string{"platform"}),
	}
	for _, p := range platforms {
		for _, k := range eventKinds {
			m.events.WithLabelValues(p, k)
		}
		for _, r := range rejectReasons {
			m.rejected.WithLabelValues(p, r)
		}
		for _, op := range deliveryOps {
			for _, o := range outcomes {
				m.attempts.WithLabelValues(p, string(op), string(o))
			}
		}
		m.latency.WithLabelValues(p)
		m.fallback.WithLabelValues(p)
		m.connected.WithLabelValues(p)
	}
	m.register.MustRegister(m.events, m.rejected, m.attempts, m.latency, m.fallback, m.connected, m.webhooks,
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

// connection returns the setter of platform's connection gauge.
func (m *metrics) connection(platform string) func(bool) {
	g := m.connected.WithLabelValues(platform)
	return func(on bool) {
		if on {
			g.Set(1)
		} else {
			g.Set(0)
		}
	}
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

// webhookEndpoint creates endpoint's webhook series at 0, so each exists
// before its first attempt.
func (m *metrics) webhookEndpoint(endpoint string) {
	for _, o := range outcomes {
		m.webhooks.WithLabelValues(endpoint, string(o))
	}
}
