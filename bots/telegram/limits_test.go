package telegram

import (
	"fmt"
	"strings"
	"testing"

	"cornershop/core"
)

func TestParsedLen(t *testing.T) {
	tests := []struct {
		html string
		want int
	}{
		{"plain", 5},
		{"<b>bold</b> <i>x</i>", 6},
		{"a &lt;b&gt; &amp; &quot;", 9},
		{"😀", 2},
		{"e\u0301", 2},
		{"<a href=\"https://x\">link</a>", 4},
	}
	for _, tc := range tests {
		t.Run(tc.html, func(t *testing.T) {
			if got := parsedLen(tc.html); got != tc.want {
				t.Errorf("parsedLen(%q) = %d, want %d", tc.html, got, tc.want)
			}
		})
	}
}

func TestFitBlocksKeepsFixedLinesAndCounts(t *testing.T) {
	lines := func(n, size int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i, ": ", strings.Repeat("😀", size))
		}
		return out
	}
	tests := []struct {
		name   string
		blocks []block
		max    int
		want   []string // in the result, in order
	}{
		{"fits", []block{{lines: []string{"head"}}, {lines: lines(2, 1), more: moreLine("field", "fields")}}, 100, []string{"head", "0: 😀", "1: 😀"}},
		{"last list gives first", []block{{lines: []string{"head"}}, {lines: lines(3, 10), more: moreLine("account", "accounts")}, {lines: lines(40, 100), more: moreLine("field", "fields")}, {lines: []string{"tail"}}},
			4096, []string{"head", "2: ", "… 21 more fields", "tail"}},
		{"both lists give", []block{{lines: lines(30, 100), more: moreLine("account", "accounts")}, {lines: lines(40, 100), more: moreLine("field", "fields")}, {lines: []string{"tail"}}},
			4096, []string{"… 11 more accounts", "… 40 more fields", "tail"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fitBlocks(tc.blocks, tc.max)
			if n := parsedLen(got); n > tc.max {
				t.Errorf("%d units, over %d", n, tc.max)
			}
			rest := got
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("%q missing (in order) from:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestTopicNameFits(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Tess", "🟢 Tess · telegram"},
		{strings.Repeat("😀", 200), "🟢 " + strings.Repeat("😀", 62) + "…"},
		{"  ", "🟢 Customer · telegram"},
	}
	for _, tc := range tests {
		got := topicName(core.ContactCard{Name: tc.name, Status: core.StatusOpen, Customer: core.Place{Platform: core.Telegram}})
		if got != tc.want || utf16Len(got) > 128 {
			t.Errorf("topicName(%q) = %q (%d units), want %q", tc.name, got, utf16Len(got), tc.want)
		}
	}
}
