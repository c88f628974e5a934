package config_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cornershop/config"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func parse(t *testing.T, yaml string, vars map[string]string) (*config.Config, error) {
	t.Helper()
	var r *strings.Reader
	if yaml != "" {
		r = strings.NewReader(yaml)
		return config.Parse(r, "test.yaml", env(vars))
	}
	return config.Parse(nil, "", env(vars))
}

func problems(t *testing.T, err error) []string {
	t.Helper()
	var ve *config.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *ValidationError", err)
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestDefaults(t *testing.T) {
	cfg, err := config.Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Listen != ":8080" || cfg.Database.Driver != config.SQLite || cfg.Database.DSN.Reveal() != "cornershop.db" || cfg.Relay.ReopenWindow != 72*time.Hour {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestPrecedence(t *testing.T) {
	yaml := "http:\n  listen: \"127.0.0.1:9000\"\nrelay:\n  reopen_window: 1h\n"
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"file over default", nil, "127.0.0.1:9000"},
		{"env over file", map[string]string{"CORNERSHOP_HTTP_LISTEN": ":7000"}, ":7000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parse(t, yaml, tc.vars)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.HTTP.Listen != tc.want || cfg.Relay.ReopenWindow != time.Hour {
				t.Errorf("listen = %q, reopen = %s", cfg.HTTP.Listen, cfg.Relay.ReopenWindow)
			}
		})
	}
}

const valid = `
staff:
  - id: alice
    name: Alice
    identities: {slack: U1}
desks:
  - name: main
    platform: slack
    channel: C1
slack:
  enabled: true
  mode: socket
`

