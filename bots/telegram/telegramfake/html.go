package telegramfake

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf16"
)

// allowedTags are the HTML tags the Bot API accepts in parse_mode HTML.
var allowedTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

// parseHTML checks text the way Telegram does for parse_mode HTML and
// returns the plain text users see. Errors carry Telegram's wording after
// "Bad Request: can't parse entities: ".
func parseHTML(text string) (string, error) {
	var out strings.Builder
	var stack []string
	for i := 0; i < len(text); {
		switch c := text[i]; c {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("Unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			if name, ok := strings.CutPrefix(tag, "/"); ok {
				name = strings.ToLower(strings.TrimSpace(name))
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, last(stack), name)
				}
				stack = stack[:len(stack)-1]
			} else {
				name, attrs, _ := strings.Cut(tag, " ")
				name = strings.ToLower(name)
				if !allowedTags[name] {
					return "", fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				if name == "span" && !strings.Contains(attrs, `class="tg-spoiler"`) {
					return "", fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", i)
				}
				stack = append(stack, name)
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(text[i:], ';')
			if end < 0 || end > 10 {
				return "", fmt.Errorf("Character entity expected at byte offset %d", i)
			}
			ent := text[i : i+end+1]
			dec := html.UnescapeString(ent)
			if dec == ent || !(strings.HasPrefix(ent, "&#") || ent == "&lt;" || ent == "&gt;" || ent == "&amp;" || ent == "&quot;") {
				return "", fmt.Errorf("Unsupported HTML entity \"%s\" at byte offset %d", ent, i)
			}
			out.WriteString(dec)
			i += end + 1
		case '>':
			out.WriteByte(c)
			i++
		default:
			out.WriteByte(c)
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", last(stack))
	}
	return out.String(), nil
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// utf16Len is the length Telegram counts: UTF-16 code units.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }
