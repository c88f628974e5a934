package config

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// validateListening checks listening places and rules: a known platform
// and a channel that is no desk, board or customer place of its own; rules
// with a unique name, a known desk and terms that hold a word.
func (c *Config) validateListening(ps *problems, desks map[string]bool) {
	l := c.Listening
	if l.Window <= 0 {
		ps.add("listening.window", "must be positive")
	}
	seen := map[string]bool{}
	for i, p := range l.Places {
		path := fmt.Sprintf("listening.places[%d]", i)
		ps.oneOf(path+".platform", p.Platform, "telegram", "slack", "discord")
		if p.Channel == "" {
			ps.add(path+".channel", "required")
			continue
		}
		key := p.Platform + "/" + p.Channel
		if seen[key] {
			ps.add(path+".channel", "%q is listed twice", p.Channel)
		}
		seen[key] = true
		if c.otherRole(p.Platform, p.Channel) {
			ps.add(path+".channel", "%q is a desk, ideas board or customer place; a listening place needs a channel of its own", p.Channel)
		}
	}
	names := map[string]bool{}
	for i, r := range l.Rules {
		path := fmt.Sprintf("listening.rules[%d]", i)
		switch {
		case strings.TrimSpace(r.Name) == "":
			ps.add(path+".name", "required")
		case names[r.Name]:
			ps.add(path+".name", "%q names two rules", r.Name)
		}
		names[r.Name] = true
		if !desks[r.Desk] {
			ps.add(path+".desk", "%q names no desk", r.Desk)
		}
		if len(r.Terms) == 0 {
			ps.add(path+".terms", "at least one word or phrase")
		}
		for j, t := range r.Terms {
			if !strings.ContainsFunc(t, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
				ps.add(fmt.Sprintf("%s.terms[%d]", path, j), "%q has no word in it", t)
			}
		}
	}
	if len(l.Rules) > 0 && len(l.Places) == 0 {
		ps.add("listening.places", "rules are set but there is no listening place")
	}
}

// otherRole reports whether a channel already has a role: a desk, an
// ideas board, a customer channel or group, or a Discord community channel.
func (c *Config) otherRole(platform, channel string) bool {
	if slices.ContainsFunc(c.Desks, func(d Desk) bool { return d.Platform == platform && d.Channel == channel }) ||
		slices.ContainsFunc(c.Ideas.Boards, func(b Board) bool { return b.Platform == platform && b.Channel == channel }) {
		return true
	}
	switch platform {
	case "telegram":
		return slices.Contains(c.Telegram.Groups, channel)
	case "slack":
		return slices.Contains(c.Slack.CustomerChannels, channel)
	case "discord":
		return slices.Contains(c.Discord.CommunityChannels, channel)
	}
	return false
}
