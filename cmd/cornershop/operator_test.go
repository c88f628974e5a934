package main

import (
	"bytes"
	"context"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// eventually polls cond every 20 ms until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting %s for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// envOnlyService starts serve against the Slack emulator configured by
// environment variables alone (no file), with the operator routes on
// their own address, and returns the public and admin base URLs and the
// logs once Slack is connected.
func envOnlyService(t *testing.T) (public, admin string, logs *syncBuffer) {
	t.Helper()
	sl, desk, alice := slackWorld(t)
	adminAddr := freeAddr(t)
	env := slackDeskEnv(t, sl, desk, alice)
	maps.Copy(env, map[string]string{
		"CORNERSHOP_HTTP_ADMIN_LISTEN": adminAddr,
		"CORNERSHOP_METRICS_REPLICA":   "r1",
		"CORNERSHOP_LOG_FORMAT":        "json",
		"CORNERSHOP_STAFF_0_NAME":      "Alice",
		"CORNERSHOP_WEBHOOKS_0_NAME":   "crm",
		"CORNERSHOP_WEBHOOKS_0_URL":    "http://127.0.0.1:9/hooks",
		"CORNERSHOP_WEBHOOKS_0_SECRET": "whsec",
		"CORNERSHOP_SLACK_BOT_TOKN":    "typo",
	})
	public, logs = startServe(t, env)
	admin = "http://" + adminAddr
	eventually(t, 15*time.Second, "slack to connect", func() bool {
		_, body := get(t, admin+"/readyz")
		return strings.Contains(body, "slack: connected here")
	})
	eventually(t, 5*time.Second, "the connected log line", func() bool {
		return strings.Contains(logs.String(), `"msg":"platform connected"`)
	})
	return public, admin, logs
}

// TestEnvOnlyStart: with no configuration file, variables alone (list
// elements included) configure a working service; the operator routes
// live on http.admin_listen only; the logs say once that Slack connected,
// name the mistyped variable, and do not warn about the platforms left
// off.
func TestEnvOnlyStart(t *testing.T) {
	public, admin, logs := envOnlyService(t)
	for _, tc := range []struct {
		url  string
		code int
	}{
		{public + "/ideas", 200},
		{public + "/metrics", 404},
		{public + "/readyz", 404},
		{admin + "/healthz", 200},
		{admin + "/metrics", 200},
		{admin + "/ideas", 404},
	} {
		if code, _ := get(t, tc.url); code != tc.code {
			t.Errorf("GET %s = %d, want %d", tc.url, code, tc.code)
		}
	}
	out := logs.String()
	for _, tc := range []struct {
		line string
		n    int
	}{
		{`"msg":"platform connected","platform":"slack"`, 1},
		{`"msg":"unknown environment variable","variable":"CORNERSHOP_SLACK_BOT_TOKN","detail":"unknown environment variable, ignored (did you mean CORNERSHOP_SLACK_BOT_TOKEN?)"`, 1},
		{`not configured`, 0},
		{`no platform enabled`, 0},
		{`listening`, 0},
		{`%!`, 0},
		{`%v`, 0},
	} {
		if n := strings.Count(out, tc.line); n != tc.n {
			t.Errorf("the logs hold %q %d times, want %d:\n%s", tc.line, n, tc.n, out)
		}
	}
}

// documentedMetric is a row of the metrics table in docs/operations.md.
var documentedMetric = regexp.MustCompile("(?m)^\\| `(cornershop_[a-z_]+)` \\| (counter|gauge|histogram) \\| ([^|]*)\\|")

// TestMetricsDocumented: /metrics exposes exactly the cornershop_ series
// docs/operations.md lists, with the types and labels it gives, every
// series labelled with the configured replica, every counter present
// before its first event, and no label that names a person or a chat.
func TestMetricsDocumented(t *testing.T) {
	_, admin, _ := envOnlyService(t)
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		kind   string
		labels []string
	}
	documented := map[string]want{}
	dataOnly := map[string]bool{} // gauges computed from records: absent until there are some
	for _, m := range documentedMetric.FindAllStringSubmatch(string(doc), -1) {
		labels := []string{"replica"}
		for _, l := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(m[3], -1) {
			labels = append(labels, l[1])
		}
		slices.Sort(labels)
		documented[m[1]] = want{m[2], labels}
		if strings.Contains(lineOf(string(doc), m[1]), "with data only") {
			dataOnly[m[1]] = true
		}
	}
	if len(documented) == 0 {
		t.Fatal("no metrics table found in docs/operations.md")
	}
	_, body := get(t, admin+"/metrics")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	exposed := map[string]bool{}
	for name, f := range families {
		if !strings.HasPrefix(name, "cornershop_") {
			continue
		}
		exposed[name] = true
		w, ok := documented[name]
		if !ok {
			t.Errorf("/metrics exposes %s, which docs/operations.md does not list", name)
			continue
		}
		if got := strings.ToLower(f.GetType().String()); got != w.kind {
			t.Errorf("%s is a %s, documented as a %s", name, got, w.kind)
		}
		if w.kind == "counter" && len(f.GetMetric()) == 0 {
			t.Errorf("%s has no series before its first event", name)
		}
		for _, m := range f.GetMetric() {
			if got := labelNames(m); !slices.Equal(got, w.labels) {
				t.Errorf("%s has labels %v, documented %v", name, got, w.labels)
			}
			for _, l := range m.GetLabel() {
				if l.GetName() == "replica" && l.GetValue() != "r1" {
					t.Errorf("%s has replica=%q, want the configured r1", name, l.GetValue())
				}
				if slices.Contains([]string{"staff", "contact", "user", "chat", "channel"}, l.GetName()) {
					t.Errorf("%s has an unbounded label %s", name, l.GetName())
				}
			}
		}
	}
	for name := range documented {
		if !exposed[name] && !dataOnly[name] {
			t.Errorf("docs/operations.md lists %s, which /metrics does not expose", name)
		}
	}
}

