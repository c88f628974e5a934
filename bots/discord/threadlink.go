package discord

import (
	"cornershop/core"
)

var _ core.ThreadLinker = (*Bot)(nil)

// ThreadLink implements core.ThreadLinker: a desk thread is a channel of
// a guild, linked as discord.com/channels/<guild>/<thread> (Discord shows
// the link as the thread's name to members). It uses the guild cornershop
// learnt when it last looked the channel up, and returns "" before that:
// it never calls Discord.
func (b *Bot) ThreadLink(t core.Place) string {
	b.mu.Lock()
	guild := b.guilds[t.Thread]
	if guild == "" {
		guild = b.guilds[t.Chat]
	}
	b.mu.Unlock()
	if guild == "" || t.Thread == "" {
		return ""
	}
	return "https://discord.com/channels/" + guild + "/" + t.Thread
}
