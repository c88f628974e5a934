package telegramfake

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/gif" // photo dimensions
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Limits from the Bot API documentation.
const (
	maxText        = 4096
	maxCaption     = 1024
	maxCallback    = 64
	maxPhotoUpload = 10 << 20
	maxFileUpload  = 50 << 20
	maxDownload    = 20 << 20
	deleteWindow   = 48 * time.Hour
)

// chatFor resolves chat_id to a chat the bot is in.
func (s *Server) chatFor(p map[string]string) (*chat, *apiError) {
	raw, present := p["chat_id"]
	if !present || raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	c := s.chats[id]
	if err != nil || c == nil {
		return nil, badRequest("chat not found")
	}
	if _, member := c.members[s.bot.ID]; !member {
		switch c.Type {
		case Group:
			return nil, forbidden("bot was kicked from the group chat")
		default:
			return nil, forbidden("bot is not a member of the supergroup chat")
		}
	}
	return c, nil
}

// target resolves chat_id and message_thread_id for a send.
func (s *Server) target(p map[string]string) (*chat, int, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, 0, e
	}
	if c.blockedBy {
		return nil, 0, forbidden("bot was blocked by the user")
	}
	thread, _ := strconv.Atoi(p["message_thread_id"])
	if !c.IsForum {
		return c, 0, nil
	}
	if thread != 0 {
		t := c.topics[thread]
		if t == nil || t.Deleted {
			return nil, 0, badRequest("message thread not found")
		}
		if t.Closed && !c.botAdmin(s.bot.ID) {
			return nil, 0, badRequest("TOPIC_CLOSED")
		}
	}
	return c, thread, nil
}

