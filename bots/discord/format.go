package discord

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxContent is Discord's message content limit.
const maxContent = 2000

var (
	mdEscaper = strings.NewReplacer(
		`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, "[", `\[`,
		"@everyone", "@\u200beveryone", "@here", "@\u200bhere", "<", "<\u200b",
	)
)

// escape makes text literal in Discord markdown (emphasis anywhere;
// quotes, headings and lists at the start of a line; masked links, which
// Discord draws in bot and webhook posts: "[Your invoice](https://evil.example)"
// shows as typed, the real URL in view, because "\[" cannot open a link
// label) and defuses mention
// syntax visually, with every "<…>" construct (user, role and channel
// mentions, custom emoji, timestamps, command links); allowed_mentions with an empty parse list is what
// guarantees nobody is pinged.
func escape(text string) string { return escapeLineStarts(mdEscaper.Replace(text)) }

// escapeLineStarts puts a backslash before a ">", "#" or "-" that starts
// a line (a quote, heading or list). It is a byte loop, not a regexp:
// cards escape and measure customer text many times over.
func escapeLineStarts(s string) string {
	if !strings.ContainsAny(s, ">#-") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if start && (c == '>' || c == '#' || c == '-') {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
		start = c == '\n'
	}
	return b.String()
}

// safeName makes a staff or customer name acceptable as a webhook
// username: no "discord" or "clyde", never exactly "everyone" or "here",
// 1 to 80 characters.
func safeName(name string) string {
	for _, bad := range []string{"discord", "clyde"} {
		re := regexp.MustCompile(`(?i)` + bad)
		name = re.ReplaceAllStringFunc(name, func(m string) string { return m[:1] + "\u200b" + m[1:] })
	}
	name = strings.TrimSpace(name)
	switch strings.ToLower(name) {
	case "everyone", "here", "":
		name = name + " (staff)"
	}
	if utf8.RuneCountInString(name) > 80 {
		name = string([]rune(name)[:79]) + "…"
	}
	return strings.TrimSpace(name)
}

var mentionRef = regexp.MustCompile(`<@!?(\d+)>`)

// plain turns inbound Discord text into neutral text: user mentions become
// @names when known.
func plain(text string, names map[string]string) string {
	return mentionRef.ReplaceAllStringFunc(text, func(m string) string {
		id := mentionRef.FindStringSubmatch(m)[1]
		if n, ok := names[id]; ok {
			return "@" + n
		}
		return m
	})
}
