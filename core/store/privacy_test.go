package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/store"
	"cornershop/core/store/storetest"
)

// TestEraseLeavesNoTrace erases a person recorded everywhere and scans every
// column of every table, the full-text indexes and (on SQLite) the bytes of
// the database and WAL files for their names, ids and texts: before the
// erase the scan finds them (in files too), after it nothing, while another
// person's words are still found.
func TestEraseLeavesNoTrace(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", func(tb testing.TB) *store.Store { return openSQLite(tb) }}, {"postgres", func(tb testing.TB) *store.Store { return openPostgres(tb) }}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := tc.open(t)
			var other core.Contact
			err := s.InTx(ctx, func(tx core.Tx) error {
				other = core.Contact{Name: "Ottoline Wexcombe", Identities: []core.Identity{{Platform: core.Discord, UserID: "D4242ottoline"}}}
				return tx.CreateContact(&other)
			})
			if err != nil {
				t.Fatal(err)
			}
			p := storetest.SeedPerson(t, s, "trace", other)
			if err := s.Scrub(ctx); err != nil { // the rows reach the database file
				t.Fatal(err)
			}
			before, err := s.Occurrences(ctx, p.Needles)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"messages.text", "identities.user_id", "contacts.name", "webhook_events.data", "answer_misses.query", "surveys.comment", "idea_comments.text"} {
				if !slices.Contains(before, want) {
					t.Errorf("before the erase the scan misses %s (found %v)", want, before)
				}
			}
			if tc.name == "sqlite" && !slices.ContainsFunc(before, func(f string) bool { return strings.HasPrefix(f, "file ") }) {
				t.Errorf("before the erase the file scan finds nothing (found %v)", before)
			}
			if tc.name == "sqlite" && !slices.Contains(before, "index messages_fts") {
				t.Errorf("before the erase the index scan finds nothing (found %v)", before)
			}
			at := storetest.T0.Add(time.Hour)
			err = s.InTx(ctx, func(tx core.Tx) error {
				_, err := tx.EraseContact(p.Contact.ID, core.Erasure{Tombstone: core.Tombstone(at), Actor: "staff:alice", At: at})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Scrub(ctx); err != nil {
				t.Fatal(err)
			}
			after, err := s.Occurrences(ctx, p.Needles)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) > 0 {
				t.Errorf("after the erase the person is still in %v", after)
			}
			kept, err := s.Occurrences(ctx, []string{"Wexcombe", "D4242ottoline"})
			if err != nil || !slices.Contains(kept, "contacts.name") || !slices.Contains(kept, "identities.user_id") {
				t.Errorf("the other person is gone too: %v, %v", kept, err)
			}
		})
	}
}

// TestScrubWaitsForReaders: on SQLite a reader still on an older snapshot
// keeps the scrub from emptying the write-ahead log; Scrub says so
// (ErrScrubBusy, for the outbox to retry) instead of reporting success,
// and once the reader is done it empties the log.
func TestScrubWaitsForReaders(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cornershop.db")
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path, AutoMigrate: true, BusyTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	add := func(name string) {
		t.Helper()
		if err := s.InTx(ctx, func(tx core.Tx) error { return tx.CreateContact(&core.Contact{Name: name}) }); err != nil {
			t.Fatal(err)
		}
	}
	add("Quentin Ashgrove")
	reader, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	rtx, err := reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	add("Rosalind Thistlewood") // past the reader's snapshot
	if err := s.Scrub(ctx); !errors.Is(err, store.ErrScrubBusy) {
		t.Errorf("scrub with a reader on an older snapshot: %v, want ErrScrubBusy", err)
	}
	_ = rtx.Rollback()
	if err := s.Scrub(ctx); err != nil {
		t.Fatalf("scrub once the reader is done: %v", err)
	}
	if fi, err := os.Stat(path + "-wal"); err != nil {
		t.Error(err)
	} else if fi.Size() != 0 {
		t.Errorf("the write-ahead log after the scrub: %d bytes, want none", fi.Size())
	}
}
