package storetest

import (
	"testing"
	"time"

	"cornershop/core"
)

// testCursors checks where the Discord backlog starts reading: each place
// at its newest recorded ref, and a desk thread with nothing recorded yet
// at its card, so a staff message written there while no process held
// the gateway is read back.
func testCursors(t *testing.T, s core.Store) {
	desk := unique("DESK")
	since := T0.Add(-time.Hour)
	// openThread gives a new conversation a Discord desk thread and card.
	openThread := func(tx core.Tx, updated time.Time) (core.ConversationID, core.Cursor) {
		_, c := seedTx(t, tx)
		p, card := core.Place{Platform: core.Discord, Chat: desk, Thread: unique("th")}, unique("card")
		wantErr(t, "UpdateConversation", tx.UpdateConversation(c.ID, core.ConversationPatch{Desk: &p, DeskCard: &card}, updated), nil)
		return c.ID, core.Cursor{Place: p, Last: card}
	}
	var want []core.Cursor
	inTx(t, s, func(tx core.Tx) error {
		busy, at := openThread(tx, T0)
		// The newest ref recorded wins, whatever its id looks like.
		for _, id := range []string{unique("3"), unique("2"), "w:" + unique("4")} {
			m := message(t, tx, busy, "copy")
			wantErr(t, "AddRef", tx.AddRef(core.Ref{MessageID: m.ID, Side: core.DeskSide, Platform: core.Discord, Chat: desk, PlatformID: id}), nil)
			at.Last = id
		}
		_, fresh := openThread(tx, T0) // nothing recorded yet: from its card
		openThread(tx, since.Add(-time.Hour))
		want = []core.Cursor{at, fresh}
		return nil
	})
	var got []core.Cursor
	inTx(t, s, func(tx core.Tx) error {
		all, err := tx.Cursors(core.Discord, since)
		for _, c := range all {
			if c.Place.Chat == desk {
				got = append(got, c)
			}
		}
		return err
	})
	if len(got) != len(want) {
		t.Fatalf("Cursors = %+v, want %+v (the quiet thread left out)", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cursor %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
