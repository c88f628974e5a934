package listen

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold returns s with accents removed (canonical decomposition, nonspacing
// marks dropped, recomposition) and case folded, so that "Crème Brûlée"
// and "CREME brulee" compare equal.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC, cases.Fold())
	out, _, err := transform.String(t, s)
	if err != nil {
		// The chain rejects nothing valid; invalid UTF-8 was replaced on
		// the way. Fall back to plain lowering rather than fail a message.
		return strings.ToLower(s)
	}
	return out
}

// Words folds s and splits it into words: runs of letters and digits.
// Everything else (spaces, punctuation, symbols, emoji) separates words, so
// "check-out" is two words and "cart's" is "cart" and "s".
func Words(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
