package discord

import (
	"testing"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

func TestThreadLink(t *testing.T) {
	b, err := New(Options{Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	desk := core.Place{Platform: core.Discord, Chat: "100", Thread: "200"}
	if got := b.ThreadLink(desk); got != "" {
		t.Errorf("before the guild is known: %q, want none", got)
	}
	b.remember(&discordgo.Channel{ID: "100", GuildID: "9"})
	if got, want := b.ThreadLink(desk), "https://discord.com/channels/9/200"; got != want {
		t.Errorf("ThreadLink = %q, want %q", got, want)
	}
	if got := b.ThreadLink(core.Place{Platform: core.Discord, Chat: "100"}); got != "" {
		t.Errorf("a channel without a thread: %q, want none", got)
	}
}
