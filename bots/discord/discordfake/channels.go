package discordfake

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// channelRoute serves channels/{id}/...
func (s *Server) channelRoute(req request) (int, any) {
	c, ok := s.channels[req.parts[1]]
	if !ok {
		return 0, notFound(10003, "Channel")
	}
	if !s.canSee(c) {
		return 0, errMissing
	}
	rest, m := req.parts[2:], req.method
	switch {
	case len(rest) == 0 && m == "GET":
		return 200, s.channelJSON(c)
	case len(rest) == 0 && m == "PATCH":
		return s.patchChannel(c, req.in)
	case len(rest) == 1 && rest[0] == "messages" && m == "POST":
		msg, e := s.postMessage(c, s.bot, "", req.in, req.files)
		if e != nil {
			return 0, e
		}
		return 200, s.messageJSON(msg)
	case len(rest) == 1 && rest[0] == "messages" && m == "GET":
		return 200, s.listMessages(c, req)
	case len(rest) == 1 && rest[0] == "threads" && m == "POST":
		return s.startThread(c, "", req.in, req.files)
	case len(rest) == 1 && rest[0] == "webhooks" && m == "POST":
		return s.createWebhook(c, req.in)
	case len(rest) == 1 && rest[0] == "webhooks" && m == "GET":
		out := []*Webhook{}
		for _, w := range s.webhooks {
			if w.ChannelID == c.ID {
				out = append(out, w)
			}
		}
		slices.SortFunc(out, func(a, b *Webhook) int { return cmpID(a.ID, b.ID) })
		return 200, out
	case len(rest) >= 2 && rest[0] == "messages":
		msg := s.findLocked(c.ID, rest[1])
		if msg == nil {
			return 0, notFound(10008, "Message")
		}
		return s.messageRoute(c, msg, rest[2:], req)
	}
	return 0, errMethod
}

// canSee is false for channels of guilds the bot is not in.
func (s *Server) canSee(c *Channel) bool {
	if c.GuildID == "" {
		return true
	}
	g, ok := s.guilds[c.GuildID]
	if !ok {
		return false
	}
	_, member := g.Members[s.bot.ID]
	return member
}

func (s *Server) messageRoute(c *Channel, msg *Message, rest []string, req request) (int, any) {
	m := req.method
	switch {
	case len(rest) == 0 && m == "GET":
		return 200, s.messageJSON(msg)
	case len(rest) == 0 && m == "PATCH":
		if msg.Author.ID != s.bot.ID {
			return 0, errNotAuthor
		}
		out, e := s.editMessage(msg, req.in, req.files)
		if e != nil {
			return 0, e
		}
		return 200, s.messageJSON(out)
	case len(rest) == 0 && m == "DELETE":
		if msg.Author.ID != s.bot.ID && c.Type == TypeDM {
			return 0, &apiError{status: http.StatusForbidden, code: 50003, msg: "Cannot execute action on a DM channel"}
		}
		if e := s.deleteMessage(msg); e != nil {
			return 0, e
		}
		return 204, nil
	case len(rest) == 1 && rest[0] == "threads" && m == "POST":
		if c.Type != TypeText {
			return 0, &apiError{status: 400, code: 50024, msg: "Cannot execute action on this channel type"}
		}
		return s.startThread(c, msg.ID, req.in, req.files)
	case len(rest) == 2 && rest[0] == "reactions" && m == "GET":
		out := []User{}
		for _, id := range msg.ReactedBy[rest[1]] {
			out = append(out, s.users[id])
		}
		return 200, out
	case len(rest) == 3 && rest[0] == "reactions" && (m == "PUT" || m == "DELETE"):
		if c.IsThread() && c.Archived {
			return 0, errArchived
		}
		emoji := normEmoji(rest[1])
		if emoji == "" {
			return 0, errUnknownEmoji
		}
		user := rest[2]
		if user == "@me" {
			user = s.bot.ID
		} else if m == "PUT" {
			return 0, errMethod
		}
		if m == "PUT" {
			s.reactLocked(c, msg, user, emoji, true)
		} else {
			s.reactLocked(c, msg, user, emoji, false)
		}
		return 204, nil
	}
	return 0, errMethod
}

// normEmoji accepts a Unicode emoji or name:id, as Discord does.
func normEmoji(e string) string {
	if e == "" || strings.ContainsAny(e, " /") {
		return ""
	}
	if i := strings.IndexByte(e, ':'); i >= 0 && !isID(e[i+1:]) {
		return ""
	}
	return e
}

