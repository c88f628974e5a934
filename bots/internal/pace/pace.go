// Package pace keeps an adapter's sends within its platform's published
// limits without holding an outbox worker on one busy channel.
package pace

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"cornershop/core"
)

// MaxWait is the longest Take waits in place for a send's turn; a later
// turn is handed back to the outbox.
const MaxWait = 100 * time.Millisecond

// Take reserves one send from every limiter. When the send's turn comes
// within MaxWait (or whenever it comes, with mustWait: the later parts of
// a split message), it waits for it and returns nil. Otherwise it takes
// nothing and returns core.RetryAfter for when the turn would come, so the
// outbox performs the delivery again then and the worker serves other
// channels meanwhile. A cancelled wait is a transient error.
func Take(ctx context.Context, what string, mustWait bool, lims ...*rate.Limiter) error {
	now := time.Now()
	res := make([]*rate.Reservation, 0, len(lims))
	var delay time.Duration
	for _, l := range lims {
		r := l.ReserveN(now, 1)
		res = append(res, r)
		delay = max(delay, r.DelayFrom(now))
	}
	if delay > MaxWait && !mustWait {
		for _, r := range res {
			r.CancelAt(now)
		}
		return core.RetryAfter(delay, fmt.Errorf("%s: paced to the published limit", what))
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
		return core.Transient(fmt.Errorf("%s: pacing: %w", what, ctx.Err()))
	}
}
