package main

import (
	"testing"

	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram/telegramfake"
)

// emulators starts the three platform emulators on loopback with default
// options; they close when the test ends.
func emulators(t *testing.T) (*telegramfake.Server, *slackfake.Server, *discordfake.Server) {
	t.Helper()
	tg, err := telegramfake.Start("127.0.0.1:0", telegramfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	sl, err := slackfake.Start("127.0.0.1:0", slackfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sl.Close() })
	dc, err := discordfake.Start("127.0.0.1:0", discordfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dc.Close() })
	return tg, sl, dc
}
