package relay

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// visible returns text as staff should see it in a desk copy: every
// character that is invisible or changes the direction of the text around
// it, and that a customer could use to disguise what they wrote, is
// replaced by a visible marker naming it — U+202E becomes "[U+202E]".
//
// Marking rather than deleting is deliberate: "refund \u202Egnp.exe" shows
// as "refund [U+202E]gnp.exe" — the file name as it really is, and the
// sign that someone tried to make it look like "exe.png". Silently
// deleting would hide the attempt, and could join words the customer kept
// apart. The record keeps the text as sent; only desk copies go through
// here.
//
// Marked everywhere:
//   - bidi embeddings, overrides and isolates (U+202A–U+202E,
//     U+2066–U+2069), which reorder whole runs of letters;
//   - every other format character (Unicode category Cf: zero-width space
//     U+200B, word joiner and invisible operators U+2060–U+2064, U+FEFF,
//     soft hyphen U+00AD, Mongolian vowel separator, interlinear
//     annotation, deprecated format controls…) and control characters
//     other than tab, newline and carriage return;
//   - the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), letters that
//     draw nothing and make names look empty.
//
// Kept where they are legitimate:
//   - the marks U+200E, U+200F and U+061C: invisible, but they only place
//     neutral characters (punctuation, digits) and cannot turn a run of
//     letters around; Hebrew, Arabic and Persian writers need them;
//   - the prepended concatenation marks (U+0600–U+0605, U+06DD, U+070F,
//     U+0890–U+0891, U+08E2, U+110BD, U+110CD), which are drawn;
//   - zero-width joiner and non-joiner between two characters that join
//     with them — emoji sequences (👩‍💻) and the scripts that need them
//     (Arabic, Persian, Indic…); elsewhere (between Latin letters, at an
//     end, doubled) they hide a break and are marked;
//   - tag characters (U+E0020–U+E007F) that spell a flag after 🏴 and end
//     with the cancel tag; elsewhere they carry hidden text and are marked;
//   - one variation selector after a visible character (the emoji form of
//     ❤️, CJK variants); a second one in a row, or one after nothing
//     visible, carries hidden data and is marked.
func visible(text string) string {
	if !strings.ContainsFunc(text, suspect) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	prev := rune(-1) // the previous rune as written, -1 at the start
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == 0x1F3F4 {
			if tags := flagTags(text[i+n:]); tags > 0 {
				// 🏴 and the tags that spell a flag, as they are.
				b.WriteString(text[i : i+n+tags])
				i += n + tags
				prev = 0xE007F
				continue
			}
		}
		next := rune(-1)
		if i+n < len(text) {
			next, _ = utf8.DecodeRuneInString(text[i+n:])
		}
		if hidden(r, prev, next) {
			fmt.Fprintf(&b, "[U+%04X]", r)
		} else {
			b.WriteString(text[i : i+n])
		}
		prev = r
		i += n
	}
	return b.String()
}

// suspect reports the runes visible may have to mark; text without any
// comes back as it is, without a copy.
func suspect(r rune) bool {
	if r >= 0x20 && r < 0x7F || r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || isFiller(r) || isVariationSelector(r)
}

// hidden reports whether r, between prev and next (-1 at either end of
// the text), is to be marked. Tag characters reach it only outside a
// flag, where they are always marked.
func hidden(r, prev, next rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case unicode.Is(unicode.Cc, r), isFiller(r):
		return true
	case r == 0x200E || r == 0x200F || r == 0x061C:
		return false
	case isPrependedMark(r):
		return false
	case r == 0x200D: // zero-width joiner
		return !(joinsEmoji(prev) && joinsEmoji(next) || joinsScript(prev) && joinsScript(next))
	case r == 0x200C: // zero-width non-joiner
		return !(joinsScript(prev) && joinsScript(next))
	case isVariationSelector(r):
		return prev < 0 || isVariationSelector(prev) || unicode.IsSpace(prev) || unicode.Is(unicode.Cf, prev) || unicode.Is(unicode.Cc, prev)
	}
	return unicode.Is(unicode.Cf, r)
}

// isFiller reports the Hangul fillers, letters that draw nothing.
func isFiller(r rune) bool { return r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0 }

func isVariationSelector(r rune) bool {
	return r >= 0xFE00 && r <= 0xFE0F || r >= 0xE0100 && r <= 0xE01EF
}

// isPrependedMark reports the format characters that are drawn
// (Unicode's Prepended_Concatenation_Mark).
func isPrependedMark(r rune) bool {
	return r >= 0x0600 && r <= 0x0605 || r == 0x06DD || r == 0x070F || r == 0x0890 || r == 0x0891 || r == 0x08E2 || r == 0x110BD || r == 0x110CD
}

// joinsEmoji reports whether r can stand beside a joiner in an emoji
// sequence: a pictograph or symbol, a skin tone, the emoji variation
// selector, a keycap or a regional indicator.
func joinsEmoji(r rune) bool {
	return r > 0x7F && (unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || r == 0xFE0F || r == 0x20E3) ||
		r >= 0x1F000 && r <= 0x1FAFF
}

// joiningScripts are the scripts whose writing uses zero-width joiners and
// non-joiners (cursive joining, conjuncts, Persian half-spaces).
var joiningScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian, unicode.Devanagari, unicode.Bengali,
	unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya, unicode.Tamil, unicode.Telugu, unicode.Kannada,
	unicode.Malayalam, unicode.Sinhala, unicode.Khmer, unicode.Myanmar, unicode.Tibetan,
}

// joinsScript reports whether r is a letter or combining mark of a script
// that uses joiners.
func joinsScript(r rune) bool {
	return r > 0x7F && (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.IsOneOf(joiningScripts, r))
}

// flagTags returns the length in bytes of the tag sequence that spells a
// flag at the start of text (after a 🏴): tag characters U+E0020–U+E007E
// ended by the cancel tag U+E007F; 0 when there is none.
func flagTags(text string) int {
	for i, r := range text {
		switch {
		case r == 0xE007F && i > 0:
			return i + utf8.RuneLen(r)
		case r >= 0xE0020 && r <= 0xE007E:
		default:
			return 0
		}
	}
	return 0
}
