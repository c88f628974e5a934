package telegramfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// update is one queued update: its kind ("message", "edited_message",
// "callback_query", "message_reaction"), body, and the chat it belongs to
// (webhook pushes keep each chat's updates in order; 0: none).
type update struct {
	ID   int
	Kind string
	Body any
	Chat int64
}

func (u update) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"update_id": u.ID, u.Kind: u.Body})
}

type webhook struct {
	URL            string
	Secret         string
	MaxConnections int
	pushes         []Push // in the order answered
	lastErrorDate  int64
	lastErrorMsg   string
	// The pusher's state, under s.mu: pushes waiting for an answer, the
	// queues (chats) they belong to, and when a queue whose push failed
	// may try again.
	inFlight int
	busy     map[queueKey]bool
	retryAt  map[queueKey]time.Time
}

// queueKey is the delivery queue an update belongs to: its chat, or the
// update alone when it has none (then nothing orders it).
type queueKey struct {
	chat int64
	solo int
}

func (u update) queue() queueKey {
	if u.Chat != 0 {
		return queueKey{chat: u.Chat}
	}
	return queueKey{solo: u.ID}
}

// Push is one webhook delivery attempt, as Options.ObservePush and
// WebhookPushes report it.
type Push struct {
	UpdateID int
	Kind     string // the update's kind, e.g. "message"
	Chat     int64  // the chat whose queue the update is in (0: none)
	Status   int    // the HTTP status answered (0: no answer)
	Sent     time.Time
	At       time.Time // when the answer came (Options.Now)
}

// wants reports whether the remembered allowed_updates (shared by
// getUpdates and setWebhook, as on Telegram) includes kind. The default
// (never set, or set to []) is every kind except chat_member,
// message_reaction and message_reaction_count.
func (s *Server) wants(kind string) bool {
	if len(s.allowed) == 0 {
		return kind != "chat_member" && kind != "message_reaction" && kind != "message_reaction_count"
	}
	return slices.Contains(s.allowed, kind)
}

// queueLocked adds an update of chat if the bot asked for its kind.
func (s *Server) queueLocked(kind string, chat int64, body any) {
	if !s.wants(kind) {
		return
	}
	s.nextUpdate++
	s.updates = append(s.updates, update{ID: s.nextUpdate, Kind: kind, Body: body, Chat: chat})
	s.notifyLocked()
}

// parseAllowed reads allowed_updates; ok is false when it is absent (keep
// the previous setting).
func parseAllowed(p map[string]string) ([]string, bool, *apiError) {
	raw, ok := p["allowed_updates"]
	if !ok || raw == "" {
		return nil, false, nil
	}
	var list []string
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, false, badRequest("can't parse allowed updates JSON object")
	}
	return list, true, nil
}

// PendingUpdates counts updates not yet confirmed by the bot (by a later
// getUpdates offset or a 2xx webhook answer).
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// AllowedUpdates returns the remembered allowed_updates (nil: default).
func (s *Server) AllowedUpdates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.allowed)
}

// getUpdates serves long polling: offset confirms every update below it
// (a negative offset keeps only the last -offset), limit 1-100, timeout in
// seconds. A newer getUpdates ends a waiting one with 409, as Telegram
// does; so does an active webhook.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, call Call) {
	p := call.Params
	offset, _ := strconv.Atoi(p["offset"])
	limit, err := strconv.Atoi(p["limit"])
	if err != nil || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	deadline := time.Now().Add(time.Duration(max(timeout, 0)) * time.Second)
	s.mu.Lock()
	call.At, call.Status = s.o.Now(), http.StatusOK
	idx := len(s.calls)
	s.calls = append(s.calls, call)
	s.observeLocked(call)
	finish := func(status int) {
		s.calls[idx].Status = status
		s.notifyLocked()
		s.mu.Unlock()
	}
	if s.hook != nil {
		finish(http.StatusConflict)
		writeError(w, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})
		return
	}
	if e := s.limitLocked("getUpdates", p); e != nil {
		finish(e.code)
		writeError(w, e)
		return
	}
	list, set, e := parseAllowed(p)
	if e != nil {
		finish(e.code)
		writeError(w, e)
		return
	}
	if set {
		s.allowed = list
	}
	switch {
	case offset > 0:
		s.updates = slices.DeleteFunc(s.updates, func(u update) bool { return u.ID < offset })
	case offset < 0:
		s.updates = s.updates[max(0, len(s.updates)+offset):]
	}
	s.pollGen++
	gen, drop := s.pollGen, s.dropGen
	s.notifyLocked() // an older poll waiting now ends with 409
	for {
		switch {
		case gen != s.pollGen:
			finish(http.StatusConflict)
			writeError(w, &apiError{code: http.StatusConflict, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"})
			return
		case drop != s.dropGen:
			finish(0)
			dropConn(w)
			return
		case s.hook != nil:
			finish(http.StatusConflict)
			writeError(w, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})
			return
		}
		if len(s.updates) > 0 || !time.Now().Before(deadline) {
			batch := slices.Clone(s.updates[:min(limit, len(s.updates))])
			finish(http.StatusOK)
			writeJSON(w, http.StatusOK, ok(batch))
			return
		}
		ch := s.changed.C()
		s.mu.Unlock()
		timer := time.NewTimer(time.Until(deadline))
		select {
		case <-r.Context().Done():
		case <-s.closed:
		case <-ch:
		case <-timer.C:
		}
		timer.Stop()
		s.mu.Lock()
		if r.Context().Err() != nil {
			finish(0)
			return
		}
		select {
		case <-s.closed:
			finish(0)
			return
		default:
		}
	}
}

