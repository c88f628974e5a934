package telegramfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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
	URL     string
	Secret  string
	Allowed []string
	Pushes  []int // HTTP statuses seen
}

// defaultAllowed is what Telegram sends when allowed_updates is not set:
// everything except chat_member, message_reaction and
// message_reaction_count.
func (s *Server) wants(kind string) bool {
	allowed := s.allowed
	if s.hook != nil {
		allowed = s.hook.Allowed
	}
	if len(allowed) == 0 {
		return kind != "chat_member" && kind != "message_reaction" && kind != "message_reaction_count"
	}
	return slices.Contains(allowed, kind)
}

// queueLocked adds an update if the bot asked for its kind.
func (s *Server) queueLocked(kind string, body any) {
	if !s.wants(kind) {
		return
	}
	s.nextUpd++
	s.updates = append(s.updates, update{ID: s.nextUpd, Kind: kind, Body: body})
	s.notifyLocked()
}

func parseAllowed(p map[string]string) ([]string, bool) {
	raw, ok := p["allowed_updates"]
	if !ok || raw == "" {
		return nil, false
	}
	var list []string
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, false
	}
	return list, true
}

func (s *Server) getUpdates(w http.ResponseWriter, ctx context.Context, p map[string]string) {
	offset, _ := strconv.Atoi(p["offset"])
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: "getUpdates", Params: p, At: s.o.Now(), Status: 200})
	if s.hook != nil {
		s.mu.Unlock()
		writeError(w, &apiError{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})
		return
	}
	if e := s.faultLocked("getUpdates", p); e != nil {
		s.mu.Unlock()
		writeError(w, e)
		return
	}
	if list, ok := parseAllowed(p); ok {
		s.allowed = list
	}
	for {
		if offset > 0 {
			// Confirm everything below offset: Telegram forgets it.
			s.updates = slices.DeleteFunc(s.updates, func(u update) bool { return u.ID < offset })
		}
		if len(s.updates) > 0 || time.Now().After(deadline) {
			batch := slices.Clone(s.updates[:min(limit, len(s.updates))])
			s.mu.Unlock()
			writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": batch})
			return
		}
		ch := s.changed.C()
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-s.closed:
			return
		case <-ch:
		case <-time.After(time.Until(deadline)):
		}
		s.mu.Lock()
	}
}

func (s *Server) setWebhook(p map[string]string) (any, *apiError) {
	if p["url"] == "" {
		s.hook = nil
		return true, nil
	}
	list, _ := parseAllowed(p)
	s.hook = &webhook{URL: p["url"], Secret: p["secret_token"], Allowed: list}
	if p["drop_pending_updates"] == "true" {
		s.updates = nil
	}
	s.startPusherLocked()
	return true, nil
}

func (s *Server) deleteWebhook(p map[string]string) (any, *apiError) {
	s.hook = nil
	if p["drop_pending_updates"] == "true" {
		s.updates = nil
	}
	return true, nil
}

func (s *Server) webhookInfo() (any, *apiError) {
	if s.hook == nil {
		return map[string]any{"url": "", "has_custom_certificate": false, "pending_update_count": len(s.updates)}, nil
	}
	return map[string]any{"url": s.hook.URL, "has_custom_certificate": false, "pending_update_count": len(s.updates), "allowed_updates": s.hook.Allowed}, nil
}

// WebhookStatuses returns the HTTP statuses the webhook answered, in order.
func (s *Server) WebhookStatuses() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook == nil {
		return nil
	}
	return slices.Clone(s.hook.Pushes)
}

// startPusherLocked starts delivering queued updates to the webhook one at
// a time, retrying an update until the endpoint answers 2xx, as Telegram
// does.
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
			s.mu.Unlock()
			body, _ := json.Marshal(u)
			req, _ := http.NewRequest(http.MethodPost, hook.URL, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if hook.Secret != "" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hook.Secret)
			}
			status := 0
			if resp, err := client.Do(req); err == nil {
				status = resp.StatusCode
				resp.Body.Close()
			}
			s.mu.Lock()
			hook.Pushes = append(hook.Pushes, status)
			if status >= 200 && status < 300 && len(s.updates) > 0 && s.updates[0].ID == u.ID {
				s.updates = s.updates[1:]
			}
			s.notifyLocked()
			s.mu.Unlock()
			if status < 200 || status >= 300 {
				select {
				case <-time.After(s.o.WebhookRetry):
				case <-s.closed:
					return
				}
			}
		}
	})
}

