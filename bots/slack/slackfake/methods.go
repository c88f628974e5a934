package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// methodLocked runs one Web API method.
func (s *Server) methodLocked(method string, p url.Values) map[string]any {
	switch method {
	case "auth.test":
		return map[string]any{"ok": true, "url": "https://acme.slack.com/", "team": "Acme", "user": "cornershop", "team_id": s.o.TeamID, "user_id": s.botUser, "bot_id": s.botID}
	case "chat.postMessage":
		return s.postMessage(p)
	case "chat.update":
		return s.update(p)
	case "chat.delete":
		return s.deleteMsg(p)
	case "chat.postEphemeral":
		return s.postEphemeral(p)
	case "users.info":
		u, ok := s.users[p.Get("user")]
		if !ok {
			return fail("user_not_found")
		}
		return map[string]any{"ok": true, "user": userJSON(u)}
	case "conversations.info":
		c, ok := s.channels[p.Get("channel")]
		if !ok {
			return fail("channel_not_found")
		}
		return map[string]any{"ok": true, "channel": map[string]any{"id": c.ID, "name": c.Name, "is_im": c.IsIM, "is_ext_shared": c.Shared, "is_channel": !c.IsIM, "user": c.DMWith}}
	case "conversations.members":
		c, ok := s.channels[p.Get("channel")]
		if !ok {
			return fail("channel_not_found")
		}
		return map[string]any{"ok": true, "members": c.Members, "response_metadata": map[string]any{"next_cursor": ""}}
	case "conversations.open":
		return s.openConversation(p)
	case "reactions.add":
		if !s.hasScope("reactions:write") {
			return s.missingScope("reactions:write")
		}
		m := s.msgLocked(p.Get("channel"), p.Get("timestamp"))
		if m == nil {
			return fail("message_not_found")
		}
		name := p.Get("name")
		if slices.Contains(m.Reacts, name) {
			return fail("already_reacted")
		}
		m.Reacts = append(m.Reacts, name)
		return map[string]any{"ok": true}
	case "files.getUploadURLExternal":
		if !s.hasScope("files:write") {
			return s.missingScope("files:write")
		}
		s.seq++
		id := fmt.Sprintf("F%05d", s.seq)
		s.files[id] = &File{ID: id, Name: p.Get("filename")}
		s.uploads[id] = id
		return map[string]any{"ok": true, "upload_url": s.URL() + "/upload/" + id, "file_id": id}
	case "files.completeUploadExternal":
		return s.completeUpload(p)
	case "files.info":
		f, ok := s.files[p.Get("file")]
		if !ok {
			return fail("file_not_found")
		}
		return map[string]any{"ok": true, "file": s.fileJSON(f)}
	}
	return fail("unknown_method")
}

func userJSON(u User) map[string]any {
	return map[string]any{"id": u.ID, "team_id": u.TeamID, "name": u.Name, "real_name": u.RealName, "is_bot": u.IsBot,
		"profile": map[string]any{"real_name": u.RealName, "display_name": u.Display, "image_72": u.Image, "image_192": u.Image}}
}

func (s *Server) fileJSON(f *File) map[string]any {
	return map[string]any{"id": f.ID, "name": f.Name, "title": f.Title, "mimetype": f.Mime, "size": len(f.Data),
		"url_private": s.URL() + "/files/" + f.ID, "url_private_download": s.URL() + "/files/" + f.ID}
}

// messageJSON renders a message as Slack sends it in answers and events.
func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{"type": "message", "text": m.Text, "ts": m.TS}
	if m.User != "" {
		out["user"] = m.User
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.BotID != "" {
		out["bot_id"], out["app_id"] = m.BotID, s.appID
		if m.Username != "" {
			out["subtype"], out["username"] = "bot_message", m.Username
			out["icons"] = map[string]any{"image_48": m.IconURL}
		}
	}
	if m.Blocks != "" {
		out["blocks"] = json.RawMessage(m.Blocks)
	}
	if len(m.Files) > 0 {
		var fs []map[string]any
		for _, id := range m.Files {
			fs = append(fs, s.fileJSON(s.files[id]))
		}
		out["files"] = fs
		if m.User != "" {
			out["subtype"] = "file_share"
		}
	}
	if m.Edited {
		out["edited"] = map[string]any{"user": m.User, "ts": s.nextTS()}
	}
	return out
}

