package telegram

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
		{"https://t.me/c/1234567890/42", core.Place{Platform: core.Telegram, Chat: "-1001234567890"}, "42", true},
		{"https://t.me/c/1234567890/7/42", core.Place{Platform: core.Telegram, Chat: "-1001234567890", Thread: "7"}, "42", true},
		{"https://t.me/c/1234567890/42?thread=7", core.Place{Platform: core.Telegram, Chat: "-1001234567890", Thread: "7"}, "42", true},
		{"https://t.me/acmecommunity/42", core.Place{}, "", false},
		{"https://t.me.evil.example/c/1/2", core.Place{}, "", false},
		{"https://discord.com/channels/1/2/3", core.Place{}, "", false},
	}
	for _, tc := range tests {
		place, id, ok := parseMessageLink(tc.link)
		if ok != tc.wantOK || place != tc.place || id != tc.id {
			t.Errorf("parseMessageLink(%q) = %+v %q %v, want %+v %q %v", tc.link, place, id, ok, tc.place, tc.id, tc.wantOK)
		}
	}
}
