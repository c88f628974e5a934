package discord

import (
	"net/url"
	"regexp"
	"strings"

	"cornershop/core"
)

var _ core.MessageLinker = (*Bot)(nil)

// channelsPath is a message link's path: /channels/<guild or @me>/<channel
// or thread>/<message>.
var channelsPath = regexp.MustCompile(`^/channels/(\d+|@me)/(\d+)/(\d+)$`)

// ParseMessageLink implements core.MessageLinker for Discord's message
// links: https://discord.com/channels/<guild>/<channel>/<message> (also
// ptb., canary. and discordapp.com). A thread is a channel of its own, so
// the link's channel is the place's Chat.
func (b *Bot) ParseMessageLink(link string) (core.Place, string, bool) {
	return parseMessageLink(link)
}

func parseMessageLink(link string) (core.Place, string, bool) {
	u, err := url.Parse(strings.TrimSpace(strings.Trim(link, "<>")))
	if err != nil || u.Scheme != "https" {
		return core.Place{}, "", false
	}
	switch strings.ToLower(u.Hostname()) {
	case "discord.com", "ptb.discord.com", "canary.discord.com", "discordapp.com":
	default:
		return core.Place{}, "", false
	}
	m := channelsPath.FindStringSubmatch(u.Path)
	if m == nil {
		return core.Place{}, "", false
	}
	return core.Place{Platform: core.Discord, Chat: m[2]}, m[3], true
}