func (s *Server) postMessage(p url.Values) map[string]any {
	if !s.hasScope("chat:write") {
		return s.missingScope("chat:write")
	}
	c, ok := s.channels[p.Get("channel")]
	if !ok {
		return fail("channel_not_found")
	}
	if !slices.Contains(c.Members, s.botUser) {
		return fail("not_in_channel")
	}
	text := p.Get("text")
	blocks := p.Get("blocks")
	if strings.TrimSpace(text) == "" && (blocks == "" || blocks == "[]") && p.Get("attachments") == "" {
		return fail("no_text")
	}
	if utf8.RuneCountInString(text) > 40000 {
		return fail("msg_too_long")
	}
	if blocks != "" {
		if problems := blockProblems(blocks); len(problems) > 0 {
			return invalidBlocks(problems)
		}
	}
	thread := p.Get("thread_ts")
	if thread != "" {
		root := s.msgLocked(c.ID, thread)
		if root == nil {
			return fail("thread_not_found")
		}
		if root.ThreadTS != "" && root.ThreadTS != root.TS {
			thread = root.ThreadTS // a reply's ts attaches to its parent
		}
	}
	m := &Message{Channel: c.ID, TS: s.nextTS(), ThreadTS: thread, User: s.botUser, BotID: s.botID, Text: text, Blocks: blocks}
	if s.hasScope("chat:write.customize") {
		m.Username, m.IconURL = p.Get("username"), p.Get("icon_url")
	}
	s.messages[c.ID] = append(s.messages[c.ID], m)
	s.recordBroadcastLocked(m)
	s.eventLocked(c, s.messageJSON(m))
	return map[string]any{"ok": true, "channel": c.ID, "ts": m.TS, "message": s.messageJSON(m)}
}

func (s *Server) update(p url.Values) map[string]any {
	m := s.msgLocked(p.Get("channel"), p.Get("ts"))
	switch {
	case s.channels[p.Get("channel")] == nil:
		return fail("channel_not_found")
	case m == nil || m.Deleted:
		return fail("message_not_found")
	case m.BotID != s.botID:
		return fail("cant_update_message")
	}
	if text, ok := p["text"]; ok && utf8.RuneCountInString(text[0]) > 40000 {
		return fail("msg_too_long")
	}
	blocks := p.Get("blocks")
	if blocks != "" {
		if problems := blockProblems(blocks); len(problems) > 0 {
			return invalidBlocks(problems)
		}
	}
	if text, ok := p["text"]; ok {
		m.Text = text[0]
	}
	if blocks != "" {
		m.Blocks = blocks
	}
	m.Edited = true
	s.recordBroadcastLocked(m)
	return map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "text": m.Text}
}

func (s *Server) deleteMsg(p url.Values) map[string]any {
	m := s.msgLocked(p.Get("channel"), p.Get("ts"))
	switch {
	case s.channels[p.Get("channel")] == nil:
		return fail("channel_not_found")
	case m == nil || m.Deleted:
		return fail("message_not_found")
	case m.BotID != s.botID:
		return fail("cant_delete_message")
	}
	m.Deleted = true
	return map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS}
}

// upload receives the bytes of step two of the external upload.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<30))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// slack-go posts the bytes as a multipart "file" field.
		if mr, err := http.NewRequest(http.MethodPost, "/", strings.NewReader(string(data))); err == nil {
			mr.Header.Set("Content-Type", r.Header.Get("Content-Type"))
			if f, _, err := mr.FormFile("file"); err == nil {
				data, _ = io.ReadAll(f)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[r.PathValue("id")]
	if !ok {
		http.Error(w, "unknown upload", http.StatusNotFound)
		return
	}
	f.Data, f.Mime = data, http.DetectContentType(data)
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "OK - ", len(data))
}

func (s *Server) completeUpload(p url.Values) map[string]any {
	var items []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(p.Get("files")), &items); err != nil || len(items) == 0 {
		return fail("invalid_arguments")
	}
	var out []map[string]any
	var ids []string
	for _, it := range items {
		f, ok := s.files[it.ID]
		if !ok || f.Data == nil {
			return fail("file_not_found")
		}
		f.Title = it.Title
		ids = append(ids, f.ID)
		out = append(out, map[string]any{"id": f.ID, "title": f.Title})
	}
	if ch := p.Get("channel_id"); ch != "" {
		c, ok := s.channels[ch]
		if !ok {
			return fail("channel_not_found")
		}
		m := &Message{Channel: c.ID, TS: s.nextTS(), ThreadTS: p.Get("thread_ts"), User: s.botUser, BotID: s.botID, Text: p.Get("initial_comment"), Files: ids}
		for _, id := range ids {
			s.files[id].Channel, s.files[id].Thread = c.ID, m.ThreadTS
		}
		s.messages[c.ID] = append(s.messages[c.ID], m)
	}
	return map[string]any{"ok": true, "files": out}
}

// download serves url_private; Slack wants the bot token as a Bearer.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.o.BotToken {
		http.Error(w, "not authed", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	f, ok := s.files[r.PathValue("id")]
	var data []byte
	if ok {
		data = f.Data
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	_, _ = w.Write(data)
}
