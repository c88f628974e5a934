package telegramfake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// userMessage records a message from a user and queues its update (unless
// the bot's privacy mode hides it). threadID is a forum topic or 0.
func (s *Server) userMessage(chatID int64, threadID int, from User, fill func(m *Message)) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return Message{}, fmt.Errorf("telegramfake: no chat %d", chatID)
	}
	if _, member := c.members[from.ID]; !member {
		return Message{}, fmt.Errorf("telegramfake: user %d is not in chat %d", from.ID, chatID)
	}
	if threadID != 0 {
		t := c.topics[threadID]
		if t == nil || t.Deleted {
			return Message{}, fmt.Errorf("telegramfake: no topic %d in chat %d", threadID, chatID)
		}
		if t.Closed && c.members[from.ID] == StatusMember {
			return Message{}, fmt.Errorf("telegramfake: topic %d is closed", threadID)
		}
	}
	m := &Message{Chat: chatID, ThreadID: threadID, From: from, Date: s.o.Now()}
	fill(m)
	if r := c.msg(m.ReplyTo); m.ReplyTo != 0 && (r == nil || r.Deleted) {
		return Message{}, fmt.Errorf("telegramfake: no message %d to reply to in chat %d", m.ReplyTo, chatID)
	} else if r != nil && threadID == 0 {
		m.ThreadID = r.ThreadID
	}
	switch {
	case m.Entities != nil: // formatted by the client (SendFormatted)
	case m.Text != "":
		m.Entities = detectEntities(m.Text, nil)
	case m.Caption != "":
		m.Entities = detectEntities(m.Caption, nil)
	}
	c.nextMsg++
	m.ID = c.nextMsg
	c.messages = append(c.messages, m)
	if s.hears(c, m) {
		s.queueLocked("message", c.ID, s.messageJSON(c, m))
	}
	return *m, nil
}

// hears applies privacy mode: in groups where the bot is not an
// administrator it only gets commands, mentions of it and replies to it.
func (s *Server) hears(c *chat, m *Message) bool {
	if c.Type == Private || s.o.ReadAllGroupMessages || c.botAdmin(s.bot.ID) {
		return true
	}
	if r := c.msg(m.ReplyTo); r != nil && r.From.ID == s.bot.ID {
		return true
	}
	text := m.Text + m.Caption
	for _, e := range m.Entities {
		word := utf16Slice(text, e.Offset, e.Length)
		switch e.Type {
		case "bot_command":
			if _, bot, addressed := strings.Cut(word, "@"); !addressed || strings.EqualFold(bot, s.bot.Username) {
				return true
			}
		case "mention":
			if strings.EqualFold(word, "@"+s.bot.Username) {
				return true
			}
		}
	}
	return false
}

// SendFormatted makes from write a formatted message, given as the HTML a
// Telegram client would turn it into (<b>, <a href="…">label</a>…): the
// message carries the plain text and its entities, text_link included, as
// a message written with a client's formatting tools does.
func (s *Server) SendFormatted(chatID int64, threadID int, from User, html string) (Message, error) {
	f, bad := formatText(html, "HTML", "")
	if bad != "" {
		return Message{}, fmt.Errorf("telegramfake: %s", bad)
	}
	return s.userMessage(chatID, threadID, from, func(m *Message) { m.Text, m.Entities = f.Text, f.Entities })
}

// SendText makes from write text in a chat (threadID: a forum topic, or
// 0) and returns the message. It fails if the chat, topic or membership
// does not exist, or the topic is closed to from.
func (s *Server) SendText(chatID int64, threadID int, from User, text string) (Message, error) {
	return s.userMessage(chatID, threadID, from, func(m *Message) { m.Text = text })
}

// Reply makes from answer message replyTo in a chat (in its topic, for
// forums).
func (s *Server) Reply(chatID int64, from User, replyTo int, text string) (Message, error) {
	return s.userMessage(chatID, 0, from, func(m *Message) { m.Text, m.ReplyTo = text, replyTo })
}

// SendPhoto makes from send a photo with a caption. The update lists two
// sizes, the original last, as Telegram does.
func (s *Server) SendPhoto(chatID int64, threadID int, from User, data []byte, caption string) (Message, error) {
	s.mu.Lock()
	f := s.addPhoto("photo.jpg", data)
	s.mu.Unlock()
	return s.userMessage(chatID, threadID, from, func(m *Message) { m.PhotoID, m.Caption = f.ID, caption })
}

// SendDocument makes from send a file.
func (s *Server) SendDocument(chatID int64, threadID int, from User, name, mime string, data []byte, caption string) (Message, error) {
	s.mu.Lock()
	f := s.addFile("documents", name, mime, data)
	s.mu.Unlock()
	return s.userMessage(chatID, threadID, from, func(m *Message) { m.DocumentID, m.Caption = f.ID, caption })
}