// messageJSON renders a message as the Bot API does.
func (s *Server) messageJSON(c *chat, m *Message) map[string]any {
	out := map[string]any{
		"message_id": m.ID, "date": m.Date.Unix(), "chat": c.Chat, "from": m.From,
	}
	if m.Text != "" && m.PhotoID == "" && m.DocumentID == "" && m.VoiceID == "" {
		out["text"] = m.Text
		if ents := entities(m.Text); len(ents) > 0 {
			out["entities"] = ents
		}
	}
	if m.Caption != "" {
		out["caption"] = m.Caption
	}
	if m.ThreadID != 0 {
		out["message_thread_id"] = m.ThreadID
		out["is_topic_message"] = true
	}
	if m.ReplyTo != 0 {
		if r := c.msg(m.ReplyTo); r != nil {
			out["reply_to_message"] = map[string]any{"message_id": r.ID, "date": r.Date.Unix(), "chat": c.Chat, "from": r.From, "text": r.Text}
		}
	}
	if len(m.ReplyMarkup) > 0 {
		out["reply_markup"] = m.ReplyMarkup
	}
	if m.Edited {
		out["edit_date"] = s.o.Now().Unix()
	}
	if f, ok := s.files[m.PhotoID]; ok {
		out["photo"] = []map[string]any{{"file_id": f.ID, "file_unique_id": f.UniqueID, "width": 640, "height": 480, "file_size": len(f.Data)}}
	}
	if f, ok := s.files[m.DocumentID]; ok {
		out["document"] = map[string]any{"file_id": f.ID, "file_unique_id": f.UniqueID, "file_name": f.Name, "mime_type": f.MIME, "file_size": len(f.Data)}
	}
	if f, ok := s.files[m.VoiceID]; ok {
		out["voice"] = map[string]any{"file_id": f.ID, "file_unique_id": f.UniqueID, "duration": 3, "mime_type": f.MIME, "file_size": len(f.Data)}
	}
	if m.Sticker != "" {
		out["sticker"] = map[string]any{"file_id": "STICKER", "file_unique_id": "S", "type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": m.Sticker}
	}
	if m.Location != nil {
		out["location"] = map[string]any{"latitude": m.Location[0], "longitude": m.Location[1]}
	}
	return out
}

// userMessage records a message from a user and queues its update.
func (s *Server) userMessage(chatID int64, threadID int, from User, fill func(m *Message)) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return Message{}, fmt.Errorf("telegramfake: no chat %d", chatID)
	}
	if threadID != 0 && c.topics[threadID] == nil {
		return Message{}, fmt.Errorf("telegramfake: no topic %d in chat %d", threadID, chatID)
	}
	c.nextMsg++
	m := &Message{ID: c.nextMsg, Chat: chatID, ThreadID: threadID, From: from, Date: s.o.Now()}
	fill(m)
	c.messages = append(c.messages, m)
	s.queueLocked("message", s.messageJSON(c, m))
	return *m, nil
}

// SendText makes from write text in a chat (threadID: a forum topic, or 0).
func (s *Server) SendText(chatID int64, threadID int, from User, text string) (Message, error) {
	return s.userMessage(chatID, threadID, from, func(m *Message) { m.Text = text })
}

// Reply makes from answer message replyTo in a chat.
func (s *Server) Reply(chatID int64, from User, replyTo int, text string) (Message, error) {
	return s.userMessage(chatID, 0, from, func(m *Message) { m.Text, m.ReplyTo = text, replyTo })
}