func emojiJSON(e string) map[string]any {
	if i := strings.IndexByte(e, ':'); i >= 0 {
		return map[string]any{"id": e[i+1:], "name": e[:i]}
	}
	return map[string]any{"id": nil, "name": e}
}

// reactLocked adds or removes user's reaction and dispatches the event;
// adding twice or removing an absent reaction changes nothing.
func (s *Server) reactLocked(c *Channel, msg *Message, user, emoji string, add bool) {
	if msg.ReactedBy == nil {
		msg.ReactedBy = map[string][]string{}
	}
	has := slices.Contains(msg.ReactedBy[emoji], user)
	if has == add {
		return
	}
	t := "MESSAGE_REACTION_ADD"
	if add {
		msg.ReactedBy[emoji] = append(msg.ReactedBy[emoji], user)
	} else {
		t = "MESSAGE_REACTION_REMOVE"
		msg.ReactedBy[emoji] = slices.DeleteFunc(msg.ReactedBy[emoji], func(u string) bool { return u == user })
	}
	if user == s.bot.ID {
		if add {
			msg.Reactions = append(msg.Reactions, emoji)
			s.recordLocked("react", c.ID, msg.ID, emoji)
		} else {
			msg.Reactions = slices.DeleteFunc(msg.Reactions, func(e string) bool { return e == emoji })
			s.recordLocked("unreact", c.ID, msg.ID, emoji)
		}
	}
	d := map[string]any{"user_id": user, "channel_id": c.ID, "message_id": msg.ID, "emoji": emojiJSON(emoji), "type": 0, "burst": false}
	if c.GuildID != "" {
		d["guild_id"] = c.GuildID
		if add {
			if g := s.guilds[c.GuildID]; g != nil {
				d["member"] = s.memberJSON(g, user)
			}
			d["message_author_id"] = msg.Author.ID
		}
	}
	s.dispatchLocked(t, c.GuildID, d)
}

func (s *Server) listMessages(c *Channel, req request) []map[string]any {
	limit := 50
	if n, err := strconv.Atoi(req.q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 100)
	}
	before, after := req.q.Get("before"), req.q.Get("after")
	var live []*Message
	for _, m := range s.messages[c.ID] {
		if m.Deleted || (before != "" && cmpID(m.ID, before) >= 0) || (after != "" && cmpID(m.ID, after) <= 0) {
			continue
		}
		live = append(live, m)
	}
	out := []map[string]any{}
	// Newest first; with after, the oldest page after it.
	if after != "" && len(live) > limit {
		live = live[:limit]
	}
	for i := len(live) - 1; i >= 0 && len(out) < limit; i-- {
		m := s.messageJSON(live[i])
		// Discord's REST messages carry no guild_id or member: those
		// are extra fields of the gateway's MESSAGE_CREATE.
		delete(m, "guild_id")
		delete(m, "member")
		out = append(out, m)
	}
	return out
}

