package outbox_test

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/store"
)

// countingStore is the real store, counting claims.
type countingStore struct {
	*store.Store
	claims atomic.Int64
}

func (c *countingStore) Claim(ctx context.Context, owner string, now time.Time, limit int, lease time.Duration) ([]core.Delivery, error) {
	c.claims.Add(1)
	return c.Store.Claim(ctx, owner, now, limit, lease)
}

// lines counts the log records with each message.
type lines struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *lines) Enabled(context.Context, slog.Level) bool { return true }
func (l *lines) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n[r.Message]++
	return nil
}
func (l *lines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *lines) WithGroup(string) slog.Handler      { return l }

func (l *lines) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[msg]
}

// TestFailingStoreIsNotSpun runs the worker on a real SQLite store that
// has a delivery due but refuses every claim as a full disk does (a
// trigger fails each lease written), while reads still answer: it must
// back off rather than claim in a loop (it did ~480 times a second), and
// log seldom.
func TestFailingStoreIsNotSpun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the worker for 2s; skipped with -short")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cornershop.db")
	st, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path, AutoMigrate: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.InTx(ctx, func(tx core.Tx) error {
		return tx.Enqueue(&core.Delivery{Key: "due", Lane: "test", Op: core.OpNotify, Side: core.CustomerSide, Platform: core.Telegram})
	}); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	side, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { side.Close() })
	if _, err := side.Exec(`CREATE TRIGGER full_disk BEFORE UPDATE ON deliveries BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatalf("create trigger: %v", err)
	}
	cs := &countingStore{Store: st}
	log := &lines{n: map[string]int{}}
	w := outbox.New(cs, nil, outbox.Options{Logger: slog.New(log)})
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for range 50 {
		w.Notify() // wake-ups must not cut the backoff short
	}
	if err := w.Run(rctx); err != nil {
		t.Fatalf("run: %v", err)
	}
	// 50, 100, 200, 400, 800 ms: 6 claims in 2 s.
	if n := cs.claims.Load(); n < 2 || n > 8 {
		t.Errorf("%d claims in 2s against a failing store, want 2–8", n)
	}
	if n := log.count("outbox claim failed"); n != 1 {
		t.Errorf("%d \"outbox claim failed\" lines in 2s, want 1", n)
	}
}
