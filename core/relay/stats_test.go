package relay_test

import (
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/relay"
)

func TestSummarize(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	facts := []core.ConversationFacts{
		{ID: 1, Status: core.StatusClosed, Assignee: "alice", CreatedAt: t0, ClosedAt: t0.Add(time.Hour), FirstReplyAt: t0.Add(2 * time.Minute), FirstReplyBy: "staff:alice"},
		{ID: 2, Status: core.StatusClosed, Assignee: "alice", CreatedAt: t0, ClosedAt: t0.Add(3 * time.Hour), FirstReplyAt: t0.Add(4 * time.Minute), FirstReplyBy: "staff:alice", Reopens: 1},
		{ID: 3, Status: core.StatusOpen, Assignee: "bob", CreatedAt: t0, FirstReplyAt: t0.Add(10 * time.Minute), FirstReplyBy: "staff:bob"},
		{ID: 4, Status: core.StatusOpen, CreatedAt: t0},
	}
	r := relay.Summarize(facts, t0)
	if r.Conversations != 4 || r.Open != 2 || r.Closed != 2 || r.Answered != 3 {
		t.Errorf("counts = %+v", r)
	}
	wantEq(t, "first response median", r.FirstResponse, 4*time.Minute)
	wantEq(t, "resolution median", r.Resolution, 2*time.Hour)
	wantEq(t, "reopen rate", r.ReopenRate, 0.25)
	wantEq(t, "alice first responses", r.ByStaff["alice"].FirstResponses, 2)
	wantEq(t, "alice median", r.ByStaff["alice"].FirstResponse, 3*time.Minute)
	wantEq(t, "bob open assigned", r.ByStaff["bob"].OpenAssigned, 1)
}

func TestStatsCommandMatchesScript(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	e.clock.Add(90 * time.Second)
	e.staff(conv.Desk, "U-ALICE", "Hello!")
	e.clock.Add(time.Hour)
	e.staff(conv.Desk, "U-ALICE", "!close")
	e.drain()
	e.staff(conv.Desk, "U-ALICE", "!stats 1d")
	e.drain()
	got := lastDeskText(e, conv)
	for _, want := range []string{"1 conversations (0 open, 0 waiting, 1 closed)", "median 1m30s over 1 answered", "median 1h1m30s over 1 closed", "alice: 0 assigned (0 open), 1 first responses"} {
		if !strings.Contains(got, want) {
			t.Errorf("stats %q lack %q", got, want)
		}
	}
}
