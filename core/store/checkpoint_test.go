package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/store"
)

// TestCheckpointsBesideTheWriter: what is committed reaches the database
// file (not only the write-ahead log) within moments, though SQLite's
// automatic checkpoint would wait for a thousand pages: a background
// connection checkpoints, so no commit waits for the copy.
func TestCheckpointsBesideTheWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := store.Open(context.Background(), store.Options{Driver: store.DriverSQLite, DSN: path, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	time.Sleep(time.Second) // the migrations' pages copied
	before := size()
	err = s.InTx(context.Background(), func(tx core.Tx) error {
		c := core.Contact{Name: "Ada", CreatedAt: time.Now()}
		if err := tx.CreateContact(&c); err != nil {
			return err
		}
		conv := core.Conversation{ContactID: c.ID, Customer: core.Place{Platform: core.Telegram, Chat: "1"}, Status: core.StatusOpen, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := tx.CreateConversation(&conv); err != nil {
			return err
		}
		m := core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: strings.Repeat("a long message ", 20_000), CreatedAt: time.Now()}
		return tx.CreateMessage(&m) // ≈ 300 KB: ≈ 75 pages, far below the automatic threshold
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for size() < before+200_000 {
		if time.Now().After(deadline) {
			t.Fatalf("the database file is still %d bytes (%d before the commit): nothing checkpointed it", size(), before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
