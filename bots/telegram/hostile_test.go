package telegram

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
)

// hostileTexts are what a customer or a careless colleague may write:
// mentions of every platform, markup of every platform, huge texts,
// broken encodings and invisible characters.
var hostileTexts = map[string]string{
	"everyone and here":     "@everyone @here look",
	"discord mentions":      "<@123456789012345678> <@!1> <@&42> <#77>",
	"slack specials":        "<!channel> <!here|here> <!everyone> <@U123ABC> <!subteam^S1|@team> <https://evil.example|click me>",
	"html injection":        `<b>bold</b> <a href="https://evil.example">x</a> <tg-spoiler>s</tg-spoiler> &lt; &amp;amp; &#60;b&#62; <pre>`,
	"markdown injection":    "**bold** __u__ ~~s~~ ||spoiler|| `code` ```\nfence\n``` > quote\n# heading\n[link](https://evil.example)",
	"100 KB":                strings.Repeat("Lorem ipsum dolor sit amet, <b>consectetur</b> & adipiscing. ", 1700),
	"invalid UTF-8":         "bad \xff\xfe bytes \xc3",
	"NUL and controls":      "nul\x00 bell\a esc\x1b[31m tab\t cr\r vt\v",
	"zero-width and RTL":    "pay\u200bpal \u202egnp.exe\u202c \u2066isolate\u2069 \ufeffbom",
	"10,000 emoji":          strings.Repeat("😀", 10000),
	"path separators":       "../../etc/passwd ..\\..\\windows\\system32 /dev/null C:\\x",
	"only markup chars":     strings.Repeat("<&>", 3000),
	"long line no spaces":   strings.Repeat("x", 9000),
	"whitespace around":     "   \n\n  hi  \n\n  ",
	"combining characters":  strings.Repeat("e\u0301\u0302\u0303", 2000),
	"telegram bot commands": "/start /close@bot #tag $USD mail@example.com https://x.example",
}

// visible puts the parts of a message back together as the reader sees
// them, without the whitespace Telegram trims at each cut.
func visible(t *testing.T, parts []string) (string, []telegramfake.Entity) {
	t.Helper()
	var b strings.Builder
	var ents []telegramfake.Entity
	for i, p := range parts {
		shown, e, err := telegramfake.FormatMessage(p, "HTML")
		if err != nil {
			t.Fatalf("part %d of %d is refused by Telegram: %v\n%.300q", i+1, len(parts), err, p)
		}
		b.WriteString(shown)
		ents = append(ents, e...)
	}
	return b.String(), ents
}

func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '🗑' || r == '\u2060' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\ufffd"))
}

// TestHostileTextBothWays: whatever is written, each part Telegram gets is
// valid HTML within its limit, the reader sees exactly the text (no markup
// made from it, nothing cut), and the only formatting is cornershop's own.
func TestHostileTextBothWays(t *testing.T) {
	kinds := []struct {
		name string
		m    core.Outgoing
	}{
		{"customer copy into the desk", core.Outgoing{Kind: core.KindCustomerCopy, From: core.Identity{Platform: core.Discord, Name: "<b>Eve</b> @everyone", Handle: "eve"}}},
		{"staff reply to the customer", core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Alice </b><a href=x>", Title: "Support & <i>", Signature: "— <s>Alice</s>"}}},
		{"edited reply", core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Bo"}, Edited: true}},
		{"deleted copy", core.Outgoing{Kind: core.KindCustomerCopy, From: core.Identity{Name: "C"}, Deleted: true}},
	}
	for name, text := range hostileTexts {
		for _, k := range kinds {
			t.Run(name+"/"+k.name, func(t *testing.T) {
				m := k.m
				m.Text = text
				parts := render(m)
				shown, ents := visible(t, parts)
				if got, want := squash(shown), squash(text); !strings.Contains(got, want) {
					t.Errorf("the reader does not see the whole text: %d characters shown for %d written", utf8.RuneCountInString(got), utf8.RuneCountInString(want))
				}
				for _, e := range ents {
					switch e.Type {
					case "bold", "italic", "strikethrough", "hashtag", "cashtag", "email", "url":
					default:
						t.Errorf("an entity of type %q came from the text", e.Type)
					}
				}
			})
		}
	}
}

// FuzzRender: any text in any voice renders to parts Telegram accepts,
// within its limit, showing the whole text and only cornershop's own
// formatting.
func FuzzRender(f *testing.F) {
	for _, s := range hostileTexts {
		if len(s) < 2000 {
			f.Add(s, "Alice <b>", uint8(0))
		}
	}
	f.Add("&#x1F600; &#0; &#1114112; &amp", "&", uint8(1))
	f.Add("<", "", uint8(2))
	f.Fuzz(func(t *testing.T, text, name string, flags uint8) {
		name = string([]rune(name)[:min(utf8.RuneCountInString(name), 128)])
		m := core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: name, Title: name, Signature: name}, Text: text,
			Edited: flags&1 != 0, Deleted: flags&2 != 0}
		if flags&4 != 0 {
			m.Kind, m.From = core.KindCustomerCopy, core.Identity{Name: name, Handle: name, Platform: core.Slack}
		}
		if strings.TrimSpace(text) == "" && strings.TrimSpace(name) == "" && flags&3 == 0 {
			return // nothing to show; the relay never sends that
		}
		parts := render(m)
		var all strings.Builder
		for i, p := range parts {
			shown, ents, err := telegramfake.FormatMessage(p, "HTML")
			if err != nil {
				t.Fatalf("part %d %q refused: %v", i, p, err)
			}
			all.WriteString(shown)
			for _, e := range ents {
				switch e.Type {
				case "bold", "italic", "strikethrough", "hashtag", "cashtag", "email", "url":
				default:
					t.Fatalf("text %q made a %s entity in %q (%q)", text, e.Type, p, shown)
				}
			}
		}
		if !strings.Contains(squash(all.String()), squash(text)) {
			t.Fatalf("the reader sees %q for %q", all.String(), text)
		}
	})
}
