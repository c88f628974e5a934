package store_test

import (
	"context"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/store"
)

// TestStoreIdeasReadsOutsideTransactions checks Store.Ideas lists what the
// transaction's Ideas lists, and answers while a transaction holds the
// writer (the roadmap page must not wait for the relay).
func TestStoreIdeasReadsOutsideTransactions(t *testing.T) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(db.name, func(t *testing.T) {
			s := db.open(t)
			ctx := context.Background()
			var shown, hidden core.Idea
			err := s.InTx(ctx, func(tx core.Tx) error {
				c := core.Contact{Name: "Ada", Identities: []core.Identity{{Platform: core.Telegram, UserID: "u-ada"}}}
				if err := tx.CreateContact(&c); err != nil {
					return err
				}
				shown = core.Idea{Title: "Dark mode", Status: core.IdeaPlanned, Author: c.ID, Origin: core.Place{Platform: core.Telegram, Chat: "c"}, SourceID: "1"}
				hidden = core.Idea{Title: "Spam", Status: core.IdeaNew, Author: c.ID, Origin: core.Place{Platform: core.Telegram, Chat: "c"}, SourceID: "2", Hidden: true}
				for _, i := range []*core.Idea{&shown, &hidden} {
					if err := tx.CreateIdea(i); err != nil {
						return err
					}
				}
				_, err := tx.ToggleVote(shown.ID, core.Voter{Contact: c.ID, Platform: core.Telegram, UserID: "u-ada"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			err = s.InTx(ctx, func(core.Tx) error {
				got, err := s.Ideas(ctx, core.IdeaFilter{})
				if err != nil {
					return err
				}
				if len(got) != 1 || got[0].ID != shown.ID || got[0].Votes != 1 {
					t.Errorf("Ideas() = %+v, want only %s with 1 vote", got, shown.ID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