// replyTo reads reply_parameters or the older reply_to_message_id.
func replyTo(p map[string]string) (id int, allowMissing bool) {
	var rp struct {
		MessageID                int  `json:"message_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	if raw := p["reply_parameters"]; raw != "" && json.Unmarshal([]byte(raw), &rp) == nil {
		return rp.MessageID, rp.AllowSendingWithoutReply
	}
	id, _ = strconv.Atoi(p["reply_to_message_id"])
	return id, p["allow_sending_without_reply"] == "true"
}

// replyMarkup validates reply_markup as Telegram does and returns what the
// message keeps (nil for none or an empty inline keyboard).
func replyMarkup(raw string) (json.RawMessage, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var m struct {
		InlineKeyboard *[][]map[string]json.RawMessage `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if m.InlineKeyboard == nil {
		return json.RawMessage(raw), nil // reply keyboards and removals: kept as sent
	}
	empty := true
	for _, row := range *m.InlineKeyboard {
		for _, b := range row {
			empty = false
			var text, data string
			_ = json.Unmarshal(b["text"], &text)
			if text == "" {
				return nil, badRequest("can't parse inline keyboard button: Text is empty")
			}
			if cd, ok := b["callback_data"]; ok {
				_ = json.Unmarshal(cd, &data)
				if data == "" || len(data) > maxCallback {
					return nil, badRequest("BUTTON_DATA_INVALID")
				}
				continue
			}
			action := false
			for _, k := range []string{"url", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
				"switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay"} {
				if _, ok := b[k]; ok {
					action = true
				}
			}
			if !action {
				return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
		}
	}
	if empty {
		return nil, nil
	}
	return json.RawMessage(raw), nil
}

// newBotMessage prepares a message from the bot; it is not yet stored.
func (s *Server) newBotMessage(c *chat, thread int, p map[string]string) (*Message, *apiError) {
	rt, allowMissing := replyTo(p)
	if rt != 0 {
		if r := c.msg(rt); r == nil || r.Deleted {
			if !allowMissing {
				return nil, badRequest("message to be replied not found")
			}
			rt = 0
		} else if thread == 0 && c.IsForum {
			thread = r.ThreadID // a reply lands in the replied message's topic
		}
	}
	markup, e := replyMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	return &Message{Chat: c.ID, ThreadID: thread, From: s.bot, Date: s.o.Now(), ParseMode: p["parse_mode"], ReplyTo: rt, ReplyMarkup: markup}, nil
}

// store gives m the chat's next id, keeps it and records the action.
func (s *Server) store(c *chat, m *Message, method string) {
	c.nextMsg++
	m.ID = c.nextMsg
	c.messages = append(c.messages, m)
	text := m.Text
	if m.Caption != "" {
		text = m.Caption
	}
	s.act(ActSend, method, c.ID, m.ThreadID, m.ID, text)
}

func (s *Server) act(kind ActionKind, method string, chat int64, thread, msg int, text string) {
	s.actions = append(s.actions, Action{Kind: kind, Method: method, Chat: chat, Thread: thread, MessageID: msg, Text: text, At: s.o.Now()})
}

func (s *Server) sendMessage(p map[string]string) (any, *apiError) {
	c, thread, e := s.target(p)
	if e != nil {
		return nil, e
	}
	f, bad := formatText(p["text"], p["parse_mode"], p["entities"])
	switch {
	case bad != "":
		return nil, badRequest("%s", bad)
	case f.Text == "":
		return nil, badRequest("message text is empty")
	case utf16Len(f.Text) > maxText:
		return nil, badRequest("message is too long")
	}
	m, e := s.newBotMessage(c, thread, p)
	if e != nil {
		return nil, e
	}
	m.Text, m.HTML, m.Entities = f.Text, p["text"], f.Entities
	s.store(c, m, "sendMessage")
	return s.messageJSON(c, m), nil
}

// sendFile serves sendPhoto, sendDocument and sendVoice: a multipart
// upload or a known file_id.
func (s *Server) sendFile(field string, p map[string]string, files map[string]*multipart.FileHeader) (any, *apiError) {
	c, thread, e := s.target(p)
	if e != nil {
		return nil, e
	}
	f, bad := formatText(p["caption"], p["parse_mode"], p["caption_entities"])
	if bad != "" {
		return nil, badRequest("%s", bad)
	}
	if utf16Len(f.Text) > maxCaption {
		return nil, badRequest("message caption is too long")
	}
	var file File
	if fh, ok := files[field]; ok {
		if file, e = s.upload(field, fh); e != nil {
			return nil, e
		}
	} else if ref := p[field]; ref != "" {
		if strings.HasPrefix(ref, "attach://") {
			return nil, badRequest("there is no %s in the request", field)
		}
		known, ok := s.files[ref]
		if !ok {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		file = known
	} else {
		return nil, badRequest("there is no %s in the request", field)
	}
	m, e := s.newBotMessage(c, thread, p)
	if e != nil {
		return nil, e
	}
	m.Caption, m.HTML, m.Entities = f.Text, p["caption"], f.Entities
	switch field {
	case "photo":
		m.PhotoID = file.ID
	case "document":
		m.DocumentID = file.ID
	default:
		m.VoiceID = file.ID
	}
	s.store(c, m, "send"+strings.ToUpper(field[:1])+field[1:])
	return s.messageJSON(c, m), nil
}

// upload stores a multipart file, enforcing Telegram's upload limits.
func (s *Server) upload(field string, fh *multipart.FileHeader) (File, *apiError) {
	limit := int64(maxFileUpload)
	if field == "photo" {
		limit = maxPhotoUpload
	}
	if fh.Size > limit {
		return File{}, &apiError{code: http.StatusRequestEntityTooLarge, desc: "Request Entity Too Large"}
	}
	rd, err := fh.Open()
	if err != nil {
		return File{}, badRequest("file must be non-empty")
	}
	data, _ := io.ReadAll(rd)
	_ = rd.Close()
	if len(data) == 0 {
		return File{}, badRequest("file must be non-empty")
	}
	mime := fh.Header.Get("Content-Type")
	if mime == "" || mime == "application/octet-stream" {
		mime = http.DetectContentType(data)
	}
	switch field {
	case "photo":
		return s.addPhoto(fh.Filename, data), nil // Telegram recompresses photos to JPEG
	case "voice":
		return s.addFile("voice", fh.Filename, mime, data), nil
	}
	return s.addFile("documents", fh.Filename, mime, data), nil
}

// photoSize reads an image's dimensions, or a plausible default.
func photoSize(data []byte) (int, int) {
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
		return cfg.Width, cfg.Height
	}
	return 1280, 960
}

// botMessage finds a message the bot may edit.
func (s *Server) botMessage(p map[string]string) (*chat, *Message, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, nil, e
	}
	id, _ := strconv.Atoi(p["message_id"])
	if id == 0 {
		return nil, nil, badRequest("message identifier is not specified")
	}
	m := c.msg(id)
	if m == nil || m.Deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	if m.From.ID != s.bot.ID {
		return nil, nil, badRequest("message can't be edited")
	}
	return c, m, nil
}

// editMessageText serves editMessageText and (caption) editMessageCaption.
func (s *Server) editMessageText(p map[string]string, caption bool) (any, *apiError) {
	c, m, e := s.botMessage(p)
	if e != nil {
		return nil, e
	}
	field, limit, method := "text", maxText, "editMessageText"
	if caption {
		field, limit, method = "caption", maxCaption, "editMessageCaption"
	}
	isText := m.PhotoID == "" && m.DocumentID == "" && m.VoiceID == ""
	if caption == isText {
		if caption {
			return nil, badRequest("there is no caption in the message to edit")
		}
		return nil, badRequest("there is no text in the message to edit")
	}
	f, bad := formatText(p[field], p["parse_mode"], p["entities"])
	switch {
	case bad != "":
		return nil, badRequest("%s", bad)
	case f.Text == "" && !caption:
		return nil, badRequest("message text is empty")
	case utf16Len(f.Text) > limit && caption:
		return nil, badRequest("message caption is too long")
	case utf16Len(f.Text) > limit:
		return nil, badRequest("message is too long")
	}
	markup, e := replyMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	old := m.Text
	if caption {
		old = m.Caption
	}
	if f.Text == old && entitiesEqual(f.Entities, m.Entities) && string(markup) == string(m.ReplyMarkup) {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	if caption {
		m.Caption = f.Text
	} else {
		m.Text = f.Text
	}
	m.HTML, m.Entities, m.ParseMode, m.ReplyMarkup = p[field], f.Entities, p["parse_mode"], markup
	m.Edited, m.EditDate = true, s.o.Now()
	s.act(ActEdit, method, c.ID, m.ThreadID, m.ID, f.Text)
	return s.messageJSON(c, m), nil
}

func entitiesEqual(a, b []Entity) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (s *Server) editReplyMarkup(p map[string]string) (any, *apiError) {
	c, m, e := s.botMessage(p)
	if e != nil {
		return nil, e
	}
	markup, e := replyMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	if string(markup) == string(m.ReplyMarkup) {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	m.ReplyMarkup, m.Edited, m.EditDate = markup, true, s.o.Now()
	s.act(ActEditMarkup, "editMessageReplyMarkup", c.ID, m.ThreadID, m.ID, "")
	return s.messageJSON(c, m), nil
}

// deleteMessage applies Telegram's rules: messages younger than 48 hours;
// the bot's own anywhere, incoming ones in private chats, any message in a
// group where the bot is an administrator.
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
	allowed := m.From.ID == s.bot.ID || c.Type == Private || c.botAdmin(s.bot.ID)
	if !allowed || s.o.Now().Sub(m.Date) >= deleteWindow {
		return nil, badRequest("message can't be deleted")
	}
	m.Deleted = true
	s.act(ActDelete, "deleteMessage", c.ID, m.ThreadID, m.ID, "")
	return true, nil
}

func (s *Server) getFile(p map[string]string) (any, *apiError) {
	f, ok := s.files[p["file_id"]]
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	if len(f.Data) > maxDownload {
		return nil, badRequest("file is too big")
	}
	return map[string]any{"file_id": f.ID, "file_unique_id": f.UniqueID, "file_size": len(f.Data), "file_path": f.Path}, nil
}

// download serves /file/bot<token>/<path>.
func (s *Server) download(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	if token != s.o.Token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	s.mu.Lock()
	f, ok := s.files[s.paths[path]]
	s.mu.Unlock()
	if !ok {
		writeError(w, notFound())
		return
	}
	w.Header().Set("Content-Type", f.MIME)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	_, _ = w.Write(f.Data)
}
