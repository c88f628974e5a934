package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/relay"
)

// moreTags is how a card says how many tags it left out.
var moreTags = regexp.MustCompile(`and (\d+) more tags?`)

// cardSays is everything a desk's contact card of conv shows, as its
// platform keeps it.
func cardSays(t *testing.T, w *world, d desk, conv core.Conversation) string {
	t.Helper()
	switch d.platform() {
	case core.Telegram:
		for _, m := range w.tg.BotMessages(w.tgDesk.ID, topic(conv.Desk)) {
			if strconv.Itoa(m.ID) == conv.DeskCard {
				return m.Text
			}
		}
	case core.Slack:
		for _, m := range w.sl.Messages(w.slDesk.ID, conv.DeskCard) {
			if m.TS == conv.DeskCard {
				return m.Text + "\n" + m.Blocks
			}
		}
	case core.Discord:
		for _, m := range w.dc.Messages(w.dcDesk.ID) {
			if m.ID == conv.DeskCard {
				b, err := json.Marshal(m.Embeds)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
		}
	}
	return ""
}

// channelSays is everything the bot posted in a desk's channel itself,
// outside any thread (Telegram: the General topic).
func channelSays(w *world, d desk) string {
	var b strings.Builder
	switch d.platform() {
	case core.Telegram:
		for _, m := range w.tg.BotMessages(w.tgDesk.ID, 0) {
			b.WriteString(m.Text + "\n")
		}
	case core.Slack:
		for _, m := range w.sl.BotMessages(w.slDesk.ID, "") {
			if m.ThreadTS == "" {
				b.WriteString(m.Text + "\n")
			}
		}
	case core.Discord:
		for _, m := range w.dc.Messages(w.dcDesk.ID) {
			b.WriteString(m.Content + "\n")
		}
	}
	return b.String()
}

// seedBigContact records, before they write, the contact behind c with
// issue #26's worst profile: 10 linked accounts (long handles) and 25
// long profile fields.
func seedBigContact(t *testing.T, s *bottest.Stack, c customer) {
	t.Helper()
	err := s.Store.InTx(context.Background(), func(tx core.Tx) error {
		contact := core.Contact{Name: "Maximilian Bigprofile", CreatedAt: time.Now(),
			Identities: []core.Identity{{Platform: c.platform(), UserID: c.userID(), Name: "Maximilian Bigprofile"}}}
		for i := range 9 {
			contact.Identities = append(contact.Identities, core.Identity{Platform: []core.PlatformName{core.Slack, core.Discord, core.Telegram}[i%3],
				UserID: fmt.Sprint("linked-", i), Handle: fmt.Sprint("linked", i, "_", strings.Repeat("h", 180))})
		}
		if err := tx.CreateContact(&contact); err != nil {
			return err
		}
		for i := range 25 {
			f := core.Field{Key: fmt.Sprintf("field %02d %s", i, strings.Repeat("k", 190)), Value: strings.Repeat("Ünïcödé & <value> 😀 ", 45)}
			if err := tx.SetContactField(contact.ID, f, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed contact: %v", err)
	}
}

// TestBigContactGetsAReadableCardOnEveryDesk (issue #26): a contact with
// 25 long profile fields, 10 linked accounts and then 200 tags gets a
// desk thread and a readable card on a Telegram, a Slack and a Discord
// desk — real clients against the emulators, which refuse what the
// platforms refuse — and the card, edited with the tags, says what it
// left out instead of failing.
func TestBigContactGetsAReadableCardOnEveryDesk(t *testing.T) {
	tests := []struct {
		name string
		cust func(*world) customer
		desk func(*world) desk
	}{
		{"telegram desk", func(w *world) customer { return dcCustomer{w} }, func(w *world) desk { return tgDesk{w} }},
		{"slack desk", func(w *world) customer { return tgCustomer{w} }, func(w *world) desk { return slDesk{w} }},
		{"discord desk", func(w *world) customer { return slCustomer{w} }, func(w *world) desk { return dcDesk{w} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			c, d := tc.cust(w), tc.desk(w)
			alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin"}, Roles: []core.Role{core.RoleAgent},
				Identities: map[core.PlatformName]string{d.platform(): d.staffID()}}
			s := bottest.Start(t, relay.Config{Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour,
				NotePrefix: "//", CommandPrefix: "!", Desks: []relay.Desk{{Name: "desk", Place: d.channel()}}, Staff: []core.Staff{alice}}, w.platforms()...)
			seedBigContact(t, s, c)

			c.writes(t, "Hello from a very big profile")
			var conv core.Conversation
			bottest.Eventually(t, wait, "the desk thread", func() bool {
				got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
				conv = got
				return ok && got.Desk.Thread != ""
			})
			bottest.Eventually(t, wait, "the message in the thread", func() bool { return strings.Contains(d.says(t, conv.Desk), "Hello from a very big profile") })
			card := cardSays(t, w, d, conv)
			for _, want := range []string{"Maximilian Bigprofile", "field 00", "more fields", "linked0"} {
				if !strings.Contains(card, want) {
					t.Errorf("the card lacks %q:\n%.3000s", want, card)
				}
			}

			tags := make([]string, 200)
			for i := range tags {
				tags[i] = fmt.Sprintf("customer-tag-%03d", i)
			}
			// Two commands: a Discord user's message holds 2,000 characters.
			d.staffWrites(t, conv.Desk, "!tag "+strings.Join(tags[:100], " "))
			d.staffWrites(t, conv.Desk, "!tag "+strings.Join(tags[100:], " "))
			defer func() {
				if t.Failed() {
					t.Logf("the thread says:\n%s\nthe card:\n%.2000s", d.says(t, conv.Desk), cardSays(t, w, d, conv))
				}
			}()
			bottest.Eventually(t, wait, "the card edited with the tags", func() bool {
				card = cardSays(t, w, d, conv)
				m := moreTags.FindStringSubmatch(card)
				if m == nil {
					return false
				}
				left, _ := strconv.Atoi(m[1])
				return strings.Count(card, "customer-tag-")+left == len(tags) // all 200 shown or counted
			})
			if strings.Contains(d.says(t, conv.Desk), "Not delivered") || strings.Contains(channelSays(w, d), "no desk thread") {
				t.Errorf("a delivery failed:\n%s", d.says(t, conv.Desk))
			}
		})
	}
}

// TestRefusedThreadFallsBackToTheDeskChannel (issue #26): when a desk
// refuses the thread for good — Telegram: the bot may not create topics;
// Slack: the card's post fails for good; Discord: the bot may not start
// threads there — the customer's message is still posted in the desk
// channel, naming the customer and carrying the text. Their next message
// tries the thread again: where the refusal lasts it goes to the channel
// too; where it passed (Slack) the thread opens and the message is there.
func TestRefusedThreadFallsBackToTheDeskChannel(t *testing.T) {
	tests := []struct {
		name   string
		cust   func(*world) customer
		desk   func(*world) desk
		refuse func(*world)
		heals  bool // the refusal passes before the next message
	}{
		{"telegram desk", func(w *world) customer { return dcCustomer{w} }, func(w *world) desk { return tgDesk{w} },
			func(w *world) {
				if err := w.tg.SetMemberStatus(w.tgDesk.ID, w.tg.Bot().ID, "member"); err != nil {
					t.Fatal(err)
				}
			}, false},
		// The opening's post and the retry with the next message: two
		// calls refused for good; the plain post after them goes through.
		{"slack desk", func(w *world) customer { return tgCustomer{w} }, func(w *world) desk { return slDesk{w} },
			func(w *world) { w.sl.FailNext("chat.postMessage", 2, 404) }, true},
		{"discord desk", func(w *world) customer { return slCustomer{w} }, func(w *world) desk { return dcDesk{w} },
			func(w *world) { w.dc.DenyThreads(w.dcDesk.ID) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			c, d := tc.cust(w), tc.desk(w)
			s := bottest.Start(t, relay.Config{Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour,
				NotePrefix: "//", CommandPrefix: "!", Desks: []relay.Desk{{Name: "desk", Place: d.channel()}}}, w.platforms()...)
			tc.refuse(w)
			c.writes(t, "Please help, order 4711 is lost")
			bottest.Eventually(t, wait, "the message in the desk channel", func() bool {
				return strings.Contains(channelSays(w, d), "Please help, order 4711 is lost")
			})
			said := channelSays(w, d)
			if !strings.Contains(said, "no desk thread could be opened") || !strings.Contains(said, "conversation #") {
				t.Errorf("the desk channel does not say whose message it is or why:\n%s", said)
			}
			conv, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
			if !ok || conv.Desk.Thread != "" {
				t.Fatalf("conversation = %+v, %v; want one without a thread", conv, ok)
			}
			c.writes(t, "Hello again")
			if tc.heals {
				bottest.Eventually(t, wait, "the thread opened with the next message", func() bool {
					got, _ := s.Conversation(t, c.platform(), c.userID(), c.place())
					return got.Desk.Thread != "" && strings.Contains(d.says(t, got.Desk), "Hello again")
				})
				return
			}
			bottest.Eventually(t, wait, "the next message in the desk channel", func() bool {
				return strings.Contains(channelSays(w, d), "Hello again")
			})
		})
	}
}

// TestCardSaysTheRetentionPolicy: with privacy.retention on, the contact
// card on every desk platform says the policy; with it off, it says none.
func TestCardSaysTheRetentionPolicy(t *testing.T) {
	tests := []pair{
		{"telegram desk", func(w *world) customer { return dcCustomer{w} }, func(w *world) desk { return tgDesk{w} }},
		{"slack desk", func(w *world) customer { return tgCustomer{w} }, func(w *world) desk { return slDesk{w} }},
		{"discord desk", func(w *world) customer { return slCustomer{w} }, func(w *world) desk { return dcDesk{w} }},
	}
	const policy = "Closed conversations are erased after 365 days."
	for _, tc := range tests {
		for _, on := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, retention %v", tc.name, on), func(t *testing.T) {
				w := newWorld(t)
				c, d := tc.cust(w), tc.desk(w)
				cfg := adminConfig(d)
				if on {
					cfg.Privacy.Retention = 365 * 24 * time.Hour
				}
				s := bottest.Start(t, cfg, w.platforms()...)
				c.writes(t, "what do you keep?")
				var conv core.Conversation
				bottest.Eventually(t, wait, "the desk thread", func() bool {
					got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
					conv = got
					return ok && got.Desk.Thread != "" && got.DeskCard != ""
				})
				bottest.Eventually(t, wait, "the card", func() bool { return cardSays(t, w, d, conv) != "" })
				if got := cardSays(t, w, d, conv); strings.Contains(got, policy) != on {
					t.Errorf("card (retention %v) = %s; want the policy %v", on, got, on)
				}
			})
		}
	}
}
