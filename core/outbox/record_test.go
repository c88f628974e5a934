package outbox

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"cornershop/core"
)

// flakyStore is the outbox's Store port over a database that fails the
// first failures transactions (as a restarting database would) and
// records the deliveries finished after that.
type flakyStore struct {
	failures int32
	calls    atomic.Int32
	finished atomic.Int32
}

func (s *flakyStore) InTx(_ context.Context, fn func(tx core.Tx) error) error {
	if s.calls.Add(1) <= s.failures {
		return errors.New("store: commit: connection refused")
	}
	return fn(finishTx{s: s})
}

func (s *flakyStore) Claim(context.Context, string, time.Time, int, time.Duration) ([]core.Delivery, error) {
	return []core.Delivery{{ID: 7, Op: core.OpSend}}, nil
}

func (s *flakyStore) NextDue(context.Context) (time.Time, error) { return time.Time{}, nil }

// finishTx records FinishDelivery; the worker calls nothing else here.
type finishTx struct {
	core.Tx // nil: any other call panics
	s       *flakyStore
}

func (t finishTx) FinishDelivery(core.DeliveryID, core.DeliveryState, string, time.Time) error {
	t.s.finished.Add(1)
	return nil
}

// onceSender counts the sends it performs.
type onceSender struct{ sends atomic.Int32 }

func (p *onceSender) Perform(context.Context, core.Delivery) (func(core.Tx) error, error) {
	p.sends.Add(1)
	return nil, nil
}

func (p *onceSender) GiveUp(core.Tx, core.Delivery, error) error { return nil }

// TestOutcomeWaitsForTheStore: a send the platform accepted while the
// store could not record it is recorded once the store is back, and not
// performed again (which, after its lease, would post it twice).
func TestOutcomeWaitsForTheStore(t *testing.T) {
	st, perf := &flakyStore{failures: 3}, &onceSender{}
	w := New(st, perf, Options{Workers: 1})
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := perf.sends.Load(); n != 1 {
		t.Errorf("%d sends, want 1", n)
	}
	if n := st.finished.Load(); n != 1 {
		t.Errorf("delivery finished %d times, want once after the store is back", n)
	}
	if n := st.calls.Load(); n != 4 {
		t.Errorf("%d transactions, want 3 failed and 1 committed", n)
	}
}
