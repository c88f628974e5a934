// Package emutest calls an emulator's user-side HTTP API from tests.
package emutest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Get fetches url and decodes its JSON body into out; it fails the test
// unless the status is 200.
func Get(t testing.TB, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	decode(t, resp, http.StatusOK, out)
}

// Post sends body as JSON to url, wants status, and decodes the answer
// into out (nil: ignore it). It returns the answer's "error" field.
func Post(t testing.TB, url string, body any, status int, out any) string {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("POST %s = %d %s, want %d", url, resp.StatusCode, raw, status)
	}
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(raw, &e)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("POST %s: %v in %s", url, err, raw)
		}
	}
	return e.Error
}

func decode(t testing.TB, resp *http.Response, status int, out any) {
	t.Helper()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("%s %s = %d %s, want %d", resp.Request.Method, resp.Request.URL, resp.StatusCode, raw, status)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s: %v in %s", resp.Request.URL, err, raw)
	}
}

// Events opens the server-sent event stream at url and returns a channel
// of the event names received; it ends with the test.
func Events(t testing.TB, url string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		t.Fatalf("GET %s = %d %s, want 200 text/event-stream", url, resp.StatusCode, ct)
	}
	out := make(chan string, 64)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				select {
				case out <- name:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// Next waits up to 10 s for the next event on ch; it fails the test when
// none comes (a missing event, not a slow one: changes are pushed).
func Next(t testing.TB, ch <-chan string) string {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no server-sent event")
		return ""
	}
}
