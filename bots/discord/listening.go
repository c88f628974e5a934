package discord

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

var _ core.MessageLinkWriter = (*Bot)(nil)

// heard hands a message in a listening channel (or one of its threads) to
// the relay as it is: no mention or command is needed and none runs; the
// relay keeps it only if a listening rule matches.
func (b *Bot) heard(m *discordgo.Message, place core.Place) pending {
	text := b.text(m)
	if strings.TrimSpace(text) == "" {
		return pending{} // nothing to match
	}
	if m.GuildID != "" {
		b.learnGuild(m.ChannelID, m.GuildID)
	}
	return pending{event: core.MessageEvent{Place: place, ID: m.ID, Sender: sender(m.Author, m.Member), Text: text, At: m.Timestamp}}
}

// learnGuild remembers the guild of a channel a message came from, for
// links to it.
func (b *Bot) learnGuild(channel, guild string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.guilds[channel] == "" {
		b.guilds[channel] = guild
	}
}

// MessageLink implements core.MessageLinkWriter with Discord's message link,
// https://discord.com/channels/<guild>/<channel or thread>/<message>, using
// the guild cornershop learnt from the channel's messages; "" before that.
// It never calls Discord.
func (b *Bot) MessageLink(place core.Place, id string) string {
	ch := place.Chat
	if place.Thread != "" {
		ch = place.Thread
	}
	b.mu.Lock()
	guild := b.guilds[ch]
	if guild == "" {
		guild = b.guilds[place.Chat]
	}
	b.mu.Unlock()
	if guild == "" || ch == "" || id == "" {
		return ""
	}
	return "https://discord.com/channels/" + guild + "/" + ch + "/" + id
}