// SendPhoto makes from send a photo with a caption.
func (s *Server) SendPhoto(chatID int64, threadID int, from User, data []byte, caption string) (Message, error) {
	s.mu.Lock()
	f := s.addFile("photo.jpg", "image/jpeg", data)
	s.mu.Unlock()
	return s.userMessage(chatID, threadID, from, func(m *Message) { m.PhotoID, m.Caption = f.ID, caption })
}

// SendDocument makes from send a file.
func (s *Server) SendDocument(chatID int64, threadID int, from User, name, mime string, data []byte, caption string) (Message, error) {
	s.mu.Lock()
	f := s.addFile(name, mime, data)
	s.mu.Unlock()
	return s.userMessage(chatID, threadID, from, func(m *Message) { m.DocumentID, m.Caption = f.ID, caption })
}

// SendSticker makes from send a sticker showing emoji.
func (s *Server) SendSticker(chatID int64, from User, emoji string) (Message, error) {
	return s.userMessage(chatID, 0, from, func(m *Message) { m.Sticker = emoji })
}

// SendLocation makes from share a location.
func (s *Server) SendLocation(chatID int64, from User, lat, lon float64) (Message, error) {
	return s.userMessage(chatID, 0, from, func(m *Message) { m.Location = &[2]float64{lat, lon} })
}

// Edit makes the author of a message change its text (edited_message).
func (s *Server) Edit(chatID int64, msgID int, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || c.msg(msgID) == nil {
		return fmt.Errorf("telegramfake: no message %d in chat %d", msgID, chatID)
	}
	m := c.msg(msgID)
	m.Text, m.Edited = text, true
	s.queueLocked("edited_message", s.messageJSON(c, m))
	return nil
}

// Press makes from press an inline button with callback data on a bot
// message, and returns the callback query id (see CallbackAnswer).
func (s *Server) Press(chatID int64, msgID int, from User, data string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || c.msg(msgID) == nil {
		return "", fmt.Errorf("telegramfake: no message %d in chat %d", msgID, chatID)
	}
	s.nextCB++
	id := fmt.Sprintf("CB%d", s.nextCB)
	s.callbacks[id] = "\x00unanswered"
	s.queueLocked("callback_query", map[string]any{
		"id": id, "from": from, "chat_instance": strconv.FormatInt(chatID, 10), "data": data,
		"message": s.messageJSON(c, c.msg(msgID)),
	})
	return id, nil
}

// CallbackAnswer returns the text the bot answered a callback query with,
// and whether it answered at all.
func (s *Server) CallbackAnswer(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text, ok := s.callbacks[id]
	return text, ok && text != "\x00unanswered"
}

// React makes from set a reaction on a message. Telegram only tells the
// bot when it asked for message_reaction in allowed_updates and, in
// groups, is an administrator.
func (s *Server) React(chatID int64, msgID int, from User, emoji string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || c.msg(msgID) == nil {
		return fmt.Errorf("telegramfake: no message %d in chat %d", msgID, chatID)
	}
	if c.Type != Private && !c.botAdmin {
		return nil
	}
	s.queueLocked("message_reaction", map[string]any{
		"chat": c.Chat, "message_id": msgID, "user": from, "date": s.o.Now().Unix(),
		"old_reaction": []any{}, "new_reaction": []map[string]string{{"type": "emoji", "emoji": emoji}},
	})
	return nil
}

// PendingUpdates counts updates not yet confirmed by the bot.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// entities marks what Telegram marks in user text: a leading /command
// (bot_command) and @username mentions, with UTF-16 offsets.
func entities(text string) []map[string]any {
	var out []map[string]any
	offset := 0
	for i, word := range strings.Fields(text) {
		at := strings.Index(text[offset:], word) + offset
		off16 := utf16Len(text[:at])
		switch {
		case i == 0 && strings.HasPrefix(word, "/") && len(word) > 1:
			out = append(out, map[string]any{"type": "bot_command", "offset": off16, "length": utf16Len(word)})
		case strings.HasPrefix(word, "@") && len(word) > 1:
			out = append(out, map[string]any{"type": "mention", "offset": off16, "length": utf16Len(word)})
		}
		offset = at + len(word)
	}
	return out
}
