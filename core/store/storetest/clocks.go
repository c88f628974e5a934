package storetest

import (
	"errors"
	"testing"
	"time"

	"cornershop/core"
)

// testClocks: an SLA clock starts running, is found while it runs, keeps
// its times exactly, stops once (a second stop changes nothing), gives
// its warning and its breach once each, and lists by desk from a time on;
// Answered sees staff replies only.
func testClocks(t *testing.T, s core.Store) {
	w := seed(t, s)
	desk := core.Place{Platform: core.Slack, Chat: unique("CSLA")}
	c := core.SLAClock{Conversation: w.conv.ID, Desk: desk, Kind: core.FirstResponse, Priority: 2,
		StartedAt: T0, WarnAt: T0.Add(48 * time.Minute), DueAt: T0.Add(time.Hour)}
	inTx(t, s, func(tx core.Tx) error {
		_, err := tx.RunningClock(w.conv.ID)
		wantErr(t, "RunningClock before start", err, core.ErrNotFound)
		wantErr(t, "StartClock", tx.StartClock(&c), nil)
		if c.ID == 0 {
			t.Fatal("StartClock set no id")
		}
		got, err := tx.RunningClock(w.conv.ID)
		wantErr(t, "RunningClock", err, nil)
		if got != c {
			t.Errorf("RunningClock = %+v, want %+v", got, c)
		}
		for i, want := range []bool{true, false} {
			ok, err := tx.MarkClock(c.ID, false)
			wantErr(t, "MarkClock warn", err, nil)
			if ok != want {
				t.Errorf("MarkClock warn #%d = %v, want %v", i, ok, want)
			}
		}
		ok, err := tx.MarkClock(c.ID, true)
		if err != nil || !ok {
			t.Errorf("MarkClock breach = %v, %v, want true", ok, err)
		}
		answered, err := tx.Answered(w.conv.ID)
		if err != nil || answered {
			t.Errorf("Answered before a reply = %v, %v", answered, err)
		}
		message(t, tx, w.conv.ID, "a customer message")
		r := core.Message{ConversationID: w.conv.ID, Direction: core.Reply, Author: "staff:alice", Text: "hi", CreatedAt: T0}
		wantErr(t, "CreateMessage", tx.CreateMessage(&r), nil)
		answered, err = tx.Answered(w.conv.ID)
		if err != nil || !answered {
			t.Errorf("Answered after a reply = %v, %v", answered, err)
		}
		wantErr(t, "StopClock", tx.StopClock(c.ID, T0.Add(30*time.Minute), "reply"), nil)
		wantErr(t, "StopClock again", tx.StopClock(c.ID, T0.Add(50*time.Minute), "close"), nil)
		_, err = tx.RunningClock(w.conv.ID)
		if !errors.Is(err, core.ErrNotFound) {
			t.Errorf("RunningClock after stop: %v, want ErrNotFound", err)
		}
		later := core.SLAClock{Conversation: w.conv.ID, Desk: desk, Kind: core.NextResponse,
			StartedAt: T0.Add(2 * time.Hour), WarnAt: T0.Add(3 * time.Hour), DueAt: T0.Add(4 * time.Hour)}
		wantErr(t, "StartClock next", tx.StartClock(&later), nil)
		all, err := tx.DeskClocks(desk, T0)
		wantErr(t, "DeskClocks", err, nil)
		if len(all) != 2 || all[0].ID != c.ID || !all[0].StoppedAt.Equal(T0.Add(30*time.Minute)) || all[0].StopReason != "reply" ||
			!all[0].Warned || !all[0].Breached || all[1].Kind != core.NextResponse {
			t.Errorf("DeskClocks = %+v", all)
		}
		if recent, _ := tx.DeskClocks(desk, T0.Add(time.Hour)); len(recent) != 1 || recent[0].ID != later.ID {
			t.Errorf("DeskClocks since later = %+v, want only the next-response clock", recent)
		}
		return nil
	})
}
