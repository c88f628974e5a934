package main

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envOf is a getenv over m that, like main's, lists the names set for
// environKey.
func envOf(m map[string]string) func(string) string {
	return func(k string) string {
		if k == environKey {
			return strings.Join(slices.Sorted(maps.Keys(m)), "\n")
		}
		return m[k]
	}
}

func TestCheckConfigReportsEveryProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	bad := "http:\n  listen: nowhere\nstaff:\n  - id: Alice!\n    name: Alice\n    identities: {slack: U1}\ntelegram:\n  enabld: true\n"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"check-config", "--config", path}, envOf(nil), &out, &errOut)
	if err == nil {
		t.Fatal("check-config accepted a broken configuration")
	}
	for _, want := range []string{`http.listen: "nowhere" is not host:port`, `staff[0].id: "Alice!" must be`, `telegram.enabld: unknown key (` + path + `:8)`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check-config output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, envOf(nil), &out, &errOut); err == nil || !strings.Contains(errOut.String(), "Usage:") {
		t.Errorf("run(frobnicate) = %v, stderr %q", err, errOut.String())
	}
}

// startServe runs `cornershop serve` in-process and returns its base URL.
func startServe(t *testing.T, vars map[string]string, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), envOf(vars), stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30s of its context ending")
		}
	})
	re := regexp.MustCompile(`serving on (\S+)`)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			return "http://" + m[1], stderr
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", stderr.String())
	return "", nil
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeWithoutConfig(t *testing.T) {
	dir := t.TempDir()
	base, logs := startServe(t, map[string]string{
		"CORNERSHOP_HTTP_LISTEN":  "127.0.0.1:0",
		"CORNERSHOP_DATABASE_DSN": filepath.Join(dir, "c.db"),
	})
	for _, tc := range []struct {
		path string
		code int
		body string
	}{
		{"/healthz", 200, "ok"},
		{"/readyz", 200, "ready"},
		{"/metrics", 200, "cornershop_outbox_lag_seconds"},
		{"/metrics", 200, "cornershop_deliveries{replica="},
	} {
		if code, body := get(t, base+tc.path); code != tc.code || !strings.Contains(body, tc.body) {
			t.Errorf("GET %s = %d %q, want %d with %q", tc.path, code, body, tc.code, tc.body)
		}
	}
	if !strings.Contains(logs.String(), "no platform enabled") {
		t.Errorf("serve did not say which platforms are not configured:\n%s", logs.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "c.db")); err != nil {
		t.Errorf("no SQLite database: %v", err)
	}
}

func TestSecretsStayOutOfLogsAndErrors(t *testing.T) {
	const password = "hunter2-SUPER-SECRET"
	var out, errOut bytes.Buffer
	// serve waits for a database that refuses: it is stopped after its
	// first attempts, and nothing it said may show the password.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	err := run(ctx, []string{"serve"}, envOf(map[string]string{
		"CORNERSHOP_HTTP_LISTEN":     "127.0.0.1:0",
		"CORNERSHOP_DATABASE_DRIVER": "postgres",
		"CORNERSHOP_DATABASE_DSN":    "postgres://cornershop:" + password + "@127.0.0.1:1/nope?sslmode=disable&connect_timeout=2",
		"CORNERSHOP_LOG_LEVEL":       "debug",
	}), &out, &errOut)
	if err != nil {
		t.Errorf("serve stopped while waiting for the database = %v, want nil", err)
	}
	if !strings.Contains(errOut.String(), "waiting for the database") {
		t.Errorf("serve did not say it waits for the database:\n%s", errOut.String())
	}
	for _, s := range []string{out.String(), errOut.String()} {
		if strings.Contains(s, password) {
			t.Errorf("the database password leaked: %s", s)
		}
	}
}
