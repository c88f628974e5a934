// Package bottest holds what every adapter's tests share: Start, which runs
// the real service (relay, outbox worker, SQLite store) around a set of
// platforms, and Contract, the suite every core.Platform must pass over the
// wire against its emulator.
package bottest

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
)

// Stack is a running service for end-to-end tests.
type Stack struct {
	Store  *store.Store
	Relay  *relay.Service
	Outbox *outbox.Worker
	stop   func()
}

// Stop stops the platforms and the worker and closes the store, as a
// process shutting down would; the test's end does it too. Stop is
// idempotent.
func (s *Stack) Stop() { s.stop() }

// Start opens a fresh SQLite store in t.TempDir, builds the relay and the
// outbox worker over the platforms and runs them (platforms' Run included)
// until the test ends. Retries are quick so tests stay short.
func Start(t testing.TB, cfg relay.Config, platforms ...core.Platform) *Stack {
	t.Helper()
	return StartWith(t, cfg, outbox.Options{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Poll: 50 * time.Millisecond, MaxAttempts: 5}, platforms...)
}

// StartWith is Start with the outbox worker's options (for tests that
// inject faults at a rate Start's five attempts would not survive).
func StartWith(t testing.TB, cfg relay.Config, o outbox.Options, platforms ...core.Platform) *Stack {
	t.Helper()
	return StartOn(t, filepath.Join(t.TempDir(), "test.db"), cfg, o, platforms...)
}

// StartOn is StartWith on the SQLite database at path, so a test can stop
// a stack and start another on what it recorded: a restart.
func StartOn(t testing.TB, path string, cfg relay.Config, o outbox.Options, platforms ...core.Platform) *Stack {
	t.Helper()
	return startOn(t, path, cfg, o, nil, platforms...)
}

// StartAt is Start with the relay and the outbox on the clock now, for
// tests that move time by hand (business hours, SLA clocks). The worker
// polls, so a clock moved forward is noticed within its poll interval.
func StartAt(t testing.TB, now func() time.Time, cfg relay.Config, platforms ...core.Platform) *Stack {
	t.Helper()
	o := outbox.Options{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Poll: 20 * time.Millisecond, MaxAttempts: 5, Now: now}
	return startOn(t, filepath.Join(t.TempDir(), "test.db"), cfg, o, now, platforms...)
}

func startOn(t testing.TB, path string, cfg relay.Config, o outbox.Options, now func() time.Time, platforms ...core.Platform) *Stack {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Driver: "sqlite", DSN: path, AutoMigrate: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return startStore(t, st, cfg, o, now, platforms...)
}

// StartStore is StartWith on an open store (PostgresStore's, for one),
// which the stack closes when it stops.
func StartStore(t testing.TB, st *store.Store, cfg relay.Config, o outbox.Options, platforms ...core.Platform) *Stack {
	t.Helper()
	return startStore(t, st, cfg, o, nil, platforms...)
}

// startStore runs the stack on st, the relay on the clock now (nil: the
// wall clock).
func startStore(t testing.TB, st *store.Store, cfg relay.Config, o outbox.Options, now func() time.Time, platforms ...core.Platform) *Stack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var w *outbox.Worker
	cfg.Wake = func() { w.Notify() }
	rs, err := relay.New(st, cfg, platforms, now, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		t.Fatalf("relay: %v", err)
	}
	w = outbox.New(st, rs, o)
	var wg sync.WaitGroup
	wg.Go(func() { _ = w.Run(ctx) })
	for _, p := range platforms {
		wg.Go(func() {
			if err := p.Run(ctx, rs); err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("%s adapter stopped: %v", p.Name(), err)
			}
		})
	}
	stop := sync.OnceFunc(func() {
		cancel()
		wg.Wait()
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	t.Cleanup(stop)
	return &Stack{Store: st, Relay: rs, Outbox: w, stop: stop}
}

// Eventually polls cond until it holds or timeout passes, then fails t with
// what. It is the only waiting tests need: no sleeps.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Conversation returns the newest conversation of the contact behind
// (platform, userID) at place, or false.
func (s *Stack) Conversation(t testing.TB, platform core.PlatformName, userID string, place core.Place) (core.Conversation, bool) {
	t.Helper()
	var conv core.Conversation
	err := s.Store.InTx(context.Background(), func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(platform, userID)
		if err != nil {
			return err
		}
		conv, err = tx.LatestConversation(c.ID, place)
		return err
	})
	if errors.Is(err, core.ErrNotFound) {
		return conv, false
	}
	if err != nil {
		t.Fatalf("find conversation: %v", err)
	}
	return conv, true
}
