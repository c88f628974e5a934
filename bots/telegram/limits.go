package telegram

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"cornershop/bots/internal/chunk"
)

// maxTopicName is createForumTopic's limit on a topic's name (1-128
// characters; counted, as everything Telegram counts, in UTF-16 units).
const maxTopicName = 128

// shownLen is the length Telegram counts for customer text sent escaped:
// the UTF-16 units of what is shown, word joiners included.
func shownLen(s string) int { return chunk.UTF16(inert(s)) }

// text escapes customer text and cuts it, on the plain text and before
// escaping (so no tag or entity is cut, nor a surrogate pair), to show at
// most n UTF-16 units.
func text(s string, n int) string { return escape(chunk.Clip(s, n, shownLen)) }

// parsedLen is an HTML text's length as Telegram counts it against the
// 4,096 of a message: UTF-16 units after entity parsing, with tags
// removed and entities decoded. It reads the HTML cornershop writes
// (escape's three entities, &quot;, and tags without ">" in attributes).
func parsedLen(html string) int {
	n := 0
	for i := 0; i < len(html); {
		switch html[i] {
		case '<':
			end := strings.IndexByte(html[i:], '>')
			if end < 0 {
				return n + chunk.UTF16(html[i:])
			}
			i += end + 1
			continue
		case '&':
			if end := strings.IndexByte(html[i:], ';'); end > 0 && end <= 6 {
				n++
				i += end + 1
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(html[i:])
		n += max(1, utf16.RuneLen(r))
		i += size
	}
	return n
}

// block is a run of card lines: fixed ones always stay, a list (more
// set) loses lines from its end when the card is too long and says how
// many with more(n).
type block struct {
	lines []string
	more  func(n int) string
}

// fitBlocks joins blocks' lines with newlines into at most max UTF-16
// units as Telegram counts them after parsing: lists, the last first,
// give up lines from their end for a line saying how many were left out.
// The fixed lines must fit on their own.
func fitBlocks(blocks []block, max int) string {
	lens := make([][]int, len(blocks))
	total := -1 // n lines have n-1 newlines
	for i, b := range blocks {
		for _, l := range b.lines {
			n := parsedLen(l)
			lens[i] = append(lens[i], n)
			total += n + 1
		}
	}
	kept := make([]int, len(blocks))
	for i, b := range blocks {
		kept[i] = len(b.lines)
	}
	moreLen := func(i int) int {
		if left := len(blocks[i].lines) - kept[i]; left > 0 {
			return parsedLen(blocks[i].more(left)) + 1
		}
		return 0
	}
	for i := len(blocks) - 1; i >= 0 && total > max; i-- {
		if blocks[i].more == nil {
			continue
		}
		for kept[i] > 0 && total > max {
			before := moreLen(i)
			kept[i]--
			total += moreLen(i) - before - lens[i][kept[i]] - 1
		}
	}
	var out []string
	for i, b := range blocks {
		out = append(out, b.lines[:kept[i]]...)
		if left := len(b.lines) - kept[i]; left > 0 {
			out = append(out, b.more(left))
		}
	}
	return strings.Join(out, "\n")
}

// moreLine is a list's last line when it had to leave lines out.
func moreLine(one, many string) func(int) string {
	return func(n int) string {
		return "<i>… " + chunk.Count(n, "more "+one, "more "+many) + ": !card shows them all</i>"
	}
}
