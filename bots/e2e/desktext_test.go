package e2e_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/discord/discordfake"
	"cornershop/core"
	"cornershop/core/relay"
)

// deskView is everything a desk shows of a conversation's thread, read
// from the emulator: each post's text (with the speaker's name where the
// platform shows one), the thread's or topic's name, the files attached
// in it (their bytes) and how many posts it holds.
type deskView struct {
	texts []string
	names []string
	files []string
	posts int
}

// slackShows is how Slack displays its three escaped characters.
var slackShows = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

func viewDesk(t *testing.T, w *world, d desk, th core.Place) deskView {
	t.Helper()
	var v deskView
	switch d.(type) {
	case slDesk:
		for _, m := range w.sl.Messages(w.slDesk.ID, th.Thread) {
			v.posts++
			v.texts = append(v.texts, slackShows.Replace(m.Text), m.Blocks)
			v.names = append(v.names, m.Username)
			for _, id := range m.Files {
				if f, ok := w.sl.FileData(id); ok {
					v.files = append(v.files, string(f.Data))
					v.names = append(v.names, f.Name, f.Title)
				}
			}
		}
	case dcDesk:
		if ch, ok := w.dc.Channel(th.Thread); ok {
			v.names = append(v.names, ch.Name)
		}
		for _, m := range w.dc.Messages(th.Thread) {
			v.posts++
			v.texts = append(v.texts, discordfake.Unescape(m.Content))
			for _, e := range m.Embeds {
				v.texts = append(v.texts, e.Description)
			}
			v.names = append(v.names, m.Username)
			for name, data := range m.Files {
				v.files = append(v.files, string(data))
				v.names = append(v.names, name)
			}
		}
	case tgDesk:
		for _, tp := range w.tg.Topics(w.tgDesk.ID) {
			if strconv.Itoa(tp.ThreadID) == th.Thread {
				v.names = append(v.names, tp.Name)
			}
		}
		for _, m := range w.tg.Messages(w.tgDesk.ID, topic(th)) {
			v.posts++
			v.texts = append(v.texts, m.Text+m.Caption)
			if m.DocumentID != "" {
				if data, ok := w.tg.FileData(m.DocumentID); ok {
					v.files = append(v.files, string(data))
				}
			}
		}
	default:
		t.Fatalf("no view of a %T desk", d)
	}
	return v
}

func (v deskView) all() string {
	return strings.Join(append(append([]string{}, v.texts...), v.names...), "\n")
}

