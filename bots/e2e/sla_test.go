package e2e_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/hours"
	"cornershop/core/relay"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }
func (c *fakeClock) Set(t time.Time)     { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// TestSLAWarningMentionsExactlyWhomItMeans: over the wire, across a weekend, on each desk
// platform, an SLA warning at 80 % of the target and a breach note at the
// target arrive once each and ping exactly the assignee or the desk's
// on-duty group with the platform's real mention — Slack <!subteam^…>,
// Discord <@id> / <@&role> with allowed_mentions permitting only that one,
// Telegram a text_mention of the staff member.
func TestSLAWarningMentionsExactlyWhomItMeans(t *testing.T) {
	const role = "999888777666555444"
	tests := []struct {
		name   string
		cust   func(*world) customer
		desk   func(*world) desk
		onDuty string
		assign bool
		// pinged checks the warning's post pinged whom it should, and
		// nobody else: n is how many SLA notes were posted so far.
		pinged func(t *testing.T, w *world, thread core.Place, n int)
	}{
		{name: "slack desk, on-duty user group", cust: func(w *world) customer { return tgCustomer{w} }, desk: func(w *world) desk { return slDesk{w} },
			onDuty: "S0ONCALL", pinged: func(t *testing.T, w *world, th core.Place, n int) {
				var got int
				for _, m := range w.sl.BotMessages(w.slDesk.ID, th.Thread) {
					if strings.Contains(m.Text, "⏳ First response") || strings.Contains(m.Text, "🚨 First response") {
						got++
						if !strings.HasPrefix(m.Text, "<!subteam^S0ONCALL> ") || strings.Count(m.Text, "<") != 1 {
							t.Errorf("Slack SLA note = %q, want exactly one <!subteam^S0ONCALL> mention", m.Text)
						}
					}
				}
				if got != n {
					t.Errorf("Slack SLA notes = %d, want %d", got, n)
				}
			}},
		{name: "discord desk, assignee", cust: func(w *world) customer { return slCustomer{w} }, desk: func(w *world) desk { return dcDesk{w} },
			onDuty: role, assign: true, pinged: func(t *testing.T, w *world, _ core.Place, n int) {
				if got, want := w.dc.Pings(), slices.Repeat([]string{"<@" + w.dcStaff.ID + ">"}, n); !slices.Equal(got, want) {
					t.Errorf("Discord pings = %v, want %v", got, want)
				}
			}},
		{name: "discord desk, on-duty role", cust: func(w *world) customer { return tgCustomer{w} }, desk: func(w *world) desk { return dcDesk{w} },
			onDuty: role, pinged: func(t *testing.T, w *world, _ core.Place, n int) {
				if got, want := w.dc.Pings(), slices.Repeat([]string{"<@&" + role + ">"}, n); !slices.Equal(got, want) {
					t.Errorf("Discord pings = %v, want %v", got, want)
				}
			}},
		{name: "telegram desk, assignee", cust: func(w *world) customer { return dcCustomer{w} }, desk: func(w *world) desk { return tgDesk{w} },
			assign: true, pinged: func(t *testing.T, w *world, th core.Place, n int) {
				got := 0
				for _, m := range w.tg.BotMessages(w.tgDesk.ID, topic(th)) {
					for _, e := range m.Entities {
						if e.Type == "text_mention" || e.Type == "mention" {
							if e.User == nil || e.User.ID != w.tgStaff.ID {
								t.Errorf("Telegram mention %+v in %q, want a text_mention of %d", e, m.Text, w.tgStaff.ID)
							}
							got++
						}
					}
				}
				if got != n {
					t.Errorf("Telegram mentions = %d, want %d", got, n)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Friday 27 Nov 2026, 17:30 CET: with a one-hour target in
			// mon-fri 09:00-18:00, the first response is due Monday 09:30
			// and warned at 09:18.
			berlin, err := time.LoadLocation("Europe/Berlin")
			if err != nil {
				t.Fatal(err)
			}
			office, err := hours.Parse("Europe/Berlin", []string{"mon-fri 09:00-18:00"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, berlin) }
			clock := &fakeClock{now: at(27, 17, 30)}
			w := newWorldAt(t, clock.Now)
			c, d := tc.cust(w), tc.desk(w)
			alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin"}, Roles: []core.Role{core.RoleAgent},
				Identities: map[core.PlatformName]string{d.platform(): d.staffID()}}
			s := bottest.StartAt(t, clock.Now, relay.Config{
				Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
				Staff: []core.Staff{alice},
				Desks: []relay.Desk{{Name: "desk", Place: d.channel(), Hours: office,
					SLA: relay.SLA{FirstResponse: time.Hour, NextResponse: time.Hour, WarnAt: 0.8, OnDuty: tc.onDuty}}},
			}, w.platforms()...)
			// settled waits until the outbox has nothing due (a paced post
			// is retried at the fake clock's now + its pause, so the clock
			// is nudged a little each poll — far less than any target).
			settled := func(what string) {
				t.Helper()
				bottest.Eventually(t, wait, what, func() bool {
					clock.Add(50 * time.Millisecond)
					next, err := s.Store.NextDue(context.Background())
					return errors.Is(err, core.ErrNotFound) || (err == nil && next.After(clock.Now()))
				})
			}
			// eventually is bottest.Eventually with the clock nudged.
			eventually := func(what string, cond func() bool) {
				t.Helper()
				bottest.Eventually(t, wait, what, func() bool { clock.Add(50 * time.Millisecond); return cond() })
			}
			notes := func(kind string) int { return strings.Count(d.says(t, conv(t, s, c).Desk), kind) }

			c.writes(t, "Where is my refund? @everyone <!channel>")
			eventually("the desk thread", func() bool { return conv(t, s, c).Desk.Thread != "" })
			th := conv(t, s, c).Desk
			if tc.assign {
				d.staffWrites(t, th, "!assign me")
				eventually("the assignment", func() bool { return conv(t, s, c).Assignee == "alice" })
			}
			settled("friday's work done")
			clock.Set(at(28, 12, 0)) // Saturday: closed
			settled("saturday")
			clock.Set(at(30, 9, 17)) // Monday, a minute before the warning
			settled("monday 09:17")
			if n := notes("⏳") + notes("🚨"); n != 0 {
				t.Fatalf("SLA notes before 80 %% of the target in business time: %d\n%s", n, d.says(t, th))
			}
			clock.Set(at(30, 9, 18))
			eventually("the SLA warning", func() bool {
				return strings.Contains(d.says(t, th), "⏳ First response due Mon 30 Nov 09:30 CET")
			})
			tc.pinged(t, w, th, 1)
			clock.Set(at(30, 9, 30))
			eventually("the breach note", func() bool {
				return strings.Contains(d.says(t, th), "🚨 First response target missed")
			})
			tc.pinged(t, w, th, 2)

			// A reply stops the clock; the customer's next message starts
			// the next-response clock, and a reply in time means nothing
			// more is said, long after its target.
			d.staffWrites(t, th, "Found it")
			eventually("the reply", func() bool { return anyContains(c.sees(t), "Found it") })
			c.writes(t, "Thanks, when will it arrive?")
			eventually("the next message in the desk", func() bool { return strings.Contains(d.says(t, th), "when will it arrive") })
			d.staffWrites(t, th, "Tomorrow")
			eventually("the second reply", func() bool { return anyContains(c.sees(t), "Tomorrow") })
			clock.Set(at(30, 15, 0))
			settled("monday afternoon")
			if n := notes("⏳") + notes("🚨"); n != 2 {
				t.Errorf("SLA notes = %d, want the first clock's two only:\n%s", n, d.says(t, th))
			}
			tc.pinged(t, w, th, 2)
		})
	}
}

// conv is the customer's conversation as stored now.
func conv(t *testing.T, s *bottest.Stack, c customer) core.Conversation {
	t.Helper()
	got, _ := s.Conversation(t, c.platform(), c.userID(), c.place())
	return got
}
