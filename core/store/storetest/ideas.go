package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"cornershop/core"
)

// person creates a contact with one account per platform given.
func person(tb testing.TB, tx core.Tx, name string, platforms ...core.PlatformName) (core.Contact, []core.Voter) {
	tb.Helper()
	c := core.Contact{Name: name, CreatedAt: T0}
	for _, p := range platforms {
		c.Identities = append(c.Identities, core.Identity{Platform: p, UserID: unique("u")})
	}
	if err := tx.CreateContact(&c); err != nil {
		tb.Fatalf("CreateContact: %v", err)
	}
	vs := make([]core.Voter, len(c.Identities))
	for i, id := range c.Identities {
		vs[i] = core.Voter{Contact: c.ID, Platform: id.Platform, UserID: id.UserID, At: T0}
	}
	return c, vs
}

func newIdea(tb testing.TB, tx core.Tx, author core.Contact, title string) core.Idea {
	tb.Helper()
	i := core.Idea{Title: title, Status: core.IdeaNew, Author: author.ID, AuthorName: author.Name,
		Origin: core.Place{Platform: core.Slack, Chat: "CIDEAS"}, SourceID: unique("ts"), CreatedAt: T0}
	if err := tx.CreateIdea(&i); err != nil {
		tb.Fatalf("CreateIdea: %v", err)
	}
	return i
}

func ids(is []core.Idea) []core.IdeaID {
	out := make([]core.IdeaID, len(is))
	for i, x := range is {
		out[i] = x.ID
	}
	return out
}

