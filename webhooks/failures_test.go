package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
	"cornershop/webhooks"
)

// TestFailuresListAndRedeliver: a receiver that answers 410 makes the
// delivery fail for good; the failure is listed through the handler, and a
// redelivery, once the receiver is fixed, brings the same event id.
func TestFailuresListAndRedeliver(t *testing.T) {
	ctx := context.Background()
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	var mu sync.Mutex
	status, seen := http.StatusGone, []string{}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Header.Get(webhooks.HeaderEventID))
		w.WriteHeader(status)
	}))
	defer recv.Close()
	st, err := store.Open(ctx, store.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "wh.db"), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sender, err := webhooks.New([]webhooks.Endpoint{{Name: "crm", URL: recv.URL + "/?token=URL-TOKEN", Secret: []byte("whsec-1")}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := relay.New(st, relay.Config{Team: core.Voice{Name: "Acme"}, Webhooks: relay.Webhooks{Sender: sender,
		Endpoints: []relay.WebhookEndpoint{{Name: "crm", Events: []string{"contact.created"}}}}}, nil, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	worker := outbox.New(st, svc, outbox.Options{Logger: log})
	err = svc.Handle(ctx, core.MessageEvent{Place: core.Place{Platform: core.Telegram, Chat: "100"}, ID: "1",
		Sender: core.Sender{UserID: "u1", Name: "Carla"}, Text: "hi", Direct: true})
	if err != nil {
		t.Fatal(err)
	}
	drain := func() {
		for range 10 {
			if n, err := worker.RunOnce(ctx); err != nil || n == 0 {
				return
			}
		}
	}
	drain()

	h := webhooks.Failures(svc, func(r *http.Request) (string, error) {
		if r.Header.Get("Authorization") != "Bearer ops-token" {
			return "", core.ErrNotFound
		}
		return "token:ops", nil
	}, nil)
	api := httptest.NewServer(h)
	defer api.Close()
	call := func(method, path, token string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, api.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		return resp.StatusCode, out
	}

	if code, _ := call("GET", "/api/v1/webhooks/failures", ""); code != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", code)
	}
	code, body := call("GET", "/api/v1/webhooks/failures", "ops-token")
	fs, _ := body["failures"].([]any)
	if code != http.StatusOK || len(fs) != 1 {
		t.Fatalf("GET failures = %d %v, want one failure", code, body)
	}
	f := fs[0].(map[string]any)
	if f["endpoint"] != "crm" || f["event_type"] != "contact.created" || f["event_id"] != seen[0] {
		t.Errorf("failure = %v, want crm's contact.created %s", f, seen[0])
	}
	id := int64(f["id"].(float64))
	line := fmt.Sprintf("msg=\"webhook delivery failed for good\" endpoint=crm event=%s", seen[0])
	if out := logs.String(); !strings.Contains(out, line) {
		t.Errorf("log lacks %q:\n%s", line, out)
	}
	for _, leak := range []string{"URL-TOKEN", "whsec-1"} {
		if strings.Contains(logs.String(), leak) || strings.Contains(fmt.Sprint(body), leak) {
			t.Errorf("%s leaked into the log or the failure list", leak)
		}
	}

	if code, _ := call("POST", "/api/v1/webhooks/failures/99999/redeliver", "ops-token"); code != http.StatusNotFound {
		t.Errorf("redeliver unknown: %d, want 404", code)
	}
	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	if code, _ := call("POST", fmt.Sprintf("/api/v1/webhooks/failures/%d/redeliver", id), "ops-token"); code != http.StatusAccepted {
		t.Fatalf("redeliver: %d, want 202", code)
	}
	drain()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[1] != seen[0] {
		t.Errorf("receiver saw %v, want the same event twice", seen)
	}
	if code, body := call("GET", "/api/v1/webhooks/failures", "ops-token"); code != 200 || len(body["failures"].([]any)) != 0 {
		t.Errorf("after redelivery: %d %v, want no failures", code, body)
	}
	var audit []core.AuditEntry
	_ = st.InTx(ctx, func(tx core.Tx) error { audit, err = tx.AuditEntries("webhook:crm", 10); return err })
	if len(audit) != 2 || audit[0].Action != "webhook.failed" || audit[1].Action != "webhook.redeliver" || audit[1].Actor != "token:ops" {
		t.Errorf("audit = %+v, want the failure then the redelivery by token:ops", audit)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
