package slackfake

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// specialMention is what makes Slack notify a whole channel: <!channel>,
// <!here>, <!everyone>, with or without a label. Escaped (&lt;!channel&gt;)
// it is inert text.
var specialMention = regexp.MustCompile(`<!(channel|here|everyone)(\|[^>]*)?>`)

// BlockTexts returns the mrkdwn and plain texts of a message's blocks, in
// order, decoded from the JSON (where "<" may be written \u003c).
func (m Message) BlockTexts() []string {
	var out []string
	collectTexts(decodeBlocks(m.Blocks), func(kind, text string) { out = append(out, text) })
	return out
}

func decodeBlocks(raw string) any {
	var v any
	if raw == "" || json.Unmarshal([]byte(raw), &v) != nil {
		return nil
	}
	return v
}

// collectTexts walks decoded blocks and calls f for every text object
// (type "mrkdwn" or "plain_text").
func collectTexts(v any, f func(kind, text string)) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectTexts(e, f)
		}
	case map[string]any:
		kind, _ := x["type"].(string)
		if text, ok := x["text"].(string); ok && (kind == "mrkdwn" || kind == "plain_text") {
			f(kind, text)
		}
		for _, e := range x {
			collectTexts(e, f)
		}
	}
}

// broadcasts reports whether Slack would notify the whole channel for m:
// a special mention in its text (mrkdwn unless disabled) or in a mrkdwn
// text object of its blocks (plain_text shows mentions literally).
func broadcasts(m *Message) bool {
	if specialMention.MatchString(m.Text) {
		return true
	}
	found := false
	collectTexts(decodeBlocks(m.Blocks), func(kind, text string) {
		found = found || kind == "mrkdwn" && specialMention.MatchString(text)
	})
	return found
}

func (s *Server) recordBroadcastLocked(m *Message) {
	if broadcasts(m) {
		cp := *m
		cp.Reacts = slices.Clone(m.Reacts)
		s.broadcasts = append(s.broadcasts, cp)
	}
}

// Broadcasts returns the bot's posts and edits, as they were then, that
// notified a whole channel (@channel, @here, @everyone).
func (s *Server) Broadcasts() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.broadcasts)
}

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