func testIdeas(t *testing.T, s core.Store) {
	inTx(t, s, func(tx core.Tx) error {
		ann, annV := person(t, tx, "Ann", core.Slack, core.Discord)
		_, benV := person(t, tx, "Ben", core.Telegram)
		a := newIdea(t, tx, ann, "Dark mode")
		b := newIdea(t, tx, ann, "Dark theme")

		dup := a
		dup.ID = 0
		wantErr(t, "CreateIdea(same source)", tx.CreateIdea(&dup), core.ErrDuplicate)

		for _, step := range []struct {
			v    core.Voter
			want core.VoteResult
			n    int
		}{
			{annV[0], core.Voted, 1},
			{annV[1], core.AlreadyCounted, 1}, // Ann's other account
			{benV[0], core.Voted, 2},
			{benV[0], core.Unvoted, 1},
			{benV[0], core.Voted, 2},
		} {
			got, err := tx.ToggleVote(a.ID, step.v)
			wantErr(t, "ToggleVote", err, nil)
			i, err := tx.Idea(a.ID)
			wantErr(t, "Idea", err, nil)
			if got != step.want || i.Votes != step.n {
				t.Fatalf("ToggleVote(%s) = %v with %d votes, want %v with %d", step.v.UserID, got, i.Votes, step.want, step.n)
			}
		}
		_, err := tx.ToggleVote(b.ID, annV[1])
		wantErr(t, "ToggleVote(b)", err, nil)

		c := core.IdeaComment{Idea: b.ID, Author: "contact:1", UserID: benV[0].UserID, Platform: core.Telegram, Chat: "g", PlatformID: unique("m"), Text: "+1"}
		wantErr(t, "AddComment", tx.AddComment(&c), nil)
		again := c
		wantErr(t, "AddComment(again)", tx.AddComment(&again), core.ErrDuplicate)

		fs, err := tx.Followers(b.ID)
		wantErr(t, "Followers", err, nil)
		if len(fs) != 2 {
			t.Fatalf("followers of b = %+v, want Ann and Ben once each", fs)
		}

		wantErr(t, "MergeIdeas", tx.MergeIdeas(b.ID, a.ID), nil)
		i, err := tx.Idea(a.ID)
		wantErr(t, "Idea", err, nil)
		if i.Votes != 2 || i.Comments != 1 {
			t.Fatalf("after merge: %d votes, %d comments; want 2 and 1 (Ann's two votes collapse)", i.Votes, i.Comments)
		}
		wantErr(t, "MergeIdeas(self)", tx.MergeIdeas(a.ID, a.ID), core.ErrInvalid)

		dupSt, into := core.IdeaDuplicate, a.ID
		wantErr(t, "UpdateIdea", tx.UpdateIdea(b.ID, core.IdeaPatch{Status: &dupSt, MergedInto: &into}, T0), nil)
		hidden := newIdea(t, tx, ann, "Spam")
		yes, why := true, "spam"
		wantErr(t, "UpdateIdea(hide)", tx.UpdateIdea(hidden.ID, core.IdeaPatch{Hidden: &yes, HideReason: &why}, T0), nil)
		planned := newIdea(t, tx, ann, "Export")
		pl, pin := core.IdeaPlanned, true
		wantErr(t, "UpdateIdea(plan)", tx.UpdateIdea(planned.ID, core.IdeaPatch{Status: &pl, Pinned: &pin}, T0), nil)
		wantErr(t, "UpdateIdea(unknown)", tx.UpdateIdea(1<<40, core.IdeaPatch{Pinned: &pin}, T0), core.ErrNotFound)

		mine := []core.IdeaID{a.ID, b.ID, hidden.ID, planned.ID}
		for _, tc := range []struct {
			name string
			f    core.IdeaFilter
			want []core.IdeaID
		}{
			{"top", core.IdeaFilter{}, []core.IdeaID{planned.ID, a.ID}},
			{"new", core.IdeaFilter{Order: core.IdeasNew}, []core.IdeaID{planned.ID, a.ID}},
			{"planned", core.IdeaFilter{Statuses: []core.IdeaStatus{core.IdeaPlanned}}, []core.IdeaID{planned.ID}},
			{"with hidden", core.IdeaFilter{Hidden: true, Order: core.IdeasNew}, []core.IdeaID{planned.ID, hidden.ID, a.ID}},
		} {
			got, err := tx.Ideas(tc.f)
			wantErr(t, "Ideas", err, nil)
			got = slices.DeleteFunc(got, func(i core.Idea) bool { return !slices.Contains(mine, i.ID) })
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("Ideas(%s) = %v, want %v", tc.name, ids(got), tc.want)
			}
		}

		at, err := tx.IdeaAt(core.Place{Platform: core.Slack, Chat: "CIDEAS"}, "no-such-card")
		if !errors.Is(err, core.ErrNotFound) {
			t.Errorf("IdeaAt(unknown card) = %v, %v", at.ID, err)
		}
		card, th := "card-"+unique("c"), core.Place{Platform: core.Slack, Chat: "CIDEAS", Thread: unique("t")}
		wantErr(t, "UpdateIdea(card)", tx.UpdateIdea(a.ID, core.IdeaPatch{Card: &th, CardID: &card}, T0), nil)
		for _, q := range []struct {
			place core.Place
			msg   string
		}{{th.Channel(), card}, {th, ""}} {
			got, err := tx.IdeaAt(q.place, q.msg)
			wantErr(t, "IdeaAt", err, nil)
			if got.ID != a.ID {
				t.Errorf("IdeaAt(%s, %q) = %d, want %d", q.place, q.msg, got.ID, a.ID)
			}
		}

		wantErr(t, "SetMuted", tx.SetMuted(ann.ID, true, T0), nil)
		wantErr(t, "SetMuted(again)", tx.SetMuted(ann.ID, true, T0), nil)
		if m, err := tx.Muted(ann.ID); err != nil || !m {
			t.Errorf("Muted(ann) = %v, %v", m, err)
		}
		wantErr(t, "SetMuted(off)", tx.SetMuted(ann.ID, false, T0), nil)
		if m, err := tx.Muted(ann.ID); err != nil || m {
			t.Errorf("Muted(ann) after unmute = %v, %v", m, err)
		}

		// Notices: a digest stays open while its delivery is pending.
		batch := unique("digest:")
		for _, text := range []string{"one", "two"} {
			n := core.Notice{Batch: batch, To: annV[0], Idea: a.ID, Text: text, Actor: "bob", Digest: true, CreatedAt: T0.Add(time.Minute)}
			wantErr(t, "AddNotice", tx.AddNotice(&n), nil)
		}
		_, err = tx.OpenDigest(ann.ID)
		wantErr(t, "OpenDigest(no delivery)", err, core.ErrNotFound)
		d := core.Delivery{Key: batch, IdeaID: a.ID, Op: core.OpNotify, Side: core.CustomerSide, Platform: core.Slack,
			Lane: "n" + unique(""), NextAttemptAt: T0.Add(time.Hour), CreatedAt: T0}
		wantErr(t, "Enqueue(notice)", tx.Enqueue(&d), nil)
		if got, err := tx.OpenDigest(ann.ID); err != nil || got != batch {
			t.Errorf("OpenDigest = %q, %v; want %q", got, err, batch)
		}
		ns, err := tx.Notices(batch)
		wantErr(t, "Notices", err, nil)
		if len(ns) != 2 || ns[0].Text != "one" || ns[1].To.UserID != annV[0].UserID || ns[1].Actor != "bob" {
			t.Errorf("Notices = %+v", ns)
		}
		if n, err := tx.NoticesSince(ann.ID, T0); err != nil || n != 2 {
			t.Errorf("NoticesSince = %d, %v; want 2", n, err)
		}
		if n, err := tx.NoticesSince(ann.ID, T0.Add(time.Hour)); err != nil || n != 0 {
			t.Errorf("NoticesSince(later) = %d, %v; want 0", n, err)
		}
		got, err := tx.Delivery(d.ID)
		wantErr(t, "Delivery", err, nil)
		if got.IdeaID != a.ID || got.ConversationID != 0 || got.Lane != d.Lane {
			t.Errorf("idea delivery = %+v", got)
		}
		return nil
	})
}