func validSecret(s string) bool {
	if len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '_' && s[i] != '-' {
			return false
		}
	}
	return true
}

// setWebhook registers the webhook. Unlike Telegram, plain http URLs are
// accepted so that tests can use httptest servers.
func (s *Server) setWebhook(p map[string]string) (any, *apiError) {
	raw := p["url"]
	if raw == "" {
		return s.deleteWebhook(p)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := p["secret_token"]
	if !validSecret(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn := 40
	if v, err := strconv.Atoi(p["max_connections"]); err == nil {
		if v < 1 || v > 100 {
			return nil, badRequest("bad webhook: max_connections must be between 1 and 100")
		}
		maxConn = v
	}
	list, set, e := parseAllowed(p)
	if e != nil {
		return nil, e
	}
	if set {
		s.allowed = list
	}
	if p["drop_pending_updates"] == "true" {
		s.updates = nil
	}
	if s.hook != nil && s.hook.URL == raw && s.hook.Secret == secret {
		return map[string]any{"ok": true, "result": true, "description": "Webhook is already set"}, nil
	}
	s.hook = &webhook{URL: raw, Secret: secret, MaxConnections: maxConn}
	s.startPusherLocked()
	s.notifyLocked()
	return map[string]any{"ok": true, "result": true, "description": "Webhook was set"}, nil
}

func (s *Server) deleteWebhook(p map[string]string) (any, *apiError) {
	if p["drop_pending_updates"] == "true" {
		s.updates = nil
	}
	if s.hook == nil {
		return map[string]any{"ok": true, "result": true, "description": "Webhook is already deleted"}, nil
	}
	s.hook = nil
	s.notifyLocked()
	return map[string]any{"ok": true, "result": true, "description": "Webhook was deleted"}, nil
}

func (s *Server) webhookInfo() map[string]any {
	info := map[string]any{"url": "", "has_custom_certificate": false, "pending_update_count": len(s.updates)}
	if s.hook == nil {
		return info
	}
	info["url"], info["max_connections"], info["ip_address"] = s.hook.URL, s.hook.MaxConnections, "127.0.0.1"
	if s.allowed != nil {
		info["allowed_updates"] = s.allowed
	}
	if s.hook.lastErrorDate != 0 {
		info["last_error_date"], info["last_error_message"] = s.hook.lastErrorDate, s.hook.lastErrorMsg
	}
	return info
}

// WebhookStatuses returns the HTTP statuses the current webhook answered,
// in the order the answers came (0: no answer).
func (s *Server) WebhookStatuses() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook == nil {
		return nil
	}
	statuses := make([]int, len(s.hook.pushes))
	for i, p := range s.hook.pushes {
		statuses[i] = p.Status
	}
	return statuses
}

// WebhookPushes returns the current webhook's delivery attempts in the
// order their answers came, with their updates, chats and times.
func (s *Server) WebhookPushes() []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook == nil {
		return nil
	}
	return slices.Clone(s.hook.pushes)
}

