package telegram

import (
	"slices"
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// withLinkTargets writes the address of each text_link entity after its
// label: "Your invoice (https://evil.example)". Telegram clients let anyone
// put a link under any text; the text alone would hide where the link
// leads from the desk (and from the record), or lose it. A label that is
// its own address is left alone. Offsets count UTF-16 code units, as
// Telegram's do.
func withLinkTargets(text string, ents []tgbotapi.MessageEntity) string {
	var links []tgbotapi.MessageEntity
	for _, e := range ents {
		if e.Type == "text_link" && e.URL != "" {
			links = append(links, e)
		}
	}
	if len(links) == 0 {
		return text
	}
	slices.SortStableFunc(links, func(a, b tgbotapi.MessageEntity) int { return (a.Offset + a.Length) - (b.Offset + b.Length) })
	units := utf16.Encode([]rune(text))
	var b strings.Builder
	at := 0
	for _, e := range links {
		end := min(max(e.Offset+e.Length, at), len(units))
		label := string(utf16.Decode(units[min(max(e.Offset, 0), end):end]))
		b.WriteString(string(utf16.Decode(units[at:end])))
		at = end
		if strings.TrimSpace(label) != e.URL {
			b.WriteString(" (" + e.URL + ")")
		}
	}
	b.WriteString(string(utf16.Decode(units[at:])))
	return b.String()
}
