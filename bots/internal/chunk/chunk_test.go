package chunk_test

import (
	"strings"
	"testing"
	"unicode/utf16"
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

func TestSplitSized(t *testing.T) {
	escaped := func(s string) int { return utf8.RuneCountInString(s) + strings.Count(s, "*") } // "*" sent as `\*`
	utf16 := func(s string) int {
		n := 0
		for _, r := range s {
			n += max(1, utf16.RuneLen(r))
		}
		return n
	}
	tests := []struct {
		name  string
		text  string
		max   int
		size  func(string) int
		parts int
	}{
		{"escapes count", strings.Repeat("*", 100), 10, escaped, 20},
		{"emoji are two UTF-16 units", strings.Repeat("😀", 100), 10, utf16, 20},
		{"a character too big for max still goes", "😀😀", 1, utf16, 2},
		{"leading whitespace makes no empty part", strings.Repeat(" ", 30) + "x", 10, utf8.RuneCountInString, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := chunk.SplitSized(tc.text, tc.max, tc.size)
			if len(got) != tc.parts {
				t.Fatalf("split into %d parts %q, want %d", len(got), got, tc.parts)
			}
			for _, p := range got {
				if p == "" || (tc.size(p) > tc.max && utf8.RuneCountInString(p) > 1) {
					t.Errorf("part %q empty or of size %d over %d", p, tc.size(p), tc.max)
				}
			}
		})
	}
}

// FuzzSplit: whatever the text and limit, every piece fits the limit, is
// valid UTF-8 when the text is, is never empty, and the pieces put back
// together are the text: only whitespace at the cuts is dropped, nothing
// else is lost.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"", "hello", "One two. Three four! Five?", strings.Repeat("é", 30), strings.Repeat("😀", 30),
		"a\n\nb\nc d", strings.Repeat(" ", 40) + "x", "\xff\xfe" + strings.Repeat("ab ", 20), strings.Repeat("*_`", 20)} {
		f.Add(s, 7, false)
		f.Add(s, 7, true)
	}
	f.Fuzz(func(t *testing.T, text string, max int, escaped bool) {
		max = 1 + abs(max)%64
		size := utf8.RuneCountInString
		if escaped {
			size = func(s string) int { return utf8.RuneCountInString(s) + strings.Count(s, "*") + 4*strings.Count(s, "&") }
		}
		parts := chunk.SplitSized(text, max, size)
		if len(parts) == 0 {
			t.Fatal("no parts")
		}
		for _, p := range parts {
			if size(p) > max && utf8.RuneCountInString(p) > 1 {
				t.Fatalf("part %q has size %d, over %d", p, size(p), max)
			}
			if utf8.ValidString(text) && !utf8.ValidString(p) {
				t.Fatalf("part %q of a valid text is invalid UTF-8", p)
			}
			if p == "" && len(parts) > 1 {
				t.Fatalf("an empty part in %q", parts)
			}
		}
		strip := strings.NewReplacer(" ", "", "\n", "")
		if got, want := strip.Replace(strings.Join(parts, "")), strip.Replace(text); got != want {
			t.Fatalf("pieces %q put together lose text: %q, want %q", parts, got, want)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