func labelNames(m *dto.Metric) []string {
	var out []string
	for _, l := range m.GetLabel() {
		out = append(out, l.GetName())
	}
	slices.Sort(out)
	return out
}

// TestOperatorCommandLine: the messages a new operator meets first.
func TestOperatorCommandLine(t *testing.T) {
	example := filepath.Join(repoRoot, "config", "example.yaml")
	tokens := map[string]string{
		"CORNERSHOP_TELEGRAM_TOKEN": "1:x", "CORNERSHOP_SLACK_BOT_TOKEN": "xoxb", "CORNERSHOP_SLACK_APP_TOKEN": "xapp",
		"CORNERSHOP_DISCORD_TOKEN": "d", "CORNERSHOP_TELEGRAM_BOT_TOKEN": "typo",
		"CORNERSHOP_WEBHOOKS_0_SECRET": "whsec", "CORNERSHOP_API_TOKENS_0_SECRET": "0123456789abcdef0123456789abcdef",
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr bool
		want    []string // in stdout and stderr together
		notWant []string
	}{
		{"serve --help", []string{"serve", "--help"}, nil, false, []string{"-config"}, []string{"help requested"}},
		{"check-config --help", []string{"check-config", "-h"}, nil, false, []string{"-config"}, []string{"help requested"}},
		{"a missing file", []string{"check-config", "--config", "/nonexistent/cornershop.yaml"}, nil, true,
			[]string{"configuration file /nonexistent/cornershop.yaml does not exist", "CORNERSHOP_* variables alone"}, nil},
		{"the example passes check-config", []string{"check-config", "--config", example}, tokens, false,
			[]string{"configuration ok", "warning: CORNERSHOP_TELEGRAM_BOT_TOKEN: unknown environment variable, ignored (did you mean CORNERSHOP_TELEGRAM_TOKEN?)"}, nil},
		{"version", []string{"version"}, nil, false, []string{"cornershop "}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, envOf(tc.env), &out, &errOut)
			if (err != nil) != tc.wantErr {
				t.Errorf("run %v = %v, want error %v", tc.args, err, tc.wantErr)
			}
			all := out.String() + errOut.String()
			if err != nil {
				all += err.Error()
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(all, w) {
					t.Errorf("output has %q:\n%s", w, all)
				}
			}
		})
	}
}

// TestServeWaitsForTheDatabase: serve started while PostgreSQL is down
// says it waits, keeps trying, and serves once the database is up,
// instead of exiting.
func TestServeWaitsForTheDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server of its own: skipped with -short, runs in the full suite (.ci/run)")
	}
	pg := startPostgres(t)
	if err := pg.stop("fast"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, envOf(map[string]string{
			"CORNERSHOP_HTTP_LISTEN":     "127.0.0.1:0",
			"CORNERSHOP_DATABASE_DRIVER": "postgres",
			"CORNERSHOP_DATABASE_DSN":    pg.DSN(),
			"CORNERSHOP_LOG_FORMAT":      "json",
		}), stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	})
	eventually(t, 10*time.Second, "the waiting line", func() bool {
		return strings.Contains(stderr.String(), `"msg":"waiting for the database"`)
	})
	if err := pg.start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 40*time.Second, "serve to start once the database is up", func() bool {
		return strings.Contains(stdout.String(), "serving on")
	})
	if !strings.Contains(stderr.String(), `"msg":"database reachable"`) {
		t.Errorf("serve did not say the database became reachable:\n%s", stderr.String())
	}
}

// lineOf is the line of doc that documents metric name.
func lineOf(doc, name string) string {
	for _, l := range strings.Split(doc, "\n") {
		if strings.HasPrefix(l, "| `"+name+"`") {
			return l
		}
	}
	return ""
}
