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
// "callback_query", "message_reaction") and body.
type update struct {
	ID   int
	Kind string
	Body any
}

func (u update) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"update_id": u.ID, u.Kind: u.Body})
}

type webhook struct {
	URL            string
	Secret         string
	MaxConnections int
	Pushes         []int // HTTP statuses seen (0: no answer)
	lastErrorDate  int64
	lastErrorMsg   string
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

// queueLocked adds an update if the bot asked for its kind.
func (s *Server) queueLocked(kind string, body any) {
	if !s.wants(kind) {
		return
	}
	s.nextUpdate++
	s.updates = append(s.updates, update{ID: s.nextUpdate, Kind: kind, Body: body})
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
// in order (0: no answer).
func (s *Server) WebhookStatuses() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook == nil {
		return nil
	}
	return slices.Clone(s.hook.Pushes)
}

// startPusherLocked starts delivering queued updates to the webhook one at
// a time as JSON POSTs with X-Telegram-Bot-Api-Secret-Token, retrying an
// update until the endpoint answers 2xx, as Telegram does.
func (s *Server) startPusherLocked() {
	hook := s.hook
	s.wg.Go(func() {
		client := &http.Client{Timeout: 10 * time.Second}
		for {
			s.mu.Lock()
			if s.hook != hook {
				s.mu.Unlock()
				return
			}
			if len(s.updates) == 0 {
				ch := s.changed.C()
				s.mu.Unlock()
				select {
				case <-ch:
					continue
				case <-s.closed:
					return
				}
			}
			u := s.updates[0]
			body, _ := json.Marshal(u)
			s.mu.Unlock()
			status, errMsg := push(client, hook, body)
			s.mu.Lock()
			hook.Pushes = append(hook.Pushes, status)
			if errMsg != "" {
				hook.lastErrorDate, hook.lastErrorMsg = s.o.Now().Unix(), errMsg
			} else if len(s.updates) > 0 && s.updates[0].ID == u.ID {
				s.updates = s.updates[1:]
			}
			s.notifyLocked()
			s.mu.Unlock()
			if errMsg != "" {
				select {
				case <-time.After(s.o.WebhookRetry):
				case <-s.closed:
					return
				}
			}
		}
	})
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
