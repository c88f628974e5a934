package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// closedWithin reads from c until the server closes it and fails the test
// if that takes longer than bound. It returns what the server sent.
func closedWithin(t *testing.T, c net.Conn, bound time.Duration) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(bound))
	got, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection was still open after %s (read so far %q)", bound, got)
	}
	return string(got) // io.EOF or a reset: closed by the server
}

// TestHTTPLimitsCutSlowAndIdleClients runs `cornershop serve` with the
// Slack Events API endpoints and 200ms limits, and checks over raw TCP
// that the server closes, well within 5 s: a signed endpoint's request
// whose body trickles in (without acting on it), one whose headers
// trickle in, and a keep-alive connection left idle after a request.
func TestHTTPLimitsCutSlowAndIdleClients(t *testing.T) {
	_, sl, _ := emulators(t)
	desk, _, _, _, _ := sl.SeedDemo()
	cfg := filepath.Join(t.TempDir(), "cornershop.yaml")
	if err := os.WriteFile(cfg, []byte("desks:\n  - {name: support, platform: slack, channel: "+desk.ID+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, _ := startServe(t, map[string]string{
		"CORNERSHOP_HTTP_LISTEN":          "127.0.0.1:0",
		"CORNERSHOP_HTTP_READ_TIMEOUT":    "200ms",
		"CORNERSHOP_HTTP_IDLE_TIMEOUT":    "200ms",
		"CORNERSHOP_DATABASE_DSN":         filepath.Join(t.TempDir(), "c.db"),
		"CORNERSHOP_SLACK_ENABLED":        "true",
		"CORNERSHOP_SLACK_MODE":           "events",
		"CORNERSHOP_SLACK_API_URL":        sl.APIURL(),
		"CORNERSHOP_SLACK_BOT_TOKEN":      sl.BotToken(),
		"CORNERSHOP_SLACK_SIGNING_SECRET": sl.SigningSecret(),
	}, "--config", cfg)
	addr := strings.TrimPrefix(base, "http://")
	dial := func(t *testing.T) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// trickle writes s, then one byte every 50ms until the write fails
	// or the test ends.
	trickle := func(t *testing.T, c net.Conn, s string) {
		if _, err := io.WriteString(c, s); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		t.Cleanup(func() { close(stop) })
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				if _, err := c.Write([]byte("a")); err != nil {
					return
				}
			}
		}()
	}
	const bound = 5 * time.Second

	t.Run("slow body on a signed endpoint", func(t *testing.T) {
		c := dial(t)
		trickle(t, c, "POST /slack/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
			"X-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=00\r\nContent-Length: 100000\r\n\r\ntext=")
		got := closedWithin(t, c, bound)
		if strings.HasPrefix(got, "HTTP/1.1 200") {
			t.Errorf("a trickled body was answered 200: %q", got)
		}
	})
	t.Run("slow headers", func(t *testing.T) {
		c := dial(t)
		trickle(t, c, "POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Padding: ")
		closedWithin(t, c, bound)
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		c := dial(t)
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(c)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("GET /healthz = %d (close %v), want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
		}
		_ = c.SetReadDeadline(time.Now().Add(bound))
		switch _, err := r.ReadByte(); {
		case errors.Is(err, os.ErrDeadlineExceeded):
			t.Fatalf("an idle keep-alive connection was still open after %s", bound)
		case err == nil:
			t.Fatal("the server sent something on an idle connection")
		}
	})
}
