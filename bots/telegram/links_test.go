package telegram

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestWithLinkTargets(t *testing.T) {
	link := func(off, n int, url string) tgbotapi.MessageEntity {
		return tgbotapi.MessageEntity{Type: "text_link", Offset: off, Length: n, URL: url}
	}
	tests := []struct {
		name string
		text string
		ents []tgbotapi.MessageEntity
		want string
	}{
		{"no entities", "hello", nil, "hello"},
		{"a hidden link", "Your invoice", []tgbotapi.MessageEntity{link(0, 12, "https://evil.example")}, "Your invoice (https://evil.example)"},
		{"inside text", "see Your invoice now", []tgbotapi.MessageEntity{link(4, 12, "https://evil.example")}, "see Your invoice (https://evil.example) now"},
		{"offsets in UTF-16 after an emoji", "😀 pay here!", []tgbotapi.MessageEntity{link(3, 8, "https://x.example")}, "😀 pay here (https://x.example)!"},
		{"two links", "a b", []tgbotapi.MessageEntity{link(2, 1, "https://b.example"), link(0, 1, "https://a.example")}, "a (https://a.example) b (https://b.example)"},
		{"label is the address", "https://x.example", []tgbotapi.MessageEntity{link(0, 17, "https://x.example")}, "https://x.example"},
		{"other entities untouched", "bold", []tgbotapi.MessageEntity{{Type: "bold", Offset: 0, Length: 4}}, "bold"},
		{"entity past the end", "ab", []tgbotapi.MessageEntity{link(5, 3, "https://x.example")}, "ab (https://x.example)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := withLinkTargets(tc.text, tc.ents); got != tc.want {
				t.Errorf("withLinkTargets(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}
