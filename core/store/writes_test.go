package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/store"
)

// clock is a settable time for the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestWriteFault: a write transaction failing on the database's side (its
// table renamed away, as a full disk would refuse it) is reported until a
// write succeeds, or for 30 s; answers such as a duplicate are not faults.
func TestWriteFault(t *testing.T) {
	tests := []struct {
		name, driver string
		dsn          func(t *testing.T) string
		side         func(t *testing.T, dsn string) (*sql.DB, error)
	}{
		{"sqlite", store.DriverSQLite, func(t *testing.T) string { return filepath.Join(t.TempDir(), "c.db") },
			func(_ *testing.T, dsn string) (*sql.DB, error) {
				return sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)")
			}},
		{"postgres", store.DriverPostgres, func(t *testing.T) string { return pgSchema(t) },
			func(_ *testing.T, dsn string) (*sql.DB, error) { return sql.Open("pgx", dsn) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := tc.dsn(t)
			clk := &clock{t: time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)}
			s, err := store.Open(ctx, store.Options{Driver: tc.driver, DSN: dsn, AutoMigrate: true, Now: clk.now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			side, err := tc.side(t, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { side.Close() })
			exec := func(q string) {
				t.Helper()
				if _, err := side.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			audit := func() error {
				return s.InTx(ctx, func(tx core.Tx) error {
					return tx.Audit(core.AuditEntry{Actor: "system", Action: "probe", Object: "test"})
				})
			}
			enqueue := func() error {
				return s.InTx(ctx, func(tx core.Tx) error {
					return tx.Enqueue(&core.Delivery{Key: "once", Lane: "test", Op: core.OpNotify, Side: core.CustomerSide, Platform: core.Telegram})
				})
			}

			if err := enqueue(); err != nil {
				t.Fatal(err)
			}
			if err := enqueue(); err == nil {
				t.Fatal("a duplicate key was enqueued twice")
			}
			if err := s.WriteFault(); err != nil {
				t.Errorf("a duplicate is an answer, not a fault: WriteFault = %v", err)
			}
			exec("ALTER TABLE audit_entries RENAME TO audit_away")
			if audit() == nil {
				t.Fatal("a write succeeded without its table")
			}
			if s.WriteFault() == nil {
				t.Error("WriteFault = nil after a write failed")
			}
			clk.add(29 * time.Second)
			if s.WriteFault() == nil {
				t.Error("WriteFault = nil 29s after a write failed with nothing written since")
			}
			clk.add(2 * time.Second)
			if err := s.WriteFault(); err != nil {
				t.Errorf("WriteFault = %v 31s after the last failed write", err)
			}
			if audit() == nil {
				t.Fatal("a write succeeded without its table")
			}
			exec("ALTER TABLE audit_away RENAME TO audit_entries")
			if err := audit(); err != nil {
				t.Fatal(err)
			}
			if err := s.WriteFault(); err != nil {
				t.Errorf("WriteFault = %v after a write succeeded", err)
			}
		})
	}
}
