package relay_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"cornershop/core/relay"
	"cornershop/webhooks"
)

// hookReceiver is an HTTP endpoint that records what reaches it, failing
// the first try of every third event with a 503.
type hookReceiver struct {
	t      *testing.T
	secret []byte
	now    func() time.Time
	mu     sync.Mutex
	got    map[string][]hookEvent // by endpoint (URL path)
	tries  map[string]int
}

type hookEvent struct {
	ID, Type string
	Data     map[string]any
}

func newHookReceiver(t *testing.T, secret []byte, now func() time.Time) (*hookReceiver, *httptest.Server) {
	r := &hookReceiver{t: t, secret: secret, now: now, got: map[string][]hookEvent{}, tries: map[string]int{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := webhooks.Verify(h.secret, r.Header.Get(webhooks.HeaderSignature), body, h.now(), 5*time.Minute); err != nil {
		h.t.Errorf("signature of %s: %v", r.Header.Get(webhooks.HeaderEventID), err)
	}
	var ev hookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		h.t.Errorf("body %s: %v", body, err)
	}
	if ev.ID != r.Header.Get(webhooks.HeaderEventID) || ev.Type != r.Header.Get(webhooks.HeaderEventType) {
		h.t.Errorf("headers %v disagree with body %s", r.Header, body)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	key := r.URL.Path + ev.ID
	h.tries[key]++
	if n := len(h.tries); n%3 == 0 && h.tries[key] == 1 {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	h.got[r.URL.Path] = append(h.got[r.URL.Path], ev)
}

// types lists the event types endpoint received about subject (a data
// field and value), in arrival order.
func (h *hookReceiver) types(endpoint, field string, value float64) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, ev := range h.got["/"+endpoint] {
		if ev.Data[field] == value {
			out = append(out, ev.Type)
		}
	}
	return out
}

// TestWebhookEventsFollowTheConversation drives a conversation through the
// real relay, outbox and webhooks sender to three endpoints over loopback
// HTTP: each receives the events its filter asks for, notes only where
// include_notes is set, in the order they happened, signed, and delivered
// although a third of first tries fail.
func TestWebhookEventsFollowTheConversation(t *testing.T) {
	secret := []byte("whsec-test")
	var recv *hookReceiver
	var srv *httptest.Server
	e := newEnv(t, func(c *relay.Config) {
		now := func() time.Time { return time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) }
		recv, srv = newHookReceiver(t, secret, now)
		var eps []webhooks.Endpoint
		for _, n := range []string{"all", "convs", "notes"} {
			eps = append(eps, webhooks.Endpoint{Name: n, URL: srv.URL + "/" + n, Secret: secret})
		}
		sender, err := webhooks.New(eps, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		c.Webhooks = relay.Webhooks{Sender: sender, Endpoints: []relay.WebhookEndpoint{
			{Name: "all"},
			{Name: "convs", Events: []string{"conversation.*"}},
			{Name: "notes", Events: []string{"message.created"}, IncludeNotes: true},
		}}
	})
	e.customer("hi there")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-ALICE", "hello back")
	e.staff(conv.Desk, "U-ALICE", "// internal thought")
	e.staff(conv.Desk, "U-ALICE", "!assign me")
	e.staff(conv.Desk, "U-ALICE", "!close")
	e.customer("one more thing")
	for range 20 {
		e.drain()
		e.clock.Add(time.Hour) // past every retry's backoff
	}

	id := float64(conv.ID)
	tests := []struct {
		endpoint string
		want     []string
	}{
		{"all", []string{"conversation.opened", "message.created", "message.created", "conversation.assigned",
			"conversation.closed", "conversation.reopened", "message.created"}},
		{"convs", []string{"conversation.opened", "conversation.assigned", "conversation.closed", "conversation.reopened"}},
		{"notes", []string{"message.created", "message.created", "message.created", "message.created"}},
	}
	for _, tc := range tests {
		t.Run(tc.endpoint, func(t *testing.T) {
			if got := recv.types(tc.endpoint, "conversation_id", id); !slices.Equal(got, tc.want) {
				t.Errorf("events = %v, want %v", got, tc.want)
			}
		})
	}
	if got := recv.types("all", "contact_id", float64(conv.ContactID)); !slices.Contains(got, "contact.created") {
		t.Errorf("all received %v, want contact.created among them", got)
	}
	if got := recv.types("convs", "contact_id", float64(conv.ContactID)); slices.Contains(got, "contact.created") {
		t.Errorf("convs received contact.created, which its filter excludes")
	}
}

// TestWebhookIdeaEvents: proposing, voting and moving an idea reach an
// "idea.*" endpoint in order, each vote naming its voter.
func TestWebhookIdeaEvents(t *testing.T) {
	secret := []byte("whsec-test")
	var recv *hookReceiver
	e := newEnv(t, withIdeas, func(c *relay.Config) {
		now := func() time.Time { return time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) }
		var srv *httptest.Server
		recv, srv = newHookReceiver(t, secret, now)
		sender, err := webhooks.New([]webhooks.Endpoint{{Name: "ideas", URL: srv.URL + "/ideas", Secret: secret}}, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		c.Webhooks = relay.Webhooks{Sender: sender, Endpoints: []relay.WebhookEndpoint{{Name: "ideas", Events: []string{"idea.*"}}}}
	})
	e.act(customerDM, "u1", "idea", "Dark", "mode")
	e.act(ideasBoard, "U-DAN", "vote", "1")
	e.act(ideasBoard, "U-DAN", "vote", "1") // withdrawn
	e.customer("hello")
	e.drain()
	e.staff(e.conversation().Desk, "U-BOB", "!idea 1 planned")
	for range 20 {
		e.drain()
		e.clock.Add(time.Hour)
	}
	want := []string{"idea.created", "idea.voted", "idea.voted", "idea.voted", "idea.status_changed"}
	if got := recv.types("ideas", "idea_id", 1); !slices.Equal(got, want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	evs := recv.got["/ideas"]
	if v := evs[2].Data["voter"].(map[string]any); v["user_id"] != "U-DAN" || v["platform"] != "slack" || evs[2].Data["votes"] != 2.0 {
		t.Errorf("vote event data = %v, want U-DAN on slack making 2 votes", evs[2].Data)
	}
	if evs[3].Data["withdrawn"] != true || evs[3].Data["votes"] != 1.0 {
		t.Errorf("withdrawal data = %v", evs[3].Data)
	}
	if evs[4].Data["status"] != "planned" || evs[4].Data["previous_status"] != "new" {
		t.Errorf("status change data = %v", evs[4].Data)
	}
}
