package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"cornershop/core"
	"cornershop/core/store"
)

// TestSearchIndexesAtCommit: on SQLite a transaction's new messages enter
// the full-text index when it commits (migration 0014), on PostgreSQL by
// trigger; either way what is searchable afterwards is each message's
// final text. Cases: a message created and edited in one transaction; the
// highest message deleted and its id handed to the next one; rows bulk
// loaded beside the store, indexed by IndexSearch; a database with the
// per-row trigger of before version 14, replaced when the store opens.
func TestSearchIndexesAtCommit(t *testing.T) {
	tests := []struct {
		driver string
		dsn    func(t *testing.T) string
	}{
		{store.DriverSQLite, func(t *testing.T) string { return filepath.Join(t.TempDir(), "commit.db") }},
		{store.DriverPostgres, func(t *testing.T) string { return pgSchema(t) }},
	}
	for _, tc := range tests {
		t.Run(tc.driver, func(t *testing.T) {
			ctx := context.Background()
			dsn := tc.dsn(t)
			open := func() *store.Store {
				t.Helper()
				s, err := store.Open(ctx, store.Options{Driver: tc.driver, DSN: dsn, AutoMigrate: true})
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				return s
			}
			s := open()
			defer func() { s.Close() }()
			find := func(q string) []core.MessageID {
				t.Helper()
				hs, err := s.SearchMessages(ctx, core.SearchQuery{Text: q, Order: core.ByNewest})
				if err != nil {
					t.Fatalf("search %q: %v", q, err)
				}
				var ids []core.MessageID
				for _, h := range hs {
					ids = append(ids, h.Message.ID)
				}
				return ids
			}
			var conv core.Conversation
			var edited, other core.MessageID
			err := s.InTx(ctx, func(tx core.Tx) error {
				c := core.Contact{Name: "Ada", Identities: []core.Identity{{Platform: core.Telegram, UserID: "1"}}}
				if err := tx.CreateContact(&c); err != nil {
					return err
				}
				conv = core.Conversation{ContactID: c.ID, Customer: core.Place{Platform: core.Telegram, Chat: "1"}, Status: core.StatusOpen}
				if err := tx.CreateConversation(&conv); err != nil {
					return err
				}
				m := core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "apple pie"}
				if err := tx.CreateMessage(&m); err != nil {
					return err
				}
				text := "banana bread"
				if err := tx.UpdateMessage(m.ID, core.MessagePatch{Text: &text}); err != nil {
					return err
				}
				n := core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "cherry tart"}
				if err := tx.CreateMessage(&n); err != nil {
					return err
				}
				edited, other = m.ID, n.ID
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := find("apple"); len(got) != 0 {
				t.Errorf("apple (edited away in its own transaction) = %v, want none", got)
			}
			if got := find("banana"); !slices.Equal(got, []core.MessageID{edited}) {
				t.Errorf("banana = %v, want [%d]", got, edited)
			}
			if got := find("cherry"); !slices.Equal(got, []core.MessageID{other}) {
				t.Errorf("cherry = %v, want [%d]", got, other)
			}
			// An edit after the commit reindexes.
			err = s.InTx(ctx, func(tx core.Tx) error {
				text := "damson jam"
				return tx.UpdateMessage(other, core.MessagePatch{Text: &text})
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, gone := find("damson"), find("cherry"); !slices.Equal(got, []core.MessageID{other}) || len(gone) != 0 {
				t.Errorf("after the edit: damson = %v, cherry = %v; want [%d] and none", got, gone, other)
			}
			db, err := s.SQL()
			if err != nil {
				t.Fatal(err)
			}
			del := "DELETE FROM messages WHERE id = ?"
			if tc.driver == store.DriverPostgres {
				del = "DELETE FROM messages WHERE id = $1"
			}
			// The highest message deleted: its id may be handed out again.
			if _, err := db.ExecContext(ctx, del, int64(other)); err != nil {
				t.Fatal(err)
			}
			var next core.MessageID
			err = s.InTx(ctx, func(tx core.Tx) error {
				m := core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "elderberry wine"}
				err := tx.CreateMessage(&m)
				next = m.ID
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := find("elderberry"); !slices.Equal(got, []core.MessageID{next}) {
				t.Errorf("elderberry (message %d, after deleting %d) = %v", next, other, got)
			}
			if got := find("damson"); len(got) != 0 {
				t.Errorf("damson (deleted) = %v, want none", got)
			}
			if tc.driver != store.DriverSQLite {
				return
			}
			// Rows written beside the store: IndexSearch indexes them.
			if _, err := db.ExecContext(ctx, `INSERT INTO messages (conversation_id, direction, author, author_name, text, attachments, as_team, created_at)
VALUES (?, 'inbound', '', '', 'fig roll', '[]', false, '2026-01-01 00:00:00')`, int64(conv.ID)); err != nil {
				t.Fatal(err)
			}
			if err := s.IndexSearch(ctx); err != nil {
				t.Fatal(err)
			}
			if got := find("fig"); len(got) != 1 {
				t.Errorf("fig (bulk loaded, then IndexSearch) = %v, want one", got)
			}
			// A database from before version 14: the per-row trigger is
			// replaced (and the index rebuilt) when the store opens.
			if _, err := db.ExecContext(ctx, `CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text); END`); err != nil {
				t.Fatal(err)
			}
			s.Close()
			s = open()
			if db, err = s.SQL(); err != nil {
				t.Fatal(err)
			}
			var old int
			if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'messages_fts_insert'").Scan(&old); err != nil || old != 0 {
				t.Errorf("the old trigger: %d left (%v), want 0", old, err)
			}
			if got := find("banana"); !slices.Equal(got, []core.MessageID{edited}) {
				t.Errorf("banana after the upgrade = %v, want [%d]", got, edited)
			}
			err = s.InTx(ctx, func(tx core.Tx) error {
				return tx.CreateMessage(&core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "grape juice"})
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := find("grape"); len(got) != 1 {
				t.Errorf("grape after the upgrade = %v, want one", got)
			}
		})
	}
}
