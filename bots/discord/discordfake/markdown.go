package discordfake

import "strings"

// MaskedLink is a link Discord draws with a label instead of its address:
// "[label](https://address)" in a bot's, webhook's or embed's text.
type MaskedLink struct {
	Label, URL string
}

// MaskedLinks returns the masked links Discord would draw in content, the
// way its markdown reads them: a backslash before an ASCII punctuation
// character makes that character literal (so "\[" cannot open a label),
// a label runs to the first unescaped "]" directly followed by "(", and
// the address is an http(s) URL without spaces up to ")". Inline code
// spans are left out (nothing is drawn inside them).
func MaskedLinks(content string) []MaskedLink {
	var out []MaskedLink
	for i := 0; i < len(content); i++ {
		switch c := content[i]; {
		case c == '\\' && i+1 < len(content) && isPunct(content[i+1]):
			i++
		case c == '`':
			if end := strings.IndexByte(content[i+1:], '`'); end >= 0 {
				i += end + 1
			}
		case c == '[':
			if l, n, ok := maskedAt(content[i:]); ok {
				out = append(out, l)
				i += n - 1
			}
		}
	}
	return out
}

// maskedAt reads a masked link at the start of s: the link and its length.
func maskedAt(s string) (MaskedLink, int, bool) {
	for j := 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && j+1 < len(s) && isPunct(s[j+1]):
			j++
		case s[j] == '[':
			return MaskedLink{}, 0, false
		case s[j] == ']':
			if j+1 >= len(s) || s[j+1] != '(' {
				return MaskedLink{}, 0, false
			}
			end := strings.IndexByte(s[j+2:], ')')
			if end < 0 {
				return MaskedLink{}, 0, false
			}
			url := strings.TrimSpace(strings.Trim(s[j+2:j+2+end], "<>"))
			if strings.ContainsAny(url, " \n") || !(strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://")) {
				return MaskedLink{}, 0, false
			}
			return MaskedLink{Label: unescapeMarkdown(s[1:j]), URL: url}, j + 3 + end, true
		}
	}
	return MaskedLink{}, 0, false
}

func isPunct(c byte) bool {
	return c < 0x80 && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// Unescape returns content as Discord shows it with its backslash escapes
// undone: `\[U+202E\]` reads "[U+202E]".
func Unescape(content string) string { return unescapeMarkdown(content) }

func unescapeMarkdown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