func (s *Server) patchChannel(c *Channel, in map[string]any) (int, any) {
	if !c.IsThread() {
		if v, ok := in["name"].(string); ok {
			c.Name = v
		}
		s.dispatchLocked("CHANNEL_UPDATE", c.GuildID, s.channelJSON(c))
		return 200, s.channelJSON(c)
	}
	archived, hasArchived := in["archived"].(bool)
	if c.Archived && c.Locked && !(hasArchived && !archived) {
		return 0, errArchived
	}
	var detail []string
	if v, ok := in["name"].(string); ok {
		if v == "" || runes(v) > 100 {
			return 0, formError("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		}
		c.Name = v
		detail = append(detail, "name="+v)
	}
	if tags, ok := in["applied_tags"].([]any); ok {
		applied, e := s.checkTags(c.ParentID, tags)
		if e != nil {
			return 0, e
		}
		c.AppliedTags = applied
		detail = append(detail, "tags="+strings.Join(applied, ","))
	}
	if v, ok := in["locked"].(bool); ok {
		c.Locked = v
		detail = append(detail, "locked="+strconv.FormatBool(v))
	}
	if hasArchived {
		c.Archived = archived
		detail = append(detail, "archived="+strconv.FormatBool(archived))
	}
	s.recordLocked("thread_update", c.ID, "", strings.Join(detail, " "))
	s.dispatchLocked("THREAD_UPDATE", c.GuildID, s.channelJSON(c))
	return 200, s.channelJSON(c)
}

// checkTags validates applied_tags against a forum's available tags (at
// most 5).
func (s *Server) checkTags(forumID string, tags []any) ([]string, *apiError) {
	forum := s.channels[forumID]
	if forum == nil || forum.Type != TypeForum {
		if len(tags) == 0 {
			return nil, nil
		}
		return nil, formError("applied_tags", "BASE_TYPE_INVALID", "Tags can only be applied to forum posts")
	}
	if len(tags) > 5 {
		return nil, formError("applied_tags", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
	}
	out := []string{}
	for i, t := range tags {
		id, _ := t.(string)
		if !slices.ContainsFunc(forum.Tags, func(ft Tag) bool { return ft.ID == id }) {
			return nil, formError("applied_tags."+strconv.Itoa(i), "BASE_TYPE_CHOICES", "Value must be one of the forum's available tags.")
		}
		out = append(out, id)
	}
	return out, nil
}

// startThread opens a thread from a message (sharing its id), a
// standalone thread, or in a forum a post whose first message is
// in["message"] (sharing the thread's id), and dispatches THREAD_CREATE.
func (s *Server) startThread(parent *Channel, fromMsg string, in map[string]any, files []upload) (int, any) {
	th, first, e := s.openThread(parent, fromMsg, s.bot, in, files)
	if e != nil {
		return 0, e
	}
	out := s.channelJSON(th)
	if first != nil {
		out["message"] = s.messageJSON(first)
	}
	return 201, out
}

func (s *Server) openThread(parent *Channel, fromMsg string, owner User, in map[string]any, files []upload) (*Channel, *Message, *apiError) {
	var first map[string]any
	if parent.Type == TypeForum {
		var ok bool
		if first, ok = in["message"].(map[string]any); !ok {
			return nil, nil, formError("message", "BASE_TYPE_REQUIRED", "This field is required")
		}
		if e := validate(first, len(files)); e != nil {
			return nil, nil, e
		}
	}
	th, e := s.makeThread(parent, fromMsg, owner.ID, in)
	if e != nil {
		return nil, nil, e
	}
	if first == nil {
		return th, nil, nil
	}
	msg := &Message{ID: th.ID, ChannelID: th.ID, Author: owner, At: s.o.Now(), ReactedBy: map[string][]string{}}
	if e := s.fillMessage(msg, first, files, false); e != nil {
		return nil, nil, e
	}
	s.messages[th.ID] = append(s.messages[th.ID], msg)
	if owner.ID == s.bot.ID {
		s.recordLocked("send", th.ID, msg.ID, msg.Content)
	}
	s.dispatchLocked("MESSAGE_CREATE", th.GuildID, s.messageJSON(msg))
	return th, msg, nil
}

// makeThread validates and registers a thread (forum posts: with their
// applied_tags) and dispatches THREAD_CREATE; the caller adds a forum
// post's first message.
func (s *Server) makeThread(parent *Channel, fromMsg, ownerID string, in map[string]any) (*Channel, *apiError) {
	name := str(in, "name")
	if name == "" || runes(name) > 100 {
		return nil, formError("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
	}
	if parent.IsThread() || parent.Type == TypeDM {
		return nil, &apiError{status: 400, code: 50024, msg: "Cannot execute action on this channel type"}
	}
	if s.noThreads[parent.ID] && ownerID == s.bot.ID {
		return nil, errMissingPermissions
	}
	th := &Channel{ID: s.newID(), Type: TypePublicThread, GuildID: parent.GuildID, ParentID: parent.ID, Name: name, OwnerID: ownerID}
	if fromMsg != "" {
		if _, exists := s.channels[fromMsg]; exists {
			return nil, errThreadExists
		}
		th.ID = fromMsg
	} else if parent.Type != TypeForum {
		if t, ok := in["type"].(float64); ok && int(t) == TypePublicThread {
			th.Type = TypePublicThread
		} else {
			th.Type = TypePrivateThread // Discord's default when type is absent
		}
	}
	if parent.Type == TypeForum {
		tags, _ := in["applied_tags"].([]any)
		applied, e := s.checkTags(parent.ID, tags)
		if e != nil {
			return nil, e
		}
		th.AppliedTags = applied
	}
	s.channels[th.ID] = th
	if ownerID == s.bot.ID || s.webhooks[ownerID] != nil {
		s.recordLocked("thread", th.ID, fromMsg, name+tagDetail(th.AppliedTags))
	}
	created := s.channelJSON(th)
	created["newly_created"] = true
	s.dispatchLocked("THREAD_CREATE", th.GuildID, created)
	return th, nil
}

func tagDetail(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return " tags=" + strings.Join(tags, ",")
}
