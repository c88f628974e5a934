package relay_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"cornershop/core"
)

func lastDeskText(e *env, conv core.Conversation) string {
	ps := texts(e.desk.Posts(conv.Desk))
	if len(ps) == 0 {
		return ""
	}
	return ps[len(ps)-1]
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name     string
		user     string
		lines    []string
		wantSay  string // in the last desk post
		check    func(t *testing.T, c core.Conversation)
		audit    string // an action expected in the audit log ("" for none)
		noChange bool   // the conversation must be unchanged
	}{
		{name: "assign me", user: "U-ALICE", lines: []string{"!assign me"}, wantSay: "Assigned to Alice Martin",
			check: func(t *testing.T, c core.Conversation) { wantEq(t, "assignee", string(c.Assignee), "alice") }, audit: "assign"},
		{name: "assign by name", user: "U-ALICE", lines: []string{"!assign @bob"}, wantSay: "Assigned to Bob Stone",
			check: func(t *testing.T, c core.Conversation) { wantEq(t, "assignee", string(c.Assignee), "bob") }, audit: "assign"},
		{name: "assign nobody known", user: "U-ALICE", lines: []string{"!assign zed"}, wantSay: "No staff member matches", noChange: true},
		{name: "unassign", user: "U-ALICE", lines: []string{"!assign me", "!unassign"}, wantSay: "Unassigned",
			check: func(t *testing.T, c core.Conversation) { wantEq(t, "assignee", string(c.Assignee), "") }, audit: "unassign"},
		{name: "tag and untag", user: "U-ALICE", lines: []string{"!tag billing, #VIP refund", "!untag refund"}, wantSay: "Tags: billing, vip",
			check: func(t *testing.T, c core.Conversation) {
				if !slices.Equal(c.Tags, []string{"billing", "vip"}) {
					t.Errorf("tags = %q", c.Tags)
				}
			}, audit: "untag"},
		{name: "priority", user: "U-ALICE", lines: []string{"!priority urgent"}, wantSay: "Priority urgent",
			check: func(t *testing.T, c core.Conversation) { wantEq(t, "priority", c.Priority, 2) }, audit: "priority"},
		{name: "priority nonsense", user: "U-ALICE", lines: []string{"!priority whenever"}, wantSay: "Usage: !priority", noChange: true},
		{name: "block needs moderator", user: "U-ALICE", lines: []string{"!block spam"}, wantSay: "needs the moderator role", noChange: true},
		{name: "block by moderator", user: "U-BOB", lines: []string{"!block spam"}, wantSay: "Contact blocked by Bob Stone"},
		{name: "audit needs moderator", user: "U-ALICE", lines: []string{"!audit"}, wantSay: "needs the moderator role"},
		{name: "audit lists actions", user: "U-BOB", lines: []string{"!assign me", "!tag x", "!audit"}, wantSay: "staff:bob tag"},
		{name: "history", user: "U-ALICE", lines: []string{"!history"}, wantSay: "none — this is the first"},
		{name: "transcript", user: "U-ALICE", lines: []string{"!transcript"}, wantSay: "(inbound): hi"},
		{name: "card", user: "U-ALICE", lines: []string{"!tag gold", "!card"}, wantSay: "Tags: gold"},
		{name: "card shows when the customer last wrote", user: "U-ALICE", lines: []string{"!card"}, wantSay: "Last wrote 24 Nov 2026 09:00 UTC"},
		{name: "profile set", user: "U-ALICE", lines: []string{"!profile plan Pro yearly", "!card"}, wantSay: "plan: Pro yearly"},
		{name: "profile removed", user: "U-ALICE", lines: []string{"!profile plan Pro", "!profile plan", "!profile"}, wantSay: "Profile: empty."},
		{name: "help lists commands", user: "U-ALICE", lines: []string{"!help"}, wantSay: "!snooze"},
		{name: "unknown", user: "U-ALICE", lines: []string{"!frobnicate"}, wantSay: `Unknown command "frobnicate"`, noChange: true},
		{name: "non-staff cannot command", user: "U-MALLORY", lines: []string{"!close"}, wantSay: "not on the staff list", noChange: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.customer("hi")
			e.drain()
			before := e.conversation()
			for _, l := range tc.lines {
				e.staff(before.Desk, tc.user, l)
				e.drain()
			}
			if got := lastDeskText(e, before); !strings.Contains(got, tc.wantSay) {
				t.Errorf("desk says %q, want %q in it", got, tc.wantSay)
			}
			after := e.conversation()
			if tc.check != nil {
				tc.check(t, after)
			}
			if tc.noChange && (after.Status != before.Status || after.Assignee != before.Assignee || after.Priority != before.Priority || len(after.Tags) != len(before.Tags)) {
				t.Errorf("conversation changed: %+v -> %+v", before, after)
			}
			if got := e.cust.Posts(after.Customer); len(got) != 0 {
				t.Errorf("a command reached the customer: %q", texts(got))
			}
			if tc.audit != "" {
				var found bool
				e.inTx(func(tx core.Tx) error {
					es, err := tx.AuditEntries(after.ID.String(), 50)
					for _, x := range es {
						found = found || x.Action == tc.audit
					}
					return err
				})
				if !found {
					t.Errorf("no %q entry in the audit log", tc.audit)
				}
			}
		})
	}
}

func TestBlockedContactNotShownInDesk(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-BOB", "!block abuse")
	e.drain()
	n := len(e.desk.Posts(conv.Desk))
	e.customer("more abuse")
	e.drain()
	if got := len(e.desk.Posts(conv.Desk)); got != n {
		t.Errorf("a blocked contact's message reached the desk (%d posts, had %d)", got, n)
	}
}

func TestSnoozeReturnsWithNote(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-ALICE", "!snooze 2h")
	e.drain()
	if c := e.conversation(); c.Status != core.StatusWaiting {
		t.Fatalf("status after snooze = %s, want waiting", c.Status)
	}
	e.clock.Add(2*time.Hour - time.Second)
	e.drain()
	if c := e.conversation(); c.Status != core.StatusWaiting {
		t.Fatalf("woke a second early: %s", c.Status)
	}
	e.clock.Add(time.Second)
	e.drain()
	if c := e.conversation(); c.Status != core.StatusOpen {
		t.Fatalf("status after the snooze = %s, want open", c.Status)
	}
	if got := lastDeskText(e, conv); !strings.Contains(got, "Snooze over") {
		t.Errorf("desk says %q, want the snooze note", got)
	}
}

func TestNativeActionRunsCommand(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	res, err := e.svc.Act(context.Background(), core.ActionEvent{Place: conv.Desk, Sender: core.Sender{UserID: "U-ALICE"}, Name: "close"})
	if err != nil || !strings.Contains(res.Text, "Closed") {
		t.Fatalf("Act(close) = %q, %v", res.Text, err)
	}
	if c := e.conversation(); c.Status != core.StatusClosed {
		t.Errorf("status = %s, want closed", c.Status)
	}
	res, err = e.svc.Act(context.Background(), core.ActionEvent{Place: conv.Desk, Sender: core.Sender{UserID: "U-MALLORY"}, Name: "reopen"})
	if err != nil || res.Text != "Only staff can do that." {
		t.Errorf("Act by non-staff = %q, %v", res.Text, err)
	}
}

func wantEq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func (e *env) inTx(fn func(tx core.Tx) error) {
	e.t.Helper()
	if err := e.store.InTx(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}
