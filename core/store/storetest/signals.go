package storetest

import (
	"errors"
	"testing"
	"time"

	"cornershop/core"
)

// testSignals: a signal keeps its fields exactly; a burst lookup finds the
// newest open signal of a rule at a place within the window, and only
// that; a card finds its signal; a signal is handled once; matched
// messages are unique by platform id, listed per signal and per contact,
// and erased per contact.
func testSignals(t *testing.T, s core.Store) {
	w := seed(t, s)
	desk := core.Place{Platform: core.Slack, Chat: unique("CDESK")}
	place := core.Place{Platform: core.Discord, Chat: unique("general")}
	sg := core.Signal{Rule: "checkout", Desk: desk, Place: place, Count: 1, FirstAt: T0, LastAt: T0, State: core.SignalOpen}
	m := core.SignalMessage{Contact: w.contact.ID, Rule: "checkout", Place: core.Place{Platform: place.Platform, Chat: place.Chat, Thread: "th1"},
		PlatformID: "m1", AuthorName: "Ada", Text: "checkout is broken", Link: "https://example.test/m1", Term: "checkout",
		Sentiment: -0.4767, At: T0}
	inTx(t, s, func(tx core.Tx) error {
		_, err := tx.BurstSignal("checkout", place, T0.Add(-time.Hour))
		wantErr(t, "BurstSignal before any", err, core.ErrNotFound)
		wantErr(t, "CreateSignal", tx.CreateSignal(&sg), nil)
		m.Signal = sg.ID
		wantErr(t, "AddSignalMessage", tx.AddSignalMessage(&m), nil)
		dup := m
		wantErr(t, "AddSignalMessage again", tx.AddSignalMessage(&dup), core.ErrDuplicate)
		other := m
		other.Rule = "refund"
		wantErr(t, "AddSignalMessage for another rule", tx.AddSignalMessage(&other), nil)
		for _, tc := range []struct {
			chat, id string
			want     bool
		}{{place.Chat, "m1", true}, {place.Chat, "m2", false}, {"elsewhere", "m1", false}} {
			if got, err := tx.SignalMessageHeard(place.Platform, tc.chat, tc.id); err != nil || got != tc.want {
				t.Errorf("SignalMessageHeard(%s, %s) = %v, %v; want %v", tc.chat, tc.id, got, err, tc.want)
			}
		}
		first := m.ID
		wantErr(t, "UpdateSignal", tx.UpdateSignal(sg.ID, core.SignalPatch{First: &first}), nil)
		sg.First = m.ID
		got, err := tx.Signal(sg.ID)
		if err != nil || got != sg {
			t.Errorf("Signal = %+v, %v; want %+v", got, err, sg)
		}
		gm, err := tx.SignalMessage(m.ID)
		if err != nil || gm != m {
			t.Errorf("SignalMessage = %+v, %v; want %+v", gm, err, m)
		}
		return nil
	})

	inTx(t, s, func(tx core.Tx) error {
		for _, tc := range []struct {
			name  string
			rule  string
			place core.Place
			since time.Time
			found bool
		}{
			{"in the window", "checkout", place, T0.Add(-5 * time.Minute), true},
			{"last message exactly at the window's start", "checkout", place, T0, true},
			{"after the window", "checkout", place, T0.Add(time.Second), false},
			{"another rule", "refund", place, T0.Add(-time.Hour), false},
			{"another chat", "checkout", core.Place{Platform: place.Platform, Chat: "other"}, T0.Add(-time.Hour), false},
			{"another platform", "checkout", core.Place{Platform: core.Slack, Chat: place.Chat}, T0.Add(-time.Hour), false},
			{"a thread of the place", "checkout", core.Place{Platform: place.Platform, Chat: place.Chat, Thread: "x"}, T0.Add(-time.Hour), true},
		} {
			got, err := tx.BurstSignal(tc.rule, tc.place, tc.since)
			switch {
			case tc.found && (err != nil || got.ID != sg.ID):
				t.Errorf("%s: BurstSignal = %+v, %v; want signal %d", tc.name, got, err, sg.ID)
			case !tc.found && !errors.Is(err, core.ErrNotFound):
				t.Errorf("%s: BurstSignal = %+v, %v; want ErrNotFound", tc.name, got, err)
			}
		}
		// A burst folds in: count, negatives, last time and the card.
		n, neg, last := 12, 7, T0.Add(5*time.Minute)
		card, cardID := core.Place{Platform: desk.Platform, Chat: desk.Chat, Thread: "1700.1"}, "1700.1"
		wantErr(t, "UpdateSignal", tx.UpdateSignal(sg.ID, core.SignalPatch{Count: &n, Negative: &neg, LastAt: &last, Card: &card, CardID: &cardID}), nil)
		got, err := tx.SignalByCard(desk, cardID)
		if err != nil || got.ID != sg.ID || got.Count != 12 || got.Negative != 7 || !got.LastAt.Equal(last) || got.Card != card {
			t.Errorf("SignalByCard = %+v, %v", got, err)
		}
		if _, err := tx.SignalByCard(desk, ""); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("SignalByCard(\"\") = %v, want ErrNotFound", err)
		}
		if _, err := tx.SignalByCard(core.Place{Platform: desk.Platform, Chat: "elsewhere"}, cardID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("SignalByCard in another desk = %v, want ErrNotFound", err)
		}
		wantErr(t, "UpdateSignal unknown", tx.UpdateSignal(sg.ID+1000, core.SignalPatch{Count: &n}), core.ErrNotFound)
		bad := core.SignalState("lost")
		if err := tx.UpdateSignal(sg.ID, core.SignalPatch{State: &bad}); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("UpdateSignal with a bad state = %v, want ErrInvalid", err)
		}
		return nil
	})

	// Handled once: the second action changes nothing; a handled signal
	// takes no more burst.
	inTx(t, s, func(tx core.Tx) error {
		for i, want := range []bool{true, false} {
			ok, err := tx.HandleSignal(sg.ID, core.SignalHandled, "reply", "staff:alice", T0.Add(time.Duration(10+i)*time.Minute))
			if err != nil || ok != want {
				t.Errorf("HandleSignal #%d = %v, %v; want %v", i, ok, err, want)
			}
		}
		if ok, err := tx.HandleSignal(sg.ID, core.SignalDismissed, "dismiss", "staff:bob", T0.Add(time.Hour)); err != nil || ok {
			t.Errorf("Dismiss after handling = %v, %v; want false", ok, err)
		}
		if _, err := tx.HandleSignal(sg.ID+1000, core.SignalDismissed, "dismiss", "staff:bob", T0); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("HandleSignal unknown = %v, want ErrNotFound", err)
		}
		if _, err := tx.HandleSignal(sg.ID, core.SignalOpen, "x", "staff:bob", T0); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("HandleSignal to open = %v, want ErrInvalid", err)
		}
		got, err := tx.Signal(sg.ID)
		if err != nil || got.State != core.SignalHandled || got.Action != "reply" || got.HandledBy != "staff:alice" || !got.HandledAt.Equal(T0.Add(10*time.Minute)) {
			t.Errorf("handled signal = %+v, %v", got, err)
		}
		if _, err := tx.BurstSignal("checkout", place, T0.Add(-time.Hour)); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("BurstSignal finds a handled signal: %v", err)
		}
		return nil
	})

	// Messages per signal and per contact; erase.
	other := seed(t, s)
	inTx(t, s, func(tx core.Tx) error {
		for i, who := range []core.ContactID{w.contact.ID, other.contact.ID, w.contact.ID} {
			x := core.SignalMessage{Signal: sg.ID, Contact: who, Place: place, PlatformID: unique("m"), Text: "again", At: T0.Add(time.Duration(i) * time.Second)}
			wantErr(t, "AddSignalMessage", tx.AddSignalMessage(&x), nil)
		}
		if all, err := tx.SignalMessages(sg.ID, 0); err != nil || len(all) != 5 || all[0].ID != m.ID {
			t.Errorf("SignalMessages = %d, %v; want 5, the first first", len(all), err)
		}
		if two, err := tx.SignalMessages(sg.ID, 2); err != nil || len(two) != 2 {
			t.Errorf("SignalMessages limit 2 = %d, %v", len(two), err)
		}
		if mine, err := tx.ContactSignalMessages(w.contact.ID); err != nil || len(mine) != 4 {
			t.Errorf("ContactSignalMessages = %d, %v; want 4", len(mine), err)
		}
		n, err := tx.EraseContactSignalMessages(w.contact.ID)
		if err != nil || n != 4 {
			t.Errorf("EraseContactSignalMessages = %d, %v; want 4", n, err)
		}
		if mine, _ := tx.ContactSignalMessages(w.contact.ID); len(mine) != 0 {
			t.Errorf("after erase the contact still has %d messages", len(mine))
		}
		if theirs, _ := tx.ContactSignalMessages(other.contact.ID); len(theirs) != 1 {
			t.Errorf("erase took another contact's messages: %d left, want 1", len(theirs))
		}
		if _, err := tx.SignalMessage(m.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("SignalMessage after erase = %v, want ErrNotFound", err)
		}
		return nil
	})
}

