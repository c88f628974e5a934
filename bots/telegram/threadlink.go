package telegram

import (
	"fmt"
	"strings"

	"cornershop/core"
)

var _ core.ThreadLinker = (*Bot)(nil)

// ThreadLink implements core.ThreadLinker: a desk thread is a forum topic
// of a supergroup, whose private link is t.me/c/<chat id without its -100
// prefix>/<topic id>; only the group's members can open it. Chats that are
// not supergroups, or a place without a topic, have none.
func (b *Bot) ThreadLink(t core.Place) string {
	return threadLink(t)
}

func threadLink(t core.Place) string {
	id, ok := strings.CutPrefix(t.Chat, "-100")
	if !ok || id == "" || t.Thread == "" {
		return ""
	}
	return fmt.Sprintf("https://t.me/c/%s/%s", id, t.Thread)
}
