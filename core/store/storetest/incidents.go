package storetest

import (
	"slices"
	"testing"
	"time"

	"cornershop/core"
)

// testIncidents: an incident keeps its fields, is found by its thread,
// changes by patch and leaves the open list once resolved; a conversation
// links to one incident at a time and unlinks; links list with their
// platforms.
func testIncidents(t *testing.T, s core.Store) {
	a, b := seed(t, s), seed(t, s)
	desk := core.Place{Platform: core.Discord, Chat: unique("DESK")}
	inc := core.Incident{Title: "Payments down", State: core.IncidentInvestigating, Keywords: []string{"refund", "payment failed"},
		Desk: desk, Opener: "staff:alice", CreatedAt: T0}
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "CreateIncident bad state", tx.CreateIncident(&core.Incident{Title: "x", State: "broken"}), core.ErrInvalid)
		wantErr(t, "CreateIncident", tx.CreateIncident(&inc), nil)
		got, err := tx.Incident(inc.ID)
		if err != nil || got.Title != inc.Title || got.State != inc.State || !slices.Equal(got.Keywords, inc.Keywords) ||
			got.Desk != desk || !got.CreatedAt.Equal(T0) || !got.UpdatedAt.Equal(T0) || !got.ResolvedAt.IsZero() || got.Opener != "staff:alice" {
			t.Errorf("Incident = %+v, %v; want %+v", got, err, inc)
		}
		_, err = tx.IncidentByThread(core.Place{Platform: core.Discord, Chat: desk.Chat, Thread: "T1"})
		wantErr(t, "IncidentByThread before open", err, core.ErrNotFound)
		th, card := core.Place{Platform: core.Discord, Chat: desk.Chat, Thread: "T1"}, "M1"
		identified := core.IncidentIdentified
		wantErr(t, "UpdateIncident", tx.UpdateIncident(inc.ID, core.IncidentPatch{Desk: &th, Card: &card, State: &identified}, T0.Add(time.Minute)), nil)
		wantErr(t, "UpdateIncident unknown", tx.UpdateIncident(inc.ID+100, core.IncidentPatch{Card: &card}, T0), core.ErrNotFound)
		bad := core.IncidentState("nope")
		wantErr(t, "UpdateIncident bad state", tx.UpdateIncident(inc.ID, core.IncidentPatch{State: &bad}, T0), core.ErrInvalid)
		got, err = tx.IncidentByThread(th)
		if err != nil || got.ID != inc.ID || got.Card != "M1" || got.State != identified || !got.UpdatedAt.Equal(T0.Add(time.Minute)) {
			t.Errorf("IncidentByThread = %+v, %v", got, err)
		}
		if open, err := tx.OpenIncidents(); err != nil || len(open) != 1 || open[0].ID != inc.ID {
			t.Errorf("OpenIncidents = %+v, %v", open, err)
		}

		wantErr(t, "LinkIncident a", tx.LinkIncident(core.IncidentLink{Incident: inc.ID, Conversation: a.conv.ID, LinkedBy: "staff:alice", LinkedAt: T0}), nil)
		wantErr(t, "LinkIncident b", tx.LinkIncident(core.IncidentLink{Incident: inc.ID, Conversation: b.conv.ID, LinkedAt: T0.Add(time.Second)}), nil)
		wantErr(t, "LinkIncident twice", tx.LinkIncident(core.IncidentLink{Incident: inc.ID, Conversation: a.conv.ID, LinkedAt: T0}), core.ErrDuplicate)
		l, err := tx.IncidentOf(a.conv.ID)
		if err != nil || l.Incident != inc.ID || l.LinkedBy != "staff:alice" || !l.LinkedAt.Equal(T0) {
			t.Errorf("IncidentOf = %+v, %v", l, err)
		}
		ls, err := tx.IncidentLinks(inc.ID)
		if err != nil || len(ls) != 2 || ls[0].Conversation != a.conv.ID || ls[0].Platform != core.Telegram || ls[1].Conversation != b.conv.ID || !ls[1].LinkedAt.Equal(T0.Add(time.Second)) {
			t.Errorf("IncidentLinks = %+v, %v", ls, err)
		}
		if id, err := tx.UnlinkIncident(b.conv.ID); err != nil || id != inc.ID {
			t.Errorf("UnlinkIncident = %v, %v", id, err)
		}
		_, err = tx.UnlinkIncident(b.conv.ID)
		wantErr(t, "UnlinkIncident twice", err, core.ErrNotFound)
		_, err = tx.IncidentOf(b.conv.ID)
		wantErr(t, "IncidentOf unlinked", err, core.ErrNotFound)

		now := T0.Add(time.Hour)
		resolved := core.IncidentResolved
		wantErr(t, "resolve", tx.UpdateIncident(inc.ID, core.IncidentPatch{State: &resolved, ResolvedAt: &now}, now), nil)
		if open, err := tx.OpenIncidents(); err != nil || len(open) != 0 {
			t.Errorf("OpenIncidents after resolve = %+v, %v", open, err)
		}
		return nil
	})
}