// testIdeaLanes: deliveries of one lane are claimed one at a time, in order,
// and lanes do not hold each other up.
func testIdeaLanes(t *testing.T, s core.Store) {
	var a core.Idea
	inTx(t, s, func(tx core.Tx) error {
		ann, _ := person(t, tx, "Ann", core.Slack)
		a = newIdea(t, tx, ann, "Lanes")
		return nil
	})
	lane1, lane2 := unique("i"), unique("i")
	var ds []core.Delivery
	inTx(t, s, func(tx core.Tx) error {
		for _, lane := range []string{lane1, lane1, lane2} {
			d := core.Delivery{Key: unique("card:"), IdeaID: a.ID, Op: core.OpIdeaCard, Side: core.CustomerSide, Platform: core.Slack,
				Lane: lane, NextAttemptAt: T0, CreatedAt: T0}
			wantErr(t, "Enqueue", tx.Enqueue(&d), nil)
			ds = append(ds, d)
		}
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		for i, want := range []bool{true, false, false} {
			got, err := tx.PendingBehind(ds[i])
			wantErr(t, "PendingBehind", err, nil)
			if got != want {
				t.Errorf("PendingBehind(delivery %d) = %v, want %v", i, got, want)
			}
		}
		return nil
	})
	got := claim(t, s, "w", T0.Add(time.Second), 10, time.Minute)
	mine := slices.DeleteFunc(got, func(id core.DeliveryID) bool { return id != ds[0].ID && id != ds[1].ID && id != ds[2].ID })
	if !slices.Equal(mine, []core.DeliveryID{ds[0].ID, ds[2].ID}) {
		t.Fatalf("claimed %v, want the heads of both lanes %v", mine, []core.DeliveryID{ds[0].ID, ds[2].ID})
	}
	finish(t, s, ds[0].ID, core.DeliveryDone)
	got = claim(t, s, "w", T0.Add(2*time.Second), 10, time.Minute)
	if !slices.Contains(got, ds[1].ID) {
		t.Fatalf("after the head finished, claimed %v, want %d", got, ds[1].ID)
	}
}

