// Package pace keeps an adapter's sends within its platform's published
// limits and inside the retry-after windows the platform announced,
// without holding an outbox worker on one busy chat.
package pace

import (
	"context"
	"errors"
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

	mu     sync.Mutex
	keys   map[string]*rate.Limiter
	shared core.RateBudget // nil: the limiters above are the budget
	failed *Throttle       // told when shared fails
}

// Throttle reports errors to Fn at most once every Every: a failing
// shared budget fails every send, and one log line a while says enough.
// The zero value of its unexported state is ready; it is safe for
// concurrent use.
type Throttle struct {
	Every time.Duration
	Fn    func(error) // nil: nothing is reported

	mu sync.Mutex
	at time.Time
}

// Report passes err to Fn unless it did less than Every ago.
func (t *Throttle) Report(err error) {
	if t == nil || t.Fn == nil {
		return
	}
	t.mu.Lock()
	due := t.at.IsZero() || time.Since(t.at) >= t.Every
	if due {
		t.at = time.Now()
	}
	t.mu.Unlock()
	if due {
		t.Fn(err)
	}
}

// Interval is the time between two sends at lim's rate.
func Interval(lim *rate.Limiter) time.Duration {
	return time.Duration(float64(time.Second) / float64(lim.Limit()))
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

// Share keeps the pacer's budgets — per key and global, at the rates and
// bursts of its limiters — in b, which replicas share, under keys named
// after the pacer: several replicas then keep one platform limit between
// them. A retry-after window opened in the pacer's windows closes the
// key's shared budget too, so the other replicas wait it out as well.
// When b fails, Take falls back on this process's limiters and tells
// onErr (if not nil), at most every 30 s.
func (p *Pacer) Share(b core.RateBudget, onErr func(error)) {
	p.mu.Lock()
	p.shared, p.failed = b, &Throttle{Every: 30 * time.Second, Fn: onErr}
	p.mu.Unlock()
	// A retry-after one replica hears closes the budget for all of them.
	p.windows.OnHold(func(key string, d time.Duration) {
		p.mu.Lock()
		lim := p.keys[key] // a key this pacer paces; other windows (a method's) are not budgets
		p.mu.Unlock()
		if lim == nil || lim.Limit() == rate.Inf {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		// Best effort: this replica's own window holds regardless.
		_ = b.Hold(ctx, p.what+":"+key, Interval(lim), lim.Burst(), d)
	})
}

// limiter returns key's limiter, made on first use (nil with pacing off).
func (p *Pacer) limiter(key string) *rate.Limiter {
	if p.perKey == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	lim, ok := p.keys[key]
	if !ok {
		lim = p.perKey(key)
		p.keys[key] = lim
	}
	return lim
}

// Take reserves one send to key. When the send's turn comes within
// MaxWait (or whenever it comes, with mustWait: the later parts of a split
// message), it waits for it and returns nil. Otherwise it takes nothing
// and returns core.Paced for when the turn would come, so the outbox
// performs the delivery again then and its worker serves other chats
// meanwhile. A cancelled wait is a transient error.
func (p *Pacer) Take(ctx context.Context, key string, mustWait bool) error {
	now := time.Now()
	delay := p.windows.Left(key)
	var lims []*rate.Limiter
	if lim := p.limiter(key); lim != nil {
		lims = append(lims, lim)
		if p.global != nil {
			lims = append(lims, p.global)
		}
	}
	p.mu.Lock()
	shared, failed := p.shared, p.failed
	p.mu.Unlock()
	if shared != nil && len(lims) > 0 {
		err := p.takeShared(ctx, shared, key, lims, delay, mustWait)
		if !errors.Is(err, errBudget) {
			return err
		}
		failed.Report(err)
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
		return core.Paced(delay, fmt.Errorf("%s %s: paced to the platform's limit", p.what, key))
	}
	if err := Sleep(ctx, delay); err != nil {
		for _, r := range res {
			r.Cancel()
		}
		return core.Transient(fmt.Errorf("%s %s: pacing: %w", p.what, key, err))
	}
	return nil
}

// errBudget says the shared budget could not be asked.
var errBudget = errors.New("shared budget unavailable")

// takeShared is Take against the shared budget: key's (named
// "<what>:<key>") and then the global one ("<what>:*"), at lims' rates
// and bursts, after key's retry-after window (delay). It returns an error
// wrapping errBudget when the budget cannot be asked, so Take falls back
// on this process's limiters. A key's turn taken when the global one is
// then refused is spent: a little of one chat's budget, never more sends.
func (p *Pacer) takeShared(ctx context.Context, b core.RateBudget, key string, lims []*rate.Limiter, delay time.Duration, mustWait bool) error {
	maxWait := MaxWait
	if mustWait {
		maxWait = time.Hour
	}
	if delay > maxWait {
		return core.Paced(delay, fmt.Errorf("%s %s: waiting out a retry-after", p.what, key))
	}
	names := []string{p.what + ":" + key, p.what + ":*"}
	for i, lim := range lims {
		wait, ok, err := b.Reserve(ctx, names[i], Interval(lim), lim.Burst(), max(maxWait-delay, 0))
		if err != nil {
			return fmt.Errorf("%w: %w", errBudget, err)
		}
		if !ok {
			return core.Paced(max(wait, delay), fmt.Errorf("%s %s: paced to the platform's limit (shared by the replicas)", p.what, key))
		}
		delay = max(delay, wait)
	}
	if err := Sleep(ctx, delay); err != nil {
		return core.Transient(fmt.Errorf("%s %s: pacing: %w", p.what, key, err))
	}
	return nil
}

// Sleep waits d, or less if ctx ends first (then its error).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
