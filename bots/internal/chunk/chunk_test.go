package chunk_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"cornershop/bots/internal/chunk"
)

func TestSplit(t *testing.T) {
	para := strings.Repeat("word ", 500) // 2,500 characters
	tests := []struct {
		name  string
		text  string
		max   int
		parts int
		first string // prefix of the first part, when it matters
	}{
		{"short stays whole", "hello", 10, 1, "hello"},
		{"empty stays one part", "", 10, 1, ""},
		{"paragraphs", para + "\n\n" + para, 3000, 2, "word"},
		{"sentence boundary", "One two three. Four five six seven.", 20, 2, "One two three."},
		{"no spaces cut hard", strings.Repeat("x", 25), 10, 3, "xxxxxxxxxx"},
		{"multibyte never cut", strings.Repeat("é", 25), 10, 3, "éééééééééé"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := chunk.Split(tc.text, tc.max)
			if len(got) != tc.parts {
				t.Fatalf("split into %d parts %q, want %d", len(got), got, tc.parts)
			}
			if !strings.HasPrefix(got[0], tc.first) {
				t.Errorf("first part %q, want it to start %q", got[0], tc.first)
			}
			for _, p := range got {
				if !utf8.ValidString(p) || utf8.RuneCountInString(p) > tc.max {
					t.Errorf("part %q invalid or over %d runes", p, tc.max)
				}
			}
		})
	}
}
