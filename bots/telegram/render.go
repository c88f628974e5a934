package telegram

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"cornershop/bots/internal/chunk"
	"cornershop/core"
)

// maxText is Telegram's message limit in characters after entity parsing;
// chunk leaves room for the signature line and marks.
const (
	maxText    = 4096
	chunkRunes = 3500
)

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes text inert in parse_mode HTML: no tag, no entity, no link
// can come from it.
func escape(text string) string { return htmlEscaper.Replace(text) }

// signature is how a voice signs a message on Telegram, where a bot cannot
// change its sender: the name in bold and the title in italics.
func signature(v core.Voice) string {
	if v.Name == "" {
		return ""
	}
	s := "<b>" + escape(v.Name) + "</b>"
	if v.Title != "" && !v.Team {
		s += " · <i>" + escape(v.Title) + "</i>"
	}
	return s
}

// render turns an outgoing message into HTML parts of at most maxText
// visible characters each. Only the first part carries the header.
func render(m core.Outgoing) []string {
	var header, footer string
	switch m.Kind {
	case core.KindReply:
		header = signature(m.Voice)
		if m.Voice.Signature != "" && !m.Voice.Team {
			footer = "\n<i>" + escape(m.Voice.Signature) + "</i>"
		}
	case core.KindCustomerCopy:
		header = "<b>" + escape(firstNonEmpty(m.From.Name, m.From.Handle, "Customer")) + "</b>"
		if m.From.Handle != "" && m.From.Handle != m.From.Name {
			header += " (@" + escape(strings.TrimPrefix(m.From.Handle, "@")) + ")"
		}
		if m.From.Platform != "" && m.From.Platform != core.Telegram {
			header += " · " + escape(string(m.From.Platform))
		}
	case core.KindNoteEcho:
		header = "📝 <b>" + escape(m.Voice.Name) + "</b> (internal note)"
	}
	text := m.Text
	switch {
	case m.Deleted:
		return []string{joinHeader(header, "🗑 <s>"+escape(text)+"</s> <i>(deleted)</i>")}
	case m.Edited:
		footer += " <i>(edited)</i>"
	}
	var parts []string
	for i, piece := range chunk.Split(text, chunkRunes) {
		body := escape(piece)
		if i == 0 {
			body = joinHeader(header, body)
		}
		parts = append(parts, body)
	}
	if len(parts) == 0 {
		parts = []string{header}
	}
	parts[len(parts)-1] += footer
	return parts
}

func joinHeader(header, body string) string {
	switch {
	case header == "":
		return body
	case body == "":
		return header
	}
	return header + "\n" + body
}

// statusEmoji marks a conversation's status in its topic title.
func statusEmoji(s core.Status) string {
	switch s {
	case core.StatusWaiting:
		return "🟡"
	case core.StatusClosed:
		return "✅"
	}
	return "🟢"
}

// topicName is a desk topic's title: status, contact, platform; at most
// 128 characters as Telegram requires.
func topicName(card core.ContactCard) string {
	name := fmt.Sprintf("%s %s · %s", statusEmoji(card.Status), firstNonEmpty(card.Name, "Customer"), card.Customer.Platform)
	if utf8.RuneCountInString(name) > 128 {
		name = string([]rune(name)[:127]) + "…"
	}
	return name
}

// cardHTML renders the contact card that opens each desk topic.
func cardHTML(card core.ContactCard) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<b>%s</b> — %s %s", escape(firstNonEmpty(card.Name, "Customer")), statusEmoji(card.Status), card.Status)
	for _, id := range card.Identities {
		fmt.Fprintf(&b, "\n• %s: %s", id.Platform, escape(firstNonEmpty(handle(id.Handle), id.Name, id.UserID)))
	}
	assignee := "nobody"
	if card.Assignee != "" {
		assignee = escape(card.Assignee)
	}
	fmt.Fprintf(&b, "\nAssigned to: %s", assignee)
	if len(card.Tags) > 0 {
		fmt.Fprintf(&b, "\nTags: %s", escape(strings.Join(card.Tags, ", ")))
	}
	if card.Priority > 0 {
		fmt.Fprintf(&b, "\nPriority: %s", strings.Repeat("⚑", card.Priority))
	}
	for _, f := range card.Profile {
		fmt.Fprintf(&b, "\n%s: %s", escape(f.Key), escape(f.Value))
	}
	if !card.Since.IsZero() {
		fmt.Fprintf(&b, "\nCustomer since %s", card.Since.UTC().Format("2 Jan 2006"))
	}
	if !card.LastSeen.IsZero() {
		fmt.Fprintf(&b, " · last wrote %s", card.LastSeen.UTC().Format("2 Jan 15:04 MST"))
	}
	fmt.Fprintf(&b, "\nEarlier conversations: %d", card.Previous)
	if ideas := card.IdeasSummary(); ideas != "" {
		fmt.Fprintf(&b, "\n💡 Ideas: %s", escape(ideas))
	}
	fmt.Fprintf(&b, "\n<i>Reply in this topic to answer; // for a note; !help for commands.</i>")
	return b.String()
}

func handle(h string) string {
	if h == "" {
		return ""
	}
	return "@" + strings.TrimPrefix(h, "@")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
