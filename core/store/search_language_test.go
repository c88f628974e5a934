package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"cornershop/core"
	"cornershop/core/store"
)

// TestSearchLanguage: the configured language is applied at open, and a
// change of language rebuilds the index: "simple" does not stem (runs does
// not find running), "english" does; an unknown PostgreSQL configuration
// is refused with its name.
func TestSearchLanguage(t *testing.T) {
	tests := []struct {
		driver string
		dsn    func(t *testing.T) string
	}{
		{store.DriverSQLite, func(t *testing.T) string { return filepath.Join(t.TempDir(), "lang.db") }},
		{store.DriverPostgres, func(t *testing.T) string { return pgSchema(t) }},
	}
	for _, tc := range tests {
		t.Run(tc.driver, func(t *testing.T) {
			ctx := context.Background()
			dsn := tc.dsn(t)
			open := func(lang string) *store.Store {
				t.Helper()
				s, err := store.Open(ctx, store.Options{Driver: tc.driver, DSN: dsn, AutoMigrate: true, SearchLanguage: lang})
				if err != nil {
					t.Fatalf("open with %s: %v", lang, err)
				}
				return s
			}
			hits := func(s *store.Store, q string) int {
				t.Helper()
				hs, err := s.SearchMessages(ctx, core.SearchQuery{Text: q})
				if err != nil {
					t.Fatalf("search %q: %v", q, err)
				}
				return len(hs)
			}
			s := open("simple")
			err := s.InTx(ctx, func(tx core.Tx) error {
				c := core.Contact{Name: "Lee", Identities: []core.Identity{{Platform: core.Telegram, UserID: "1"}}}
				if err := tx.CreateContact(&c); err != nil {
					return err
				}
				conv := core.Conversation{ContactID: c.ID, Customer: core.Place{Platform: core.Telegram, Chat: "1"}, Status: core.StatusOpen}
				if err := tx.CreateConversation(&conv); err != nil {
					return err
				}
				return tx.CreateMessage(&core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "I keep running into errors"})
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := hits(s, "runs"); n != 0 {
				t.Errorf("simple: runs found %d, want 0 (no stemming)", n)
			}
			if n := hits(s, "running"); n != 1 {
				t.Errorf("simple: running found %d, want 1", n)
			}
			s.Close()
			s = open("english")
			defer s.Close()
			if n := hits(s, "runs"); n != 1 {
				t.Errorf("english after simple: runs found %d, want 1 (stemmed, index rebuilt)", n)
			}
			if tc.driver == store.DriverPostgres {
				_, err := store.Open(ctx, store.Options{Driver: tc.driver, DSN: dsn, SearchLanguage: "klingon"})
				if err == nil || !strings.Contains(err.Error(), "klingon") {
					t.Errorf("open with klingon = %v, want an error naming it", err)
				}
			}
		})
	}
}
