package webhooks_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/webhooks"
)

var t0 = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

func event() core.WebhookEvent {
	return core.WebhookEvent{ID: 42, Type: core.EventMessageCreated, CreatedAt: t0, Subject: "conversation:7",
		Data: []byte(`{"conversation_id":7,"text":"hi"}`)}
}

// TestPostClassifiesAnswers posts to a loopback receiver answering each
// status and checks the class core gets back.
func TestPostClassifiesAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header map[string]string
		class  core.Class
		after  time.Duration
		ok     bool
	}{
		{"200", 200, nil, 0, 0, true},
		{"204", 204, nil, 0, 0, true},
		{"500", 500, nil, core.ClassTransient, 0, false},
		{"503", 503, nil, core.ClassTransient, 0, false},
		{"408", 408, nil, core.ClassTransient, 0, false},
		{"429 seconds", 429, map[string]string{"Retry-After": "17"}, core.ClassRetryAfter, 17 * time.Second, false},
		{"429 date", 429, map[string]string{"Retry-After": t0.Add(90 * time.Second).Format(http.TimeFormat)}, core.ClassRetryAfter, 90 * time.Second, false},
		{"429 without", 429, nil, core.ClassRetryAfter, time.Minute, false},
		{"400", 400, nil, core.ClassPermanent, 0, false},
		{"401", 401, nil, core.ClassPermanent, 0, false},
		{"410", 410, nil, core.ClassPermanent, 0, false},
		{"302", 302, map[string]string{"Location": "/elsewhere"}, core.ClassPermanent, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			s := sender(t, srv.URL+"/hook?token=URL-TOKEN", 0)
			err := s.Post(context.Background(), "crm", event())
			if tc.ok {
				if err != nil {
					t.Fatalf("Post = %v, want success", err)
				}
				return
			}
			class, after := core.Classify(err)
			if err == nil || class != tc.class || after != tc.after {
				t.Errorf("Post = %v (class %d, after %s), want class %d after %s", err, class, after, tc.class, tc.after)
			}
			if strings.Contains(err.Error(), "URL-TOKEN") || strings.Contains(err.Error(), "whsec") {
				t.Errorf("error leaks the URL or secret: %v", err)
			}
		})
	}
}

// TestPostTransportFailuresAreTransient: a refused connection and a
// receiver slower than the timeout may pass, and errors hide the URL.
func TestPostTransportFailuresAreTransient(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	for name, url := range map[string]string{"timeout": slow.URL, "refused": gone.URL} {
		t.Run(name, func(t *testing.T) {
			err := sender(t, url+"/?token=URL-TOKEN", 100*time.Millisecond).Post(context.Background(), "crm", event())
			if class, _ := core.Classify(err); err == nil || class != core.ClassTransient {
				t.Fatalf("Post = %v, want transient", err)
			}
			if strings.Contains(err.Error(), "URL-TOKEN") {
				t.Errorf("error leaks the URL: %v", err)
			}
		})
	}
}

// TestPostSignsTheBody: the receiver gets the envelope, the headers and a
// signature that verifies, and a tampered body or another secret fails.
func TestPostSignsTheBody(t *testing.T) {
	var body []byte
	var hdr http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		hdr = r.Header.Clone()
	}))
	defer srv.Close()
	if err := sender(t, srv.URL, 0).Post(context.Background(), "crm", event()); err != nil {
		t.Fatal(err)
	}
	const want = `{"id":"evt_42","type":"message.created","created_at":"2026-12-05T12:00:00Z","data":{"conversation_id":7,"text":"hi"}}`
	if string(body) != want {
		t.Errorf("body = %s\nwant   %s", body, want)
	}
	if hdr.Get(webhooks.HeaderEventID) != "evt_42" || hdr.Get(webhooks.HeaderEventType) != "message.created" || hdr.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", hdr)
	}
	sig := hdr.Get(webhooks.HeaderSignature)
	if !strings.HasPrefix(sig, "t="+strconv.FormatInt(t0.Unix(), 10)+",v1=") {
		t.Errorf("signature %q, want t=<unix of the attempt>,v1=…", sig)
	}
	tests := []struct {
		name   string
		secret string
		body   string
		now    time.Time
		ok     bool
	}{
		{"genuine", "whsec-1", want, t0, true},
		{"tampered body", "whsec-1", strings.Replace(want, "hi", "ho", 1), t0, false},
		{"other secret", "whsec-2", want, t0, false},
		{"replayed late", "whsec-1", want, t0.Add(time.Hour), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := webhooks.Verify([]byte(tc.secret), sig, []byte(tc.body), tc.now, 5*time.Minute)
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, webhooks.ErrSignature)) {
				t.Errorf("Verify = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestEndpointNeverPrintsItsSecret: logging or printing an endpoint shows
// its name only.
func TestEndpointNeverPrintsItsSecret(t *testing.T) {
	ep := webhooks.Endpoint{Name: "crm", URL: "https://x.example/?token=URL-TOKEN", Secret: []byte("whsec-1")}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "endpoint", ep)
	b.WriteString(ep.String())
	if strings.Contains(b.String(), "whsec") || strings.Contains(b.String(), "URL-TOKEN") {
		t.Errorf("printed %q", b.String())
	}
}

func sender(tb testing.TB, url string, timeout time.Duration) *webhooks.Sender {
	tb.Helper()
	s, err := webhooks.New([]webhooks.Endpoint{{Name: "crm", URL: url, Secret: []byte("whsec-1"), Timeout: timeout}}, nil, func() time.Time { return t0 })
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
