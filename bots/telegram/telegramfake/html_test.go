package telegramfake

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseHTMLLikeTelegram(t *testing.T) {
	tests := []struct {
		name, in, want string
		ents           []Entity
		err            string
	}{
		{name: "plain", in: "hello", want: "hello"},
		{name: "bold and italic", in: "<b>Alice</b> <i>Support</i>", want: "Alice Support",
			ents: []Entity{{Type: "bold", Offset: 0, Length: 5}, {Type: "italic", Offset: 6, Length: 7}}},
		{name: "utf16 offsets after emoji", in: "👍 <u>ok</u>", want: "👍 ok", ents: []Entity{{Type: "underline", Offset: 3, Length: 2}}},
		{name: "entities decoded", in: "&lt;b&gt; &amp; &quot;q&quot; &#65;&#x42;", want: `<b> & "q" AB`},
		{name: "semicolon optional", in: "a &lt b", want: "a < b"},
		{name: "unknown entity kept", in: "fish &chips; &nbsp;", want: "fish &chips; &nbsp;"},
		{name: "bare ampersand kept", in: "Tom & Jerry", want: "Tom & Jerry"},
		{name: "link", in: `<a href="https://example.com/?a=1&amp;b=2">x</a>`, want: "x",
			ents: []Entity{{Type: "text_link", Offset: 0, Length: 1, URL: "https://example.com/?a=1&b=2"}}},
		{name: "user link", in: `<a href="tg://user?id=42">Al</a>`, want: "Al", ents: []Entity{{Type: "text_mention", Offset: 0, Length: 2, User: &EntityUser{ID: 42}}}},
		{name: "pre with language", in: `<pre><code class="language-go">x</code></pre>`, want: "x",
			ents: []Entity{{Type: "pre", Offset: 0, Length: 1, Language: "go"}}},
		{name: "spoiler span", in: `<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>`, want: "st",
			ents: []Entity{{Type: "spoiler", Offset: 0, Length: 1}, {Type: "spoiler", Offset: 1, Length: 1}}},
		{name: "expandable quote", in: `<blockquote expandable>q</blockquote>`, want: "q", ents: []Entity{{Type: "expandable_blockquote", Offset: 0, Length: 1}}},
		{name: "bad name token", in: `<a href=x!>y</a>`, err: "Unexpected end of name token at byte offset 8"},
		{name: "tags are case-insensitive", in: "<B>x</b>", want: "x", ents: []Entity{{Type: "bold", Offset: 0, Length: 1}}},
		{name: "short end tag", in: "<b>x</>", want: "x", ents: []Entity{{Type: "bold", Offset: 0, Length: 1}}},
		{name: "empty entity dropped", in: "<b></b>x", want: "x"},
		{name: "unbalanced", in: "<b>oops", err: `Can't find end tag corresponding to start tag "b"`},
		{name: "unsupported", in: "<script>x</script>", err: `Unsupported start tag "script" at byte offset 0`},
		{name: "bare less-than", in: "2 < 3", err: `Unsupported start tag "" at byte offset 2`},
		{name: "unclosed start", in: "x <b", err: "Unclosed start tag at byte offset 2"},
		{name: "unexpected end", in: "x</b>", err: "Unexpected end tag at byte offset 1"},
		{name: "crossed", in: "<b><i>x</b></i>", err: `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{name: "span without class", in: "<span>x</span>", err: `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{name: "br is not supported", in: "a<br>b", err: `Unsupported start tag "br"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ents, err := parseHTML(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseHTML(%q) error = %v, want %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want || !reflect.DeepEqual(ents, tc.ents) {
				t.Errorf("parseHTML(%q) = %q %+v %v, want %q %+v", tc.in, got, ents, err, tc.want, tc.ents)
			}
		})
	}
}

func TestFormatTextTrimsAndDetects(t *testing.T) {
	tests := []struct {
		name, in, mode, want string
		types                []string
	}{
		{"trim moves entities", "  <b>hi</b> @someone  ", "HTML", "hi @someone", []string{"bold", "mention"}},
		{"command and hashtag", "/start@cornershop_bot #help", "", "/start@cornershop_bot #help", []string{"bot_command", "hashtag"}},
		{"url and email", "see https://x.org or a@b.io", "", "see https://x.org or a@b.io", []string{"url", "email"}},
		{"no detection inside code", "<code>@nobody</code>", "HTML", "@nobody", []string{"code"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, bad := formatText(tc.in, tc.mode, "")
			var types []string
			for _, e := range f.Entities {
				types = append(types, e.Type)
			}
			if bad != "" || f.Text != tc.want || !reflect.DeepEqual(types, tc.types) {
				t.Errorf("formatText(%q) = %q %v %q, want %q %v", tc.in, f.Text, types, bad, tc.want, tc.types)
			}
		})
	}
	if _, bad := formatText("x", "Textile", ""); bad != "unsupported parse_mode" {
		t.Errorf("unknown parse_mode: %q", bad)
	}
	if _, bad := formatText("\xff", "", ""); bad != "text must be encoded in UTF-8" {
		t.Errorf("invalid UTF-8: %q", bad)
	}
}
