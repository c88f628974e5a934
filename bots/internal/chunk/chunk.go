// Package chunk splits long texts for platforms with a message length
// limit, at the most natural boundary it can find.
package chunk

import (
	"strings"
	"unicode/utf8"
)

// Split cuts text into pieces of at most max runes, preferring paragraph,
// then line, then sentence, then word boundaries in the last two thirds of
// each piece; it never cuts inside a character. Whitespace at the cuts is
// dropped. A text that fits comes back whole.
func Split(text string, max int) []string {
	var out []string
	for utf8.RuneCountInString(text) > max {
		cut := byteIndexOfRune(text, max)
		window := text[:cut]
		at := -1
		for _, sep := range []string{"\n\n", "\n", ". ", "! ", "? ", " "} {
			if i := strings.LastIndex(window, sep); i > len(window)/3 {
				at = i + len(sep)
				break
			}
		}
		if at <= 0 {
			at = cut
		}
		out = append(out, strings.TrimRight(text[:at], " \n"))
		text = strings.TrimLeft(text[at:], " \n")
	}
	if strings.TrimSpace(text) != "" || len(out) == 0 {
		out = append(out, text)
	}
	return out
}

func byteIndexOfRune(s string, n int) int {
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}
