package relay_test

import (
	"strings"
	"testing"
	"time"

	"cornershop/core/relay"
)

// TestStatsMatchAScriptedSLAScenario: one conversation answered in time,
// one answered late (after its breach note), one closed before its
// target (no verdict): !stats says 50 % met (1 of 2) and 1 breach, and
// !hours shows the hours, whether open, and the targets.
func TestStatsMatchAScriptedSLAScenario(t *testing.T) {
	e := newEnv(t, withDesk(func(d *relay.Desk) {
		d.Hours = officeHours(t)
		d.SLA = relay.SLA{FirstResponse: time.Hour, NextResponse: 2 * time.Hour}
	}))
	// Tuesday 24 Nov 2026, 10:00 CET.
	inTime := e.customerAt("u1", "first")
	late := e.customerAt("u2", "second")
	closed := e.customerAt("u3", "third")
	e.drain()
	e.clock.Add(30 * time.Minute)
	e.staff(e.thread(inTime).Desk, "U-ALICE", "answered in time")
	e.staff(e.thread(closed).Desk, "U-ALICE", "!close")
	e.drain()
	e.clock.Add(time.Hour) // 90 minutes: the second one breached
	e.drain()
	e.staff(e.thread(late).Desk, "U-BOB", "sorry for the wait")
	e.drain()

	thread := e.thread(inTime).Desk
	e.staff(thread, "U-ALICE", "!stats 1d")
	e.staff(thread, "U-ALICE", "!hours")
	e.drain()
	all := strings.Join(texts(e.desk.Posts(thread)), "\n")
	for _, want := range []string{
		"normal priority: 50% met (1 of 2), 1 breaches",
		"Business hours: Mon 09:00–18:00;",
		"(Europe/Berlin). Open now.",
		"first response 1h, next response 2h; warned at 80%",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("desk thread lacks %q:\n%s", want, all)
		}
	}
	if got := strings.Count(strings.Join(texts(e.desk.Posts(e.thread(late).Desk)), "\n"), "🚨"); got != 1 {
		t.Errorf("breach notes in the late conversation = %d, want 1", got)
	}
}
