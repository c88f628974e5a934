package telegramfake

import (
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// dispatchLocked runs one Bot API method; s.mu is held.
func (s *Server) dispatchLocked(method string, p map[string]string, files map[string]*multipart.FileHeader) (any, *apiError) {
	switch method {
	case "getMe":
		return map[string]any{"id": s.bot.ID, "is_bot": true, "first_name": s.bot.FirstName, "username": s.bot.Username,
			"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}, nil
	case "setWebhook":
		return s.setWebhook(p)
	case "deleteWebhook":
		return s.deleteWebhook(p)
	case "getWebhookInfo":
		return s.webhookInfo()
	case "setMyCommands", "deleteMyCommands":
		return true, nil
	case "sendMessage":
		return s.sendMessage(p)
	case "sendPhoto", "sendDocument", "sendVoice":
		return s.sendFile(method, p, files)
	case "editMessageText":
		return s.editMessageText(p)
	case "editMessageReplyMarkup":
		return s.editReplyMarkup(p)
	case "deleteMessage":
		return s.deleteMessage(p)
	case "getFile":
		return s.getFile(p)
	case "createForumTopic", "editForumTopic", "closeForumTopic", "reopenForumTopic", "deleteForumTopic":
		return s.forumTopic(method, p)
	case "answerCallbackQuery":
		text, ok := s.callbacks[p["callback_query_id"]]
		if !ok {
			return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
		}
		_ = text
		s.callbacks[p["callback_query_id"]] = p["text"]
		return true, nil
	case "setMessageReaction":
		return s.setReaction(p)
	case "getChat":
		c, e := s.chatFor(p)
		if e != nil {
			return nil, e
		}
		return c.Chat, nil
	case "getChatMember":
		return s.getChatMember(p)
	}
	return nil, &apiError{code: 404, desc: "Not Found"}
}

func (s *Server) chatFor(p map[string]string) (*chat, *apiError) {
	id, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	c := s.chats[id]
	if c == nil {
		return nil, badRequest("chat not found")
	}
	if _, member := c.members[s.bot.ID]; !member {
		return nil, &apiError{code: 403, desc: "Forbidden: bot is not a member of the supergroup chat"}
	}
	return c, nil
}

// target resolves chat and, for forum topics, message_thread_id.
func (s *Server) target(p map[string]string) (*chat, int, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, 0, e
	}
	if c.blockedBy {
		return nil, 0, &apiError{code: 403, desc: "Forbidden: bot was blocked by the user"}
	}
	thread, _ := strconv.Atoi(p["message_thread_id"])
	if thread != 0 && c.IsForum {
		t := c.topics[thread]
		if t == nil || t.Deleted {
			return nil, 0, badRequest("message thread not found")
		}
		if t.Closed && !c.botAdmin {
			return nil, 0, badRequest("TOPIC_CLOSED")
		}
	}
	if !c.IsForum {
		thread = 0
	}
	return c, thread, nil
}

// renderText validates text per parse_mode and returns what users see.
func renderText(text, mode string, max int, empty string) (string, *apiError) {
	shown := text
	if strings.EqualFold(mode, "HTML") {
		var err error
		if shown, err = parseHTML(text); err != nil {
			return "", badRequest("can't parse entities: %s", err.Error())
		}
	}
	if strings.TrimSpace(shown) == "" && empty != "" {
		return "", badRequest("%s", empty)
	}
	if utf16Len(shown) > max {
		if max == 1024 {
			return "", badRequest("message caption is too long")
		}
		return "", badRequest("message is too long")
	}
	return shown, nil
}

func replyTo(p map[string]string) int {
	if id, err := strconv.Atoi(p["reply_to_message_id"]); err == nil {
		return id
	}
	var rp struct {
		MessageID int `json:"message_id"`
	}
	if json.Unmarshal([]byte(p["reply_parameters"]), &rp) == nil {
		return rp.MessageID
	}
	return 0
}

func (s *Server) newBotMessage(c *chat, thread int, p map[string]string) *Message {
	c.nextMsg++
	m := &Message{ID: c.nextMsg, Chat: c.ID, ThreadID: thread, From: s.bot, Date: s.o.Now(), ParseMode: p["parse_mode"], ReplyTo: replyTo(p)}
	if rm := p["reply_markup"]; rm != "" && json.Valid([]byte(rm)) {
		m.ReplyMarkup = json.RawMessage(rm)
	}
	return m
}

func (s *Server) sendMessage(p map[string]string) (any, *apiError) {
	c, thread, e := s.target(p)
	if e != nil {
		return nil, e
	}
	shown, e := renderText(p["text"], p["parse_mode"], 4096, "message text is empty")
	if e != nil {
		return nil, e
	}
	if rt := replyTo(p); rt != 0 && c.msg(rt) == nil && p["allow_sending_without_reply"] != "true" {
		return nil, badRequest("message to be replied not found")
	}
	m := s.newBotMessage(c, thread, p)
	m.Text, m.HTML = shown, p["text"]
	c.messages = append(c.messages, m)
	return s.messageJSON(c, m), nil
}

func (s *Server) sendFile(method string, p map[string]string, files map[string]*multipart.FileHeader) (any, *apiError) {
	c, thread, e := s.target(p)
	if e != nil {
		return nil, e
	}
	field := map[string]string{"sendPhoto": "photo", "sendDocument": "document", "sendVoice": "voice"}[method]
	caption, e := renderText(p["caption"], p["parse_mode"], 1024, "")
	if e != nil {
		return nil, e
	}
	var f File
	if fh, ok := files[field]; ok {
		limit := int64(50 << 20)
		if field == "photo" {
			limit = 10 << 20
		}
		if fh.Size > limit {
			return nil, &apiError{code: 413, desc: "Request Entity Too Large"}
		}
		rd, err := fh.Open()
		if err != nil {
			return nil, badRequest("file must be non-empty")
		}
		data, _ := io.ReadAll(rd)
		rd.Close()
		if len(data) == 0 {
			return nil, badRequest("file must be non-empty")
		}
		mime := fh.Header.Get("Content-Type")
		if mime == "" || mime == "application/octet-stream" {
			mime = http.DetectContentType(data)
		}
		f = s.addFile(fh.Filename, mime, data)
	} else if id := p[field]; id != "" {
		known, ok := s.files[id]
		if !ok {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		f = known
	} else {
		return nil, badRequest("there is no %s in the request", field)
	}
	m := s.newBotMessage(c, thread, p)
	m.Caption = caption
	switch field {
	case "photo":
		m.PhotoID = f.ID
	case "document":
		m.DocumentID = f.ID
	default:
		m.VoiceID = f.ID
	}
	c.messages = append(c.messages, m)
	return s.messageJSON(c, m), nil
}

func (s *Server) botMessage(p map[string]string) (*chat, *Message, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, nil, e
	}
	id, _ := strconv.Atoi(p["message_id"])
	m := c.msg(id)
	if m == nil || m.Deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	if m.From.ID != s.bot.ID {
		return nil, nil, badRequest("message can't be edited")
	}
	return c, m, nil
}

func (s *Server) editMessageText(p map[string]string) (any, *apiError) {
	c, m, e := s.botMessage(p)
	if e != nil {
		return nil, e
	}
	shown, e := renderText(p["text"], p["parse_mode"], 4096, "message text is empty")
	if e != nil {
		return nil, e
	}
	if shown == m.Text && p["reply_markup"] == string(m.ReplyMarkup) {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	m.Text, m.HTML, m.ParseMode, m.Edited = shown, p["text"], p["parse_mode"], true
	if rm := p["reply_markup"]; rm != "" && json.Valid([]byte(rm)) {
		m.ReplyMarkup = json.RawMessage(rm)
	}
	return s.messageJSON(c, m), nil
}

func (s *Server) editReplyMarkup(p map[string]string) (any, *apiError) {
	c, m, e := s.botMessage(p)
	if e != nil {
		return nil, e
	}
	m.ReplyMarkup = nil
	if rm := p["reply_markup"]; rm != "" && json.Valid([]byte(rm)) {
		m.ReplyMarkup = json.RawMessage(rm)
	}
	return s.messageJSON(c, m), nil
}

func (s *Server) deleteMessage(p map[string]string) (any, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, e
	}
	id, _ := strconv.Atoi(p["message_id"])
	m := c.msg(id)
	if m == nil || m.Deleted {
		return nil, badRequest("message to delete not found")
	}
	own := m.From.ID == s.bot.ID
	if !(own || (c.Type != Private && c.botAdmin)) || s.o.Now().Sub(m.Date) >= 48*time.Hour {
		return nil, badRequest("message can't be deleted")
	}
	m.Deleted = true
	return true, nil
}

func (s *Server) getFile(p map[string]string) (any, *apiError) {
	f, ok := s.files[p["file_id"]]
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	if len(f.Data) > 20<<20 {
		return nil, badRequest("file is too big")
	}
	return map[string]any{"file_id": f.ID, "file_unique_id": f.UniqueID, "file_size": len(f.Data), "file_path": f.Path}, nil
}

// download serves /file/bot<token>/<path>.
func (s *Server) download(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	if token != s.o.Token {
		writeError(w, &apiError{code: 401, desc: "Unauthorized"})
		return
	}
	s.mu.Lock()
	var data []byte
	var mime string
	for _, f := range s.files {
		if f.Path == path {
			data, mime = f.Data, f.MIME
		}
	}
	s.mu.Unlock()
	if data == nil {
		writeError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	w.Header().Set("Content-Type", mime)
	_, _ = w.Write(data)
}

func (s *Server) forumTopic(method string, p map[string]string) (any, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, e
	}
	if !c.IsForum {
		return nil, badRequest("the chat is not a forum")
	}
	if !c.botAdmin {
		return nil, badRequest("not enough rights to manage topics")
	}
	if method == "createForumTopic" {
		name := p["name"]
		if n := utf16Len(name); n < 1 || n > 128 {
			return nil, badRequest("TOPIC_NAME_INVALID")
		}
		c.nextMsg++ // the topic's service message takes an id; it is the thread id
		t := &Topic{ThreadID: c.nextMsg, Name: name, IconColor: 7322096}
		c.topics[t.ThreadID] = t
		return t, nil
	}
	id, _ := strconv.Atoi(p["message_thread_id"])
	t := c.topics[id]
	if t == nil || t.Deleted {
		return nil, badRequest("message thread not found")
	}
	switch method {
	case "editForumTopic":
		if name, ok := p["name"]; ok {
			if n := utf16Len(name); n < 1 || n > 128 {
				return nil, badRequest("TOPIC_NAME_INVALID")
			}
			if name == t.Name {
				return nil, badRequest("TOPIC_NOT_MODIFIED")
			}
			t.Name = name
		}
	case "closeForumTopic":
		if t.Closed {
			return nil, badRequest("TOPIC_NOT_MODIFIED")
		}
		t.Closed = true
	case "reopenForumTopic":
		if !t.Closed {
			return nil, badRequest("TOPIC_NOT_MODIFIED")
		}
		t.Closed = false
	case "deleteForumTopic":
		t.Deleted = true
	}
	return true, nil
}

func (s *Server) setReaction(p map[string]string) (any, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, e
	}
	id, _ := strconv.Atoi(p["message_id"])
	m := c.msg(id)
	if m == nil || m.Deleted {
		return nil, badRequest("message to react not found")
	}
	var rs []struct {
		Type  string `json:"type"`
		Emoji string `json:"emoji"`
	}
	if raw := p["reaction"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &rs); err != nil {
			return nil, badRequest("can't parse reaction types JSON object")
		}
	}
	if len(rs) > 1 {
		return nil, badRequest("REACTIONS_TOO_MANY")
	}
	m.Reactions = nil
	for _, r := range rs {
		m.Reactions = append(m.Reactions, r.Emoji)
	}
	return true, nil
}

func (s *Server) getChatMember(p map[string]string) (any, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, e
	}
	uid, _ := strconv.ParseInt(p["user_id"], 10, 64)
	u, ok := s.users[uid]
	if !ok {
		return nil, badRequest("user not found")
	}
	status, member := c.members[uid]
	if !member {
		status = "left"
	}
	return map[string]any{"status": status, "user": u}, nil
}
