package emu_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cornershop/bots/internal/emu"
)

func TestWaitFor(t *testing.T) {
	var mu sync.Mutex
	c := emu.NewChanges()
	done := false
	go func() {
		mu.Lock()
		done = true
		c.Notify()
		mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := emu.WaitFor(ctx, &mu, c, func() bool { mu.Lock(); defer mu.Unlock(); return done }); err != nil {
		t.Fatalf("WaitFor = %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := emu.WaitFor(ctx, &mu, c, func() bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor on a condition that never holds = %v, want the deadline", err)
	}
}
