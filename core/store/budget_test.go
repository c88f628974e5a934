package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/store"
)

// TestReserveSharesOneBudget: two stores on one schema (two replicas)
// draw from one budget of a send a second with bursts of 3: the burst
// goes at once whichever replica sends, the next send waits its turn, and
// a send further away than the caller will wait takes nothing.
func TestReserveSharesOneBudget(t *testing.T) {
	dsn := pgSchema(t)
	open := func() *store.Store {
		s, err := store.Open(context.Background(), store.Options{Driver: store.DriverPostgres, DSN: dsn, AutoMigrate: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	ctx := context.Background()
	const every, burst = time.Second, 3
	for i, s := range []*store.Store{a, b, a} {
		wait, ok, err := s.Reserve(ctx, "slack:C1", every, burst, 0)
		if err != nil || !ok || wait != 0 {
			t.Fatalf("send %d of the burst: wait %s, ok %v, err %v; want at once", i+1, wait, ok, err)
		}
	}
	// The fourth, from either replica, is a turn away.
	wait, ok, err := b.Reserve(ctx, "slack:C1", every, burst, 0)
	if err != nil || ok || wait < every/2 || wait > every {
		t.Fatalf("a send past the burst with no wait allowed: wait %s, ok %v, err %v; want refused, ≈ 1 s away", wait, ok, err)
	}
	wait, ok, err = b.Reserve(ctx, "slack:C1", every, burst, 2*every)
	if err != nil || !ok || wait < every/2 || wait > every {
		t.Fatalf("the same send willing to wait: wait %s, ok %v, err %v; want taken, ≈ 1 s to wait", wait, ok, err)
	}
	// Having taken that turn, the next is two turns away.
	if wait, ok, _ = a.Reserve(ctx, "slack:C1", every, burst, 0); ok || wait < 3*every/2 || wait > 2*every {
		t.Errorf("the send after a taken turn: wait %s, ok %v; want refused, ≈ 2 s away", wait, ok)
	}
	// Another key has a budget of its own.
	if wait, ok, err = a.Reserve(ctx, "slack:C2", every, burst, 0); err != nil || !ok || wait != 0 {
		t.Errorf("another channel: wait %s, ok %v, err %v; want at once", wait, ok, err)
	}
}

func TestReserveUnsupportedOnSQLite(t *testing.T) {
	_, _, err := openSQLite(t).Reserve(context.Background(), "k", time.Second, 1, 0)
	if !errors.Is(err, core.ErrUnsupported) {
		t.Errorf("Reserve on SQLite = %v, want ErrUnsupported", err)
	}
}

// TestReservePrunesDueBudgets: a budget whose next send is already due is
// the same as none, so the table forgets such rows now and then instead
// of keeping one per chat ever sent to.
func TestReservePrunesDueBudgets(t *testing.T) {
	dsn := pgSchema(t)
	s, err := store.Open(context.Background(), store.Options{Driver: store.DriverPostgres, DSN: dsn, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const chats = 5000 // more than the reservations between two prunes
	for i := range chats {
		if _, ok, err := s.Reserve(ctx, fmt.Sprintf("telegram:%d", i), time.Microsecond, 1, 0); err != nil || !ok {
			t.Fatalf("reserve %d: ok %v, err %v", i, ok, err)
		}
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var rows int
	if err := admin.QueryRow(`SELECT count(*) FROM rate_budgets`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows >= chats/2 {
		t.Errorf("%d budgets kept after %d one-off sends, want the due ones pruned", rows, chats)
	}
}
