// Package hold keeps the retry-after windows a platform announced, so an
// adapter makes no call inside one — including calls for other
// conversations that share the window's scope (a desk channel, a webhook,
// a Telegram group). The outbox already waits out a 429 for the delivery
// that got it; the windows here stop the others.
package hold

import (
	"sync"
	"time"
)

// Windows is a set of open retry-after windows by key. The zero value is
// not usable; call New. Safe for concurrent use.
type Windows struct {
	mu     sync.Mutex
	until  map[string]time.Time
	now    func() time.Time
	opened func(key string, d time.Duration) // see OnHold
}

// OnHold makes fn hear of every window opened or extended from now on
// (key, and how long from now it lasts), after Hold records it: the pacer
// tells the other replicas through their shared budget.
func (w *Windows) OnHold(fn func(key string, d time.Duration)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.opened = fn
}

// New returns an empty set on the clock now (nil: time.Now).
func New(now func() time.Time) *Windows {
	if now == nil {
		now = time.Now
	}
	return &Windows{until: map[string]time.Time{}, now: now}
}

// Hold opens key's window for d, or extends it to d from now.
func (w *Windows) Hold(key string, d time.Duration) {
	if d <= 0 {
		return
	}
	w.mu.Lock()
	end := w.now().Add(d)
	if end.After(w.until[key]) {
		w.until[key] = end
	}
	opened := w.opened
	w.mu.Unlock()
	if opened != nil {
		opened(key, d)
	}
}

// Left returns how much is left of the longest open window among keys,
// 0 when none is open.
func (w *Windows) Left(keys ...string) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	var left time.Duration
	for _, k := range keys {
		end, ok := w.until[k]
		if !ok {
			continue
		}
		if !end.After(now) {
			delete(w.until, k)
			continue
		}
		left = max(left, end.Sub(now))
	}
	return left
}