// testIncidentUpdates: an update's copies are counted by their deliveries'
// states (progress and failures are queries), undo cancels only the sends
// still held by the window and withdraws their messages, the latest
// update skips undone ones, a copy is found by its message, and personal
// replies leave copies out.
func testIncidentUpdates(t *testing.T, s core.Store) {
	ws := []world{seed(t, s), seed(t, s), seed(t, s)}
	var inc core.Incident
	var u1, u2 core.IncidentUpdate
	sends := map[core.ConversationID]core.Delivery{}
	copyOf := func(tx core.Tx, u core.IncidentUpdate, w world, due time.Time) {
		t.Helper()
		m := core.Message{ConversationID: w.conv.ID, Direction: core.Reply, Author: u.Author, Text: u.Text, CreatedAt: u.CreatedAt}
		wantErr(t, "CreateMessage", tx.CreateMessage(&m), nil)
		wantErr(t, "AddIncidentCopy", tx.AddIncidentCopy(core.IncidentCopy{Update: u.ID, Incident: inc.ID, Conversation: w.conv.ID, Message: m.ID}), nil)
		d := core.Delivery{Key: unique("copy"), ConversationID: w.conv.ID, MessageID: m.ID, Op: core.OpSend, Side: core.CustomerSide,
			Platform: core.Telegram, Priority: core.PriorityBulk, Lane: unique("inc"), NextAttemptAt: due, CreatedAt: T0}
		wantErr(t, "Enqueue", tx.Enqueue(&d), nil)
		sends[w.conv.ID] = d
	}
	inTx(t, s, func(tx core.Tx) error {
		inc = core.Incident{Title: "Outage", State: core.IncidentInvestigating, CreatedAt: T0}
		wantErr(t, "CreateIncident", tx.CreateIncident(&inc), nil)
		_, err := tx.LatestIncidentUpdate(inc.ID)
		wantErr(t, "LatestIncidentUpdate before any", err, core.ErrNotFound)
		u1 = core.IncidentUpdate{Incident: inc.ID, Author: "staff:alice", AuthorName: "Alice", Text: "We are on it", CreatedAt: T0.Add(time.Minute)}
		wantErr(t, "CreateIncidentUpdate", tx.CreateIncidentUpdate(&u1), nil)
		for _, w := range ws {
			copyOf(tx, u1, w, T0.Add(time.Minute))
		}
		m := core.Message{ConversationID: ws[0].conv.ID, Direction: core.Reply, Text: "dup"}
		wantErr(t, "CreateMessage", tx.CreateMessage(&m), nil)
		wantErr(t, "AddIncidentCopy twice", tx.AddIncidentCopy(core.IncidentCopy{Update: u1.ID, Incident: inc.ID, Conversation: ws[0].conv.ID, Message: m.ID}), core.ErrDuplicate)
		return nil
	})
	// One delivered, one failed, one still pending.
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "finish", tx.FinishDelivery(sends[ws[0].conv.ID].ID, core.DeliveryDone, "", T0.Add(2*time.Minute)), nil)
		wantErr(t, "fail", tx.FinishDelivery(sends[ws[1].conv.ID].ID, core.DeliveryFailed, "blocked", T0.Add(2*time.Minute)), nil)
		p, err := tx.IncidentProgress(u1.ID)
		if want := (core.IncidentProgress{Copies: 3, Delivered: 1, Failed: 1, Pending: 1}); err != nil || p != want {
			t.Errorf("IncidentProgress = %+v, %v; want %+v", p, err, want)
		}
		f, err := tx.IncidentFailures(u1.ID, 10)
		if err != nil || !slices.Equal(f, []core.ConversationID{ws[1].conv.ID}) {
			t.Errorf("IncidentFailures = %v, %v", f, err)
		}
		c, err := tx.IncidentCopyOf(sends[ws[2].conv.ID].MessageID)
		if err != nil || c.Update != u1.ID || c.Conversation != ws[2].conv.ID || c.Incident != inc.ID {
			t.Errorf("IncidentCopyOf = %+v, %v", c, err)
		}
		// A personal reply after the link counts; the copy does not.
		if n, err := tx.PersonalReplies(ws[0].conv.ID, T0); err != nil || n != 1 { // the "dup" message above
			t.Errorf("PersonalReplies = %d, %v; want 1", n, err)
		}
		if n, err := tx.PersonalReplies(ws[2].conv.ID, T0); err != nil || n != 0 {
			t.Errorf("PersonalReplies of a conversation with only a copy = %d, %v; want 0", n, err)
		}
		return nil
	})
	// A second update held by the undo window: undo cancels the two held
	// sends, not the one already due.
	inTx(t, s, func(tx core.Tx) error {
		u2 = core.IncidentUpdate{Incident: inc.ID, Author: "staff:bob", Text: "Fixed?", AsTeam: true, CreatedAt: T0.Add(time.Hour)}
		wantErr(t, "CreateIncidentUpdate", tx.CreateIncidentUpdate(&u2), nil)
		copyOf(tx, u2, ws[0], T0.Add(time.Hour+30*time.Second))
		copyOf(tx, u2, ws[1], T0.Add(time.Hour+30*time.Second))
		copyOf(tx, u2, ws[2], T0.Add(time.Hour)) // due already
		got, err := tx.LatestIncidentUpdate(inc.ID)
		if err != nil || got.ID != u2.ID || !got.AsTeam || got.Author != "staff:bob" {
			t.Errorf("LatestIncidentUpdate = %+v, %v", got, err)
		}
		n, err := tx.UndoIncidentUpdate(u2.ID, T0.Add(time.Hour+time.Second))
		if err != nil || n != 2 {
			t.Errorf("UndoIncidentUpdate = %d, %v; want 2", n, err)
		}
		p, _ := tx.IncidentProgress(u2.ID)
		if want := (core.IncidentProgress{Copies: 3, Cancelled: 2, Pending: 1}); p != want {
			t.Errorf("IncidentProgress after undo = %+v, want %+v", p, want)
		}
		m, err := tx.Message(sends[ws[0].conv.ID].MessageID)
		if err != nil || !m.Deleted() {
			t.Errorf("copy message after undo = %+v, %v; want deleted", m, err)
		}
		if m, _ := tx.Message(sends[ws[2].conv.ID].MessageID); m.Deleted() {
			t.Errorf("the copy already due was withdrawn")
		}
		got, err = tx.LatestIncidentUpdate(inc.ID)
		if err != nil || got.ID != u1.ID {
			t.Errorf("LatestIncidentUpdate after undo = %+v, %v; want update %d", got, err, u1.ID)
		}
		return nil
	})
	// The updates list leaves out the one taken back; a broadcast post's
	// ids are kept per place and replaced.
	inTx(t, s, func(tx core.Tx) error {
		us, err := tx.IncidentUpdates(inc.ID)
		if err != nil || len(us) != 1 || us[0].ID != u1.ID || us[0].Text != "We are on it" {
			t.Errorf("IncidentUpdates = %+v, %v; want only update %d", us, err, u1.ID)
		}
		place := core.Place{Platform: core.Slack, Chat: unique("CSTATUS")}
		_, err = tx.IncidentBroadcast(inc.ID, place)
		wantErr(t, "IncidentBroadcast before any", err, core.ErrNotFound)
		for _, ids := range [][]string{{"1.1"}, {"1.1", "1.2"}} {
			wantErr(t, "SaveIncidentBroadcast", tx.SaveIncidentBroadcast(core.IncidentBroadcast{Incident: inc.ID, Place: place, PostIDs: ids}), nil)
			b, err := tx.IncidentBroadcast(inc.ID, place)
			if err != nil || !slices.Equal(b.PostIDs, ids) || b.Place != place {
				t.Errorf("IncidentBroadcast = %+v, %v; want ids %v", b, err, ids)
			}
		}
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		p := core.IncidentPost{Key: unique("post"), Incident: inc.ID, Text: "hello", CreatedAt: T0}
		wantErr(t, "SaveIncidentPost", tx.SaveIncidentPost(p), nil)
		wantErr(t, "SaveIncidentPost twice", tx.SaveIncidentPost(p), core.ErrDuplicate)
		got, err := tx.IncidentPost(p.Key)
		if err != nil || got != p {
			t.Errorf("IncidentPost = %+v, %v; want %+v", got, err, p)
		}
		_, err = tx.IncidentPost("nope")
		wantErr(t, "IncidentPost unknown", err, core.ErrNotFound)
		return nil
	})
	// Stats: one incident, three linked, first update a minute after the
	// first customer message (T0).
	inTx(t, s, func(tx core.Tx) error {
		for _, w := range ws {
			message(t, tx, w.conv.ID, "it broke")
			wantErr(t, "LinkIncident", tx.LinkIncident(core.IncidentLink{Incident: inc.ID, Conversation: w.conv.ID, LinkedAt: T0}), nil)
		}
		st, err := tx.IncidentStats(T0)
		if err != nil || st.Opened != 1 || st.Affected != 3 || len(st.FirstUpdate) != 1 || st.FirstUpdate[0] != time.Minute {
			t.Errorf("IncidentStats = %+v, %v", st, err)
		}
		if st, _ := tx.IncidentStats(T0.Add(time.Second)); st.Opened != 0 {
			t.Errorf("IncidentStats since later = %+v, want none", st)
		}
		return nil
	})
}

