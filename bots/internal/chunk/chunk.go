// Package chunk fits texts into platforms' length limits, measured as
// each platform counts: Split cuts a long text into messages at the most
// natural boundary it can find; Clip cuts one part with an ellipsis and
// JoinFit joins a list, saying how many items it left out.
package chunk

import (
	"strings"
	"unicode/utf8"
)

// Split cuts text into pieces of at most max runes, preferring paragraph,
// then line, then sentence, then word boundaries in the last two thirds of
// each piece; it never cuts inside a character. Whitespace at the cuts is
// dropped, and no piece is empty unless the whole text is. A text that
// fits comes back whole.
func Split(text string, max int) []string {
	return SplitSized(text, max, utf8.RuneCountInString)
}

// SplitSized is Split with each piece's length measured by size instead of
// in runes: the length a platform counts once the piece is escaped (a
// Discord "*" becomes "\*"), or in its own units (Telegram counts UTF-16
// code units, so an emoji is two). Every piece p has size(p) <= max, as
// long as any single character fits. size must never count less than the
// runes of its argument, and must not shrink as text is appended.
func SplitSized(text string, max int, size func(string) int) []string {
	if max < 1 {
		max = 1
	}
	var out []string
	for size(text) > max {
		cut := fit(text, max, size)
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
		if piece := strings.TrimRight(text[:at], " \n"); piece != "" {
			out = append(out, piece)
		}
		text = strings.TrimLeft(text[at:], " \n")
	}
	if strings.TrimSpace(text) != "" || len(out) == 0 {
		out = append(out, text)
	}
	return out
}

// fit returns the longest prefix of text, in bytes and on a character
// boundary, whose size is at most max; at least one character.
func fit(text string, max int, size func(string) int) int {
	// size counts at least one per rune, so the answer is within the
	// first max runes: search there, by rune.
	offs := make([]int, 1, max+1) // offs[k] is the byte offset of rune k
	for i := range text {
		if i > 0 {
			offs = append(offs, i)
		}
		if len(offs) > max {
			break
		}
	}
	if len(offs) <= max {
		offs = append(offs, len(text))
	}
	lo, hi := 0, len(offs)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if size(text[:offs[mid]]) <= max {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		_, n := utf8.DecodeRuneInString(text)
		return n
	}
	return offs[lo]
}
