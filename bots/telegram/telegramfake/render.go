package telegramfake

// messageJSON renders a message as the Bot API's Message object.
func (s *Server) messageJSON(c *chat, m *Message) map[string]any {
	out := s.messageCore(c, m)
	switch {
	case m.ReplyTo != 0:
		if r := c.msg(m.ReplyTo); r != nil {
			out["reply_to_message"] = s.messageCore(c, r)
		}
	case m.ThreadID != 0:
		// In a forum topic every message answers the topic's creation
		// message unless it answers another one, as on Telegram.
		if t := c.topics[m.ThreadID]; t != nil {
			out["reply_to_message"] = map[string]any{
				"message_id": t.ThreadID, "date": m.Date.Unix(), "chat": c.Chat, "from": s.bot,
				"message_thread_id": t.ThreadID, "is_topic_message": true,
				"forum_topic_created": map[string]any{"name": t.Name, "icon_color": t.IconColor},
			}
		}
	}
	return out
}

// messageCore renders a message without what it replies to.
func (s *Server) messageCore(c *chat, m *Message) map[string]any {
	out := map[string]any{"message_id": m.ID, "date": m.Date.Unix(), "chat": c.Chat, "from": m.From}
	if m.ThreadID != 0 {
		out["message_thread_id"] = m.ThreadID
		out["is_topic_message"] = true
	}
	media := m.PhotoID != "" || m.DocumentID != "" || m.VoiceID != ""
	if m.Text != "" && !media {
		out["text"] = m.Text
		if len(m.Entities) > 0 {
			out["entities"] = m.Entities
		}
	}
	if m.Caption != "" {
		out["caption"] = m.Caption
		if len(m.Entities) > 0 {
			out["caption_entities"] = m.Entities
		}
	}
	if len(m.ReplyMarkup) > 0 {
		out["reply_markup"] = m.ReplyMarkup
	}
	if m.Edited {
		out["edit_date"] = m.EditDate.Unix()
	}
	if f, ok := s.files[m.PhotoID]; ok {
		var sizes []map[string]any
		if t, ok := s.files[f.thumb]; ok {
			w, h := photoSize(f.Data)
			tw, th := 90, 90*h/max(w, 1)
			sizes = append(sizes, map[string]any{"file_id": t.ID, "file_unique_id": t.UniqueID, "width": tw, "height": th, "file_size": len(t.Data)})
		}
		w, h := photoSize(f.Data)
		sizes = append(sizes, map[string]any{"file_id": f.ID, "file_unique_id": f.UniqueID, "width": w, "height": h, "file_size": len(f.Data)})
		out["photo"] = sizes
	}
	if f, ok := s.files[m.DocumentID]; ok {
		out["document"] = map[string]any{"file_id": f.ID, "file_unique_id": f.UniqueID, "file_name": f.Name, "mime_type": f.MIME, "file_size": len(f.Data)}
	}
	if f, ok := s.files[m.VoiceID]; ok {
		out["voice"] = map[string]any{"file_id": f.ID, "file_unique_id": f.UniqueID, "duration": max(1, len(f.Data)/2000), "mime_type": "audio/ogg", "file_size": len(f.Data)}
	}
	if m.Sticker != "" {
		out["sticker"] = map[string]any{"file_id": "CAACAgIAAxkBAAEStickr", "file_unique_id": "AgADStickr", "type": "regular",
			"width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": m.Sticker}
	}
	if m.Location != nil {
		out["location"] = map[string]any{"latitude": m.Location[0], "longitude": m.Location[1]}
	}
	return out
}