// testIncidentSearch: open incidents are ranked by their title and
// keywords with the engine; resolved ones and hostile or wordless input
// find nothing.
func testIncidentSearch(t *testing.T, s core.Store) {
	var pay, login core.Incident
	inTx(t, s, func(tx core.Tx) error {
		pay = core.Incident{Title: "Card payments failing", State: core.IncidentInvestigating, Keywords: []string{"refund", "charged twice"}, CreatedAt: T0}
		login = core.Incident{Title: "Login outage", State: core.IncidentInvestigating, Keywords: []string{"password", "sign in"}, CreatedAt: T0}
		wantErr(t, "CreateIncident", tx.CreateIncident(&pay), nil)
		wantErr(t, "CreateIncident", tx.CreateIncident(&login), nil)
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		hs, err := tx.SearchIncidents("Hi, I was charged twice and want a refund", 3)
		if err != nil || len(hs) == 0 || hs[0].Incident.ID != pay.ID {
			t.Fatalf("SearchIncidents(refund) = %+v, %v; want incident %d first", hs, err, pay.ID)
		}
		hs, err = tx.SearchIncidents("cannot sign in, password rejected", 3)
		if err != nil || len(hs) == 0 || hs[0].Incident.ID != login.ID {
			t.Fatalf("SearchIncidents(login) = %+v, %v; want incident %d first", hs, err, login.ID)
		}
		for _, q := range []string{"", "!!! ???", `"refund" OR NEAR(`, "title:refund*"} {
			if _, err := tx.SearchIncidents(q, 3); err != nil {
				t.Errorf("SearchIncidents(%q): %v", q, err)
			}
		}
		if hs, _ := tx.SearchIncidents("weather tomorrow", 3); len(hs) != 0 {
			t.Errorf("SearchIncidents(unrelated) = %+v, want nothing", hs)
		}
		// New keywords are searchable; a resolved incident is not.
		ks := []string{"invoice"}
		wantErr(t, "UpdateIncident", tx.UpdateIncident(login.ID, core.IncidentPatch{Keywords: &ks}, T0), nil)
		if hs, _ := tx.SearchIncidents("my invoice", 3); len(hs) != 1 || hs[0].Incident.ID != login.ID {
			t.Errorf("SearchIncidents(invoice) = %+v", hs)
		}
		now, resolved := T0, core.IncidentResolved
		wantErr(t, "resolve", tx.UpdateIncident(pay.ID, core.IncidentPatch{State: &resolved, ResolvedAt: &now}, now), nil)
		if hs, _ := tx.SearchIncidents("refund", 3); len(hs) != 0 {
			t.Errorf("SearchIncidents finds a resolved incident: %+v", hs)
		}
		return nil
	})
}

