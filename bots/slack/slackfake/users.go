package slackfake

import (
	"fmt"
)

// Post makes u write text in a channel (thread: the parent ts, or "")
// and returns the message.
func (s *Server) Post(channel string, u User, text, thread string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	if !ok {
		return Message{}, fmt.Errorf("slackfake: no channel %s", channel)
	}
	if thread != "" && s.msgLocked(channel, thread) == nil {
		return Message{}, fmt.Errorf("slackfake: no thread %s in %s", thread, channel)
	}
	m := &Message{Channel: channel, TS: s.nextTS(), ThreadTS: thread, User: u.ID, Text: text}
	s.messages[channel] = append(s.messages[channel], m)
	s.eventLocked(c, s.messageJSON(m))
	return *m, nil
}

// Upload makes u share a file in a channel with a comment.
func (s *Server) Upload(channel string, u User, name string, data []byte, comment, thread string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	if !ok {
		return Message{}, fmt.Errorf("slackfake: no channel %s", channel)
	}
	s.seq++
	f := &File{ID: fmt.Sprintf("F%05d", s.seq), Name: name, Title: name, Data: data, Mime: "application/octet-stream", Channel: channel, Thread: thread}
	s.files[f.ID] = f
	m := &Message{Channel: channel, TS: s.nextTS(), ThreadTS: thread, User: u.ID, Text: comment, Files: []string{f.ID}}
	s.messages[channel] = append(s.messages[channel], m)
	s.eventLocked(c, s.messageJSON(m))
	return *m, nil
}

// Edit makes the author change a message (message_changed).
func (s *Server) Edit(channel, ts, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgLocked(channel, ts)
	if m == nil {
		return fmt.Errorf("slackfake: no message %s in %s", ts, channel)
	}
	prev := s.messageJSON(m)
	m.Text, m.Edited = text, true
	s.eventLocked(s.channels[channel], map[string]any{
		"type": "message", "subtype": "message_changed", "hidden": true, "ts": s.nextTS(),
		"message": s.messageJSON(m), "previous_message": prev,
	})
	return nil
}

// Delete makes the author delete a message (message_deleted).
func (s *Server) Delete(channel, ts string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgLocked(channel, ts)
	if m == nil {
		return fmt.Errorf("slackfake: no message %s in %s", ts, channel)
	}
	m.Deleted = true
	s.eventLocked(s.channels[channel], map[string]any{
		"type": "message", "subtype": "message_deleted", "hidden": true, "ts": s.nextTS(), "deleted_ts": ts, "previous_message": s.messageJSON(m),
	})
	return nil
}

// React makes u add a reaction (name without colons) to a message.
func (s *Server) React(channel, ts string, u User, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgLocked(channel, ts)
	if m == nil {
		return fmt.Errorf("slackfake: no message %s in %s", ts, channel)
	}
	ev := map[string]any{"type": "reaction_added", "user": u.ID, "reaction": name, "event_ts": s.nextTS(),
		"item": map[string]any{"type": "message", "channel": channel, "ts": ts}}
	if m.User != "" {
		ev["item_user"] = m.User
	}
	s.eventLocked(nil, ev)
	return nil
}

// Slash makes u run a slash command in a channel; it returns the envelope
// id whose acknowledgement carries the answer (see AckPayloads).
func (s *Server) Slash(channel string, u User, command, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	s.dispatchLocked("slash_commands", map[string]any{
		"token": "deprecated", "team_id": s.o.TeamID, "channel_id": channel, "user_id": u.ID, "user_name": u.Name,
		"command": command, "text": text, "api_app_id": s.appID, "trigger_id": fmt.Sprintf("trig%d", s.seq),
		"response_url": s.URL() + "/response/" + fmt.Sprint(s.seq),
	})
	return fmt.Sprintf("env-%d", s.evSeq)
}

// Click makes u press a button (action id and value) on a message.
func (s *Server) Click(channel, ts string, u User, actionID, value string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgLocked(channel, ts)
	if m == nil {
		return "", fmt.Errorf("slackfake: no message %s in %s", ts, channel)
	}
	container := map[string]any{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false}
	if m.ThreadTS != "" {
		container["thread_ts"] = m.ThreadTS
	}
	s.seq++
	s.dispatchLocked("interactive", map[string]any{
		"type": "block_actions", "team": map[string]any{"id": s.o.TeamID}, "user": map[string]any{"id": u.ID, "name": u.Name, "team_id": u.TeamID},
		"api_app_id": s.appID, "trigger_id": fmt.Sprintf("trig%d", s.seq), "container": container,
		"channel": map[string]any{"id": channel}, "message": s.messageJSON(m),
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "value": value, "block_id": "card", "action_ts": s.nextTS()}},
	})
	return fmt.Sprintf("env-%d", s.evSeq), nil
}
