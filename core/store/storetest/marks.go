package storetest

import (
	"context"
	"testing"
	"time"

	"cornershop/core"
)

// testMarks: per place, the newest message received from the platform
// (source refs only: what we posted does not count), on the customer side
// and in desk threads, most recently active first, then desk threads
// nobody wrote in; places idle since before since left out.
func testMarks(t *testing.T, s core.Store) {
	var dm, thread core.Conversation
	inTx(t, s, func(tx core.Tx) error {
		c := core.Contact{Name: "Ada", Identities: []core.Identity{{Platform: core.Discord, UserID: unique("u")}}, CreatedAt: T0}
		wantErr(t, "CreateContact", tx.CreateContact(&c), nil)
		dm = core.Conversation{ContactID: c.ID, Customer: core.Place{Platform: core.Discord, Chat: "DM1"},
			Desk: core.Place{Platform: core.Discord, Chat: "DESK", Thread: "T1"}, Status: core.StatusOpen, CreatedAt: T0, UpdatedAt: T0}
		wantErr(t, "CreateConversation", tx.CreateConversation(&dm), nil)
		thread = core.Conversation{ContactID: c.ID, Customer: core.Place{Platform: core.Discord, Chat: "COMM", Thread: "T2"},
			Desk: core.Place{Platform: core.Discord, Chat: "DESK", Thread: "T3"}, Status: core.StatusOpen, CreatedAt: T0, UpdatedAt: T0}
		wantErr(t, "CreateConversation", tx.CreateConversation(&thread), nil)
		add := func(conv core.ConversationID, at time.Time, refs ...core.Ref) {
			m := core.Message{ConversationID: conv, Direction: core.Inbound, Author: "contact:1", Text: "x", CreatedAt: at}
			wantErr(t, "CreateMessage", tx.CreateMessage(&m), nil)
			for _, r := range refs {
				r.MessageID = m.ID
				wantErr(t, "AddRef", tx.AddRef(r), nil)
			}
		}
		src := func(side core.Side, platform core.PlatformName, chat, id string) core.Ref {
			return core.Ref{Side: side, Source: true, Platform: platform, Chat: chat, PlatformID: id}
		}
		old := T0.Add(-48 * time.Hour)
		add(dm.ID, old, src(core.CustomerSide, core.Discord, "DM1", "90"))
		add(thread.ID, old, src(core.CustomerSide, core.Discord, "COMM", "95"))
		add(dm.ID, T0, src(core.CustomerSide, core.Discord, "DM1", "100"),
			core.Ref{Side: core.DeskSide, Platform: core.Discord, Chat: "DESK", PlatformID: "101"}) // our copy in the desk
		add(dm.ID, T0, src(core.DeskSide, core.Discord, "DESK", "102")) // staff answer
		add(dm.ID, T0, src(core.CustomerSide, core.Discord, "DM1", "103"))
		add(dm.ID, T0, src(core.CustomerSide, core.Telegram, "DM1", "999")) // another platform
		return nil
	})
	var got []core.Mark
	inTx(t, s, func(tx core.Tx) error {
		var err error
		got, err = tx.Marks(core.Discord, T0.Add(-24*time.Hour))
		wantErr(t, "Marks", err, nil)
		return nil
	})
	want := []core.Mark{
		{Place: core.Place{Platform: core.Discord, Chat: "DM1"}, ID: "103", At: T0},
		{Place: core.Place{Platform: core.Discord, Chat: "DESK", Thread: "T1"}, ID: "102", At: T0},
		{Place: core.Place{Platform: core.Discord, Chat: "DESK", Thread: "T3"}}, // nobody wrote there
	}
	if len(got) != len(want) {
		t.Fatalf("Marks = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Place != want[i].Place || got[i].ID != want[i].ID || !got[i].At.Equal(want[i].At) {
			t.Errorf("Marks[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	inTx(t, s, func(tx core.Tx) error {
		all, err := tx.Marks(core.Discord, time.Time{})
		wantErr(t, "Marks(all)", err, nil)
		if len(all) != 4 || all[2].Place.Thread != "T2" || all[2].ID != "95" || all[3].Place.Thread != "T3" {
			t.Errorf("Marks since the beginning = %+v, want the community thread last", all)
		}
		return nil
	})
}

// testLockContact: a known contact locks, an unknown one is ErrNotFound;
// on a store with concurrent writers a second transaction locking the same
// contact waits for the first to end and then sees what it committed.
func testLockContact(t *testing.T, s core.Store) {
	w := seed(t, s)
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "LockContact", tx.LockContact(w.contact.ID), nil)
		wantErr(t, "LockContact(unknown)", tx.LockContact(w.contact.ID+1000), core.ErrNotFound)
		return nil
	})
	locked, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.InTx(context.Background(), func(tx core.Tx) error {
			if err := tx.LockContact(w.contact.ID); err != nil {
				return err
			}
			close(locked)
			time.Sleep(100 * time.Millisecond)
			return tx.SetContactBlocked(w.contact.ID, true)
		})
	}()
	<-locked
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "LockContact while another holds it", tx.LockContact(w.contact.ID), nil)
		c, err := tx.Contact(w.contact.ID)
		wantErr(t, "Contact", err, nil)
		if !c.Blocked {
			t.Error("after waiting for the lock, the first transaction's change is not seen")
		}
		return nil
	})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