// testClaimPriority: among due deliveries Claim takes higher priorities
// first, whatever their due times, so a fan-out queued first does not hold
// back a reply queued after it.
func testClaimPriority(t *testing.T, s core.Store) {
	var bulk []core.DeliveryID
	for range 3 {
		w := seed(t, s)
		d := core.Delivery{Key: unique("bulk"), ConversationID: w.conv.ID, Op: core.OpUpdateCard, Side: core.CustomerSide, Platform: core.Slack,
			Priority: core.PriorityBulk, NextAttemptAt: T0, CreatedAt: T0}
		inTx(t, s, func(tx core.Tx) error { return tx.Enqueue(&d) })
		bulk = append(bulk, d.ID)
	}
	w := seed(t, s)
	reply := enqueue(t, s, w.conv.ID, core.CustomerSide, T0.Add(time.Second))
	got := claim(t, s, "w", T0.Add(2*time.Second), 2, time.Minute)
	if len(got) != 2 || got[0] != reply.ID || got[1] != bulk[0] {
		t.Fatalf("Claim = %v, want the reply %d then the oldest bulk %d", got, reply.ID, bulk[0])
	}
	inTx(t, s, func(tx core.Tx) error {
		d, err := tx.Delivery(bulk[1])
		if err != nil || d.Priority != core.PriorityBulk {
			t.Errorf("Delivery = %+v, %v; want priority kept", d, err)
		}
		return nil
	})
}
