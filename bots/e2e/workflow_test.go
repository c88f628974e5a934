package e2e_test

import (
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/relay"
)

const wait = 20 * time.Second

func anyContains(list []string, parts ...string) bool {
	for _, s := range list {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(s, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestStaffWorkflowAcrossPlatforms runs, for each desk platform with a
// customer on another platform: a note stays internal, a reply arrives in
// the staff member's voice, an edit is mirrored, a team reply shows the
// team, a non-staff member's command is refused, a command works, a failed
// delivery is reported in the desk with the platform's reason, and close
// closes.
func TestStaffWorkflowAcrossPlatforms(t *testing.T) {
	tests := []struct {
		name string
		cust func(*world) customer
		desk func(*world) desk
	}{
		{"telegram customer, slack desk", func(w *world) customer { return tgCustomer{w} }, func(w *world) desk { return slDesk{w} }},
		{"slack customer, discord desk", func(w *world) customer { return slCustomer{w} }, func(w *world) desk { return dcDesk{w} }},
		{"discord customer, telegram desk", func(w *world) customer { return dcCustomer{w} }, func(w *world) desk { return tgDesk{w} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			c, d := tc.cust(w), tc.desk(w)
			alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin", Title: "Support", AvatarURL: "https://example.com/alice.png"},
				Roles: []core.Role{core.RoleAgent}, Identities: map[core.PlatformName]string{d.platform(): d.staffID()}}
			s := bottest.Start(t, relay.Config{
				Team: core.Voice{Name: "Acme Support", AvatarURL: "https://example.com/acme.png", Team: true}, ReopenWindow: time.Hour,
				NotePrefix: "//", CommandPrefix: "!", Desks: []relay.Desk{{Name: "desk", Place: d.channel()}}, Staff: []core.Staff{alice},
			}, w.platforms()...)

			c.writes(t, "Hello, I need help with my invoice")
			var conv core.Conversation
			bottest.Eventually(t, wait, "the desk thread", func() bool {
				got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
				conv = got
				return ok && got.Desk.Thread != ""
			})
			th := conv.Desk
			bottest.Eventually(t, wait, "the customer's message in the desk", func() bool { return strings.Contains(d.says(t, th), "Hello, I need help with my invoice") })

			d.staffWrites(t, th, "// internal: check the refund policy")
			id := d.staffWrites(t, th, "We are on it")
			bottest.Eventually(t, wait, "the reply in Alice's voice", func() bool { return anyContains(c.sees(t), "We are on it", "Alice Martin") })

			d.staffEdits(t, th, id, "We are on it right now")
			bottest.Eventually(t, wait, "the edit mirrored", func() bool { return anyContains(c.sees(t), "We are on it right now") })

			d.staffWrites(t, th, "!team Thanks for waiting")
			bottest.Eventually(t, wait, "the team reply", func() bool { return anyContains(c.sees(t), "Thanks for waiting", "Acme Support") })
			if anyContains(c.sees(t), "Thanks for waiting", "Alice") {
				t.Error("a team reply showed Alice")
			}

			d.strangerWrites(t, th, "!close")
			bottest.Eventually(t, wait, "the refusal of a non-staff command", func() bool { return strings.Contains(d.says(t, th), "not on the staff list") })
			d.staffWrites(t, th, "!assign me")
			bottest.Eventually(t, wait, "the assignment", func() bool { return strings.Contains(d.says(t, th), "Assigned to Alice Martin") })
			if got, _ := s.Conversation(t, c.platform(), c.userID(), c.place()); got.Status == core.StatusClosed || got.Assignee != "alice" {
				t.Errorf("conversation = %s assigned to %q, want open and Alice's", got.Status, got.Assignee)
			}

			c.breakNext()
			d.staffWrites(t, th, "Are you still there?")
			bottest.Eventually(t, wait, "the failure receipt in the desk", func() bool { return strings.Contains(d.says(t, th), "Not delivered at the customer") })

			d.staffWrites(t, th, "!close")
			bottest.Eventually(t, wait, "the close", func() bool {
				got, _ := s.Conversation(t, c.platform(), c.userID(), c.place())
				return got.Status == core.StatusClosed
			})
			if anyContains(c.sees(t), "internal") || anyContains(c.sees(t), "!assign") {
				t.Errorf("the customer saw desk-only text: %q", c.sees(t))
			}
		})
	}
}

// TestLinkByCodeAcrossPlatforms: a customer asks for a code on Telegram
// and sends it from Discord; both accounts are then one contact.
func TestLinkByCodeAcrossPlatforms(t *testing.T) {
	w := newWorld(t)
	d := slDesk{w}
	s := bottest.Start(t, relay.Config{Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Desks: []relay.Desk{{Name: "desk", Place: d.channel()}}}, w.platforms()...)
	tg, dc := tgCustomer{w}, dcCustomer{w}
	tg.writes(t, "/link")
	var code string
	bottest.Eventually(t, wait, "a link code on Telegram", func() bool {
		for _, m := range tg.sees(t) {
			if i := strings.Index(m, "link code is "); i >= 0 {
				code = m[i+len("link code is ") : i+len("link code is ")+6]
				return true
			}
		}
		return false
	})
	dc.writes(t, "/link "+code)
	bottest.Eventually(t, wait, "the confirmation on Discord", func() bool { return anyContains(dc.sees(t), "Linked!") })
	var tgContact, dcContact core.ContactID
	if err := s.Store.InTx(t.Context(), func(tx core.Tx) error {
		a, err := tx.ContactByIdentity(core.Telegram, tg.userID())
		if err != nil {
			return err
		}
		b, err := tx.ContactByIdentity(core.Discord, dc.userID())
		tgContact, dcContact = a.ID, b.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if tgContact != dcContact {
		t.Errorf("after /link the accounts belong to contacts %d and %d, want one", tgContact, dcContact)
	}
}

// TestUndoAcrossPlatforms: with an undo window, !undo takes a reply back
// and the customer receives nothing; the next reply leaves after the window.
func TestUndoAcrossPlatforms(t *testing.T) {
	w := newWorld(t)
	c, d := tgCustomer{w}, dcDesk{w}
	alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin"}, Roles: []core.Role{core.RoleAgent}, Identities: map[core.PlatformName]string{core.Discord: d.staffID()}}
	s := bottest.Start(t, relay.Config{Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		UndoWindow: time.Second, Desks: []relay.Desk{{Name: "desk", Place: d.channel()}}, Staff: []core.Staff{alice}}, w.platforms()...)
	bottest.Eventually(t, wait, "the Discord gateway", func() bool { return w.dc.Sessions() == 1 })
	c.writes(t, "hi")
	var conv core.Conversation
	bottest.Eventually(t, wait, "the desk thread", func() bool {
		got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
		conv = got
		return ok && got.Desk.Thread != ""
	})
	d.staffWrites(t, conv.Desk, "Wrong customer, sorry")
	d.staffWrites(t, conv.Desk, "!undo")
	bottest.Eventually(t, wait, "the undo confirmed", func() bool { return strings.Contains(d.says(t, conv.Desk), "Taken back") })
	d.staffWrites(t, conv.Desk, "The right answer")
	bottest.Eventually(t, wait, "the next reply after the window", func() bool { return anyContains(c.sees(t), "The right answer") })
	if anyContains(c.sees(t), "Wrong customer") {
		t.Errorf("the undone reply reached the customer: %q", c.sees(t))
	}
}

// TestNoteModeDesk: in a desk in note mode, plain messages stay internal and
// !reply sends.
func TestNoteModeDesk(t *testing.T) {
	w := newWorld(t)
	c, d := slCustomer{w}, tgDesk{w}
	alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin"}, Roles: []core.Role{core.RoleAgent}, Identities: map[core.PlatformName]string{core.Telegram: d.staffID()}}
	s := bottest.Start(t, relay.Config{Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Desks: []relay.Desk{{Name: "desk", Place: d.channel(), NoteMode: true}}, Staff: []core.Staff{alice}}, w.platforms()...)
	c.writes(t, "hello")
	var conv core.Conversation
	bottest.Eventually(t, wait, "the desk thread", func() bool {
		got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
		conv = got
		return ok && got.Desk.Thread != ""
	})
	d.staffWrites(t, conv.Desk, "thinking out loud, not for the customer")
	d.staffWrites(t, conv.Desk, "!reply Hi Dana, here is the answer")
	bottest.Eventually(t, wait, "the explicit reply", func() bool { return anyContains(c.sees(t), "here is the answer", "Alice Martin") })
	if anyContains(c.sees(t), "thinking out loud") {
		t.Errorf("a plain message in note mode reached the customer: %q", c.sees(t))
	}
}
