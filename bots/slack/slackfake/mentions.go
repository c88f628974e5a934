package slackfake

import (
	"encoding/json"
	"regexp"
	"slices"
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
