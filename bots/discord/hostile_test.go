package discord

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"cornershop/core"
)

// hostileTexts are what a customer or a careless colleague may write.
var hostileTexts = map[string]string{
	"everyone and here":    "@everyone @here look",
	"discord mentions":     "<@123456789012345678> <@!1> <@&42> <#77> <a:wave:1> </cmd:1>",
	"slack specials":       "<!channel> <!here|here> <@U123ABC> <https://evil.example|click me>",
	"html injection":       `<b>bold</b> <a href="https://evil.example">x</a> &lt; &amp;amp;`,
	"markdown injection":   "**bold** __u__ ~~s~~ ||spoiler|| `code` ```\nfence\n``` > quote\n# heading\n- list\n[link](https://evil.example) \\*",
	"100 KB":               strings.Repeat("Lorem ipsum dolor sit amet, **consectetur** & adipiscing. ", 1800),
	"only markup":          strings.Repeat("*_~`|\\", 3000),
	"invalid UTF-8":        "bad \xff\xfe bytes \xc3",
	"NUL and controls":     "nul\x00 bell\a esc\x1b[31m tab\t cr\r",
	"zero-width and RTL":   "pay\u200bpal \u202egnp.exe\u202c \u2066isolate\u2069 \ufeffbom @\u200beveryone",
	"10,000 emoji":         strings.Repeat("😀", 10000),
	"path separators":      "../../etc/passwd ..\\..\\windows\\system32 /dev/null",
	"long line no spaces":  strings.Repeat("x", 9000),
	"quote at every line":  strings.Repeat("> x\n# y\n- z\n", 1000),
	"combining characters": strings.Repeat("e\u0301\u0302", 2000),
	"masked links":         "[Your invoice](https://evil.example) [[nested](https://a.example)](https://b.example) \\[x](https://c.example)",
}

// unmark reads escaped Discord markdown back as text: a backslash makes
// the next character literal.
func unmark(s string) string {
	var b strings.Builder
	esc := false
	for _, r := range s {
		if !esc && r == '\\' {
			esc = true
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return b.String()
}

// literal reports the first markdown control character of s that is not
// escaped, if any: emphasis, code, spoilers and masked links ("[" opens
// one) anywhere; quotes, headings and lists at the start of a line.
func literal(s string) (rune, bool) {
	esc, lineStart := false, true
	for _, r := range s {
		switch {
		case esc:
			esc = false
		case r == '\\':
			esc = true
		case strings.ContainsRune("*_~`|[", r), lineStart && strings.ContainsRune(">#-", r):
			return r, false
		}
		lineStart = r == '\n'
	}
	return 0, true
}

func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200b' {
			return -1
		}
		return r
	}, s)
}

func mentionFree(t *testing.T, part string) {
	t.Helper()
	for _, bad := range []string{"@everyone", "@here", "<@", "<#", "<a:", "</"} {
		if strings.Contains(part, bad) {
			t.Errorf("a part holds a live %q", bad)
		}
	}
}

// TestHostileTextBothWays: customer copies in the desk and staff replies
// to the customer go out in parts of at most 2,000 characters, with no
// working mention and no markdown made from the text, and read back as
// the whole text.
func TestHostileTextBothWays(t *testing.T) {
	kinds := []struct {
		name string
		m    core.Outgoing
	}{
		{"customer copy into the desk", core.Outgoing{Kind: core.KindCustomerCopy, From: core.Identity{Platform: core.Slack, Name: "Eve @everyone"}}},
		{"staff reply to the customer", core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Alice", Signature: "**Alice** `@here`"}}},
		{"edited reply", core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Bo"}, Edited: true}},
		{"deleted copy", core.Outgoing{Kind: core.KindCustomerCopy, Deleted: true}},
	}
	for name, text := range hostileTexts {
		for _, k := range kinds {
			t.Run(name+"/"+k.name, func(t *testing.T) {
				m := k.m
				m.Text = text
				parts := contents(m)
				var all strings.Builder
				for i, p := range parts {
					if n := utf8.RuneCountInString(p); n > maxContent {
						t.Fatalf("part %d has %d characters", i, n)
					}
					mentionFree(t, p)
					body := strings.TrimSuffix(strings.TrimSuffix(p, " *(edited)*"), " *(deleted)*")
					if m.Deleted {
						body = strings.TrimSuffix(strings.TrimPrefix(body, "~~"), "~~")
					}
					if r, ok := literal(body); !ok {
						t.Fatalf("part %d holds an unescaped %q: %.200q", i, r, body)
					}
					all.WriteString(unmark(body))
				}
				want := text
				if m.Voice.Signature != "" {
					want += "—" + m.Voice.Signature
				}
				if got := squash(all.String()); got != squash(want) {
					t.Errorf("the parts read back as %d characters, want %d", utf8.RuneCountInString(got), utf8.RuneCountInString(squash(want)))
				}
			})
		}
	}
}

// FuzzContents: any text, in any state, goes out in parts Discord accepts,
// none with a working mention or markdown from the text, and reads back
// whole.
func FuzzContents(f *testing.F) {
	for _, s := range hostileTexts {
		if len(s) < 3000 {
			f.Add(s, uint8(0))
		}
	}
	f.Add(strings.Repeat("*", 2500), uint8(1))
	f.Fuzz(func(t *testing.T, text string, flags uint8) {
		m := core.Outgoing{Kind: core.KindCustomerCopy, Text: text, Edited: flags&1 != 0, Deleted: flags&2 != 0}
		var all strings.Builder
		for i, p := range contents(m) {
			if n := utf8.RuneCountInString(p); n > maxContent {
				t.Fatalf("part %d has %d characters", i, n)
			}
			mentionFree(t, p)
			body := strings.TrimSuffix(strings.TrimSuffix(p, " *(edited)*"), " *(deleted)*")
			if m.Deleted {
				body = strings.TrimSuffix(strings.TrimPrefix(body, "~~"), "~~")
			}
			if r, ok := literal(body); !ok {
				t.Fatalf("%q: part %d holds an unescaped %q: %q", text, i, r, body)
			}
			all.WriteString(unmark(body))
		}
		if got, want := squash(all.String()), squash(text); got != want {
			t.Fatalf("%q reads back as %q", text, all.String())
		}
	})
}
