package discordfake

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

const stamp = "2006-01-02T15:04:05.000000+00:00"

// nonceWindow is how long Discord checks a nonce for uniqueness under
// enforce_nonce ("the past few minutes").
const nonceWindow = 5 * time.Minute

// nonceOf reads a nonce, which Discord takes as a string or an integer.
func nonceOf(v any) string {
	switch n := v.(type) {
	case string:
		return n
	case float64:
		return strconv.FormatInt(int64(n), 10)
	}
	return ""
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// validate checks Discord's content and embed limits (message.mdx §Embed
// Limits) and that the message is not empty.
func validate(in map[string]any, files int) *apiError {
	content := str(in, "content")
	if runes(content) > 2000 {
		return formError("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
	}
	embeds, _ := in["embeds"].([]any)
	if len(embeds) > 10 {
		return formError("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
	}
	total := 0
	for i, e := range embeds {
		em, _ := e.(map[string]any)
		at := "embeds." + strconv.Itoa(i) + "."
		check := func(field string, v string, limit int) *apiError {
			total += runes(v)
			if runes(v) > limit {
				return formError(at+field, "BASE_TYPE_MAX_LENGTH", "Must be "+strconv.Itoa(limit)+" or fewer in length.")
			}
			return nil
		}
		if err := check("title", str(em, "title"), 256); err != nil {
			return err
		}
		if err := check("description", str(em, "description"), 4096); err != nil {
			return err
		}
		if a, ok := em["author"].(map[string]any); ok {
			if err := check("author.name", str(a, "name"), 256); err != nil {
				return err
			}
		}
		if f, ok := em["footer"].(map[string]any); ok {
			if err := check("footer.text", str(f, "text"), 2048); err != nil {
				return err
			}
		}
		fields, _ := em["fields"].([]any)
		if len(fields) > 25 {
			return formError(at+"fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
		for j, f := range fields {
			fm, _ := f.(map[string]any)
			for _, part := range []string{"name", "value"} {
				path := "fields." + strconv.Itoa(j) + "." + part
				if str(fm, part) == "" {
					return formError(at+path, "BASE_TYPE_REQUIRED", "This field is required")
				}
				if err := check(path, str(fm, part), map[string]int{"name": 256, "value": 1024}[part]); err != nil {
					return err
				}
			}
		}
	}
	if total > 6000 {
		return formError("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
	}
	if files > 10 {
		return &apiError{status: 400, code: 30015, msg: "Maximum number of attachments in a message reached (10)"}
	}
	comps, _ := in["components"].([]any)
	if err := validateComponents(comps); err != nil {
		return err
	}
	stickers, _ := in["sticker_ids"].([]any)
	if content == "" && len(embeds) == 0 && files == 0 && len(comps) == 0 && len(stickers) == 0 {
		return errEmpty
	}
	return nil
}

// fillMessage sets a message's content from a send or edit body, applying
// allowed_mentions; fields absent from an edit keep their value, except
// that pings are always recomputed with the edit's allowed_mentions (or
// the defaults), as Discord does.
func (s *Server) fillMessage(msg *Message, in map[string]any, files []upload, edit bool) *apiError {
	rules, e := rulesFor(in["allowed_mentions"], msg.WebhookID != "")
	if e != nil {
		return e
	}
	if v, ok := in["content"]; ok || !edit {
		c, _ := v.(string)
		msg.Content = c
	}
	if raw, ok := in["embeds"]; ok || !edit {
		msg.Embeds = nil
		if raw != nil {
			_ = json.Unmarshal(mustJSON(raw), &msg.Embeds)
		}
	}
	if comps, ok := in["components"]; ok {
		if list, _ := comps.([]any); len(list) > 0 {
			msg.Components = string(mustJSON(comps))
		} else {
			msg.Components = ""
		}
	}
	if f, ok := in["flags"].(float64); ok {
		msg.Flags = int(f)
	}
	for _, f := range files {
		if msg.Files == nil {
			msg.Files = map[string][]byte{}
		}
		msg.Files[f.name] = f.data
		msg.Attachments = append(msg.Attachments, Attachment{ID: s.newID(), Filename: f.name, ContentType: f.contentType, Data: f.data})
	}
	msg.AllowedMentions = rawAllowed(in["allowed_mentions"])
	msg.Pings = rules.pings(msg.Content)
	if s.byBot(msg) {
		s.allPings = append(s.allPings, msg.Pings...)
	}
	return nil
}

// postMessage creates a message in c from author (the bot, a user, or for
// webhookID != "" a webhook) and dispatches MESSAGE_CREATE.
func (s *Server) postMessage(c *Channel, author User, webhookID string, in map[string]any, files []upload) (*Message, *apiError) {
	if c.Type == TypeForum {
		return nil, errNonText
	}
	if c.Type == TypeDM && author.ID == s.bot.ID {
		if u, ok := s.users[c.Recipient]; !ok || u.Bot || s.dmClosed[c.Recipient] {
			return nil, errDMClosed
		}
	}
	if c.IsThread() && c.Archived {
		if c.Locked {
			return nil, errArchived
		}
		c.Archived = false // sending unarchives a thread
		s.dispatchLocked("THREAD_UPDATE", c.GuildID, s.channelJSON(c))
	}
	if e := validate(in, len(files)); e != nil {
		return nil, e
	}
	nonce := nonceOf(in["nonce"])
	if runes(nonce) > 25 {
		return nil, formError("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
	}
	if enforce, _ := in["enforce_nonce"].(bool); enforce && nonce != "" {
		// The same author's message with this nonce in the past few
		// minutes is returned instead of a new one.
		for _, m := range s.messages[c.ID] {
			if m.Nonce == nonce && m.Author.ID == author.ID && webhookID == "" && s.o.Now().Sub(m.At) < nonceWindow {
				return m, nil
			}
		}
	}
	msg := &Message{ID: s.newID(), ChannelID: c.ID, Author: author, WebhookID: webhookID, At: s.o.Now(), ReactedBy: map[string][]string{}, Nonce: nonce}
	if ref, ok := in["message_reference"].(map[string]any); ok {
		msg.Reference = str(ref, "message_id")
		if s.findLocked(c.ID, msg.Reference) == nil && ref["fail_if_not_exists"] != false {
			return nil, formError("message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message")
		}
	}
	if webhookID != "" {
		msg.Username, msg.AvatarURL = str(in, "username"), str(in, "avatar_url")
		msg.Author = User{ID: webhookID, Username: msg.Username, Bot: true}
		if msg.Author.Username == "" {
			if w, ok := s.webhooks[webhookID]; ok {
				msg.Author.Username = w.Name
			} else {
				msg.Author = s.bot // interaction followups are the bot's
			}
		}
	}
	if e := s.fillMessage(msg, in, files, false); e != nil {
		return nil, e
	}
	s.messages[c.ID] = append(s.messages[c.ID], msg)
	if s.byBot(msg) {
		s.recordLocked("send", c.ID, msg.ID, msg.Content)
	}
	s.dispatchLocked("MESSAGE_CREATE", c.GuildID, s.messageJSON(msg))
	return msg, nil
}

// editMessage applies an edit and dispatches MESSAGE_UPDATE.
func (s *Server) editMessage(msg *Message, in map[string]any, files []upload) (*Message, *apiError) {
	c := s.channels[msg.ChannelID]
	if c != nil && c.IsThread() && c.Archived {
		return nil, errArchived
	}
	merged := map[string]any{"content": msg.Content, "embeds": msg.Embeds}
	for k, v := range in {
		merged[k] = v
	}
	if e := validate(merged, len(msg.Attachments)+len(files)); e != nil {
		return nil, e
	}
	before := msg.Content
	if e := s.fillMessage(msg, in, files, true); e != nil {
		return nil, e
	}
	msg.Edits = append(msg.Edits, before)
	msg.Edited = true
	if s.byBot(msg) {
		s.recordLocked("edit", msg.ChannelID, msg.ID, msg.Content)
	}
	s.dispatchLocked("MESSAGE_UPDATE", c.GuildID, s.messageJSON(msg))
	return msg, nil
}

// deleteMessage marks a message deleted and dispatches MESSAGE_DELETE.
func (s *Server) deleteMessage(msg *Message) *apiError {
	c := s.channels[msg.ChannelID]
	if c.IsThread() && c.Archived {
		return errArchived
	}
	msg.Deleted = true
	if s.byBot(msg) {
		s.recordLocked("delete", c.ID, msg.ID, "")
	}
	d := map[string]any{"id": msg.ID, "channel_id": c.ID}
	if c.GuildID != "" {
		d["guild_id"] = c.GuildID
	}
	s.dispatchLocked("MESSAGE_DELETE", c.GuildID, d)
	return nil
}

func (s *Server) findLocked(channelID, id string) *Message {
	for _, m := range s.messages[channelID] {
		if m.ID == id && !m.Deleted {
			return m
		}
	}
	return nil
}

func (s *Server) messageJSON(m *Message) map[string]any {
	typ := 0
	if m.Reference != "" {
		typ = 19
	}
	if m.InteractionID != "" {
		typ = 20
	}
	out := map[string]any{"id": m.ID, "channel_id": m.ChannelID, "author": m.Author, "content": m.Content, "type": typ,
		"timestamp": m.At.UTC().Format(stamp), "edited_timestamp": nil, "tts": false, "pinned": false, "flags": m.Flags,
		"embeds": []Embed{}, "attachments": []any{}, "components": []any{}, "mention_roles": []string{}, "mention_everyone": false}
	if m.Embeds != nil {
		out["embeds"] = m.Embeds
	}
	c := s.channels[m.ChannelID]
	if c != nil && c.GuildID != "" {
		out["guild_id"] = c.GuildID
		if g := s.guilds[c.GuildID]; g != nil && m.WebhookID == "" {
			if _, ok := g.Members[m.Author.ID]; ok {
				out["member"] = map[string]any{"roles": []string{}, "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false}
			}
		}
	}
	if m.WebhookID != "" {
		out["webhook_id"] = m.WebhookID
	}
	if m.Nonce != "" {
		out["nonce"] = m.Nonce
	}
	if m.Components != "" {
		out["components"] = json.RawMessage(m.Components)
	}
	if m.Edited {
		out["edited_timestamp"] = s.o.Now().UTC().Format(stamp)
	}
	atts := []map[string]any{}
	for _, a := range m.Attachments {
		u := "https://cdn.discordapp.com/attachments/" + m.ChannelID + "/" + m.ID + "/" + a.Filename
		atts = append(atts, map[string]any{"id": a.ID, "filename": a.Filename, "size": len(a.Data), "url": u, "proxy_url": u, "content_type": a.ContentType})
	}
	out["attachments"] = atts
	mentions := []User{}
	roles := []string{}
	for _, p := range m.Pings {
		switch {
		case p == "@everyone" || p == "@here":
			out["mention_everyone"] = true
		case len(p) > 3 && p[:3] == "<@&":
			roles = append(roles, p[3:len(p)-1])
		default:
			if u, ok := s.users[p[2:len(p)-1]]; ok {
				mentions = append(mentions, u)
			}
		}
	}
	out["mentions"], out["mention_roles"] = mentions, roles
	if m.Reference != "" {
		ref := map[string]any{"message_id": m.Reference, "channel_id": m.ChannelID}
		if c != nil && c.GuildID != "" {
			ref["guild_id"] = c.GuildID
		}
		out["message_reference"] = ref
		if r := s.findLocked(m.ChannelID, m.Reference); r != nil && r != m {
			out["referenced_message"] = s.messageJSON(r)
		}
	}
	var reactions []map[string]any
	for _, emoji := range s.emojiOrder(m) {
		users := m.ReactedBy[emoji]
		reactions = append(reactions, map[string]any{"count": len(users), "me": slices.Contains(users, s.bot.ID), "emoji": emojiJSON(emoji)})
	}
	if reactions != nil {
		out["reactions"] = reactions
	}
	return out
}

func (s *Server) emojiOrder(m *Message) []string {
	var keys []string
	for k, v := range m.ReactedBy {
		if len(v) > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
