package storetest

import (
	"errors"
	"testing"
	"time"

	"cornershop/core"
)

// testSurveys: a survey is found by contact and by conversation, keeps
// its fields exactly, is rated once (a second rating changes nothing),
// takes a comment, and lists by desk from a time on.
func testSurveys(t *testing.T, s core.Store) {
	w := seed(t, s)
	desk := core.Place{Platform: core.Slack, Chat: unique("CCSAT")}
	sv := core.Survey{Conversation: w.conv.ID, Contact: w.contact.ID, Desk: desk, Staff: "alice", SentAt: T0}
	inTx(t, s, func(tx core.Tx) error {
		_, err := tx.LatestSurvey(w.contact.ID)
		if !errors.Is(err, core.ErrNotFound) {
			t.Errorf("LatestSurvey before any: %v, want ErrNotFound", err)
		}
		wantErr(t, "CreateSurvey", tx.CreateSurvey(&sv), nil)
		got, err := tx.LatestSurvey(w.contact.ID)
		if err != nil || got != sv {
			t.Errorf("LatestSurvey = %+v, %v; want %+v", got, err, sv)
		}
		for i, want := range []bool{true, false} {
			ok, err := tx.RateSurvey(sv.ID, 5-i, T0.Add(time.Minute))
			if err != nil || ok != want {
				t.Errorf("RateSurvey #%d = %v, %v; want %v", i, ok, err, want)
			}
		}
		wantErr(t, "CommentSurvey", tx.CommentSurvey(sv.ID, "quick and kind", T0.Add(2*time.Minute)), nil)
		got, err = tx.ConversationSurvey(w.conv.ID)
		if err != nil || got.Rating != 5 || !got.RatedAt.Equal(T0.Add(time.Minute)) || got.Comment != "quick and kind" || !got.CommentedAt.Equal(T0.Add(2*time.Minute)) {
			t.Errorf("ConversationSurvey = %+v, %v", got, err)
		}
		all, err := tx.DeskSurveys(desk, T0)
		if err != nil || len(all) != 1 || all[0].ID != sv.ID {
			t.Errorf("DeskSurveys = %+v, %v", all, err)
		}
		if later, _ := tx.DeskSurveys(desk, T0.Add(time.Second)); len(later) != 0 {
			t.Errorf("DeskSurveys since later = %+v, want none", later)
		}
		return nil
	})

	// A survey follows its conversation when contacts merge and unmerge.
	other := seed(t, s)
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "MergeContacts", tx.MergeContacts(w.contact.ID, other.contact.ID, "staff:alice", T0), nil)
		if got, err := tx.LatestSurvey(other.contact.ID); err != nil || got.ID != sv.ID {
			t.Errorf("LatestSurvey of the merged contact = %+v, %v; want survey %d", got, err, sv.ID)
		}
		_, err := tx.UnmergeContact(w.contact.ID, T0.Add(time.Hour))
		wantErr(t, "UnmergeContact", err, nil)
		if got, err := tx.LatestSurvey(w.contact.ID); err != nil || got.ID != sv.ID {
			t.Errorf("LatestSurvey after unmerge = %+v, %v; want survey %d", got, err, sv.ID)
		}
		return nil
	})
}
