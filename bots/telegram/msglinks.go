package telegram

import (
	"net/url"
	"regexp"
	"strings"

	"cornershop/core"
)

var _ core.MessageLinker = (*Bot)(nil)

// privateLink is a message link into a supergroup without a public name:
// /c/<id without -100>/<message>, or /c/<id>/<topic>/<message>.
var privateLink = regexp.MustCompile(`^/c/(\d+)(?:/(\d+))?/(\d+)$`)

// ParseMessageLink implements core.MessageLinker for Telegram's links to
// messages in supergroups: https://t.me/c/<id>/<message> and, in a forum
// topic, https://t.me/c/<id>/<topic>/<message> (or ?thread=<topic>). The
// chat id is -100<id>. Links by a public group's username
// (t.me/<name>/<message>) are not read: the Bot API cannot tell a bot which
// chat a username is without a call, and the record keys chats by id.
func (b *Bot) ParseMessageLink(link string) (core.Place, string, bool) {
	return parseMessageLink(link)
}

func parseMessageLink(link string) (core.Place, string, bool) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return core.Place{}, "", false
	}
	switch strings.ToLower(u.Hostname()) {
	case "t.me", "telegram.me":
	default:
		return core.Place{}, "", false
	}
	m := privateLink.FindStringSubmatch(u.Path)
	if m == nil {
		return core.Place{}, "", false
	}
	place := core.Place{Platform: core.Telegram, Chat: "-100" + m[1], Thread: m[2]}
	if th := u.Query().Get("thread"); th != "" && place.Thread == "" {
		place.Thread = th
	}
	return place, m[3], true
}
