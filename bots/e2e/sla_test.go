package e2e_test

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
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

// TestSLAWarningMentionsExactlyWhomItMeans: over the wire, on each desk
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
			w := newWorld(t)
			c, d := tc.cust(w), tc.desk(w)
			clock := &fakeClock{now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
			alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin"}, Roles: []core.Role{core.RoleAgent},
				Identities: map[core.PlatformName]string{d.platform(): d.staffID()}}
			s := bottest.StartAt(t, clock.Now, relay.Config{
				Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
				Staff: []core.Staff{alice},
				Desks: []relay.Desk{{Name: "desk", Place: d.channel(), SLA: relay.SLA{FirstResponse: time.Hour, WarnAt: 0.8, OnDuty: tc.onDuty}}},
			}, w.platforms()...)

			c.writes(t, "Where is my refund? @everyone <!channel>")
			var conv core.Conversation
			bottest.Eventually(t, wait, "the desk thread", func() bool {
				got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
				conv = got
				return ok && got.Desk.Thread != ""
			})
			th := conv.Desk
			if tc.assign {
				d.staffWrites(t, th, "!assign me")
				bottest.Eventually(t, wait, "the assignment", func() bool {
					got, _ := s.Conversation(t, c.platform(), c.userID(), c.place())
					return got.Assignee == "alice"
				})
			}
			clock.Add(47 * time.Minute)
			clock.Add(time.Minute) // 48 minutes: 80 % of the hour
			// The adapters pace posts per channel in real time and the
			// outbox retries a paced post at the fake clock's now + the
			// pause: nudge the clock a little each poll so those come due
			// (by far less than the 12 minutes to the breach).
			bottest.Eventually(t, wait, "the SLA warning", func() bool {
				clock.Add(50 * time.Millisecond)
				return strings.Contains(d.says(t, th), "⏳ First response due")
			})
			tc.pinged(t, w, th, 1)
			clock.Add(12 * time.Minute)
			var last string
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("desk says:\n%s", last)

				}
			})
			bottest.Eventually(t, wait, "the breach note", func() bool {
				clock.Add(50 * time.Millisecond)
				last = d.says(t, th)
				return strings.Contains(last, "🚨 First response target missed")
			})
			tc.pinged(t, w, th, 2)
			if n := strings.Count(d.says(t, th), "⏳ First response due"); n != 1 {
				t.Errorf("warnings in the thread = %d, want 1", n)
			}
		})
	}
}

var _ = strconv.Itoa
