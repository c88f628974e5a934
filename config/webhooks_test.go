package config_test

import (
	"errors"
	"strings"
	"testing"

	"cornershop/config"
)

func TestWebhooksValidate(t *testing.T) {
	const base = "webhooks:\n  - name: crm\n    url: https://crm.example.com/h?token=TOKEN-IN-URL\n"
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want []string // problem paths; none for valid
	}{
		{"valid from env", base, map[string]string{"CORNERSHOP_WEBHOOKS_0_SECRET": "s3cr3t"}, nil},
		{"secret required", base, nil, []string{"webhooks[0].secret"}},
		{"http only", "webhooks:\n  - name: crm\n    url: ftp://x/\n", map[string]string{"CORNERSHOP_WEBHOOKS_0_SECRET": "s"}, []string{"webhooks[0].url"}},
		{"bad pattern", base + "    events: [conversation.*, order.paid]\n", map[string]string{"CORNERSHOP_WEBHOOKS_0_SECRET": "s"}, []string{"webhooks[0].events[1]"}},
		{"names unique", base + "  - name: crm\n    url: http://127.0.0.1:9/\n", map[string]string{"CORNERSHOP_WEBHOOKS_0_SECRET": "s", "CORNERSHOP_WEBHOOKS_1_SECRET": "s"}, []string{"webhooks[1].name"}},
		{"backoffs ordered", base + "    min_backoff: 1h\n    max_backoff: 1m\n", map[string]string{"CORNERSHOP_WEBHOOKS_0_SECRET": "s"}, []string{"webhooks[0].min_backoff"}},
		{"unknown key", base + "    retries: 3\n", map[string]string{"CORNERSHOP_WEBHOOKS_0_SECRET": "s"}, []string{"webhooks[0].retries"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"CORNERSHOP_TELEGRAM_ENABLED": "false", "CORNERSHOP_SLACK_ENABLED": "false", "CORNERSHOP_DISCORD_ENABLED": "false"}
			for k, v := range tc.env {
				vars[k] = v
			}
			cfg, err := config.Parse(strings.NewReader(tc.yaml), "test.yaml", env(vars))
			var ve *config.ValidationError
			switch {
			case len(tc.want) == 0 && err != nil:
				t.Fatalf("Parse: %v", err)
			case len(tc.want) == 0:
				if cfg.Webhooks[0].Secret.Reveal() != "s3cr3t" {
					t.Errorf("secret = %q", cfg.Webhooks[0].Secret.Reveal())
				}
				return
			case !errors.As(err, &ve):
				t.Fatalf("Parse = %v, want a ValidationError", err)
			}
			if strings.Contains(err.Error(), "TOKEN-IN-URL") || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("problems quote a URL or secret: %v", err)
			}
			for _, p := range tc.want {
				found := false
				for _, got := range ve.Problems {
					found = found || got.Path == p
				}
				if !found {
					t.Errorf("problems %v, want one at %s", ve.Problems, p)
				}
			}
		})
	}
}
