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

// TestMessageLinkRoundTrip: the links a signal shows read back as the
// message they point at.
func TestMessageLinkRoundTrip(t *testing.T) {
	tests := []struct {
		place core.Place
		id    string
		want  string
	}{
		{core.Place{Platform: core.Telegram, Chat: "-1001234567890"}, "42", "https://t.me/c/1234567890/42"},
		{core.Place{Platform: core.Telegram, Chat: "-1001234567890", Thread: "7"}, "42", "https://t.me/c/1234567890/7/42"},
		{core.Place{Platform: core.Telegram, Chat: "-4567"}, "42", ""}, // a basic group has no links
		{core.Place{Platform: core.Telegram, Chat: "-100"}, "42", ""},
	}
	for _, tc := range tests {
		got := messageLink(tc.place, tc.id)
		if got != tc.want {
			t.Errorf("messageLink(%+v, %s) = %q, want %q", tc.place, tc.id, got, tc.want)
			continue
		}
		if got == "" {
			continue
		}
		if place, id, ok := parseMessageLink(got); !ok || place != tc.place || id != tc.id {
			t.Errorf("parseMessageLink(%q) = %+v %q %v, want %+v %q", got, place, id, ok, tc.place, tc.id)
		}
	}
}
