package main

import (
	"testing"

	dto "github.com/prometheus/client_model/go"

	"cornershop/core"
	"cornershop/core/outbox"
)

// TestWebhookAttemptsAreCounted: each webhook attempt counts by endpoint
// and outcome, so a failure for good shows as outcome="failed"; other
// deliveries do not count there.
func TestWebhookAttemptsAreCounted(t *testing.T) {
	m := newMetrics(nil, "r1")
	hook := core.Delivery{Op: core.OpWebhook, Endpoint: "crm"}
	m.Attempted(hook, outbox.Retried, 0)
	m.Attempted(hook, outbox.Retried, 0)
	m.Attempted(hook, outbox.GaveUp, 0)
	m.Attempted(core.Delivery{Op: core.OpSend, Platform: core.Slack}, outbox.GaveUp, 0)
	tests := []struct {
		endpoint string
		outcome  outbox.Outcome
		want     float64
	}{
		{"crm", outbox.Retried, 2},
		{"crm", outbox.GaveUp, 1},
		{"crm", outbox.Delivered, 0},
		{"", outbox.GaveUp, 0},
	}
	for _, tc := range tests {
		var got dto.Metric
		if err := m.webhooks.WithLabelValues(tc.endpoint, string(tc.outcome)).Write(&got); err != nil {
			t.Fatal(err)
		}
		if v := got.GetCounter().GetValue(); v != tc.want {
			t.Errorf("cornershop_webhook_attempts_total{endpoint=%q,outcome=%q} = %v, want %v", tc.endpoint, tc.outcome, v, tc.want)
		}
	}
}
