package config_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"cornershop/config"
)

// TestServiceLevelKeys: the example's hours and SLA are read as written,
// and each kind of mistake is reported at its key.
func TestServiceLevelKeys(t *testing.T) {
	vars := map[string]string{
		"CORNERSHOP_TELEGRAM_TOKEN": "1:x", "CORNERSHOP_SLACK_BOT_TOKEN": "xoxb", "CORNERSHOP_SLACK_APP_TOKEN": "xapp",
		"CORNERSHOP_DISCORD_TOKEN": "d", "CORNERSHOP_WEBHOOKS_0_SECRET": "whsec", "CORNERSHOP_API_TOKENS_0_SECRET": "0123456789abcdef0123456789abcdef",
	}
	cfg, err := config.Parse(bytes.NewReader(config.Example), "example.yaml", env(vars))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Desks[0]
	if d.Hours.TimeZone != "Europe/Berlin" || len(d.Hours.Weekly) != 2 || !d.Acknowledge ||
		d.SLA.FirstResponse != time.Hour || d.SLA.WarnAt != 0.8 || d.SLA.Priorities[0].FirstResponse != 15*time.Minute {
		t.Errorf("desk = %+v", d)
	}
	tests := []struct {
		name, from, to, wantKey string
	}{
		{"unknown zone", "time_zone: Europe/Berlin", "time_zone: Europe/Atlantis", "desks[0].hours"},
		{"bad weekly line", "- mon-fri 09:00-18:00", "- weekdays 9 to 6", "desks[0].hours"},
		{"bad holiday", `"2026-12-24"`, `"24.12.2026"`, "desks[0].hours"},
		{"warn share out of range", "warn_at: 0.8", "warn_at: 80", "desks[0].sla.warn_at"},
		{"unknown priority", "priority: urgent", "priority: asap", "desks[0].sla.priorities"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(string(config.Example), tt.from, tt.to, 1)
			_, err := config.Parse(strings.NewReader(text), "example.yaml", env(vars))
			if err == nil || !strings.Contains(err.Error(), tt.wantKey) {
				t.Errorf("error = %v, want one at %s", err, tt.wantKey)
			}
		})
	}
}
