package relay_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/relay"
)

func withUndo(d time.Duration) func(*relay.Config) {
	return func(c *relay.Config) { c.UndoWindow = d }
}

func TestUndoWindow(t *testing.T) {
	tests := []struct {
		name         string
		lines        []string
		wait         time.Duration
		wantCustomer []string
	}{
		{name: "undo cancels", lines: []string{"Wrong answer", "!undo"}, wait: time.Minute},
		{name: "sent after the window", lines: []string{"Right answer"}, wait: 10 * time.Second, wantCustomer: []string{"Right answer"}},
		{name: "undo takes the newest", lines: []string{"keep me", "drop me", "!undo"}, wait: time.Minute, wantCustomer: []string{"keep me"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withUndo(10*time.Second))
			e.customer("hi")
			e.drain()
			conv := e.conversation()
			for _, l := range tc.lines {
				e.staff(conv.Desk, "U-ALICE", l)
				e.drain()
			}
			if got := e.cust.Posts(conv.Customer); len(got) != 0 {
				t.Fatalf("sent inside the undo window: %q", texts(got))
			}
			e.clock.Add(tc.wait)
			e.drain()
			got := texts(e.cust.Posts(conv.Customer))
			if strings.Join(got, "|") != strings.Join(tc.wantCustomer, "|") {
				t.Errorf("customer sees %q, want %q", got, tc.wantCustomer)
			}
		})
	}
}

func TestEditInsideUndoWindowChangesWhatLeaves(t *testing.T) {
	e := newEnv(t, withUndo(10*time.Second))
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	id := e.staff(conv.Desk, "U-ALICE", "Teh answer")
	e.handle(core.EditEvent{Place: conv.Desk, ID: id, Text: "The answer"})
	e.clock.Add(10 * time.Second)
	e.drain()
	if got := texts(e.cust.Posts(conv.Customer)); len(got) != 1 || got[0] != "The answer" {
		t.Errorf("customer sees %q, want the edited text once", got)
	}
}

func TestRetryFailedReply(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	e.cust.FailNext(core.Permanent(errors.New("the customer blocked the bot")))
	e.staff(conv.Desk, "U-ALICE", "Are you there?")
	e.drain()
	if len(e.cust.Posts(conv.Customer)) != 0 {
		t.Fatal("delivered despite the failure")
	}
	e.staff(conv.Desk, "U-ALICE", "!retry")
	e.drain()
	if got := texts(e.cust.Posts(conv.Customer)); len(got) != 1 || got[0] != "Are you there?" {
		t.Errorf("customer sees %q after !retry", got)
	}
}

func TestSnippetInAuthorsVoice(t *testing.T) {
	e := newEnv(t, func(c *relay.Config) {
		c.Snippets = map[string]string{"thanks": "Thanks {contact.first_name}! — {staff.first_name} from {team.name}"}
	})
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-ALICE", "!snippet thanks")
	e.drain()
	got := e.cust.Posts(conv.Customer)
	if len(got) != 1 || got[0].Text != "Thanks Carla! — Alice from Acme" || got[0].Voice.Name != "Alice Martin" {
		t.Fatalf("customer sees %+v", got)
	}
	e.staff(conv.Desk, "U-ALICE", "!snippet nope")
	e.drain()
	if got := lastDeskText(e, conv); !strings.Contains(got, "Usage: !snippet") {
		t.Errorf("unknown snippet answered %q", got)
	}
}

func TestStickyTeamVoice(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	for _, line := range []string{"!voice team", "first", "!voice me", "second"} {
		e.staff(conv.Desk, "U-ALICE", line)
	}
	e.drain()
	got := e.cust.Posts(conv.Customer)
	if len(got) != 2 || got[0].Voice.Name != "Acme" || !got[0].Voice.Team || got[1].Voice.Name != "Alice Martin" {
		t.Fatalf("customer sees %+v, want the team then Alice", got)
	}
}

func TestSnippetsManagedByAdmins(t *testing.T) {
	admin := core.Staff{ID: "ada", Voice: core.Voice{Name: "Ada Admin"}, Roles: []core.Role{core.RoleAdmin}, Identities: map[core.PlatformName]string{core.Slack: "U-ADA"}}
	e := newEnv(t, func(c *relay.Config) { c.Staff = append(c.Staff, admin) })
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-ALICE", "!snippet add bye See you {contact.first_name}!")
	e.drain()
	if got := lastDeskText(e, conv); !strings.Contains(got, "needs the admin role") {
		t.Fatalf("an agent added a snippet: %q", got)
	}
	e.staff(conv.Desk, "U-ADA", "!snippet add bye See you {contact.first_name}!")
	e.staff(conv.Desk, "U-ALICE", "!snippet bye")
	e.drain()
	if got := texts(e.cust.Posts(conv.Customer)); len(got) != 1 || got[0] != "See you Carla!" {
		t.Fatalf("customer sees %q", got)
	}
	e.staff(conv.Desk, "U-ADA", "!snippet remove bye")
	e.staff(conv.Desk, "U-ALICE", "!snippet bye")
	e.drain()
	if got := lastDeskText(e, conv); !strings.Contains(got, "Usage: !snippet") {
		t.Errorf("a removed snippet answered %q", got)
	}
}
