package slack

import (
	"strings"
	"testing"

	"cornershop/core"
)

func TestEscapeMakesMentionsInert(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<!channel> free stuff", "&lt;!channel&gt; free stuff"},
		{"ping <@U123> & <!here>", "ping &lt;@U123&gt; &amp; &lt;!here&gt;"},
		{"<https://evil.example|click>", "&lt;https://evil.example|click&gt;"},
		{"@channel stays text", "@channel stays text"},
	}
	for _, tc := range tests {
		if got := escape(tc.in); got != tc.want {
			t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPlain(t *testing.T) {
	names := map[string]string{"U1": "alice"}
	tests := []struct{ in, want string }{
		{"hi <@U1>", "hi @alice"},
		{"hi <@U2|bob>", "hi @bob"},
		{"see <https://example.com|the docs> and <https://x.io>", "see the docs (https://example.com) and https://x.io"},
		{"<!channel> &lt;b&gt; &amp;", "@channel <b> &"},
		{"in <#C1|general>", "in #general"},
	}
	for _, tc := range tests {
		if got := plain(tc.in, func(id string) string { return names[id] }); got != tc.want {
			t.Errorf("plain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTextsAndVoice(t *testing.T) {
	reply := core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Alice", Title: "Support", Signature: "Alice @ Acme"}, Text: "Hi <there>", Edited: true}
	if got := texts(reply); len(got) != 1 || got[0] != "Hi &lt;there&gt;\n— Alice @ Acme _(edited)_" {
		t.Errorf("texts = %q", got)
	}
	long := strings.Repeat("word ", 2000)
	if got := texts(core.Outgoing{Kind: core.KindSystem, Text: long}); len(got) != 3 {
		t.Errorf("a 10,000-character text in %d parts", len(got))
	}
	if got := threadFor(core.Outgoing{Kind: core.KindReply, Place: core.Place{Chat: "C1"}, Anchor: "1.1"}); got != "1.1" {
		t.Errorf("reply in a shared channel goes to thread %q", got)
	}
	if got := threadFor(core.Outgoing{Kind: core.KindReply, Place: core.Place{Chat: "D1"}, Anchor: "1.1"}); got != "" {
		t.Errorf("reply in a DM goes to thread %q", got)
	}
}

func TestCommandsAsSlackRunsThem(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"an answer's commands", "Try /ideas, /ideas new, or /ideas planned.", "Try /cornershop ideas, /cornershop ideas new, or /cornershop ideas planned."},
		{"at the start and in parentheses", "/link ABC (/vote 3)", "/cornershop link ABC (/cornershop vote 3)"},
		{"not inside a path or a word", "see https://x.com/idea and and/or /ideasxyz", "see https://x.com/idea and and/or /ideasxyz"},
		{"not a command of ours", "/close", "/close"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := asSlash(tc.in); got != tc.want {
				t.Errorf("asSlash(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	notice := core.Outgoing{Kind: core.KindReply, Text: "Idea #1 is planned.\n\n(Send /ideas mute to stop news about ideas.)", Commands: []string{"/ideas mute"}}
	if got := texts(notice); len(got) != 1 || !strings.Contains(got[0], "Send /cornershop ideas mute to stop") {
		t.Errorf("notice hint on Slack = %q", got)
	}
}

// FuzzEscape: whatever a customer writes, the escaped text holds no
// control character of Slack markup, so it can never form <!channel>,
// <!here>, <@U…> or a link.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"<!channel>", "<@U123|x>", "&lt;!here&gt;", "<https://x|y>", "a & b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := escape(s)
		if strings.ContainsAny(out, "<>") {
			t.Fatalf("escape(%q) = %q still holds markup", s, out)
		}
		if plain(out, nil) != s {
			t.Fatalf("plain(escape(%q)) = %q, want the text back", s, plain(out, nil))
		}
	})
}