// startPusherLocked starts delivering queued updates to the webhook as
// JSON POSTs with X-Telegram-Bot-Api-Secret-Token, the way Telegram's Bot
// API server (tdlib/telegram-bot-api, WebhookActor) does:
//
//   - up to MaxConnections pushes are in flight at once, over as many
//     kept-alive connections;
//   - updates of one chat form a queue: a chat's next update is pushed only
//     once the previous one was answered 2xx, so each chat's order holds,
//     while different chats are pushed concurrently (an update without a
//     chat is a queue of its own; every kind the emulator queues has one:
//     a callback query's is its message's chat);
//   - an update leaves the queue only on a 2xx answer; otherwise its chat
//     waits WebhookRetry (Telegram: 1 s, doubling) and the same update is
//     pushed again, the connection meanwhile serving other chats;
//   - like Telegram, only the oldest updates spanning 2×MaxConnections
//     chats are considered at a time.
func (s *Server) startPusherLocked() {
	hook := s.hook
	hook.busy, hook.retryAt = map[queueKey]bool{}, map[queueKey]time.Time{}
	transport := &http.Transport{MaxIdleConnsPerHost: hook.MaxConnections, MaxConnsPerHost: hook.MaxConnections, IdleConnTimeout: 30 * time.Second}
	client := &http.Client{Timeout: 10 * time.Second, Transport: transport}
	s.wg.Go(func() {
		defer transport.CloseIdleConnections()
		for {
			s.mu.Lock()
			if s.hook != hook || s.isClosed() {
				s.mu.Unlock()
				return
			}
			wake := s.startPushesLocked(hook, client)
			ch := s.changed.C()
			s.mu.Unlock()
			var timer <-chan time.Time
			var t *time.Timer
			if !wake.IsZero() {
				t = time.NewTimer(time.Until(wake))
				timer = t.C
			}
			select {
			case <-ch:
			case <-timer:
			case <-s.closed:
			}
			if t != nil {
				t.Stop()
			}
		}
	})
}

// startPushesLocked starts the pushes that may start now and returns when a
// chat waiting to retry may go next (zero: none waits); s.mu is held.
func (s *Server) startPushesLocked(hook *webhook, client *http.Client) (wake time.Time) {
	now := time.Now()
	seen := map[queueKey]bool{}
	for _, u := range s.updates {
		if hook.inFlight >= hook.MaxConnections || len(seen) >= 2*hook.MaxConnections {
			break
		}
		k := u.queue()
		if seen[k] {
			continue // a later update of a chat: its first one goes first
		}
		seen[k] = true
		if hook.busy[k] {
			continue
		}
		if at, ok := hook.retryAt[k]; ok && at.After(now) {
			if wake.IsZero() || at.Before(wake) {
				wake = at
			}
			continue
		}
		delete(hook.retryAt, k)
		hook.busy[k] = true
		hook.inFlight++
		body, _ := json.Marshal(u)
		s.wg.Go(func() { s.pushOne(hook, client, u, k, body) })
	}
	return wake
}

// pushOne delivers one update and records the answer.
func (s *Server) pushOne(hook *webhook, client *http.Client, u update, k queueKey, body []byte) {
	sent := s.o.Now()
	status, errMsg := push(client, hook, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	hook.inFlight--
	delete(hook.busy, k)
	p := Push{UpdateID: u.ID, Kind: u.Kind, Chat: u.Chat, Status: status, Sent: sent, At: s.o.Now()}
	hook.pushes = append(hook.pushes, p)
	if errMsg != "" {
		hook.lastErrorDate, hook.lastErrorMsg = p.At.Unix(), errMsg
		hook.retryAt[k] = time.Now().Add(s.o.WebhookRetry)
	} else if i := slices.IndexFunc(s.updates, func(x update) bool { return x.ID == u.ID }); i >= 0 {
		s.updates = slices.Delete(s.updates, i, i+1)
	}
	if s.o.ObservePush != nil {
		s.o.ObservePush(p)
	}
	s.notifyLocked()
}

// push posts one update; errMsg is Telegram's last_error_message wording
// when the endpoint did not answer 2xx.
func push(client *http.Client, hook *webhook, body []byte) (status int, errMsg string) {
	req, err := http.NewRequest(http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "Bad webhook URL"
	}
	req.Header.Set("Content-Type", "application/json")
	if hook.Secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hook.Secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), "refused") {
			return 0, "Connection refused"
		}
		return 0, "Connection timed out"
	}
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Sprintf("Wrong response from the webhook: %s", resp.Status)
	}
	return resp.StatusCode, ""
}
