package chunk_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"cornershop/bots/internal/chunk"
)

func TestClip(t *testing.T) {
	escaped := func(s string) int { return chunk.Runes(s) + strings.Count(s, "*") } // "*" sent as `\*`
	tests := []struct {
		name string
		text string
		max  int
		size func(string) int
		want string
	}{
		{"fits stays whole", "hello", 5, chunk.Runes, "hello"},
		{"cut with an ellipsis", "abcdefghij", 5, chunk.Runes, "abcd…"},
		{"cut at a near space", "hello world, how are you", 20, chunk.Runes, "hello world, how…"},
		{"emoji counts two in UTF-16, never halved", "ab😀😀😀", 6, chunk.UTF16, "ab😀…"},
		{"combining mark stays with its base", "abe\u0301cd", 4, chunk.Runes, "ab…"},
		{"escapes counted", "a*b*c*d*", 6, escaped, "a*b…"},
		{"nothing fits", "abc", 0, chunk.Runes, ""},
		{"only the ellipsis fits", "abc", 1, chunk.Runes, "…"},
		{"first char too wide", "😀😀", 2, chunk.UTF16, "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := chunk.Clip(tc.text, tc.max, tc.size)
			if got != tc.want {
				t.Errorf("Clip(%q, %d) = %q, want %q", tc.text, tc.max, got, tc.want)
			}
			if tc.size(got) > tc.max || !utf8.ValidString(got) {
				t.Errorf("Clip(%q, %d) = %q: size %d or invalid UTF-8", tc.text, tc.max, got, tc.size(got))
			}
		})
	}
}

func TestJoinFit(t *testing.T) {
	more := chunk.AndMore("tag", "tags")
	tags := make([]string, 200)
	for i := range tags {
		tags[i] = fmt.Sprintf("tag%03d", i)
	}
	tests := []struct {
		name  string
		items []string
		max   int
		want  string
	}{
		{"all fit", []string{"a", "b"}, 10, "a, b"},
		{"none", nil, 10, ""},
		{"some left out", []string{"alpha", "beta", "gamma", "delta", "epsilon"}, 32, "alpha, beta, … and 3 more tags"},
		{"first clipped to make room", []string{strings.Repeat("x", 50), "y"}, 30, "xxxxxxxxxxx…, … and 1 more tag"},
		{"one left out: singular", []string{"alpha", "beta", "gamma-delta-epsilon"}, 30, "alpha, beta, … and 1 more tag"},
		{"200 tags in 100", tags, 100, "tag000, tag001, tag002, tag003, tag004, tag005, tag006, tag007, tag008, tag009, … and 190 more tags"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := chunk.JoinFit(tc.items, ", ", tc.max, chunk.Runes, more)
			if got != tc.want {
				t.Errorf("JoinFit = %q, want %q", got, tc.want)
			}
			if chunk.Runes(got) > tc.max {
				t.Errorf("JoinFit = %q: %d runes, over %d", got, chunk.Runes(got), tc.max)
			}
		})
	}
}

func TestAndMore(t *testing.T) {
	tests := []struct {
		n         int
		one, many string
		want      string
	}{
		{1, "tag", "tags", "… and 1 more tag"},
		{2, "tag", "tags", "… and 2 more tags"},
		{190, "tag", "tags", "… and 190 more tags"},
		{1, "account", "accounts", "… and 1 more account"},
		{0, "tag", "tags", "… and 0 more tags"},
	}
	for _, tc := range tests {
		if got := chunk.AndMore(tc.one, tc.many)(tc.n); got != tc.want {
			t.Errorf("AndMore(%q, %q)(%d) = %q, want %q", tc.one, tc.many, tc.n, got, tc.want)
		}
	}
}