func TestEnvSecretsListsAndFiles(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app-token")
	if err := os.WriteFile(file, []byte("xapp-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := parse(t, valid, map[string]string{
		"CORNERSHOP_SLACK_BOT_TOKEN":         "xoxb-env",
		"CORNERSHOP_SLACK_APP_TOKEN_FILE":    file,
		"CORNERSHOP_SLACK_CUSTOMER_CHANNELS": "C7, C8",
		"CORNERSHOP_STAFF_0_NAME":            "Alice Martin",
		"CORNERSHOP_OUTBOX_WORKERS":          "9",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Slack.BotToken.Reveal() != "xoxb-env" || cfg.Slack.AppToken.Reveal() != "xapp-from-file" {
		t.Errorf("secrets = %q, %q", cfg.Slack.BotToken.Reveal(), cfg.Slack.AppToken.Reveal())
	}
	if strings.Join(cfg.Slack.CustomerChannels, "|") != "C7|C8" || cfg.Staff[0].Name != "Alice Martin" || cfg.Outbox.Workers != 9 {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	if cfg.Staff[0].Roles[0] != "agent" {
		t.Errorf("default role = %q", cfg.Staff[0].Roles)
	}
}

func TestUnknownKeyNamesPathAndLine(t *testing.T) {
	_, err := parse(t, "http:\n  listen: \":1\"\ntelegram:\n  tokn: x\n", nil)
	got := problems(t, err)
	if len(got) != 1 || got[0] != "telegram.tokn: unknown key (test.yaml:4)" {
		t.Errorf("problems = %q", got)
	}
}

func TestEveryProblemReported(t *testing.T) {
	yaml := `
database:
  search_language: "english'; drop"
http:
  listen: nonsense
staff:
  - id: alice
    name: Alice
    roles: [boss]
    identities: {slack: U1}
desks:
  - name: main
    platform: telegram
    channel: "-100"
`
	got := problems(t, func() error { _, err := parse(t, yaml, nil); return err }())
	want := []string{
		`database.search_language: "english'; drop" is not a text search configuration name (letters, digits, _)`,
		`http.listen: "nonsense" is not host:port`,
		`staff[0].roles[0]: unknown role "boss" (want agent, moderator, admin)`,
		`desks[0].platform: telegram is not enabled`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBadEnvValue(t *testing.T) {
	_, err := parse(t, "", map[string]string{"CORNERSHOP_OUTBOX_WORKERS": "many"})
	got := problems(t, err)
	if len(got) != 1 || !strings.Contains(got[0], `outbox.workers: CORNERSHOP_OUTBOX_WORKERS="many": want a whole number`) {
		t.Errorf("problems = %q", got)
	}
}

func TestSecretNeverShows(t *testing.T) {
	const token = "xoxb-TOP-SECRET-123"
	cfg, err := parse(t, valid, map[string]string{"CORNERSHOP_SLACK_BOT_TOKEN": token, "CORNERSHOP_SLACK_APP_TOKEN": token})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg, "token", cfg.Slack.BotToken)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "slack", cfg.Slack)
	outs := []string{
		fmt.Sprint(cfg.Slack.BotToken), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprintf("%s", cfg.Slack.BotToken), fmt.Sprintf("%q", cfg.Slack.BotToken), logs.String(),
	}
	// Errors about a config that holds secrets must not show them either.
	_, err = parse(t, valid+"  bot_tokn: "+token+"\n", map[string]string{"CORNERSHOP_SLACK_APP_TOKEN": token, "CORNERSHOP_DATABASE_DRIVER": "oracle"})
	outs = append(outs, err.Error())
	for i, out := range outs {
		if strings.Contains(out, token) {
			t.Errorf("output %d shows the secret: %s", i, out)
		}
	}
	if cfg.Slack.BotToken.Reveal() != token {
		t.Error("Reveal lost the value")
	}
}

func TestExampleValidates(t *testing.T) {
	vars := map[string]string{
		"CORNERSHOP_TELEGRAM_TOKEN": "1:x", "CORNERSHOP_SLACK_BOT_TOKEN": "xoxb", "CORNERSHOP_SLACK_APP_TOKEN": "xapp",
		"CORNERSHOP_DISCORD_TOKEN": "d", "CORNERSHOP_WEBHOOKS_0_SECRET": "whsec", "CORNERSHOP_API_TOKENS_0_SECRET": "0123456789abcdef0123456789abcdef",
	}
	if _, err := config.Parse(bytes.NewReader(config.Example), "example.yaml", env(vars)); err != nil {
		t.Fatalf("example.yaml: %v", err)
	}
}

func TestProblemsNameTheirKeysAndHideValues(t *testing.T) {
	const token = "xoxb-TOP-SECRET-123"
	file := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, yaml string
		vars       map[string]string
		want       []string
	}{
		{"identity duplicates in a stable order", `
staff:
  - {id: a, name: A, identities: {slack: U1, discord: D1, telegram: T1}}
  - {id: b, name: B, identities: {slack: U1, discord: D1, telegram: T1}}
`, nil, []string{
			`staff[1].identities.telegram: "T1" is also staff[0]'s`,
			`staff[1].identities.slack: "U1" is also staff[0]'s`,
			`staff[1].identities.discord: "D1" is also staff[0]'s`,
		}},
		{"relay and outbox problems name their keys", "relay:\n  note_prefix: '!'\noutbox:\n  workers: 0\n  lease: 0s\n", nil, []string{
			`relay.command_prefix: "!" is also relay.note_prefix`,
			`outbox.workers: must be at least 1`,
			`outbox.lease: must be positive`,
		}},
		{"type errors name their key and hide the value", "outbox:\n  workers: " + token + "\nrelay:\n  reopen_window: 3 days\n", nil, []string{
			`outbox.workers: cannot unmarshal !!str into int (test.yaml:2)`,
			`relay.reopen_window: cannot unmarshal !!str into time.Duration (test.yaml:4)`,
		}},
		{"a key given twice does not hide the rest", "http:\n  listen: \":1\"\n  listen: \":2\"\noutbox:\n  workers: x\n", nil, []string{
			`http.listen: key given twice (test.yaml:2 and 3)`,
			`outbox.workers: cannot unmarshal !!str into int (test.yaml:5)`,
		}},
		{"a discord public key must be 32 bytes in hex", "discord:\n  enabled: true\n  token: x\n  public_key: abc\n", nil, []string{
			`desks: at least one desk is required when a platform is enabled`,
			`discord.public_key: want the application's public key: 64 hexadecimal digits`,
		}},
		{"a secret from env and _FILE at once", "", map[string]string{"CORNERSHOP_DATABASE_DSN": "x", "CORNERSHOP_DATABASE_DSN_FILE": file}, []string{
			`database.dsn: both CORNERSHOP_DATABASE_DSN and CORNERSHOP_DATABASE_DSN_FILE are set: set one`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.yaml, tc.vars)
			got := problems(t, err)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

func TestConfigLogValue(t *testing.T) {
	const token = "xoxb-TOP-SECRET-123"
	cfg, err := parse(t, valid, map[string]string{"CORNERSHOP_SLACK_BOT_TOKEN": token, "CORNERSHOP_SLACK_APP_TOKEN": token})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", cfg)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "cfg", cfg)
	out := buf.String()
	for _, want := range []string{`"bot_token":"[redacted]"`, `"reopen_window":259200000000000`, `cfg.staff.0.id=alice`, `cfg.slack.bot_token=[redacted]`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, token) {
		t.Errorf("log shows the secret:\n%s", out)
	}
}
