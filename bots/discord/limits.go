package discord

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/internal/chunk"
)

// Discord's message limits, in characters (Unicode code points):
// message.mdx §Embed Limits and component_reference.mdx.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxAuthor      = 256
	maxFields      = 25
	maxEmbedTotal  = 6000 // title, description, field names and values, footer, author name
	maxThreadName  = 100
	maxRows        = 5
	maxRowButtons  = 5
	maxLabel       = 80
	maxCustomID    = 100
)

// chars counts as Discord does.
func chars(s string) int { return chunk.Runes(s) }

// escapedLen is the length Discord counts for customer text once escaped.
func escapedLen(s string) int { return chars(escape(s)) }

// text escapes customer text and cuts it, before escaping (so no escape is
// ever cut in half), to fit in n characters once escaped.
func text(s string, n int) string { return escape(chunk.Clip(s, n, escapedLen)) }

// clip cuts already-rendered text to n characters.
func clip(s string, n int) string { return chunk.Clip(s, n, chars) }

// orDash stands in for an empty field name or value, which Discord refuses.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// moreFields is the last field of an embed that had to leave fields out.
func moreFields(n int) *discordgo.MessageEmbedField {
	return &discordgo.MessageEmbedField{Name: "…", Value: "… " + chunk.Count(n, "more field", "more fields") + ": `!card` shows them all"}
}

// fitEmbed makes e acceptable to Discord whatever its contents: every part
// within its limit, no empty field, at most 25 fields and 6,000
// characters in all. Fields past the first keep that do not fit are left
// out from the end and counted in a last field; if the embed is still too
// long its longest parts are cut.
func fitEmbed(e *discordgo.MessageEmbed, keep int) {
	e.Title = clip(e.Title, maxTitle)
	e.Description = clip(e.Description, maxDescription)
	if e.Footer != nil {
		e.Footer.Text = clip(e.Footer.Text, maxFooter)
	}
	if e.Author != nil {
		e.Author.Name = clip(e.Author.Name, maxAuthor)
	}
	for _, f := range e.Fields {
		f.Name, f.Value = clip(orDash(f.Name), maxFieldName), clip(orDash(f.Value), maxFieldValue)
	}
	dropped := 0
	if len(e.Fields) > maxFields {
		dropped = len(e.Fields) - (maxFields - 1)
		e.Fields = e.Fields[:maxFields-1]
	}
	over := func() int {
		n := embedSize(e) - maxEmbedTotal
		if dropped > 0 {
			m := moreFields(dropped)
			n += chars(m.Name) + chars(m.Value)
		}
		return n
	}
	for over() > 0 && len(e.Fields) > keep {
		e.Fields = e.Fields[:len(e.Fields)-1]
		dropped++
	}
	if dropped > 0 {
		e.Fields = append(e.Fields, moreFields(dropped))
	}
	for n := embedSize(e) - maxEmbedTotal; n > 0; n = embedSize(e) - maxEmbedTotal {
		p := longestPart(e)
		*p = clip(*p, max(1, chars(*p)-n))
	}
}

// embedSize is what Discord counts against the 6,000 characters.
func embedSize(e *discordgo.MessageEmbed) int {
	n := 0
	for _, p := range embedParts(e) {
		n += chars(*p)
	}
	return n
}

func embedParts(e *discordgo.MessageEmbed) []*string {
	parts := []*string{&e.Title, &e.Description}
	if e.Footer != nil {
		parts = append(parts, &e.Footer.Text)
	}
	if e.Author != nil {
		parts = append(parts, &e.Author.Name)
	}
	for _, f := range e.Fields {
		parts = append(parts, &f.Name, &f.Value)
	}
	return parts
}

func longestPart(e *discordgo.MessageEmbed) *string {
	parts := embedParts(e)
	best := parts[0]
	for _, p := range parts[1:] {
		if chars(*p) > chars(*best) {
			best = p
		}
	}
	return best
}

// fitComponents keeps what Discord accepts of a message's components: at
// most 5 action rows of at most 5 buttons, labels of at most 80
// characters. Buttons past those are left out (never a custom id cut,
// which would no longer say what the button does).
func fitComponents(rows []discordgo.MessageComponent) []discordgo.MessageComponent {
	out := make([]discordgo.MessageComponent, 0, min(len(rows), maxRows))
	for _, c := range rows {
		if len(out) == maxRows {
			break
		}
		row, ok := c.(discordgo.ActionsRow)
		if !ok {
			out = append(out, c)
			continue
		}
		kept := make([]discordgo.MessageComponent, 0, min(len(row.Components), maxRowButtons))
		for _, x := range row.Components {
			if len(kept) == maxRowButtons {
				break
			}
			if b, ok := x.(discordgo.Button); ok {
				if chars(b.CustomID) > maxCustomID {
					continue
				}
				b.Label = clip(b.Label, maxLabel)
				x = b
			}
			kept = append(kept, x)
		}
		out = append(out, discordgo.ActionsRow{Components: kept})
	}
	return out
}
