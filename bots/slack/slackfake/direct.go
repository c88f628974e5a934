package slackfake

import (
	"net/url"
	"slices"
	"strings"
)

// sharesChannelLocked reports whether the bot and userID are both members
// of some channel.
func (s *Server) sharesChannelLocked(userID string) bool {
	for _, c := range s.channels {
		if !c.IsIM && slices.Contains(c.Members, userID) && slices.Contains(c.Members, s.botUser) {
			return true
		}
	}
	return false
}

// openConversation is conversations.open for a 1:1 DM: by users (one
// user; several would be a group DM, which the emulator does not keep) or
// by channel to resume one. People of another team (Slack Connect) can be
// written to only when they share a channel with the app.
func (s *Server) openConversation(p url.Values) map[string]any {
	if !s.hasScope("im:write") {
		return s.missingScope("im:write")
	}
	if id := p.Get("channel"); id != "" {
		c, ok := s.channels[id]
		switch {
		case !ok:
			return fail("channel_not_found")
		case !c.IsIM:
			return fail("method_not_supported_for_channel_type")
		}
		return map[string]any{"ok": true, "no_op": true, "already_open": true, "channel": s.imJSON(c, p)}
	}
	raw := strings.TrimSpace(p.Get("users"))
	if raw == "" {
		return fail("users_list_not_supplied")
	}
	users := strings.Split(raw, ",")
	switch {
	case len(users) > 8:
		return fail("too_many_users")
	case len(users) > 1:
		return fail("method_not_supported_for_channel_type") // group DMs are not emulated
	}
	u, ok := s.users[users[0]]
	switch {
	case !ok:
		return fail("user_not_found")
	case u.ID == s.botUser:
		return fail("cannot_dm_bot")
	case u.TeamID != s.o.TeamID && !s.sharesChannelLocked(u.ID):
		return fail("invalid_user_combination")
	}
	existed := false
	for _, c := range s.channels {
		existed = existed || c.IsIM && c.DMWith == u.ID
	}
	c := s.dmLocked(u.ID)
	out := map[string]any{"ok": true, "channel": s.imJSON(c, p)}
	if existed {
		out["no_op"], out["already_open"] = true, true
	}
	return out
}

// imJSON renders a DM channel: its id alone, or the full definition when
// return_im is set.
func (s *Server) imJSON(c *Channel, p url.Values) map[string]any {
	if p.Get("return_im") != "true" {
		return map[string]any{"id": c.ID}
	}
	return map[string]any{"id": c.ID, "is_im": true, "is_open": true, "user": c.DMWith, "created": s.now().Unix()}
}

// postEphemeral shows a message to one member of a channel.
func (s *Server) postEphemeral(p url.Values) map[string]any {
	if !s.hasScope("chat:write") {
		return s.missingScope("chat:write")
	}
	c, ok := s.channels[p.Get("channel")]
	switch {
	case !ok:
		return fail("channel_not_found")
	case !slices.Contains(c.Members, s.botUser):
		return fail("not_in_channel")
	case s.users[p.Get("user")].ID == "":
		return fail("user_not_found")
	case !slices.Contains(c.Members, p.Get("user")):
		return fail("user_not_in_channel")
	case strings.TrimSpace(p.Get("text")) == "" && p.Get("blocks") == "":
		return fail("no_text")
	}
	s.ephemerals = append(s.ephemerals, Ephemeral{Channel: c.ID, User: p.Get("user"), ThreadTS: p.Get("thread_ts"), Text: p.Get("text")})
	return map[string]any{"ok": true, "message_ts": s.nextTS()}
}

// Ephemerals returns the messages the bot showed to single users, oldest
// first.
func (s *Server) Ephemerals() []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ephemerals)
}
