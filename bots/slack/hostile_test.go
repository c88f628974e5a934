package slack

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"cornershop/core"
)

// hostileTexts are what a customer or a careless colleague may write.
var hostileTexts = map[string]string{
	"everyone and here":    "@everyone @here @channel look",
	"discord mentions":     "<@123456789012345678> <@&42> <#77>",
	"slack specials":       "<!channel> <!here|here> <!everyone> <@U123ABC> <#C1|general> <!subteam^S1|@team> <https://evil.example|click me> <!date^1|x>",
	"entities":             "&lt;!channel&gt; &amp;lt; &#60; &",
	"html injection":       `<b>bold</b> <a href="https://evil.example">x</a>`,
	"markdown injection":   "*bold* _it_ ~s~ `code` ```\nfence\n``` > quote",
	"100 KB":               strings.Repeat("Lorem ipsum dolor sit amet, <!channel> & adipiscing. ", 2000),
	"only markup":          strings.Repeat("<&>", 5000),
	"invalid UTF-8":        "bad \xff\xfe bytes \xc3",
	"NUL and controls":     "nul\x00 bell\a esc\x1b[31m tab\t cr\r",
	"zero-width and RTL":   "pay\u200bpal \u202egnp.exe\u202c \ufeffbom",
	"10,000 emoji":         strings.Repeat("😀", 10000),
	"path separators":      "../../etc/passwd ..\\..\\windows\\system32",
	"long line no spaces":  strings.Repeat("x", 9000),
	"combining characters": strings.Repeat("e\u0301\u0302", 3000),
}

// inertMrkdwn reports whether s holds no Slack control sequence: no "<"
// or ">" at all (mentions, links and specials all need them) and "&" only
// as one of the three escapes.
func inertMrkdwn(s string) bool {
	if strings.ContainsAny(s, "<>") {
		return false
	}
	for i := strings.IndexByte(s, '&'); i >= 0; i = strings.IndexByte(s, '&') {
		rest := s[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			return false
		}
		s = rest[1:]
	}
	return true
}

func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func readBack(parts []string, marks ...string) string {
	var b strings.Builder
	for _, p := range parts {
		for _, m := range marks {
			p = strings.TrimSuffix(p, m)
		}
		b.WriteString(unescaper.Replace(p))
	}
	return b.String()
}

// TestHostileTextBothWays: customer copies in the desk and staff replies
// to the customer go out in parts Slack takes whole, with no control
// sequence from the text, and read back as the whole text.
func TestHostileTextBothWays(t *testing.T) {
	kinds := []struct {
		name string
		m    core.Outgoing
	}{
		{"customer copy into the desk", core.Outgoing{Kind: core.KindCustomerCopy, From: core.Identity{Platform: core.Discord, Name: "<!channel> Eve"}}},
		{"staff reply to the customer", core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Alice", Signature: "<!here> Alice"}}},
		{"edited reply", core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Bo"}, Edited: true}},
		{"deleted copy", core.Outgoing{Kind: core.KindCustomerCopy, Deleted: true}},
	}
	for name, text := range hostileTexts {
		for _, k := range kinds {
			t.Run(name+"/"+k.name, func(t *testing.T) {
				m := k.m
				m.Text = text
				parts := texts(m)
				for i, p := range parts {
					if n := utf8.RuneCountInString(p); n > 40000 {
						t.Fatalf("part %d has %d characters; Slack truncates at 40,000", i, n)
					}
					if !inertMrkdwn(p) {
						t.Fatalf("part %d holds a control sequence: %.200q", i, p)
					}
				}
				got := readBack(parts, " _(edited)_", " _(deleted)_")
				if m.Deleted {
					got = strings.ReplaceAll(got, "~", "")
				}
				want := text
				if m.Voice.Signature != "" {
					want += "—" + m.Voice.Signature
				}
				if m.Deleted {
					want = strings.ReplaceAll(want, "~", "")
				}
				if squash(got) != squash(want) {
					t.Errorf("the parts read back as %d characters, want %d", utf8.RuneCountInString(squash(got)), utf8.RuneCountInString(squash(want)))
				}
			})
		}
	}
}

// FuzzTexts: any text goes out in parts holding no Slack control sequence
// and reading back whole.
func FuzzTexts(f *testing.F) {
	for _, s := range hostileTexts {
		if len(s) < 3000 {
			f.Add(s, uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, text string, flags uint8) {
		m := core.Outgoing{Kind: core.KindCustomerCopy, Text: text, Edited: flags&1 != 0}
		parts := texts(m)
		for i, p := range parts {
			if n := utf8.RuneCountInString(p); n > 40000 || !inertMrkdwn(p) {
				t.Fatalf("%q: part %d (%d characters) is not inert: %q", text, i, n, p)
			}
		}
		if got := readBack(parts, " _(edited)_"); squash(got) != squash(text) {
			t.Fatalf("%q reads back as %q", text, got)
		}
	})
}

// FuzzPlain: whatever markup Slack sends, turning it into neutral text
// never fails and keeps valid UTF-8 valid.
func FuzzPlain(f *testing.F) {
	for _, s := range hostileTexts {
		if len(s) < 3000 {
			f.Add(s)
		}
	}
	f.Add("<@U1|> <#C1|> <!subteam^S1> <mailto:a@b|x> <https://a|b|c>")
	f.Fuzz(func(t *testing.T, s string) {
		out := plain(s, func(id string) string { return "name-of-" + id })
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("plain(%q) = %q is not valid UTF-8", s, out)
		}
	})
}
