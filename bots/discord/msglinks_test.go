package discord

import (
	"testing"

	"cornershop/core"
)

func TestParseMessageLink(t *testing.T) {
	tests := []struct {
		link   string
		place  core.Place
		id     string
		wantOK bool
	}{
		{"https://discord.com/channels/111/222/333", core.Place{Platform: core.Discord, Chat: "222"}, "333", true},
		{"https://ptb.discord.com/channels/111/222/333", core.Place{Platform: core.Discord, Chat: "222"}, "333", true},
		{"https://discordapp.com/channels/@me/222/333", core.Place{Platform: core.Discord, Chat: "222"}, "333", true},
		{"https://discord.com/channels/111/222", core.Place{}, "", false},
		{"https://discord.evil.example/channels/111/222/333", core.Place{}, "", false},
		{"https://t.me/c/123/45", core.Place{}, "", false},
	}
	for _, tc := range tests {
		place, id, ok := parseMessageLink(tc.link)
		if ok != tc.wantOK || place != tc.place || id != tc.id {
			t.Errorf("parseMessageLink(%q) = %+v %q %v, want %+v %q %v", tc.link, place, id, ok, tc.place, tc.id, tc.wantOK)
		}
	}
}
