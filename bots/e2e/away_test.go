package e2e_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/hours"
	"cornershop/core/relay"
)

// TestAwayAndAcknowledgementOverTheWire: a Telegram customer writing to a
// Slack desk on Saturday gets one away message in the team's voice saying
// the team is back on Monday at 9:00 CET, however often they write; on
// Monday, after five conversations answered in 2–10 minutes, a new
// customer's acknowledgement states the real median, 6 minutes.
func TestAwayAndAcknowledgementOverTheWire(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)} // Saturday
	w := newWorldAt(t, clock.Now)
	office, err := hours.Parse("Europe/Berlin", []string{"mon-fri 09:00-18:00"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := slDesk{w}
	alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin"}, Roles: []core.Role{core.RoleAgent},
		Identities: map[core.PlatformName]string{core.Slack: d.staffID()}}
	s := bottest.StartAt(t, clock.Now, relay.Config{
		Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Staff: []core.Staff{alice},
		Desks: []relay.Desk{{Name: "desk", Place: d.channel(), Hours: office, Acknowledge: true}},
	}, w.platforms()...)

	c := tgCustomer{w}
	c.writes(t, "Anyone there?")
	bottest.Eventually(t, wait, "the away message", func() bool {
		clock.Add(10 * time.Millisecond) // lets paced retries come due
		return anyContains(c.sees(t), "back on Monday at 9:00 CET", "Acme Support")
	})
	c.writes(t, "Hello??")
	conv, _ := s.Conversation(t, c.platform(), c.userID(), c.place())
	bottest.Eventually(t, wait, "the second message in the desk", func() bool {
		clock.Add(10 * time.Millisecond)
		return strings.Contains(d.says(t, conv.Desk), "Hello??")
	})
	if n := strings.Count(strings.Join(c.sees(t), "\n"), "away right now"); n != 1 {
		t.Errorf("away messages = %d, want 1 per conversation", n)
	}

	// Monday 10:00 CET: five Slack-customer conversations answered after
	// 2, 4, 6, 8 and 10 minutes, each by a new Slack Connect channel member.
	clock.Set(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	for i, wait := range []time.Duration{2, 4, 6, 8, 10} {
		u := w.sl.AddUser(fmt.Sprintf("cust%d", i), fmt.Sprintf("Customer %d", i), "", true)
		if _, err := w.sl.Post(w.slShared.ID, u, fmt.Sprintf("question %d", i), ""); err != nil {
			t.Fatal(err)
		}
		var cv core.Conversation
		bottest.Eventually(t, 20*time.Second, "a desk thread", func() bool {
			clock.Add(10 * time.Millisecond)
			got, ok := s.Conversation(t, core.Slack, u.ID, core.Place{Platform: core.Slack, Chat: w.slShared.ID})
			cv = got
			return ok && got.Desk.Thread != ""
		})
		clock.Add(wait * time.Minute)
		answer := fmt.Sprintf("answer %d", i)
		d.staffWrites(t, cv.Desk, answer)
		bottest.Eventually(t, 20*time.Second, "the reply recorded", func() bool {
			clock.Add(10 * time.Millisecond)
			return anyContains(slCustomer{w}.sees(t), answer)
		})
	}
	dc := dcCustomer{w}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("discord customer sees %q; clock %s", dc.sees(t), clock.Now())
		}
	})
	dc.writes(t, "hi there")
	bottest.Eventually(t, wait, "the acknowledgement with the real median", func() bool {
		clock.Add(10 * time.Millisecond)
		return anyContains(dc.sees(t), "usually within 6 minutes")
	})
}
