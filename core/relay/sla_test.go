package relay_test

import (
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/relay"
)

// notes returns the desk thread's posts by cornershop containing marker.
func notes(e *env, thread core.Place, marker string) []string {
	var out []string
	for _, p := range e.desk.Posts(thread) {
		if p.Kind == core.KindSystem && strings.Contains(p.Text, marker) {
			out = append(out, p.Text)
		}
	}
	return out
}

func TestSLAWarningAndBreachAcrossAWeekend(t *testing.T) {
	e := newEnv(t, withDesk(func(d *relay.Desk) {
		d.Hours = officeHours(t)
		d.SLA = relay.SLA{FirstResponse: time.Hour, NextResponse: 2 * time.Hour, WarnAt: 0.8, OnDuty: "S-ONCALL"}
	}))
	berlin := officeHours(t).Location()
	set := func(m time.Month, d, h, min int) { e.clock.now = time.Date(2026, m, d, h, min, 0, 0, berlin) }

	// Friday 17:30: half an hour of business time left this week, so the
	// hour-long target ends Monday 09:30 and its 80 % mark Monday 09:18.
	set(11, 27, 17, 30)
	conv := e.customerAt("u1", "My parcel is lost")
	e.drain()
	thread := e.thread(conv).Desk
	card := e.desk.Posts(thread)[0].Card
	if card == nil || card.Due != "First response due Mon 30 Nov 09:30 CET" {
		t.Fatalf("card = %+v, want the first response due Monday 09:30", card)
	}
	steps := []struct {
		name              string
		m                 time.Month
		d, h, min         int
		wantWarn, wantBad int
	}{
		{"friday evening: nothing yet", 11, 27, 18, 30, 0, 0},
		{"saturday: closed, nothing", 11, 28, 12, 0, 0, 0},
		{"monday 09:17: not yet", 11, 30, 9, 17, 0, 0},
		{"monday 09:18: warned", 11, 30, 9, 18, 1, 0},
		{"monday 09:30: breached", 11, 30, 9, 30, 1, 1},
		{"monday 11:00: each once", 11, 30, 11, 0, 1, 1},
	}
	for _, st := range steps {
		set(st.m, st.d, st.h, st.min)
		e.drain()
		warn, bad := notes(e, thread, "⏳ First response due Mon 30 Nov 09:30 CET"), notes(e, thread, "🚨 First response target missed")
		if len(warn) != st.wantWarn || len(bad) != st.wantBad {
			t.Fatalf("%s: warnings %q, breaches %q; want %d and %d", st.name, warn, bad, st.wantWarn, st.wantBad)
		}
	}

	// A reply stops the clock; the customer's next message starts the
	// next-response clock (2 h: due 13:10, warned 12:46), and a reply in
	// time means nothing more is said.
	e.staff(thread, "U-ALICE", "Found it, it's on its way")
	e.drain()
	set(11, 30, 11, 10)
	e.customerAt("u1", "Thanks! When will it arrive?")
	e.drain()
	if card := e.desk.Posts(thread)[0].Card; card.Due != "Next response due Mon 30 Nov 13:10 CET" {
		t.Fatalf("card due = %q, want the next response due 13:10", card.Due)
	}
	set(11, 30, 12, 0)
	e.staff(thread, "U-ALICE", "Tomorrow")
	e.drain()
	if card := e.desk.Posts(thread)[0].Card; card.Due != "" {
		t.Errorf("card due after the reply = %q, want none", card.Due)
	}
	set(11, 30, 15, 0)
	e.drain()
	if got := notes(e, thread, "Next response"); len(got) != 0 {
		t.Errorf("notes after a reply in time = %q, want none", got)
	}
}

func TestSLAClockStopsOnCloseAndSnooze(t *testing.T) {
	for _, cmd := range []string{"!close", "!snooze 3d"} {
		t.Run(cmd, func(t *testing.T) {
			e := newEnv(t, withDesk(func(d *relay.Desk) { d.SLA = relay.SLA{FirstResponse: time.Hour} }))
			conv := e.customerAt("u1", "hello")
			e.drain()
			thread := e.thread(conv).Desk
			e.clock.Add(10 * time.Minute)
			e.staff(thread, "U-ALICE", cmd)
			e.drain()
			e.clock.Add(2 * time.Hour)
			e.drain()
			if got := append(notes(e, thread, "⏳"), notes(e, thread, "🚨")...); len(got) != 0 {
				t.Errorf("notes after %s = %q, want none", cmd, got)
			}
		})
	}
}

// TestCustomerWritingDuringSnoozeReachesTheDesk: the snooze's wake-up is
// due later in the outbox; it must not hold the desk thread's posts (the
// customer's message, the SLA clock's notes) until then.
func TestCustomerWritingDuringSnoozeReachesTheDesk(t *testing.T) {
	e := newEnv(t, withDesk(func(d *relay.Desk) { d.SLA = relay.SLA{FirstResponse: time.Hour, NextResponse: time.Hour} }))
	conv := e.customerAt("u1", "hello")
	e.drain()
	th := e.thread(conv).Desk
	e.staff(th, "U-ALICE", "!snooze 1d")
	e.drain()
	e.clock.Add(time.Minute)
	e.customerAt("u1", "are you there?")
	e.drain()
	e.clock.Add(time.Hour)
	e.drain()
	desk := strings.Join(texts(e.desk.Posts(th)), "\n")
	for _, want := range []string{"are you there?", "🚨 First response target missed"} {
		if !strings.Contains(desk, want) {
			t.Errorf("desk thread lacks %q during the snooze:\n%s", want, desk)
		}
	}
}
