package telegram

import (
	"context"
	"strconv"
	"strings"
	"time"

	"cornershop/core"
)

var _ core.MessageLinkWriter = (*Bot)(nil)

// heard hands a message in a listening group to the relay as it is: no
// command runs there and no mention is needed; the relay keeps it only if
// a listening rule matches.
func (b *Bot) heard(ctx context.Context, in core.Inbox, m *message, place core.Place) error {
	text := textOf(&m.Message)
	if strings.TrimSpace(text) == "" {
		return nil // nothing to match: stickers, photos without a caption, joins
	}
	return in.Handle(ctx, core.MessageEvent{
		Place: place, ID: strconv.Itoa(m.MessageID), Sender: sender(m.From), Text: text,
		At: time.Unix(int64(m.Date), 0), ReplyTo: replyTo(m),
	})
}

// MessageLink implements core.MessageLinkWriter: a message of a supergroup
// is t.me/c/<chat id without its -100 prefix>/<message> (in a forum topic
// /<topic>/<message>); only the group's members can open it. Other chats
// have none.
func (b *Bot) MessageLink(place core.Place, id string) string {
	return messageLink(place, id)
}

func messageLink(place core.Place, id string) string {
	chat, ok := strings.CutPrefix(place.Chat, "-100")
	if !ok || chat == "" || id == "" {
		return ""
	}
	if place.Thread != "" {
		return "https://t.me/c/" + chat + "/" + place.Thread + "/" + id
	}
	return "https://t.me/c/" + chat + "/" + id
}
