package slackfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// ackTimeout is how long an envelope may stay unacknowledged before Slack
// sends it again.
const ackTimeout = 2 * time.Second

func channelType(c *Channel) string {
	switch {
	case c.IsIM:
		return "im"
	case c.IsPrivate:
		return "group"
	}
	return "channel"
}

// eventLocked publishes an event of a channel (message events carry the
// channel and its type).
func (s *Server) eventLocked(c *Channel, ev map[string]any) {
	if c != nil {
		ev["channel"] = c.ID
		ev["channel_type"] = channelType(c)
	}
	if _, ok := ev["event_ts"]; !ok {
		if ts, ok := ev["ts"].(string); ok {
			ev["event_ts"] = ts
		} else {
			ev["event_ts"] = s.nextTS()
		}
	}
	s.evSeq++
	body := map[string]any{
		"token": "verification-token-deprecated", "team_id": s.o.TeamID, "api_app_id": s.appID, "type": "event_callback",
		"event": ev, "event_id": fmt.Sprintf("Ev%08d", s.evSeq), "event_time": s.now().Unix(),
		"authorizations": []map[string]any{{"team_id": s.o.TeamID, "user_id": s.botUser, "is_bot": true}},
	}
	s.dispatchLocked("events_api", body)
}

// dispatchLocked sends a payload over Socket Mode, or pushes it over HTTP
// when an Events URL is configured.
func (s *Server) dispatchLocked(kind string, payload map[string]any) {
	if s.o.EventsURL != "" {
		s.wg.Go(func() { s.push(kind, payload) })
		return
	}
	s.evSeq++
	env := envelope{ID: fmt.Sprintf("env-%d", s.evSeq), Type: kind, Body: payload, Seq: s.evSeq}
	s.pending[env.ID] = env
	s.sendLocked(env)
	s.notifyLocked()
}

func (s *Server) sendLocked(env envelope) {
	msg := map[string]any{"envelope_id": env.ID, "type": env.Type, "payload": env.Body, "accepts_response_payload": env.Type != "events_api"}
	if env.Try > 0 {
		msg["retry_attempt"], msg["retry_reason"] = env.Try, "timeout"
	}
	for c := range s.sockets {
		if err := c.WriteJSON(msg); err == nil {
			return // one connection gets each envelope
		}
	}
}

// pendingLocked lists the unacknowledged envelopes in the order they were
// first sent, so a retry or a new connection gets them in that order.
func (s *Server) pendingLocked() []envelope {
	out := make([]envelope, 0, len(s.pending))
	for _, env := range s.pending {
		out = append(out, env)
	}
	slices.SortFunc(out, func(a, b envelope) int { return a.Seq - b.Seq })
	return out
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// socket serves a Socket Mode connection.
func (s *Server) socket(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.sockets[c] = true
	_ = c.WriteJSON(map[string]any{"type": "hello", "num_connections": len(s.sockets),
		"debug_info":      map[string]any{"host": "slackfake", "approximate_connection_time": 3600},
		"connection_info": map[string]any{"app_id": s.appID}})
	// Whatever was never acknowledged is sent again on the new link.
	for _, env := range s.pendingLocked() {
		env.Try++
		s.pending[env.ID] = env
		s.sendLocked(env)
	}
	s.notifyLocked()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.sockets, c)
		s.notifyLocked()
		s.mu.Unlock()
		c.Close()
	}()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(ackTimeout)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-s.closed:
				return
			case <-t.C:
				s.mu.Lock()
				_ = c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
				for _, env := range s.pendingLocked() {
					if env.Try < 3 {
						env.Try++
						s.pending[env.ID] = env
						s.sendLocked(env)
					}
				}
				s.mu.Unlock()
			}
		}
	}()
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) == nil && ack.EnvelopeID != "" {
			s.mu.Lock()
			delete(s.pending, ack.EnvelopeID)
			s.acks[ack.EnvelopeID] = string(ack.Payload)
			s.notifyLocked()
			s.mu.Unlock()
		}
	}
}

// Connected counts open Socket Mode connections.
func (s *Server) Connected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sockets)
}

// Unacked counts envelopes not yet acknowledged.
func (s *Server) Unacked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// AckPayloads returns the payloads sent with acknowledgements, by envelope.
func (s *Server) AckPayloads() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, v := range s.acks {
		out[k] = v
	}
	return out
}

// Disconnect asks every Socket Mode client to reconnect (reason
// "refresh_requested") and drops the links, as Slack does periodically.
func (s *Server) Disconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.sockets {
		_ = c.WriteJSON(map[string]any{"type": "disconnect", "reason": "refresh_requested", "debug_info": map[string]any{"host": "slackfake"}})
		c.Close()
	}
}

// Sign computes Slack's v0 signature of body at timestamp ts.
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// push delivers one payload over HTTP, retrying as Slack does.
func (s *Server) push(kind string, payload map[string]any) {
	target, contentType := s.o.EventsURL, "application/json"
	var body []byte
	switch kind {
	case "events_api":
		body, _ = json.Marshal(payload)
	case "slash_commands":
		target = strings.TrimSuffix(s.o.EventsURL, "/events") + "/commands"
		form := url.Values{}
		for k, v := range payload {
			form.Set(k, fmt.Sprint(v))
		}
		body, contentType = []byte(form.Encode()), "application/x-www-form-urlencoded"
	default:
		target = strings.TrimSuffix(s.o.EventsURL, "/events") + "/interactive"
		raw, _ := json.Marshal(payload)
		body, contentType = []byte(url.Values{"payload": {string(raw)}}.Encode()), "application/x-www-form-urlencoded"
	}
	eventID, _ := payload["event_id"].(string)
	client := &http.Client{Timeout: 3 * time.Second}
	for try := 0; try <= len(s.o.RetryDelays); try++ {
		ts := strconv.FormatInt(s.now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", Sign(s.o.SigningSecret, ts, body))
		reason := "http_error"
		if try > 0 {
			req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(try))
			req.Header.Set("X-Slack-Retry-Reason", reason)
		}
		status := 0
		resp, err := client.Do(req)
		if err == nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
		s.mu.Lock()
		s.pushes = append(s.pushes, Push{EventID: eventID, Retry: try, Status: status})
		s.notifyLocked()
		s.mu.Unlock()
		if status >= 200 && status < 300 || kind != "events_api" || try == len(s.o.RetryDelays) {
			return
		}
		select {
		case <-time.After(s.o.RetryDelays[try]):
		case <-s.closed:
			return
		}
	}
}

// Pushes returns the Events API delivery attempts so far.
func (s *Server) Pushes() []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Push(nil), s.pushes...)
}
