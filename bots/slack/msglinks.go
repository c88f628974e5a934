package slack

import (
	"net/url"
	"regexp"
	"strings"

	"cornershop/core"
)

var _ core.MessageLinker = (*Bot)(nil)

// archivePath is a message permalink's path: /archives/<channel>/p<ts
// without its dot>.
var archivePath = regexp.MustCompile(`^/archives/([A-Z0-9]+)/p(\d{10})(\d{6})$`)

// ParseMessageLink implements core.MessageLinker for Slack permalinks:
// https://<workspace>.slack.com/archives/C0123/p1700000000000100, with
// ?thread_ts=… for a reply in a thread (GovSlack: slack-gov.com).
func (b *Bot) ParseMessageLink(link string) (core.Place, string, bool) {
	return parseMessageLink(link)
}

func parseMessageLink(link string) (core.Place, string, bool) {
	u, err := url.Parse(strings.TrimSpace(strings.Trim(link, "<>")))
	if err != nil || u.Scheme != "https" {
		return core.Place{}, "", false
	}
	host := strings.ToLower(u.Hostname())
	if !strings.HasSuffix(host, ".slack.com") && !strings.HasSuffix(host, ".slack-gov.com") {
		return core.Place{}, "", false
	}
	m := archivePath.FindStringSubmatch(u.Path)
	if m == nil {
		return core.Place{}, "", false
	}
	place := core.Place{Platform: core.Slack, Chat: m[1]}
	if th := u.Query().Get("thread_ts"); th != "" && th != m[2]+"."+m[3] {
		place.Thread = th
	}
	return place, m[2] + "." + m[3], true
}
