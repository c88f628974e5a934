package chunk

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Ellipsis ends every text Clip cut.
const Ellipsis = "…"

// Runes counts characters as Discord and Slack do: Unicode code points.
func Runes(s string) int { return utf8.RuneCountInString(s) }

// UTF16 counts characters as Telegram does: UTF-16 code units, so an
// emoji outside the Basic Multilingual Plane counts two.
func UTF16(s string) int {
	n := 0
	for _, r := range s {
		n += max(1, utf16.RuneLen(r))
	}
	return n
}

// Clip returns text whole when size(text) <= max, else its longest prefix
// that, with Ellipsis after it, has size at most max: cut between
// characters (never inside a UTF-8 sequence or a surrogate pair, and
// never between a character and the combining marks on it), at a space
// when one is near the end, with the space dropped. It returns "" when
// not even Ellipsis fits. size measures the text as the platform will
// count it (escapes included) and must grow, never shrink, as text is
// appended; it must count at least one per rune.
func Clip(text string, max int, size func(string) int) string {
	// size counts at least one per rune: a text of more runes than max is
	// over without measuring it whole (it may be very long).
	if utf8.RuneCountInString(text) <= max && size(text) <= max {
		return text
	}
	if size(Ellipsis) > max {
		return ""
	}
	with := func(s string) int { return size(s + Ellipsis) }
	cut := 0
	if with(firstRune(text)) <= max {
		cut = fit(text, max, with)
	}
	cut = markBoundary(text, cut)
	// A space near the end of the kept text is a nicer cut.
	if i := strings.LastIndexAny(text[:cut], " \n"); i > 0 && i >= cut-min(16, cut/3) {
		cut = i
	}
	return strings.TrimRight(text[:cut], " \n") + Ellipsis
}

func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// markBoundary moves a cut at byte offset cut back before the character
// the combining marks after it belong to, so no mark loses its base.
func markBoundary(text string, cut int) int {
	if next, _ := utf8.DecodeRuneInString(text[cut:]); cut >= len(text) || !unicode.Is(unicode.Mn, next) {
		return cut
	}
	for cut > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:cut])
		cut -= n
		if !unicode.Is(unicode.Mn, r) {
			break
		}
	}
	return cut
}

// JoinFit joins as many of items, in order, with sep as fit within max as
// measured by size, and says how many were left out with more(n) after
// one more sep: "a, b, c, … and 7 more tags". When not even the first
// item fits beside that, the first item is clipped to make room. more
// must return a short text; the result's size is at most max whenever
// more's text fits. size is as for Clip.
func JoinFit(items []string, sep string, max int, size func(string) int, more func(n int) string) string {
	whole := strings.Join(items, sep)
	if utf8.RuneCountInString(whole) <= max && size(whole) <= max {
		return whole
	}
	tail := func(left int) string {
		if left == 0 {
			return ""
		}
		return sep + more(left)
	}
	var b strings.Builder
	best, kept := "", -1
	for i, it := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(it)
		joined := b.String()
		if size(joined) > max {
			break
		}
		if size(joined+tail(len(items)-i-1)) <= max {
			best, kept = joined, i+1
		}
	}
	if kept > 0 {
		return best + tail(len(items)-kept)
	}
	if len(items) == 0 {
		return ""
	}
	rest := tail(len(items) - 1)
	first := Clip(items[0], max-size(rest), size)
	if first == "" {
		return Clip(strings.TrimPrefix(rest, sep), max, size)
	}
	return first + rest
}

// Count says n of a thing in English: "1 tag", "3 tags".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// AndMore is JoinFit's more for items named one and many: "… and 1 more
// tag", "… and 7 more tags".
func AndMore(one, many string) func(n int) string {
	return func(n int) string { return "… and " + Count(n, "more "+one, "more "+many) }
}