// TestDeskCopiesHideNothing: on each desk, a customer whose name holds
// zero-width and right-to-left override characters writes a Discord
// masked link, Slack link markup, a link drawn with Telegram's formatting
// (label only), a file name reversed by U+202E and a 100 KB text, then edits the long
// text. The desk shows the real URL and no link drawn over other text, the
// invisible characters as "[U+…]" markers in the text, the sender's name,
// the card and the thread's or topic's name, and of the 100 KB at most
// three posts, the rest named and attached whole as a file; the edit is
// cut the same way and points to !transcript. The record keeps every text
// as sent.
func TestDeskCopiesHideNothing(t *testing.T) {
	tests := []struct {
		name string
		desk func(*world) desk
	}{
		{"slack desk", func(w *world) desk { return slDesk{w} }},
		{"discord desk", func(w *world) desk { return dcDesk{w} }},
		{"telegram desk", func(w *world) desk { return tgDesk{w} }},
	}
	const (
		masked   = "[Your invoice](https://evil.example)"
		slackish = "<https://evil.example|Your invoice>"
		reversed = "refund \u202Egnp.exe"
	)
	long := "BEGIN-OF-LONG " + strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 1750) + "END-OF-LONG"
	edited := "EDITED-LONG " + strings.Repeat("Sed ut perspiciatis unde omnis iste natus error. ", 2000) + "EDITED-END"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.tgCust = w.tg.AddUser("Tess\u200B\u200D", "\u202Egnp.exe", "tess_rtl")
			c, d := tgCustomer{w}, tc.desk(w)
			s := bottest.Start(t, relay.Config{
				Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour,
				NotePrefix: "//", CommandPrefix: "!", Desks: []relay.Desk{{Name: "desk", Place: d.channel()}},
			}, w.platforms()...)

			c.writes(t, masked)
			var conv core.Conversation
			bottest.Eventually(t, wait, "the desk thread", func() bool {
				got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
				conv = got
				return ok && got.Desk.Thread != ""
			})
			th := conv.Desk
			c.writes(t, slackish)
			c.writes(t, reversed)
			// A link drawn with a Telegram client's formatting: label only.
			if _, err := w.tg.SendFormatted(w.tgCust.ID, 0, w.tgCust, `<a href="https://evil.example/tg">Your receipt</a>`); err != nil {
				t.Fatal(err)
			}
			bottest.Eventually(t, wait, "the three texts in the desk", func() bool {
				return strings.Contains(strings.Join(viewDesk(t, w, d, th).texts, "\n"), "Your receipt")
			})

			before := viewDesk(t, w, d, th).posts
			long := long
			m, err := w.tg.SendText(w.tgCust.ID, 0, w.tgCust, long)
			if err != nil {
				t.Fatal(err)
			}
			// Its desk copy is recorded once every part and the file landed.
			var refs int
			bottest.Eventually(t, 3*wait, "the long text's desk copy recorded", func() bool {
				refs = deskRefs(t, s, conv.ID, long)
				return refs > 0
			})
			v := viewDesk(t, w, d, th)
			if n := v.posts - before; n > 3 || refs > 3 {
				t.Errorf("the 100 KB text took %d posts (%d recorded), want at most 3", n, refs)
			}
			all := v.all()
			if strings.Contains(strings.Join(v.texts, "\n"), "END-OF-LONG") {
				t.Error("the desk shows the whole 100 KB text instead of its start")
			}
			if !strings.Contains(all, "more characters: the whole message is attached as message-") {
				t.Error("the cut copy does not say what is left out and where it is")
			}
			if whole := strings.Join(v.files, ""); !strings.Contains(whole, long) {
				t.Errorf("no file in the desk holds the whole text (%d files)", len(v.files))
			}

			// Masked links: the real URL is in view and no label hides it.
			for _, want := range []string{masked, "https://evil.example|Your invoice", "Your receipt (https://evil.example/tg)"} {
				if !strings.Contains(all, want) {
					t.Errorf("the desk does not show %q with its real URL", want)
				}
			}
			linkFree(t, w, d, th)

			// Invisible and direction-changing characters show as markers.
			if strings.ContainsAny(all, "\u202E") || strings.Contains(all, `\u202e`) || strings.Contains(all, "Tess\u200B") {
				t.Errorf("the desk shows the customer's raw U+202E or U+200B: %q", firstWith(v, "\u202E\u200B"))
			}
			for _, want := range []string{"refund [U+202E]gnp.exe", "Tess[U+200B][U+200D]"} {
				if !strings.Contains(all, want) {
					t.Errorf("the desk lacks %q", want)
				}
			}
			if d.platform() != core.Slack && !strings.Contains(strings.Join(v.names, "\n"), "[U+202E]gnp.exe") {
				t.Errorf("the thread's or topic's name lacks the marked name: %q", v.names)
			}

			// An edit of the long text is cut the same way.
			if err := w.tg.Edit(w.tgCust.ID, m.ID, edited); err != nil {
				t.Fatal(err)
			}
			bottest.Eventually(t, 3*wait, "the cut edit in the desk, saying where the rest is", func() bool {
				texts := strings.Join(viewDesk(t, w, d, th).texts, "\n")
				return strings.Contains(texts, "EDITED-LONG") && strings.Contains(texts, "!transcript sends the whole conversation as a file")
			})
			if strings.Contains(strings.Join(viewDesk(t, w, d, th).texts, "\n"), "EDITED-END") {
				t.Error("the edited copy is not cut")
			}

			// The record keeps what the customer sent.
			var recorded []string
			if err := s.Store.InTx(t.Context(), func(tx core.Tx) error {
				ms, err := tx.Messages(conv.ID)
				for _, m := range ms {
					if m.Direction == core.Inbound {
						recorded = append(recorded, m.Text)
					}
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if want := []string{masked, slackish, reversed, "Your receipt (https://evil.example/tg)", edited}; strings.Join(recorded, "\x00") != strings.Join(want, "\x00") {
				t.Errorf("recorded %d texts that differ from what was sent", len(recorded))
			}
		})
	}
}

func firstWith(v deskView, chars string) string {
	for _, s := range append(append([]string{}, v.texts...), v.names...) {
		if strings.ContainsAny(s, chars) {
			return s
		}
	}
	return ""
}

// deskRefs counts the desk posts recorded for the customer message text.
func deskRefs(t *testing.T, s *bottest.Stack, conv core.ConversationID, text string) int {
	t.Helper()
	n := 0
	if err := s.Store.InTx(t.Context(), func(tx core.Tx) error {
		ms, err := tx.Messages(conv)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Text == text {
				refs, err := tx.Refs(m.ID, core.DeskSide)
				n = len(refs)
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// linkFree fails when the desk draws a link over other text: a Discord
// masked link, Slack link markup in a bot post, a Telegram text_link.
func linkFree(t *testing.T, w *world, d desk, th core.Place) {
	t.Helper()
	switch d.(type) {
	case dcDesk:
		for _, m := range w.dc.Messages(th.Thread) {
			if links := discordfake.MaskedLinks(m.Content); len(links) > 0 {
				t.Errorf("Discord draws masked links %v", links)
			}
		}
	case slDesk:
		for _, m := range w.sl.BotMessages(w.slDesk.ID, th.Thread) {
			if strings.ContainsAny(m.Text, "<>") {
				t.Errorf("a Slack post holds markup: %.120q", m.Text)
			}
		}
	case tgDesk:
		for _, m := range w.tg.BotMessages(w.tgDesk.ID, topic(th)) {
			for _, e := range m.Entities {
				if e.Type == "text_link" {
					t.Errorf("a Telegram post has a text_link: %.120q", m.Text)
				}
			}
		}
	}
}
