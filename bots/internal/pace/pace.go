// Package pace keeps an adapter's sends within its platform's published
// limits and inside the retry-after windows the platform announced,
// without holding an outbox worker on one busy chat.
package pace

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"cornershop/bots/internal/hold"
	"cornershop/core"
)

// MaxWait is the longest Take waits in place for a send's turn; a later
// turn is handed back to the outbox.
const MaxWait = 100 * time.Millisecond

// Margin is the share of a published rate adapters pace to: a platform
// clocks our calls when they arrive, a little later and less evenly than
// we sent them, and a send refused for a few milliseconds costs a whole
// retry-after window (one to two seconds).
const Margin = 0.98

// Pacer paces sends per key (a chat or channel) and, optionally, overall.
// Create it with New; it is safe for concurrent use.
type Pacer struct {
	what    string
	perKey  func(key string) *rate.Limiter // nil: no pacing, windows only
	global  *rate.Limiter                  // nil: none
	windows *hold.Windows                  // the retry-after windows the platform announced, by the same keys

	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

// New returns a Pacer naming itself what in errors. perKey makes the
// limiter of a new key; nil turns pacing off, leaving only the retry-after
// windows. global, if not nil, is shared by every key. windows are the
// retry-after windows the adapter's transport keeps (hold), under the
// keys Take is given: a send waits for its key's window to end.
func New(what string, perKey func(key string) *rate.Limiter, global *rate.Limiter, windows *hold.Windows) *Pacer {
	if windows == nil {
		windows = hold.New(nil)
	}
	return &Pacer{what: what, perKey: perKey, global: global, windows: windows, keys: map[string]*rate.Limiter{}}
}

// Take reserves one send to key. When the send's turn comes within
// MaxWait (or whenever it comes, with mustWait: the later parts of a split
// message), it waits for it and returns nil. Otherwise it takes nothing
// and returns core.RetryAfter for when the turn would come, so the outbox
// performs the delivery again then and its worker serves other chats
// meanwhile. A cancelled wait is a transient error.
func (p *Pacer) Take(ctx context.Context, key string, mustWait bool) error {
	now := time.Now()
	delay := p.windows.Left(key)
	p.mu.Lock()
	var lims []*rate.Limiter
	if p.perKey != nil {
		lim, ok := p.keys[key]
		if !ok {
			lim = p.perKey(key)
			p.keys[key] = lim
		}
		lims = append(lims, lim)
	}
	p.mu.Unlock()
	if p.global != nil && p.perKey != nil {
		lims = append(lims, p.global)
	}
	res := make([]*rate.Reservation, 0, len(lims))
	for _, l := range lims {
		r := l.ReserveN(now, 1)
		res = append(res, r)
		delay = max(delay, r.DelayFrom(now))
	}
	if delay > MaxWait && !mustWait {
		for _, r := range res {
			r.CancelAt(now)
		}
		return core.RetryAfter(delay, fmt.Errorf("%s %s: paced to the platform's limit", p.what, key))
	}
	if delay <= 0 {
		return nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		for _, r := range res {
			r.Cancel()
		}
		return core.Transient(fmt.Errorf("%s %s: pacing: %w", p.what, key, ctx.Err()))
	}
}
