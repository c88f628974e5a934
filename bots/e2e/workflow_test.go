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
