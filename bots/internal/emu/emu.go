// Package emu holds what the platform emulators share: a change signal
// their tests wait on instead of sleeping.
package emu

import (
	"context"
	"sync"
	"time"
)

// Changes is closed-and-replaced each time an emulator's state changes.
// Its methods must be called with the emulator's lock held.
type Changes struct{ ch chan struct{} }

// NewChanges returns a ready signal.
func NewChanges() *Changes { return &Changes{ch: make(chan struct{})} }

// Notify wakes everyone waiting on the current channel.
func (c *Changes) Notify() {
	close(c.ch)
	c.ch = make(chan struct{})
}

// C is the channel closed by the next Notify.
func (c *Changes) C() <-chan struct{} { return c.ch }

// WaitFor blocks until cond (called without the lock) holds or ctx ends,
// waking on every change and at least every 50 ms.
func WaitFor(ctx context.Context, mu sync.Locker, c *Changes, cond func() bool) error {
	for {
		mu.Lock()
		ch := c.C()
		mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		case <-time.After(50 * time.Millisecond):
		}
	}
}