// testListeningStats: matches per rule and place, negatives, handled and
// dismissed counts and the median time to handle, from a time on.
func testListeningStats(t *testing.T, s core.Store) {
	desk := core.Place{Platform: core.Slack, Chat: "CDESK"}
	general := core.Place{Platform: core.Discord, Chat: "general"}
	help := core.Place{Platform: core.Telegram, Chat: "-100"}
	mk := func(tx core.Tx, rule string, p core.Place, count, neg int, first time.Time, state core.SignalState, took time.Duration) {
		t.Helper()
		sg := core.Signal{Rule: rule, Desk: desk, Place: p, Count: count, Negative: neg, FirstAt: first, LastAt: first, State: core.SignalOpen}
		wantErr(t, "CreateSignal", tx.CreateSignal(&sg), nil)
		if state != core.SignalOpen {
			if ok, err := tx.HandleSignal(sg.ID, state, "x", "staff:a", first.Add(took)); err != nil || !ok {
				t.Fatalf("HandleSignal = %v, %v", ok, err)
			}
		}
	}
	inTx(t, s, func(tx core.Tx) error {
		mk(tx, "old", general, 50, 50, T0.Add(-48*time.Hour), core.SignalHandled, time.Hour) // before the period
		mk(tx, "checkout", general, 12, 9, T0, core.SignalHandled, 2*time.Minute)
		mk(tx, "checkout", general, 3, 0, T0.Add(time.Hour), core.SignalDismissed, 10*time.Minute)
		mk(tx, "checkout", help, 1, 1, T0.Add(2*time.Hour), core.SignalHandled, 4*time.Minute)
		mk(tx, "brand", general, 5, 0, T0.Add(3*time.Hour), core.SignalOpen, 0)
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		st, err := tx.ListeningStats(T0.Add(-time.Hour), 2)
		if err != nil {
			t.Fatal(err)
		}
		want := []core.ListeningCount{
			{Rule: "checkout", Place: general, Count: 15, Negative: 9},
			{Rule: "brand", Place: general, Count: 5, Negative: 0},
		}
		if len(st.Matches) != 2 || st.Matches[0] != want[0] || st.Matches[1] != want[1] {
			t.Errorf("Matches = %+v, want %+v", st.Matches, want)
		}
		if st.Total != 21 || st.Negative != 10 || st.Signals != 4 || st.Handled != 2 || st.Dismissed != 1 {
			t.Errorf("figures = %+v; want 21 matches, 10 negative, 4 signals, 2 handled, 1 dismissed", st)
		}
		if st.MedianHandle != 4*time.Minute {
			t.Errorf("MedianHandle = %v, want 4m", st.MedianHandle)
		}
		empty, err := tx.ListeningStats(T0.Add(24*time.Hour), 5)
		if err != nil || empty.Total != 0 || empty.Signals != 0 || empty.MedianHandle != 0 || len(empty.Matches) != 0 {
			t.Errorf("ListeningStats of an empty period = %+v, %v", empty, err)
		}
		return nil
	})
}
