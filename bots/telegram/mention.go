package telegram

import (
	"strings"

	"cornershop/core"
)

// mention renders a mention cornershop means (an SLA warning's) as
// Telegram HTML: a text mention (tg://user?id=…) for a numeric user id,
// which notifies the user even without a username, or "@username"; ""
// for none or anything else.
func mention(m core.Mention) string {
	id := m.User
	if name, ok := strings.CutPrefix(id, "@"); ok {
		if !username(name) {
			return ""
		}
		return "@" + name
	}
	if id == "" || strings.Trim(id, "0123456789") != "" || len(id) > 20 {
		return ""
	}
	label := m.Name
	if label == "" {
		label = "on duty"
	}
	return `<a href="tg://user?id=` + id + `">` + escape(label) + `</a>`
}

// username reports whether s is a Telegram username: 5–32 letters, digits
// and underscores.
func username(s string) bool {
	if len(s) < 5 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
