package config_test

import (
	"strings"
	"testing"

	"cornershop/config"
)

// TestUnknownEnv: a CORNERSHOP_* variable that sets nothing is named, with
// the nearest valid one; valid ones, list elements, _FILE secrets and the
// knobs read elsewhere are not.
func TestUnknownEnv(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		{"a mistyped token", []string{"CORNERSHOP_TELEGRAM_BOT_TOKEN=x"},
			[]string{"CORNERSHOP_TELEGRAM_BOT_TOKEN: unknown environment variable, ignored (did you mean CORNERSHOP_TELEGRAM_TOKEN?)"}},
		{"a misspelt key", []string{"CORNERSHOP_HTTP_LISTNE=:1"},
			[]string{"CORNERSHOP_HTTP_LISTNE: unknown environment variable, ignored (did you mean CORNERSHOP_HTTP_LISTEN?)"}},
		{"nothing near", []string{"CORNERSHOP_XYZZY=1"},
			[]string{"CORNERSHOP_XYZZY: unknown environment variable, ignored"}},
		{"valid names", []string{
			"CORNERSHOP_TELEGRAM_TOKEN=x", "CORNERSHOP_SLACK_BOT_TOKEN_FILE=/f", "CORNERSHOP_STAFF_12_IDENTITIES_SLACK=U1",
			"CORNERSHOP_IDEAS_BOARDS_0_TOPIC=7", "CORNERSHOP_CONFIG=/c.yaml", "CORNERSHOP_TEST_POSTGRES_DSN=x", "HOME=/root",
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range config.UnknownEnv(tc.env) {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
