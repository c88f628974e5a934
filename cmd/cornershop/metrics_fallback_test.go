package main

import (
	"testing"

	dto "github.com/prometheus/client_model/go"

	"cornershop/core"
)

// TestDeskFallbackIsCounted: relay.Config.DeskFallback, as wired, counts
// each desk copy posted without a thread by the desk's platform.
func TestDeskFallbackIsCounted(t *testing.T) {
	m := newMetrics(nil, "r1", nil)
	m.deskFallback(core.Discord)
	m.deskFallback(core.Discord)
	m.deskFallback(core.Slack)
	for p, want := range map[core.PlatformName]float64{core.Discord: 2, core.Slack: 1, core.Telegram: 0} {
		var got dto.Metric
		if err := m.fallback.WithLabelValues(string(p)).Write(&got); err != nil {
			t.Fatal(err)
		}
		if got.GetCounter().GetValue() != want {
			t.Errorf("cornershop_desk_fallbacks_total{platform=%q} = %v, want %v", p, got.GetCounter().GetValue(), want)
		}
	}
}
