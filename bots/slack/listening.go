package slack

import (
	"strings"

	"cornershop/core"
)

var _ core.MessageLinkWriter = (*Bot)(nil)

// MessageLink implements core.MessageLinkWriter with Slack's permalink
// form, https://<workspace>.slack.com/archives/<channel>/p<ts without its
// dot>, with ?thread_ts=… for a reply in a thread. The workspace's address
// comes from auth.test at start; "" before that.
func (b *Bot) MessageLink(place core.Place, id string) string {
	ws := b.workspace.Load()
	if ws == nil {
		return ""
	}
	return messageLink(*ws, place, id)
}

func messageLink(workspace string, place core.Place, id string) string {
	sec, frac, ok := strings.Cut(id, ".")
	if workspace == "" || place.Chat == "" || !ok || len(sec) != 10 || len(frac) != 6 {
		return ""
	}
	link := strings.TrimRight(workspace, "/") + "/archives/" + place.Chat + "/p" + sec + frac
	if place.Thread != "" && place.Thread != id {
		link += "?thread_ts=" + place.Thread + "&cid=" + place.Chat
	}
	return link
}