// SendVoice makes from send a voice note (OGG/Opus bytes).
func (s *Server) SendVoice(chatID int64, threadID int, from User, data []byte) (Message, error) {
	s.mu.Lock()
	f := s.addFile("voice", "voice.oga", "audio/ogg", data)
	s.mu.Unlock()
	return s.userMessage(chatID, threadID, from, func(m *Message) { m.VoiceID = f.ID })
}

// SendSticker makes from send a sticker showing emoji.
func (s *Server) SendSticker(chatID int64, threadID int, from User, emoji string) (Message, error) {
	return s.userMessage(chatID, threadID, from, func(m *Message) { m.Sticker = emoji })
}

// SendLocation makes from share a location.
func (s *Server) SendLocation(chatID int64, threadID int, from User, lat, lon float64) (Message, error) {
	return s.userMessage(chatID, threadID, from, func(m *Message) { m.Location = &[2]float64{lat, lon} })
}

// userMsg finds a live message for the user-side API.
func (s *Server) userMsg(chatID int64, msgID int) (*chat, *Message, error) {
	c := s.chats[chatID]
	if c == nil {
		return nil, nil, fmt.Errorf("telegramfake: no chat %d", chatID)
	}
	m := c.msg(msgID)
	if m == nil || m.Deleted {
		return nil, nil, fmt.Errorf("telegramfake: no message %d in chat %d", msgID, chatID)
	}
	return c, m, nil
}

// Edit makes the author of a message change its text (or caption) and
// queues an edited_message update.
func (s *Server) Edit(chatID int64, msgID int, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, err := s.userMsg(chatID, msgID)
	if err != nil {
		return err
	}
	if m.From.ID == s.bot.ID {
		return fmt.Errorf("telegramfake: message %d is the bot's", msgID)
	}
	if m.PhotoID != "" || m.DocumentID != "" || m.VoiceID != "" {
		m.Caption = text
	} else {
		m.Text = text
	}
	m.Entities = detectEntities(text, nil)
	m.Edited, m.EditDate = true, s.o.Now()
	if s.hears(c, m) {
		s.queueLocked("edited_message", c.ID, s.messageJSON(c, m))
	}
	return nil
}

// Delete makes a user delete a message. Telegram tells bots nothing.
func (s *Server) Delete(chatID int64, msgID int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, err := s.userMsg(chatID, msgID)
	if err != nil {
		return err
	}
	m.Deleted = true
	s.notifyLocked()
	return nil
}

// Press makes from press the inline button with callback data on a bot
// message and queues a callback_query update; it returns the query id
// (see CallbackAnswer). It fails if the message has no such button.
func (s *Server) Press(chatID int64, msgID int, from User, data string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, err := s.userMsg(chatID, msgID)
	if err != nil {
		return "", err
	}
	if !hasButton(m.ReplyMarkup, data) {
		return "", fmt.Errorf("telegramfake: message %d has no button with callback data %q", msgID, data)
	}
	s.nextCB++
	id := strconv.FormatInt(s.nextCB, 10)
	s.callbacks[id] = &callbackQuery{chat: chatID, thread: m.ThreadID, msg: msgID}
	s.queueLocked("callback_query", chatID, map[string]any{
		"id": id, "from": from, "chat_instance": strconv.FormatInt(-chatID*7919, 10), "data": data,
		"message": s.messageJSON(c, m),
	})
	return id, nil
}

func hasButton(markup json.RawMessage, data string) bool {
	var kb struct {
		InlineKeyboard [][]struct {
			CallbackData *string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if json.Unmarshal(markup, &kb) != nil {
		return false
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && *b.CallbackData == data {
				return true
			}
		}
	}
	return false
}

// CallbackAnswer returns the text the bot answered a callback query with,
// and whether it answered at all.
func (s *Server) CallbackAnswer(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.callbacks[id]
	if q == nil || !q.answered {
		return "", false
	}
	return q.text, true
}

// React makes from set (or, with emoji "", remove) their reaction on a
// message. Telegram only tells the bot (message_reaction, with the old
// and new reaction) when message_reaction is in allowed_updates and, in
// groups, the bot is an administrator.
func (s *Server) React(chatID int64, msgID int, from User, emoji string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, _, err := s.userMsg(chatID, msgID)
	if err != nil {
		return err
	}
	key := [2]int64{int64(msgID), from.ID}
	list := func(e string) []reactionType {
		if e == "" {
			return []reactionType{}
		}
		return []reactionType{{Type: "emoji", Emoji: e}}
	}
	old := c.reactions[key]
	if emoji == "" {
		delete(c.reactions, key)
	} else {
		c.reactions[key] = emoji
	}
	if c.Type != Private && !c.botAdmin(s.bot.ID) {
		s.notifyLocked()
		return nil
	}
	s.queueLocked("message_reaction", c.ID, map[string]any{
		"chat": c.Chat, "message_id": msgID, "user": from, "date": s.o.Now().Unix(),
		"old_reaction": list(old), "new_reaction": list(emoji),
	})
	return nil
}
