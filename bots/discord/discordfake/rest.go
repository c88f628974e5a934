package discordfake

import (
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

func notFound(code int, what string) *apiError {
	return &apiError{status: 404, code: code, msg: "Unknown " + what}
}

func badForm(msg string) *apiError {
	return &apiError{status: 400, code: 50035, msg: "Invalid Form Body: " + msg}
}

// body reads a JSON body, or the payload_json and files of a multipart one.
func body(r *http.Request) (map[string]any, map[string][]byte, error) {
	out := map[string]any{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, nil, err
		}
		if pj := r.FormValue("payload_json"); pj != "" {
			if err := json.Unmarshal([]byte(pj), &out); err != nil {
				return nil, nil, err
			}
		}
		files := map[string][]byte{}
		for _, fhs := range r.MultipartForm.File {
			for _, fh := range fhs {
				files[fh.Filename] = readFile(fh)
			}
		}
		return out, files, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return nil, nil, err
	}
	trimmed := strings.TrimSpace(string(b))
	if strings.HasPrefix(trimmed, "[") {
		var list []any
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, nil, err
		}
		out["_array"] = list
		return out, nil, nil
	}
	if trimmed != "" {
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, nil, err
		}
	}
	return out, nil, nil
}

func readFile(fh *multipart.FileHeader) []byte {
	f, err := fh.Open()
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

// rest dispatches one REST call; it returns a status and a body or
// *apiError.
func (s *Server) rest(r *http.Request, path string) (int, any) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	webhookCall := len(parts) >= 3 && parts[0] == "webhooks" && parts[2] != ""
	interactionCall := len(parts) >= 1 && parts[0] == "interactions"
	if !webhookCall && !interactionCall && r.Header.Get("Authorization") != "Bot "+s.o.Token {
		return 0, &apiError{status: 401, code: 0, msg: "401: Unauthorized"}
	}
	in, files, err := body(r)
	if err != nil {
		return 0, &apiError{status: 400, code: 50109, msg: "The request body contains invalid JSON."}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	q := r.URL.Query()
	m := r.Method
	switch {
	case m == "GET" && (path == "/gateway" || path == "/gateway/bot"):
		return 200, map[string]any{"url": "ws://" + s.ln.Addr().String() + "/gateway-ws", "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 86400000, "max_concurrency": 1}}
	case m == "GET" && path == "/users/@me":
		return 200, s.bot
	case m == "POST" && path == "/users/@me/channels":
		return s.createDM(str(in, "recipient_id"))
	case len(parts) >= 2 && parts[0] == "channels":
		return s.channelRoute(m, parts[1:], in, files, q.Get("thread_id"))
	case len(parts) >= 2 && parts[0] == "webhooks":
		return s.webhookRoute(m, parts[1:], in, files, q.Get("wait") == "true", q.Get("thread_id"))
	case len(parts) == 4 && parts[0] == "guilds" && parts[2] == "members" && m == "GET":
		g, ok := s.guilds[parts[1]]
		if !ok {
			return 0, notFound(10004, "Guild")
		}
		nick, member := g.Members[parts[3]]
		if !member {
			return 0, notFound(10007, "Member")
		}
		return 200, map[string]any{"user": s.users[parts[3]], "nick": nick, "roles": []string{}, "joined_at": "2024-01-01T00:00:00Z"}
	case len(parts) >= 3 && parts[0] == "applications" && parts[len(parts)-1] == "commands" && m == "PUT":
		var cmds []json.RawMessage
		_ = json.Unmarshal(mustJSON(in["_array"]), &cmds)
		s.commands = cmds
		return 200, []any{}
	case interactionCall && len(parts) == 4 && parts[3] == "callback" && m == "POST":
		return s.interactionCallback(parts[1], parts[2], in)
	}
	return 0, &apiError{status: 404, code: 0, msg: "404: Not Found"}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func (s *Server) createDM(recipient string) (int, any) {
	if _, ok := s.users[recipient]; !ok {
		return 0, badForm("recipient_id: Unknown User")
	}
	for _, c := range s.channels {
		if c.Type == TypeDM && c.Recipient == recipient {
			return 200, s.channelJSON(c)
		}
	}
	c := &Channel{ID: s.newID(), Type: TypeDM, Recipient: recipient}
	s.channels[c.ID] = c
	return 200, s.channelJSON(c)
}

func (s *Server) channelJSON(c *Channel) map[string]any {
	out := map[string]any{"id": c.ID, "type": c.Type, "name": c.Name}
	if c.GuildID != "" {
		out["guild_id"] = c.GuildID
	}
	if c.ParentID != "" {
		out["parent_id"] = c.ParentID
	}
	if c.Type == TypeDM {
		out["recipients"] = []User{s.users[c.Recipient]}
	}
	if c.Type == TypeForum {
		out["available_tags"] = c.Tags
	}
	if c.Type == TypePublicThread {
		out["applied_tags"] = c.AppliedTags
		out["thread_metadata"] = map[string]any{"archived": c.Archived, "locked": c.Locked, "auto_archive_duration": 10080}
	}
	return out
}

func (s *Server) channelRoute(m string, parts []string, in map[string]any, files map[string][]byte, _ string) (int, any) {
	c, ok := s.channels[parts[0]]
	if !ok {
		return 0, notFound(10003, "Channel")
	}
	rest := parts[1:]
	switch {
	case len(rest) == 0 && m == "GET":
		return 200, s.channelJSON(c)
	case len(rest) == 0 && m == "PATCH":
		if v, ok := in["name"].(string); ok {
			c.Name = v
		}
		if v, ok := in["archived"].(bool); ok {
			c.Archived = v
		}
		if v, ok := in["locked"].(bool); ok {
			c.Locked = v
		}
		if tags, ok := in["applied_tags"].([]any); ok {
			c.AppliedTags = nil
			for _, t := range tags {
				c.AppliedTags = append(c.AppliedTags, t.(string))
			}
		}
		s.dispatchLocked("THREAD_UPDATE", c.GuildID, s.channelJSON(c))
		return 200, s.channelJSON(c)
	case len(rest) == 1 && rest[0] == "messages" && m == "POST":
		return s.postMessage(c, s.bot, "", in, files)
	case len(rest) == 1 && rest[0] == "threads" && m == "POST":
		return s.startThread(c, "", in, files)
	case len(rest) == 1 && rest[0] == "webhooks" && m == "POST":
		name := str(in, "name")
		low := strings.ToLower(name)
		if name == "" || utf8.RuneCountInString(name) > 80 || strings.Contains(low, "clyde") || strings.Contains(low, "discord") {
			return 0, badForm("name: Username cannot contain \"discord\" or \"clyde\"")
		}
		n := 0
		for _, w := range s.webhooks {
			if w.ChannelID == c.ID {
				n++
			}
		}
		if n >= 15 {
			return 0, &apiError{status: 400, code: 30007, msg: "Maximum number of webhooks reached (15)"}
		}
		w := &Webhook{ID: s.newID(), Token: "wh-" + s.newID(), ChannelID: c.ID, GuildID: c.GuildID, Name: name, Type: 1}
		s.webhooks[w.ID] = w
		return 200, w
	case len(rest) == 1 && rest[0] == "webhooks" && m == "GET":
		var out []*Webhook
		for _, w := range s.webhooks {
			if w.ChannelID == c.ID {
				out = append(out, w)
			}
		}
		return 200, out
	case len(rest) >= 2 && rest[0] == "messages":
		msg := s.findLocked(c.ID, rest[1])
		if msg == nil {
			return 0, notFound(10008, "Message")
		}
		switch {
		case len(rest) == 2 && m == "GET":
			return 200, s.messageJSON(msg)
		case len(rest) == 2 && m == "PATCH":
			if msg.Author.ID != s.bot.ID {
				return 0, &apiError{status: 403, code: 50005, msg: "Cannot edit a message authored by another user"}
			}
			return s.editMessage(msg, in)
		case len(rest) == 2 && m == "DELETE":
			msg.Deleted = true
			s.dispatchLocked("MESSAGE_DELETE", c.GuildID, map[string]any{"id": msg.ID, "channel_id": c.ID, "guild_id": c.GuildID})
			return 204, nil
		case len(rest) == 3 && rest[2] == "threads" && m == "POST":
			return s.startThread(c, msg.ID, in, files)
		case len(rest) == 5 && rest[2] == "reactions" && rest[4] == "@me" && m == "PUT":
			msg.Reactions = append(msg.Reactions, rest[3])
			return 204, nil
		}
	}
	return 0, &apiError{status: 405, code: 0, msg: "405: Method Not Allowed"}
}

func (s *Server) findLocked(channelID, id string) *Message {
	for _, m := range s.messages[channelID] {
		if m.ID == id && !m.Deleted {
			return m
		}
	}
	return nil
}

var (
	userMention = regexp.MustCompile(`<@!?(\d+)>`)
	roleMention = regexp.MustCompile(`<@&(\d+)>`)
)

// pings applies allowed_mentions the way Discord does and returns who was
// notified. Without allowed_mentions a bot message parses users, roles and
// @everyone/@here; a webhook message parses users only.
func pings(content string, allowed any, webhook bool) []string {
	parse := map[string]bool{"users": true, "roles": !webhook, "everyone": !webhook}
	var users, roles []string
	if am, ok := allowed.(map[string]any); ok {
		parse = map[string]bool{}
		if list, ok := am["parse"].([]any); ok {
			for _, p := range list {
				parse[p.(string)] = true
			}
		}
		for _, u := range asStrings(am["users"]) {
			users = append(users, u)
		}
		for _, r := range asStrings(am["roles"]) {
			roles = append(roles, r)
		}
	}
	var out []string
	if parse["everyone"] {
		if strings.Contains(content, "@everyone") {
			out = append(out, "@everyone")
		}
		if strings.Contains(content, "@here") {
			out = append(out, "@here")
		}
	}
	for _, m := range userMention.FindAllStringSubmatch(content, -1) {
		if parse["users"] || contains(users, m[1]) {
			out = append(out, "<@"+m[1]+">")
		}
	}
	for _, m := range roleMention.FindAllStringSubmatch(content, -1) {
		if parse["roles"] || contains(roles, m[1]) {
			out = append(out, "<@&"+m[1]+">")
		}
	}
	return out
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// validate checks Discord's content and embed limits.
func validate(in map[string]any, files map[string][]byte) *apiError {
	content := str(in, "content")
	if utf8.RuneCountInString(content) > 2000 {
		return badForm("content: Must be 2000 or fewer in length.")
	}
	embeds, _ := in["embeds"].([]any)
	if len(embeds) > 10 {
		return badForm("embeds: Must be 10 or fewer in length.")
	}
	total := 0
	for _, e := range embeds {
		em, _ := e.(map[string]any)
		d := str(em, "description")
		if utf8.RuneCountInString(d) > 4096 {
			return badForm("embeds.0.description: Must be 4096 or fewer in length.")
		}
		total += utf8.RuneCountInString(d) + utf8.RuneCountInString(str(em, "title"))
		if a, ok := em["author"].(map[string]any); ok {
			total += utf8.RuneCountInString(str(a, "name"))
		}
	}
	if total > 6000 {
		return badForm("embeds: Embed size exceeds maximum size of 6000")
	}
	if content == "" && len(embeds) == 0 && len(files) == 0 && in["components"] == nil && in["sticker_ids"] == nil {
		return &apiError{status: 400, code: 50006, msg: "Cannot send an empty message"}
	}
	return nil
}

func (s *Server) fillMessage(msg *Message, in map[string]any, files map[string][]byte, webhook bool) {
	msg.Content = str(in, "content")
	msg.Embeds = nil
	if raw, ok := in["embeds"]; ok {
		_ = json.Unmarshal(mustJSON(raw), &msg.Embeds)
	}
	if comps, ok := in["components"]; ok {
		msg.Components = string(mustJSON(comps))
	}
	if files != nil {
		msg.Files = files
	}
	text := msg.Content
	for _, e := range msg.Embeds {
		text += "\n" + e.Description
	}
	msg.Pings = pings(text, in["allowed_mentions"], webhook)
}

func (s *Server) postMessage(c *Channel, author User, webhookID string, in map[string]any, files map[string][]byte) (int, any) {
	if c.Type == TypeForum {
		return 0, &apiError{status: 400, code: 50008, msg: "Cannot send messages in a non-text channel"}
	}
	if c.Type == TypeDM {
		if _, ok := s.users[c.Recipient]; !ok || s.users[c.Recipient].Bot {
			return 0, &apiError{status: 403, code: 50007, msg: "Cannot send messages to this user"}
		}
		if s.dmClosed[c.Recipient] {
			return 0, &apiError{status: 403, code: 50007, msg: "Cannot send messages to this user"}
		}
	}
	if c.Locked {
		return 0, &apiError{status: 403, code: 50083, msg: "Thread is archived"}
	}
	if e := validate(in, files); e != nil {
		return 0, e
	}
	c.Archived = false // sending unarchives a thread
	msg := &Message{ID: s.newID(), ChannelID: c.ID, Author: author, WebhookID: webhookID, At: s.o.Now()}
	if ref, ok := in["message_reference"].(map[string]any); ok {
		msg.Reference = str(ref, "message_id")
	}
	s.fillMessage(msg, in, files, webhookID != "")
	if webhookID != "" {
		msg.Username, msg.AvatarURL = str(in, "username"), str(in, "avatar_url")
		msg.Author = User{ID: webhookID, Username: msg.Username, Bot: true}
		if msg.Author.Username == "" {
			msg.Author.Username = s.webhooks[webhookID].Name
		}
	}
	s.messages[c.ID] = append(s.messages[c.ID], msg)
	s.dispatchLocked("MESSAGE_CREATE", c.GuildID, s.messageJSON(msg))
	return 200, s.messageJSON(msg)
}

func (s *Server) editMessage(msg *Message, in map[string]any) (int, any) {
	merged := map[string]any{"content": msg.Content}
	for k, v := range in {
		merged[k] = v
	}
	if _, ok := in["embeds"]; !ok && len(msg.Embeds) > 0 {
		merged["embeds"] = msg.Embeds
	}
	if e := validate(merged, msg.Files); e != nil {
		return 0, e
	}
	s.fillMessage(msg, merged, nil, msg.WebhookID != "")
	msg.Edited = true
	c := s.channels[msg.ChannelID]
	s.dispatchLocked("MESSAGE_UPDATE", c.GuildID, s.messageJSON(msg))
	return 200, s.messageJSON(msg)
}

func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{"id": m.ID, "channel_id": m.ChannelID, "author": m.Author, "content": m.Content,
		"timestamp": m.At.UTC().Format("2006-01-02T15:04:05.000000+00:00"), "embeds": m.Embeds, "attachments": []any{}, "type": 0}
	if c := s.channels[m.ChannelID]; c != nil && c.GuildID != "" {
		out["guild_id"] = c.GuildID
	}
	if m.WebhookID != "" {
		out["webhook_id"] = m.WebhookID
	}
	if m.Embeds == nil {
		out["embeds"] = []any{}
	}
	if m.Components != "" {
		out["components"] = json.RawMessage(m.Components)
	}
	if m.Edited {
		out["edited_timestamp"] = s.o.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00")
	}
	var atts []map[string]any
	for name, data := range m.Files {
		id := s.newID()
		atts = append(atts, map[string]any{"id": id, "filename": name, "size": len(data), "url": s.URL() + "/attachments/" + m.ChannelID + "/" + m.ID + "/" + name})
	}
	if atts != nil {
		out["attachments"] = atts
	}
	var mentions []User
	for _, mm := range userMention.FindAllStringSubmatch(m.Content, -1) {
		if u, ok := s.users[mm[1]]; ok {
			mentions = append(mentions, u)
		}
	}
	out["mentions"] = mentions
	if m.Reference != "" {
		out["message_reference"] = map[string]any{"message_id": m.Reference, "channel_id": m.ChannelID}
	}
	return out
}

// startThread opens a thread from a message, a standalone thread, or (in
// a forum) a post whose first message is in["message"].
func (s *Server) startThread(parent *Channel, fromMsg string, in map[string]any, files map[string][]byte) (int, any) {
	name := str(in, "name")
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return 0, badForm("name: Must be between 1 and 100 in length.")
	}
	id := s.newID()
	if fromMsg != "" {
		id = fromMsg // a thread started from a message shares its id
		for _, c := range s.channels {
			if c.ID == id {
				return 0, &apiError{status: 400, code: 160004, msg: "A thread has already been created for this message"}
			}
		}
	}
	th := &Channel{ID: id, Type: TypePublicThread, GuildID: parent.GuildID, ParentID: parent.ID, Name: name}
	if parent.Type == TypeForum {
		msgIn, ok := in["message"].(map[string]any)
		if !ok {
			return 0, badForm("message: This field is required")
		}
		tags, _ := in["applied_tags"].([]any)
		for _, t := range tags {
			tag := t.(string)
			known := false
			for _, ft := range parent.Tags {
				known = known || ft.ID == tag
			}
			if !known {
				return 0, badForm("applied_tags: unknown tag " + tag)
			}
			th.AppliedTags = append(th.AppliedTags, tag)
		}
		s.channels[th.ID] = th
		s.dispatchLocked("THREAD_CREATE", th.GuildID, s.channelJSON(th))
		if e := validate(msgIn, files); e != nil {
			return 0, e
		}
		first := &Message{ID: th.ID, ChannelID: th.ID, Author: s.bot, At: s.o.Now()}
		s.fillMessage(first, msgIn, files, false)
		s.messages[th.ID] = append(s.messages[th.ID], first)
		out := s.channelJSON(th)
		out["message"] = s.messageJSON(first)
		return 201, out
	}
	s.channels[th.ID] = th
	s.dispatchLocked("THREAD_CREATE", th.GuildID, s.channelJSON(th))
	return 201, s.channelJSON(th)
}

func (s *Server) webhookRoute(m string, parts []string, in map[string]any, files map[string][]byte, wait bool, threadID string) (int, any) {
	w, ok := s.webhooks[parts[0]]
	if !ok || len(parts) < 2 || parts[1] != w.Token {
		return 0, notFound(10015, "Webhook")
	}
	target := s.channels[w.ChannelID]
	if threadID != "" {
		th, ok := s.channels[threadID]
		if !ok || th.ParentID != w.ChannelID {
			return 0, notFound(10003, "Channel")
		}
		target = th
	}
	if len(parts) == 2 && m == "POST" {
		name := str(in, "username")
		low := strings.ToLower(name)
		if strings.Contains(low, "discord") || strings.Contains(low, "clyde") {
			return 0, badForm("username: USERNAME_INVALID_CONTAINS \"discord\"")
		}
		if low == "everyone" || low == "here" {
			return 0, badForm("username: Username cannot be \"" + low + "\"")
		}
		if utf8.RuneCountInString(name) > 80 {
			return 0, badForm("username: Must be 80 or fewer in length.")
		}
		if target.Type == TypeForum {
			return 0, &apiError{status: 400, code: 220001, msg: "Webhooks posted to forum channels must have a thread_name or thread_id"}
		}
		status, out := s.postMessage(target, User{}, w.ID, in, files)
		if !wait {
			if _, isErr := out.(*apiError); !isErr {
				return 204, nil
			}
		}
		return status, out
	}
	if len(parts) == 4 && parts[2] == "messages" {
		msg := s.findLocked(target.ID, parts[3])
		if msg == nil || msg.WebhookID != w.ID {
			return 0, notFound(10008, "Message")
		}
		if m == "PATCH" {
			return s.editMessage(msg, in)
		}
		if m == "DELETE" {
			msg.Deleted = true
			s.dispatchLocked("MESSAGE_DELETE", target.GuildID, map[string]any{"id": msg.ID, "channel_id": target.ID, "guild_id": target.GuildID})
			return 204, nil
		}
	}
	return 0, &apiError{status: 405, code: 0, msg: "405: Method Not Allowed"}
}
