package telegram

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"cornershop/core"
)

func TestRender(t *testing.T) {
	alice := core.Voice{Name: "Alice <Admin>", Title: "Support & Care"}
	tests := []struct {
		name string
		m    core.Outgoing
		want string
	}{
		{"reply signed and escaped", core.Outgoing{Kind: core.KindReply, Voice: alice, Text: "Use <b>bold</b> & @everyone"},
			"<b>Alice &lt;Admin&gt;</b> · <i>Support &amp; Care</i>\nUse &lt;b&gt;bold&lt;/b&gt; &amp; @\u2060everyone"},
		{"team voice has no title", core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Acme", Title: "x", Team: true}, Text: "Hi"},
			"<b>Acme</b>\nHi"},
		{"customer copy names the customer", core.Outgoing{Kind: core.KindCustomerCopy, From: core.Identity{Platform: core.Slack, Name: "Carla", Handle: "carla"}, Text: "help"},
			"<b>Carla</b> (@\u2060carla) · slack\nhelp"},
		{"a telegram customer's handle stays a mention", core.Outgoing{Kind: core.KindCustomerCopy, From: core.Identity{Platform: core.Telegram, Name: "Tess", Handle: "tess"}, Text: "ask @alice or /close"},
			"<b>Tess</b> (@tess)\nask @\u2060alice or /\u2060close"},
		{"our own command hint stays tappable, no other", core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Bo"},
			Text: "Idea \"/start over\" is planned.\n\n(Send /ideas mute to stop news about ideas.)", Commands: []string{"/ideas mute"}},
			"<b>Bo</b>\nIdea \"/\u2060start over\" is planned.\n\n(Send /ideas mute to stop news about ideas.)"},
		{"system text plain", core.Outgoing{Kind: core.KindSystem, Text: "⚠️ <not delivered>"}, "⚠️ &lt;not delivered&gt;"},
		{"edited marked", core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Bo"}, Text: "fixed", Edited: true}, "<b>Bo</b>\nfixed <i>(edited)</i>"},
		{"deleted struck", core.Outgoing{Kind: core.KindCustomerCopy, From: core.Identity{Name: "C"}, Text: "oops", Deleted: true}, "<b>C</b>\n🗑 <s>oops</s> <i>(deleted)</i>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := render(tc.m)
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("render = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRenderLongTextFitsTelegram(t *testing.T) {
	text := strings.Repeat("Une phrase assez longue pour remplir. ", 400)
	parts := render(core.Outgoing{Kind: core.KindReply, Voice: core.Voice{Name: "Alice", Title: "Support"}, Text: text})
	if len(parts) < 4 {
		t.Fatalf("%d parts for %d characters", len(parts), len(text))
	}
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n > maxText {
			t.Errorf("part %d has %d characters", i, n)
		}
	}
	if !strings.HasPrefix(parts[0], "<b>Alice</b>") || strings.Contains(parts[1], "<b>Alice</b>") {
		t.Error("the signature must head the first part only")
	}
}

func TestTopicName(t *testing.T) {
	long := strings.Repeat("N", 200)
	if got := topicName(core.ContactCard{Name: long, Status: core.StatusOpen, Customer: core.Place{Platform: core.Discord}}); utf8.RuneCountInString(got) > 128 {
		t.Errorf("topic name has %d characters", utf8.RuneCountInString(got))
	}
	if got := topicName(core.ContactCard{Name: "Carla", Status: core.StatusClosed, Customer: core.Place{Platform: core.Telegram}}); got != "✅ Carla · telegram" {
		t.Errorf("topicName = %q", got)
	}
}

func TestReactionFor(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"✅", "👌", true},
		{"❤️", "❤", true},
		{"👍", "👍", true},
		{"🧀", "", false},
	}
	for _, tc := range tests {
		if got, ok := reactionFor(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("reactionFor(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCardShowsProfileEscaped(t *testing.T) {
	card := cardHTML(core.ContactCard{Name: "Carla <3", Status: core.StatusOpen, Profile: []core.Field{{Key: "plan", Value: "Pro & more"}},
		Since: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)})
	for _, want := range []string{"<b>Carla &lt;3</b>", "plan: Pro &amp; more", "Customer since 1 Mar 2025"} {
		if !strings.Contains(card, want) {
			t.Errorf("card %q lacks %q", card, want)
		}
	}
}
