package main

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"cornershop/webhooks"
)

// hookSink is a webhook receiver that misbehaves on purpose: it answers a
// share of requests with a 5xx, and while down it drops connections
// without answering. It verifies every signature and keeps every body it
// accepted, in arrival order.
type hookSink struct {
	t        *testing.T
	secret   []byte
	failRate float64

	mu       sync.Mutex
	down     bool
	hold     chan struct{} // non-nil: accepted requests wait for it to close
	held     chan struct{} // told when a request waits on hold
	requests int
	failed   int
	dropped  int
	badSigs  int
	accepted []hookArrival
}

// hookArrival is one accepted event.
type hookArrival struct {
	ID, Type string
	Subject  string // "conversation:<id>", "contact:<id>", "idea:<id>"
	Body     []byte
	Header   string // its X-Cornershop-Signature
}

func newHookSink(t *testing.T, secret []byte, failRate float64) (*hookSink, *httptest.Server) {
	s := &hookSink{t: t, secret: secret, failRate: failRate}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// setDown starts or ends the outage.
func (s *hookSink) setDown(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }

func (s *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if s.down {
		s.dropped++
		// Down: the connection dies without an answer.
		if conn, buf, err := w.(http.Hijacker).Hijack(); err == nil {
			_ = buf.Flush()
			_ = conn.Close()
			return
		}
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	sig := r.Header.Get(webhooks.HeaderSignature)
	if err := webhooks.Verify(s.secret, sig, body, time.Now(), 5*time.Minute); err != nil {
		s.badSigs++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if rand.Float64() < s.failRate {
		s.failed++
		w.WriteHeader([]int{500, 502, 503, 504}[rand.IntN(4)])
		return
	}
	var ev struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Data struct {
			ConversationID int64 `json:"conversation_id"`
			ContactID      int64 `json:"contact_id"`
			IdeaID         int64 `json:"idea_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID != r.Header.Get(webhooks.HeaderEventID) || ev.Type != r.Header.Get(webhooks.HeaderEventType) {
		s.t.Errorf("malformed event %s (headers %v): %v", body, r.Header, err)
	}
	a := hookArrival{ID: ev.ID, Type: ev.Type, Body: body, Header: sig}
	switch {
	case ev.Data.ConversationID != 0:
		a.Subject = "conversation:" + itoa(ev.Data.ConversationID)
	case ev.Data.IdeaID != 0:
		a.Subject = "idea:" + itoa(ev.Data.IdeaID)
	default:
		a.Subject = "contact:" + itoa(ev.Data.ContactID)
	}
	s.accepted = append(s.accepted, a)
	// Acknowledge a little late, as a real receiver writing to its own
	// database would; on hold, not before the test says.
	hold, held := s.hold, s.held
	s.mu.Unlock()
	if hold != nil {
		select {
		case held <- struct{}{}:
		default:
		}
		<-hold
	} else {
		time.Sleep(20 * time.Millisecond)
	}
	s.mu.Lock()
}

// holdAcks makes accepted requests wait without an answer until release:
// held is told when one waits, so a kill then finds deliveries the sink
// accepted but cornershop has not recorded, which must come again with
// the same id.
func (s *hookSink) holdAcks() (held <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold, s.held = make(chan struct{}), make(chan struct{}, 1)
	hold := s.hold
	return s.held, func() {
		s.mu.Lock()
		s.hold = nil
		s.mu.Unlock()
		close(hold)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// snapshot returns what the sink accepted so far and its counters.
func (s *hookSink) snapshot() (acc []hookArrival, requests, failed, dropped, badSigs int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hookArrival(nil), s.accepted...), s.requests, s.failed, s.dropped, s.badSigs
}
