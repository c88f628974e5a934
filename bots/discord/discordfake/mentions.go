package discordfake

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

var (
	userMention = regexp.MustCompile(`<@!?(\d+)>`)
	roleMention = regexp.MustCompile(`<@&(\d+)>`)
)

// mentionRules is a parsed allowed_mentions.
type mentionRules struct {
	parse        map[string]bool
	users, roles []string
}

// rulesFor returns the rules Discord applies to a send or edit: the given
// allowed_mentions, or without one the defaults — bot messages parse
// users, roles and @everyone/@here; webhook messages parse users only.
// A malformed allowed_mentions is an Invalid Form Body.
func rulesFor(allowed any, webhook bool) (mentionRules, *apiError) {
	if allowed == nil {
		return mentionRules{parse: map[string]bool{"users": true, "roles": !webhook, "everyone": !webhook}}, nil
	}
	am, ok := allowed.(map[string]any)
	if !ok {
		return mentionRules{}, formError("allowed_mentions", "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
	}
	r := mentionRules{parse: map[string]bool{}}
	if list, ok := am["parse"].([]any); ok {
		for _, p := range list {
			v, _ := p.(string)
			if v != "users" && v != "roles" && v != "everyone" {
				return r, formError("allowed_mentions.parse.0", "BASE_TYPE_CHOICES", "Value must be one of {'users', 'roles', 'everyone'}.")
			}
			r.parse[v] = true
		}
	}
	r.users, r.roles = asStrings(am["users"]), asStrings(am["roles"])
	if r.parse["users"] && len(r.users) > 0 {
		return r, formError("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "parse:[\"users\"] and users: [ids...] are mutually exclusive.")
	}
	if r.parse["roles"] && len(r.roles) > 0 {
		return r, formError("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "parse:[\"roles\"] and roles: [ids...] are mutually exclusive.")
	}
	return r, nil
}

// pings returns who content notifies under r: "@everyone", "@here",
// "<@id>" and "<@&id>", each once, in order of appearance.
func (r mentionRules) pings(content string) []string {
	var out []string
	add := func(p string) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if r.parse["everyone"] {
		ei, hi := strings.Index(content, "@everyone"), strings.Index(content, "@here")
		switch {
		case ei >= 0 && (hi < 0 || ei < hi):
			add("@everyone")
			if hi >= 0 {
				add("@here")
			}
		case hi >= 0:
			add("@here")
			if ei >= 0 {
				add("@everyone")
			}
		}
	}
	for _, m := range userMention.FindAllStringSubmatch(content, -1) {
		if r.parse["users"] || slices.Contains(r.users, m[1]) {
			add("<@" + m[1] + ">")
		}
	}
	for _, m := range roleMention.FindAllStringSubmatch(content, -1) {
		if r.parse["roles"] || slices.Contains(r.roles, m[1]) {
			add("<@&" + m[1] + ">")
		}
	}
	return out
}

// pings applies allowed_mentions the way Discord does and returns who was
// notified.
func pings(content string, allowed any, webhook bool) []string {
	r, _ := rulesFor(allowed, webhook)
	return r.pings(content)
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

// mentionsBot reports whether a message's pings include the bot.
func mentionsBot(m *Message, botID string) bool {
	return slices.Contains(m.Pings, "<@"+botID+">")
}

func rawAllowed(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	return mustJSON(v)
}
