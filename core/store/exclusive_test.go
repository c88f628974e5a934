package store_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cornershop/core/store"
)

// TestExclusiveOneHolderAtATime runs three "replicas" wanting the same lock:
// exactly one holds it at any moment, and when it lets go another takes
// over.
func TestExclusiveOneHolderAtATime(t *testing.T) {
	dsn := os.Getenv("CORNERSHOP_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CORNERSHOP_TEST_POSTGRES_DSN not set; PostgreSQL lock test skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var holders, maxHolders, turns atomic.Int32
	var wg sync.WaitGroup
	for range 3 {
		st, err := store.Open(ctx, store.Options{Driver: store.DriverPostgres, DSN: dsn, AutoMigrate: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		wg.Go(func() {
			err := st.Exclusive(ctx, "test-lock-"+t.Name(), 20*time.Millisecond, nil, func(ctx context.Context) error {
				n := holders.Add(1)
				for {
					m := maxHolders.Load()
					if n <= m || maxHolders.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(50 * time.Millisecond) // hold it a while: the others must wait
				holders.Add(-1)
				turns.Add(1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if maxHolders.Load() != 1 || turns.Load() != 3 {
		t.Errorf("max simultaneous holders = %d, turns = %d; want 1 and 3", maxHolders.Load(), turns.Load())
	}
}

// TestExclusivePerSchema: deployments in different schemas of one database
// (or tests running side by side) hold the same connection name at once.
func TestExclusivePerSchema(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, b := openPostgres(t), openPostgres(t)
	both := make(chan struct{})
	var wg sync.WaitGroup
	var holding atomic.Int32
	for _, st := range []*store.Store{a, b} {
		wg.Go(func() {
			err := st.Exclusive(ctx, "telegram", 20*time.Millisecond, nil, func(ctx context.Context) error {
				if holding.Add(1) == 2 {
					close(both)
				}
				select {
				case <-both:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			if err != nil {
				t.Errorf("exclusive: %v", err)
			}
		})
	}
	wg.Wait()
}
