package main

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cornershop/config"
	"cornershop/core"
	"cornershop/core/listen"
	"cornershop/core/relay"
)

// listeningConfig turns the listening section into the relay's: the places
// and the compiled rules.
func listeningConfig(cfg *config.Config) (relay.Listening, error) {
	l := relay.Listening{Window: cfg.Listening.Window}
	for _, p := range cfg.Listening.Places {
		name := p.Name
		if name == "" {
			name = p.Channel
		}
		l.Places = append(l.Places, relay.ListeningPlace{Place: core.Place{Platform: core.PlatformName(p.Platform), Chat: p.Channel}, Name: name})
	}
	if len(cfg.Listening.Rules) == 0 {
		return l, nil
	}
	rules := make([]listen.Rule, len(cfg.Listening.Rules))
	for i, r := range cfg.Listening.Rules {
		rules[i] = listen.Rule{Name: r.Name, Terms: r.Terms, Desk: r.Desk, Negative: r.NegativeOnly}
	}
	m, err := listen.NewMatcher(rules)
	if err != nil {
		return l, fmt.Errorf("listening.rules: %w", err)
	}
	l.Rules = m
	return l, nil
}

// listeningChannels lists the listening places configured on a platform.
func listeningChannels(cfg *config.Config, platform string) []string {
	var out []string
	for _, p := range cfg.Listening.Places {
		if p.Platform == platform {
			out = append(out, p.Channel)
		}
	}
	return out
}

// listeningMetrics counts what listening does as it happens (no query at
// scrape). Its labels are configured rule and place names: bounded.
type listeningMetrics struct {
	matches *prometheus.CounterVec
	done    *prometheus.CounterVec
	handle  *prometheus.HistogramVec
}

var _ relay.ListeningObserver = (*listeningMetrics)(nil)

// newListeningMetrics registers the listening metrics with a series for
// every configured rule and place from the start.
func newListeningMetrics(reg prometheus.Registerer, l relay.Listening) *listeningMetrics {
	m := &listeningMetrics{
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cornershop_listening_matches_total",
			Help: "Community messages that matched a listening rule, by rule, place and sentiment (negative, other).",
		}, []string{"rule", "place", "sentiment"}),
		done: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cornershop_listening_signals_total",
			Help: "Listening signals acted on, by rule and outcome (handled, dismissed).",
		}, []string{"rule", "outcome"}),
		handle: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cornershop_listening_handle_seconds",
			Help:    "Time from a signal's first message to the first action on it, by outcome.",
			Buckets: []float64{60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600},
		}, []string{"outcome"}),
	}
	outcomes := []core.SignalState{core.SignalHandled, core.SignalDismissed}
	for _, r := range l.Rules.Rules() {
		for _, p := range l.Places {
			m.matches.WithLabelValues(r.Name, p.Name, "negative")
			m.matches.WithLabelValues(r.Name, p.Name, "other")
		}
		for _, o := range outcomes {
			m.done.WithLabelValues(r.Name, string(o))
			m.handle.WithLabelValues(string(o))
		}
	}
	reg.MustRegister(m.matches, m.done, m.handle)
	return m
}

// Matched implements relay.ListeningObserver.
func (m *listeningMetrics) Matched(rule, place string, negative bool) {
	sentiment := "other"
	if negative {
		sentiment = "negative"
	}
	m.matches.WithLabelValues(rule, place, sentiment).Inc()
}

// SignalDone implements relay.ListeningObserver.
func (m *listeningMetrics) SignalDone(rule string, state core.SignalState, took time.Duration) {
	m.done.WithLabelValues(rule, string(state)).Inc()
	m.handle.WithLabelValues(string(state)).Observe(took.Seconds())
}
