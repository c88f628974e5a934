package discord

import (
	"strings"
	"testing"
	"unicode/utf8"

	"cornershop/core"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"**bold** _it_ `code`", `\*\*bold\*\* \_it\_ ` + "\\`code\\`"},
		{"@everyone look", "@\u200beveryone look"},
		{"hi <@123> and <#456>", "hi <\u200b@123> and <\u200b#456>"},
		{"> quote || spoiler ||\n# heading, order #42", "\\> quote \\|\\| spoiler \\|\\|\n\\# heading, order #42"},
		{"[Your invoice](https://evil.example)", `\[Your invoice](https://evil.example)`},
		{"[U+202E] marker", `\[U+202E] marker`},
	}
	for _, tc := range tests {
		if got := escape(tc.in); got != tc.want {
			t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSafeName(t *testing.T) {
	tests := []struct{ in, bad string }{
		{"Discord Admin", "discord"},
		{"clyde", "clyde"},
		{"everyone", ""},
		{strings.Repeat("n", 120), ""},
	}
	for _, tc := range tests {
		got := safeName(tc.in)
		low := strings.ToLower(got)
		if (tc.bad != "" && strings.Contains(low, tc.bad)) || low == "everyone" || low == "here" || utf8.RuneCountInString(got) > 80 || got == "" {
			t.Errorf("safeName(%q) = %q is not a valid webhook name", tc.in, got)
		}
	}
}

func TestContentsSplitAndMarks(t *testing.T) {
	long := strings.Repeat("A sentence that goes on. ", 300)
	parts := contents(core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "A"}, Text: long, Edited: true})
	if len(parts) < 4 {
		t.Fatalf("%d parts", len(parts))
	}
	for _, p := range parts {
		if utf8.RuneCountInString(p) > maxContent {
			t.Errorf("part of %d characters", utf8.RuneCountInString(p))
		}
	}
	if !strings.HasSuffix(parts[len(parts)-1], "*(edited)*") {
		t.Error("the edited mark belongs on the last part")
	}
}

// FuzzEscape: escaped customer text never holds a working mention.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"@everyone", "@here", "<@123>", "<@&5>", "<#9>", "**x**"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := escape(s)
		for _, bad := range []string{"@everyone", "@here", "<@", "<#"} {
			if strings.Contains(out, bad) {
				t.Fatalf("escape(%q) = %q still holds %q", s, out, bad)
			}
		}
	})
}
