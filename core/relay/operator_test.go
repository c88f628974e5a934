package relay

import (
	"errors"
	"testing"

	"cornershop/core"
)

// TestMayStart: where a bot may write first, per platform.
func TestMayStart(t *testing.T) {
	ada := core.Contact{Identities: []core.Identity{{Platform: core.Telegram, UserID: "42"}, {Platform: core.Discord, UserID: "77"}}}
	tests := []struct {
		name  string
		place core.Place
		ok    bool
	}{
		{"telegram private chat they started", core.Place{Platform: core.Telegram, Chat: "42"}, true},
		{"telegram group the bot is in", core.Place{Platform: core.Telegram, Chat: "-100123"}, true},
		{"telegram private chat of someone else", core.Place{Platform: core.Telegram, Chat: "43"}, false},
		{"discord DM or guild channel they wrote in", core.Place{Platform: core.Discord, Chat: "555"}, true},
		{"slack DM or Slack Connect channel", core.Place{Platform: core.Slack, Chat: "C1"}, true},
		{"unknown platform", core.Place{Platform: "icq", Chat: "1"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := mayStart(ada, tc.place)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, core.ErrUnsupported)) {
				t.Errorf("mayStart = %v, want ok %v (else ErrUnsupported)", err, tc.ok)
			}
		})
	}
}
