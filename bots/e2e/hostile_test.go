package e2e_test

import (
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/relay"
)

// pingFree fails when anything the bots posted on any platform would
// notify someone: a Discord mention the emulator would deliver, a Slack
// control sequence, a Telegram mention entity.
func pingFree(t *testing.T, w *world) {
	t.Helper()
	if p := w.dc.Pings(); len(p) != 0 {
		t.Errorf("Discord pinged %v", p)
	}
	for _, ch := range []string{w.slDesk.ID, w.slShared.ID} {
		for _, m := range w.sl.Messages(ch, "") {
			if m.BotID != "" && strings.ContainsAny(m.Text, "<>") {
				t.Errorf("a Slack post holds markup: %.120q", m.Text)
			}
		}
	}
	for _, chat := range []int64{w.tgDesk.ID, w.tgCust.ID} {
		for _, topic := range append([]int{0}, topicIDs(w, chat)...) {
			for _, m := range w.tg.BotMessages(chat, topic) {
				for _, e := range m.Entities {
					if e.Type == "mention" || e.Type == "text_mention" || e.Type == "text_link" || e.Type == "bot_command" {
						t.Errorf("a Telegram post has a %s entity: %.120q", e.Type, m.Text)
					}
				}
			}
		}
	}
}

func topicIDs(w *world, chat int64) []int {
	var ids []int
	for _, tp := range w.tg.Topics(chat) {
		ids = append(ids, tp.ThreadID)
	}
	return ids
}

// TestHostileTextOverTheWire: for each desk platform, with a customer on
// another, a customer's mentions and markup of every platform arrive in
// the desk and ping nobody, and a 100 KB text shows its start there with
// the whole attached as a file (TestDeskCopiesHideNothing has the rest); the
// staff's own hostile text and 100 KB answer reach the customer the same
// way; a customer's "!close" and "// note" stay text; and after a
// moderator blocks the contact, nothing they write reaches the desk.
func TestHostileTextOverTheWire(t *testing.T) {
	tests := []struct {
		name string
		cust func(*world) customer
		desk func(*world) desk
	}{
		{"telegram customer, slack desk", func(w *world) customer { return tgCustomer{w} }, func(w *world) desk { return slDesk{w} }},
		{"slack customer, discord desk", func(w *world) customer { return slCustomer{w} }, func(w *world) desk { return dcDesk{w} }},
		{"discord customer, telegram desk", func(w *world) customer { return dcCustomer{w} }, func(w *world) desk { return tgDesk{w} }},
	}
	mentions := "@everyone @here <!channel> <!here> <@U00001> <@123456789012345678> <@&42> @alice /close <b>bold</b> **x**"
	long := "BEGIN-OF-LONG " + strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 1750) + "END-OF-LONG"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			c, d := tc.cust(w), tc.desk(w)
			bob := core.Staff{ID: "bob", Voice: core.Voice{Name: "Bob Stone", Title: "Moderator"},
				Roles: []core.Role{core.RoleAgent, core.RoleModerator}, Identities: map[core.PlatformName]string{d.platform(): d.staffID()}}
			s := bottest.Start(t, relay.Config{
				Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour,
				NotePrefix: "//", CommandPrefix: "!", Desks: []relay.Desk{{Name: "desk", Place: d.channel()}}, Staff: []core.Staff{bob},
			}, w.platforms()...)

			c.writes(t, "hello "+mentions)
			var conv core.Conversation
			bottest.Eventually(t, wait, "the desk thread", func() bool {
				got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
				conv = got
				return ok && got.Desk.Thread != ""
			})
			th := conv.Desk
			bottest.Eventually(t, wait, "the customer's mentions in the desk", func() bool { return strings.Contains(d.says(t, th), "hello") })
			if c.platform() != core.Discord { // Discord members cannot send 2,000+ characters
				c.writes(t, long)
			}
			bottest.Eventually(t, 3*wait, "the 100 KB text's start in the desk, the whole attached", func() bool {
				if c.platform() == core.Discord {
					return true
				}
				says := d.says(t, th)
				return strings.Contains(says, "BEGIN-OF-LONG") && !strings.Contains(says, "END-OF-LONG") &&
					strings.Contains(says, "the whole message is attached") && strings.Contains(strings.Join(viewDesk(t, w, d, th).files, ""), long)
			})
			c.writes(t, "!close")
			c.writes(t, "// not a note")
			bottest.Eventually(t, wait, "the customer's commands shown as text", func() bool { return strings.Contains(d.says(t, th), "not a note") })
			if got, _ := s.Conversation(t, c.platform(), c.userID(), c.place()); got.Status == core.StatusClosed {
				t.Error("a customer's !close closed the conversation")
			}

			d.staffWrites(t, th, "answer "+mentions)
			if d.platform() != core.Discord {
				d.staffWrites(t, th, long)
			}
			bottest.Eventually(t, 3*wait, "the staff's 100 KB answer whole at the customer", func() bool {
				seen := strings.Join(c.sees(t), "\n")
				if d.platform() == core.Discord {
					return strings.Contains(seen, "answer")
				}
				return strings.Contains(seen, "answer") && strings.Contains(seen, "BEGIN-OF-LONG") && strings.Contains(seen, "END-OF-LONG") &&
					strings.Count(seen, "Lorem ipsum") == 1750
			})
			pingFree(t, w)

			d.staffWrites(t, th, "!block spam")
			bottest.Eventually(t, wait, "the block confirmed", func() bool { return strings.Contains(d.says(t, th), "blocked") })
			c.writes(t, "BLOCKED-CONTACT-WRITES")
			c.writes(t, "and again")
			// The relay records a blocked contact's messages and queues
			// nothing for them: once the last is recorded, look.
			bottest.Eventually(t, wait, "the blocked contact's messages recorded", func() bool {
				var found bool
				_ = s.Store.InTx(t.Context(), func(tx core.Tx) error {
					ms, err := tx.Messages(conv.ID)
					for _, m := range ms {
						found = found || m.Text == "and again"
					}
					return err
				})
				return found
			})
			if after := d.says(t, th); strings.Contains(after, "BLOCKED-CONTACT-WRITES") || strings.Contains(after, "and again") {
				t.Errorf("a blocked contact's message reached the desk")
			}
		})
	}
}
