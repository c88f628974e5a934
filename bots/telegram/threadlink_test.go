package telegram

import (
	"testing"

	"cornershop/core"
)

func TestThreadLink(t *testing.T) {
	tests := []struct {
		place core.Place
		want  string
	}{
		{core.Place{Platform: core.Telegram, Chat: "-1001234", Thread: "56"}, "https://t.me/c/1234/56"},
		{core.Place{Platform: core.Telegram, Chat: "-1001234"}, ""},
		{core.Place{Platform: core.Telegram, Chat: "-1234", Thread: "5"}, ""}, // a basic group has no topics
		{core.Place{Platform: core.Telegram, Chat: "42", Thread: "5"}, ""},
		{core.Place{Platform: core.Telegram, Chat: "-100", Thread: "5"}, ""},
	}
	for _, tc := range tests {
		if got := threadLink(tc.place); got != tc.want {
			t.Errorf("threadLink(%v) = %q, want %q", tc.place, got, tc.want)
		}
	}
}
