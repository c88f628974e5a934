package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cornershop/core"
)

// testHandled: a request key is new once per platform, within a
// transaction and across transactions; a rolled-back mark is forgotten;
// pruning forgets only what is older than its bound.
func testHandled(t *testing.T, s core.Store) {
	key := unique("trigger-")
	mark := func(tx core.Tx, p core.PlatformName, k string, at time.Time, want bool) {
		t.Helper()
		got, err := tx.MarkHandled(p, k, at)
		wantErr(t, "MarkHandled", err, nil)
		if got != want {
			t.Errorf("MarkHandled(%s, %s) = %v, want %v", p, k, got, want)
		}
	}
	inTx(t, s, func(tx core.Tx) error {
		mark(tx, core.Slack, key, T0, true)
		mark(tx, core.Slack, key, T0, false)    // same transaction
		mark(tx, core.Discord, key, T0, true)   // another platform's key
		mark(tx, core.Slack, key+"x", T0, true) // another key
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		mark(tx, core.Slack, key, T0.Add(time.Minute), false)
		return nil
	})

	rolled := unique("rolled-")
	errRollback := errors.New("roll back")
	if err := s.InTx(context.Background(), func(tx core.Tx) error {
		mark(tx, core.Telegram, rolled, T0, true)
		return errRollback
	}); !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v, want the rollback error", err)
	}
	inTx(t, s, func(tx core.Tx) error {
		mark(tx, core.Telegram, rolled, T0, true) // the rolled-back mark left nothing
		return nil
	})

	late := unique("late-")
	inTx(t, s, func(tx core.Tx) error {
		mark(tx, core.Slack, late, T0.Add(time.Hour), true)
		n, err := tx.PruneHandled(T0.Add(time.Second))
		wantErr(t, "PruneHandled", err, nil)
		if n < 4 {
			t.Errorf("PruneHandled = %d, want at least the 4 keys marked at T0", n)
		}
		mark(tx, core.Slack, key, T0.Add(2*time.Hour), true)   // forgotten: new again
		mark(tx, core.Slack, late, T0.Add(2*time.Hour), false) // newer than the bound: kept
		return nil
	})
}

// testHandledConcurrent: transactions marking the same key at once (two
// replicas receiving the same replayed request) — exactly one is first.
func testHandledConcurrent(t *testing.T, s core.Store) {
	const n = 4
	key := unique("replayed-")
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first int
		start = make(chan struct{})
	)
	for range n {
		wg.Go(func() {
			<-start
			err := s.InTx(context.Background(), func(tx core.Tx) error {
				ok, err := tx.MarkHandled(core.Discord, key, T0)
				if err != nil {
					return err
				}
				if ok {
					time.Sleep(20 * time.Millisecond) // hold the key while the others try
					mu.Lock()
					first++
					mu.Unlock()
				}
				return nil
			})
			if err != nil {
				t.Errorf("InTx: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if first != 1 {
		t.Errorf("%d of %d concurrent transactions marked the same key first, want 1", first, n)
	}
}
