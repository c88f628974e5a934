package telegramfake

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// formatted is a text after Telegram has parsed and cleaned it.
type formatted struct {
	Text     string
	Entities []Entity
}

// formatText applies parse_mode (or explicit entities) to text as the Bot
// API does: it validates, trims surrounding whitespace and adds the
// entities Telegram detects on its own (mentions, commands, hashtags,
// links). The error is the description after "Bad Request: ".
func formatText(text, mode, entitiesJSON string) (formatted, string) {
	if !utf8.ValidString(text) {
		return formatted{}, "text must be encoded in UTF-8"
	}
	var f formatted
	switch strings.ToLower(mode) {
	case "html":
		shown, ents, err := parseHTML(text)
		if err != nil {
			return formatted{}, "can't parse entities: " + err.Error()
		}
		f = formatted{Text: shown, Entities: ents}
	case "", "markdown", "markdownv2":
		// Markdown modes are accepted but not interpreted by the emulator.
		f.Text = text
		if mode == "" && entitiesJSON != "" {
			if err := json.Unmarshal([]byte(entitiesJSON), &f.Entities); err != nil {
				return formatted{}, "can't parse entities JSON object"
			}
		}
	default:
		return formatted{}, "unsupported parse_mode"
	}
	f = trimFormatted(f)
	f.Entities = append(f.Entities, detectEntities(f.Text, f.Entities)...)
	sortEntities(f.Entities)
	return f, ""
}

// trimFormatted removes leading and trailing whitespace as Telegram does,
// moving and clipping entities with the text.
func trimFormatted(f formatted) formatted {
	lead := len(f.Text) - len(strings.TrimLeftFunc(f.Text, unicode.IsSpace))
	text := strings.TrimSpace(f.Text)
	shift, n := utf16Len(f.Text[:lead]), utf16Len(text)
	var ents []Entity
	for _, e := range f.Entities {
		start, end := max(e.Offset-shift, 0), min(e.Offset+e.Length-shift, n)
		if end > start {
			e.Offset, e.Length = start, end-start
			ents = append(ents, e)
		}
	}
	return formatted{Text: text, Entities: ents}
}

// detectEntities finds what Telegram marks in any text by itself:
// @mentions, /commands, #hashtags, $cashtags, e-mails and links, skipping
// spans already covered by code, pre or links.
func detectEntities(text string, have []Entity) []Entity {
	u := utf16.Encode([]rune(text))
	covered := func(off, n int) bool {
		for _, e := range have {
			switch e.Type {
			case "code", "pre", "text_link", "text_mention":
				if off < e.Offset+e.Length && e.Offset < off+n {
					return true
				}
			}
		}
		return false
	}
	var out []Entity
	words := strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) })
	pos := 0
	for _, w := range words {
		at := strings.Index(text[pos:], w) + pos
		pos = at + len(w)
		off := utf16Len(text[:at])
		w = strings.TrimRight(w, ".,;:!?)]}\"'")
		typ := ""
		switch {
		case strings.HasPrefix(w, "@") && validName(w[1:], 4, 32):
			typ = "mention"
		case strings.HasPrefix(w, "/") && validCommand(w[1:]):
			typ = "bot_command"
		case strings.HasPrefix(w, "#") && len(w) > 1 && !strings.ContainsAny(w[1:], "#@"):
			typ = "hashtag"
		case strings.HasPrefix(w, "$") && len(w) > 1 && strings.ToUpper(w[1:]) == w[1:] && isLetters(w[1:]):
			typ = "cashtag"
		case strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "www."):
			typ = "url"
		case strings.Count(w, "@") == 1 && strings.Contains(w[strings.IndexByte(w, '@'):], ".") && !strings.HasPrefix(w, "@"):
			typ = "email"
		}
		n := utf16Len(w)
		if typ == "" || n == 0 || covered(off, n) || off+n > len(u) {
			continue
		}
		out = append(out, Entity{Type: typ, Offset: off, Length: n})
	}
	return out
}

func validName(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '_' {
			return false
		}
	}
	return true
}

// validCommand accepts "cmd" and "cmd@botname".
func validCommand(s string) bool {
	cmd, bot, hasBot := strings.Cut(s, "@")
	if !validName(cmd, 1, 64) {
		return false
	}
	return !hasBot || validName(bot, 4, 32)
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func sortEntities(ents []Entity) {
	slices.SortStableFunc(ents, func(a, b Entity) int {
		if a.Offset != b.Offset {
			return a.Offset - b.Offset
		}
		return b.Length - a.Length
	})
}

// utf16Slice returns the part of s at a UTF-16 offset and length.
func utf16Slice(s string, off, n int) string {
	u := utf16.Encode([]rune(s))
	if off < 0 || off+n > len(u) {
		return ""
	}
	return string(utf16.Decode(u[off : off+n]))
}
