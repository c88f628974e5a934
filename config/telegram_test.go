package config_test

import (
	"errors"
	"strings"
	"testing"

	"cornershop/config"
)

// TestTelegramWebhookMaxConnections: webhook mode asks Telegram for 100
// connections unless told otherwise, within Telegram's 1-100.
func TestTelegramWebhookMaxConnections(t *testing.T) {
	const base = "http:\n  public_url: https://desk.example.com\ndesks:\n  - name: main\n    platform: telegram\n    channel: \"-100123\"\ntelegram:\n  enabled: true\n  mode: webhook\n"
	vars := env(map[string]string{"CORNERSHOP_TELEGRAM_TOKEN": "1:T", "CORNERSHOP_TELEGRAM_WEBHOOK_SECRET": "s",
		"CORNERSHOP_SLACK_ENABLED": "false", "CORNERSHOP_DISCORD_ENABLED": "false"})
	tests := []struct {
		name  string
		extra string
		want  int // 0: a problem at telegram.webhook_max_connections
	}{
		{"default", "", 100},
		{"set", "  webhook_max_connections: 40\n", 40},
		{"zero", "  webhook_max_connections: 0\n", 0},
		{"over Telegram's limit", "  webhook_max_connections: 101\n", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse(strings.NewReader(base+tc.extra), "test.yaml", vars)
			var ve *config.ValidationError
			switch {
			case tc.want > 0 && err != nil:
				t.Fatalf("Parse: %v", err)
			case tc.want > 0:
				if got := cfg.Telegram.WebhookMaxConnections; got != tc.want {
					t.Errorf("webhook_max_connections = %d, want %d", got, tc.want)
				}
			case !errors.As(err, &ve):
				t.Fatalf("Parse = %v, want a ValidationError", err)
			case len(ve.Problems) != 1 || ve.Problems[0].Path != "telegram.webhook_max_connections":
				t.Errorf("problems %v, want one at telegram.webhook_max_connections", ve.Problems)
			}
		})
	}
}
