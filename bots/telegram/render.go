package telegram

import (
	"fmt"
	"strings"
	"unicode/utf16"
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
// can come from it, and no @mention or /command either (see inert).
// Invalid UTF-8, which Telegram refuses outright, shows as U+FFFD.
func escape(text string) string { return htmlEscaper.Replace(inert(text)) }

// wordJoiner is invisible and keeps Telegram from reading what follows an
// "@" or "/" as a username or a command.
const wordJoiner = "\u2060"

// inert makes valid UTF-8 of text and defuses what Telegram would turn
// into entities on its own that do something: an @username notifies that
// user if they are in the chat (a desk group is full of staff), and a
// /command is a link that sends the command when tapped. A word joiner
// goes between the "@" or "/" and the name, where Telegram looks for
// them: after a character that cannot be part of a word. E-mail addresses
// and URLs are left as they are.
func inert(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	if !strings.ContainsAny(text, "@/") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	prev := ' '
	for i, r := range text {
		b.WriteRune(r)
		if (r == '@' || r == '/') && !nameChar(prev) && prev != '/' && prev != '<' && prev != '>' {
			if next, _ := utf8.DecodeRuneInString(text[i+1:]); nameChar(next) {
				b.WriteString(wordJoiner)
			}
		}
		prev = r
	}
	return b.String()
}

func nameChar(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

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
// characters each as Telegram counts them (UTF-16 code units after entity
// parsing). Only the first part carries the header, only the last the
// marks.
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
			// A Telegram customer's handle stays a link to them; another
			// platform's handle may be a staff member's Telegram username.
			at := "@"
			if m.From.Platform != "" && m.From.Platform != core.Telegram {
				at += wordJoiner
			}
			header += " (" + at + escape(strings.TrimPrefix(m.From.Handle, "@")) + ")"
		}
		if m.From.Platform != "" && m.From.Platform != core.Telegram {
			header += " · " + escape(string(m.From.Platform))
		}
	case core.KindNoteEcho:
		header = "📝 <b>" + escape(m.Voice.Name) + "</b> (internal note)"
	case core.KindSystem:
		// Whom an SLA warning pings, if anyone; a suggestion is cornershop
		// speaking for the team.
		header = mention(m.Mention)
		if m.Voice.Team {
			header = strings.TrimSpace(signature(m.Voice) + " " + header)
		}
	}
	open, close := "", ""
	switch {
	case m.Deleted:
		open, close, footer = "🗑 <s>", "</s>", " <i>(deleted)</i>"
	case m.Edited:
		footer += " <i>(edited)</i>"
	}
	var parts []string
	for i, piece := range chunk.SplitSized(m.Text, chunkRunes, func(s string) int { return utf16Len(inert(s)) }) {
		body := open + escape(piece) + close
		if piece == "" {
			body = ""
		}
		if i == 0 {
			body = joinHeader(header, body)
		}
		parts = append(parts, body)
	}
	parts[len(parts)-1] += footer
	for _, c := range m.Commands {
		// cornershop's own hint stays a tappable command.
		if defused, plain := escape(c), htmlEscaper.Replace(c); defused != plain {
			for i := range parts {
				parts[i] = strings.ReplaceAll(parts[i], defused, plain)
			}
		}
	}
	return parts
}

// utf16Len is a text's length as Telegram counts it: in UTF-16 code units,
// so an emoji counts two.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(1, utf16.RuneLen(r))
	}
	return n
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
// 128 characters (UTF-16 units) as Telegram requires.
func topicName(card core.ContactCard) string {
	name := fmt.Sprintf("%s %s · %s", statusEmoji(card.Status), firstNonEmpty(strings.TrimSpace(card.Name), "Customer"), card.Customer.Platform)
	return chunk.Clip(name, maxTopicName, chunk.UTF16)
}

// Card parts, in UTF-16 units as shown: the fixed lines always fit in a
// message beside the lists' "more" lines (about 2,800 at most); lists
// (accounts, profile fields) fill the rest.
const (
	cardName  = 256
	cardTags  = 1000
	cardIdeas = 1000
	cardKey   = 128
	cardValue = 1000
)

// cardHTML renders the contact card that opens each desk topic, within
// Telegram's 4,096 whatever the contact holds.
func cardHTML(card core.ContactCard) string {
	head := []string{fmt.Sprintf("<b>%s</b> — %s %s", text(firstNonEmpty(card.Name, "Customer"), cardName), statusEmoji(card.Status), card.Status)}
	var ids []string
	for _, id := range card.Identities {
		who := text(firstNonEmpty(handle(id.Handle), id.Name, id.UserID), cardName)
		if id.Platform == core.Telegram && id.Handle != "" {
			who = "@" + text(strings.TrimPrefix(id.Handle, "@"), cardName) // a link to the customer
		}
		ids = append(ids, fmt.Sprintf("• %s: %s", id.Platform, who))
	}
	assignee := "nobody"
	if card.Assignee != "" {
		assignee = text(card.Assignee, cardName)
	}
	middle := []string{"Assigned to: " + assignee}
	if len(card.Tags) > 0 {
		tags := make([]string, len(card.Tags))
		for i, t := range card.Tags {
			tags[i] = text(t, cardName)
		}
		middle = append(middle, "Tags: "+chunk.JoinFit(tags, ", ", cardTags, parsedLen, chunk.AndMore("tag", "tags")))
	}
	if card.Priority > 0 {
		middle = append(middle, "Priority: "+strings.Repeat("⚑", min(card.Priority, 5)))
	}
	if card.Due != "" {
		middle = append(middle, "⏱ "+text(card.Due, cardName))
	}
	if card.Satisfaction != "" {
		middle = append(middle, "⭐ "+text(card.Satisfaction, cardValue))
	}
	if card.Retention != "" {
		middle = append(middle, "🗑 "+text(card.Retention, cardValue))
	}
	var profile []string
	for _, f := range card.Profile {
		profile = append(profile, text(f.Key, cardKey)+": "+text(f.Value, cardValue))
	}
	var tail []string
	switch {
	case !card.Since.IsZero() && !card.LastSeen.IsZero():
		tail = append(tail, "Customer since "+card.Since.UTC().Format("2 Jan 2006")+" · last wrote "+card.LastSeen.UTC().Format("2 Jan 15:04 MST"))
	case !card.Since.IsZero():
		tail = append(tail, "Customer since "+card.Since.UTC().Format("2 Jan 2006"))
	case !card.LastSeen.IsZero():
		tail = append(tail, "Last wrote "+card.LastSeen.UTC().Format("2 Jan 15:04 MST"))
	}
	tail = append(tail, fmt.Sprintf("Earlier conversations: %d", card.Previous))
	if ideas := card.IdeasSummary(); ideas != "" {
		tail = append(tail, "💡 Ideas: "+text(ideas, cardIdeas))
	}
	tail = append(tail, "<i>Reply in this topic to answer; // for a note; !help for commands.</i>")
	return fitBlocks([]block{
		{lines: head}, {lines: ids, more: moreLine("account", "accounts")}, {lines: middle},
		{lines: profile, more: moreLine("field", "fields")}, {lines: tail},
	}, maxText)
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