// testIdeaCardInFlight: a board has a card in flight while its first card
// delivery is being performed (claimed), not while it merely waits, and no
// longer once the card is recorded.
func testIdeaCardInFlight(t *testing.T, s core.Store) {
	board := core.Place{Platform: core.Discord, Chat: unique("F")}
	var idea core.Idea
	var d core.Delivery
	inTx(t, s, func(tx core.Tx) error {
		ann, _ := person(t, tx, "Ann", core.Discord)
		idea = core.Idea{Title: "Offline mode", Status: core.IdeaNew, Author: ann.ID, Origin: board, CreatedAt: T0}
		wantErr(t, "CreateIdea", tx.CreateIdea(&idea), nil)
		d = core.Delivery{Key: unique("card:"), IdeaID: idea.ID, Op: core.OpIdeaCard, Side: core.CustomerSide, Platform: core.Discord,
			Lane: unique("i"), NextAttemptAt: T0, CreatedAt: T0}
		wantErr(t, "Enqueue", tx.Enqueue(&d), nil)
		return nil
	})
	inFlight := func(what string, want bool) {
		t.Helper()
		inTx(t, s, func(tx core.Tx) error {
			got, err := tx.IdeaCardInFlight(board)
			wantErr(t, "IdeaCardInFlight", err, nil)
			if got != want {
				t.Errorf("%s: IdeaCardInFlight = %v, want %v", what, got, want)
			}
			other, err := tx.IdeaCardInFlight(core.Place{Platform: core.Discord, Chat: unique("F")})
			if err != nil || other {
				t.Errorf("%s: another board in flight = %v (%v), want false", what, other, err)
			}
			return nil
		})
	}
	inFlight("queued", false)
	if got := claim(t, s, "w", T0.Add(time.Second), 100, time.Minute); !slices.Contains(got, d.ID) {
		t.Fatalf("claimed %v, want %d among them", got, d.ID)
	}
	inFlight("being posted", true)
	inTx(t, s, func(tx core.Tx) error {
		card := core.Place{Platform: core.Discord, Chat: board.Chat, Thread: unique("post")}
		return tx.UpdateIdea(idea.ID, core.IdeaPatch{Card: &card, CardID: &card.Thread}, T0)
	})
	inFlight("card recorded", false)
}

// testIdeaCardKeepsUpdatedAt: recording where an idea's card landed is
// bookkeeping, not a change of the idea (the roadmap's "updated").
func testIdeaCardKeepsUpdatedAt(t *testing.T, s core.Store) {
	var i core.Idea
	inTx(t, s, func(tx core.Tx) error {
		ann, _ := person(t, tx, "Ann", core.Slack)
		i = newIdea(t, tx, ann, "Card bookkeeping")
		card := core.Place{Platform: core.Slack, Chat: "CIDEAS", Thread: unique("ts")}
		return tx.UpdateIdea(i.ID, core.IdeaPatch{Card: &card, CardID: &card.Thread}, T0.Add(time.Hour))
	})
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.Idea(i.ID)
		if err != nil {
			return err
		}
		if got.CardID == "" || !got.UpdatedAt.Equal(i.UpdatedAt) {
			t.Errorf("after recording its card: card %q, updated %s; want the card and updated still %s", got.CardID, got.UpdatedAt, i.UpdatedAt)
		}
		title := "Card bookkeeping, retitled"
		wantErr(t, "UpdateIdea(title)", tx.UpdateIdea(i.ID, core.IdeaPatch{Title: &title}, T0.Add(2*time.Hour)), nil)
		got, err = tx.Idea(i.ID)
		if err != nil {
			return err
		}
		if !got.UpdatedAt.Equal(T0.Add(2 * time.Hour)) {
			t.Errorf("after a new title: updated %s, want %s", got.UpdatedAt, T0.Add(2*time.Hour))
		}
		return nil
	})
}
