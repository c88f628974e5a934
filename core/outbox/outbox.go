// Package outbox runs the delivery worker: it claims due deliveries from the
// store, has them performed, records receipts, and retries or gives up by
// each failure's class — backoff with jitter for transient failures, exactly
// the platform's delay for retry-after, a visible note for permanent ones.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"cornershop/core"
)

// Store is what the worker needs from persistence.
type Store interface {
	InTx(ctx context.Context, fn func(tx core.Tx) error) error
	Claim(ctx context.Context, owner string, now time.Time, limit int, lease time.Duration) ([]core.Delivery, error)
	NextDue(ctx context.Context) (time.Time, error)
}

// Reaper is a Store that can tell which leases belong to processes that
// are gone and release them (store.Store is one). Without it a delivery
// in flight when its process died waits out its lease, and so does every
// later delivery of its conversation.
type Reaper interface {
	// ReleaseOrphans releases the leases of dead owners other than self
	// and returns how many.
	ReleaseOrphans(ctx context.Context, self string) (int64, error)
}

// reapEvery is how often Run looks for orphaned leases.
const reapEvery = 5 * time.Second

// Performer carries out deliveries; relay.Service is one.
type Performer interface {
	// Perform executes d and returns how to record its result (may be nil),
	// or an error classified by core.Classify.
	Perform(ctx context.Context, d core.Delivery) (func(core.Tx) error, error)
	// GiveUp records a visible failure for d inside tx.
	GiveUp(tx core.Tx, d core.Delivery, cause error) error
}

// Schedule is a retry schedule: attempts before giving up, and the delay
// before the first retry, doubled for each next one up to MaxBackoff.
type Schedule struct {
	MaxAttempts int
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
}

// Scheduler is a Performer that gives some deliveries a retry schedule of
// their own (webhooks retry for a day, not minutes). Schedule returns it
// and true, or false for the worker's Options.
type Scheduler interface {
	Schedule(d core.Delivery) (Schedule, bool)
}

// Observer is told what happened to each attempt, for metrics. Methods must
// not block.
type Observer interface {
	Attempted(d core.Delivery, outcome Outcome, took time.Duration)
}

// Outcome is the result of one attempt.
type Outcome string

// Attempt outcomes.
const (
	Delivered  Outcome = "delivered"
	Retried    Outcome = "retried"
	RateLimit  Outcome = "retry_after"
	GaveUp     Outcome = "failed"
	StoreError Outcome = "store_error"
)

// Options tune the worker. Zero values take the defaults in brackets.
type Options struct {
	Owner       string        // lease owner, unique per process ["outbox"]
	Workers     int           // deliveries performed at once [4]
	Lease       time.Duration // how long a claim holds [2m]
	BaseBackoff time.Duration // first transient retry delay [1s]
	MaxBackoff  time.Duration // cap on the retry delay [10m]
	MaxAttempts int           // transient attempts before giving up [12]
	// Poll is the longest the worker sleeps without being woken, so work
	// queued by other replicas is seen [1s].
	Poll     time.Duration
	Now      func() time.Time
	Jitter   func(d time.Duration) time.Duration // [±20 %]
	Logger   *slog.Logger
	Observer Observer
}

// Worker delivers the outbox. Create it with New and start it with Run.
type Worker struct {
	store Store
	perf  Performer
	o     Options
	wake  chan struct{}
	// busy holds the deliveries being performed, so one is never claimed
	// twice by this process after its lease is renewed elsewhere.
	mu   sync.Mutex
	busy map[core.DeliveryID]bool
}

// New returns a worker over store and perf.
func New(store Store, perf Performer, o Options) *Worker {
	if o.Owner == "" {
		o.Owner = "outbox"
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Jitter == nil {
		o.Jitter = func(d time.Duration) time.Duration {
			return d + time.Duration((rand.Float64()*0.4-0.2)*float64(d))
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{store: store, perf: perf, o: o, wake: make(chan struct{}, 1), busy: map[core.DeliveryID]bool{}}
}

// Notify wakes the worker because new deliveries may be due. It never
// blocks and is safe to call from any goroutine.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run claims and performs deliveries until ctx ends, then waits for the
// deliveries in flight to finish (each with its own deadline) and returns
// nil. It returns early only if ctx is already done.
func (w *Worker) Run(ctx context.Context) error {
	sem := make(chan struct{}, w.o.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	var reaped time.Time
	claims := trouble{log: w.o.Logger}
	// While deliveries are in flight, slots are claimed for in batches of
	// an eighth of them, not one by one as each frees: a claim is a write
	// transaction, and the next few finish within moments.
	batch := max(1, w.o.Workers/8)
	canClaim := func() bool { free := w.o.Workers - len(sem); return free >= batch || free > 0 && len(sem) == 0 }
	for {
		if ctx.Err() != nil {
			return nil
		}
		if now := w.o.Now(); now.Sub(reaped) >= reapEvery {
			reaped = now
			w.reap(ctx)
		}
		free := w.o.Workers - len(sem)
		var claimed []core.Delivery
		if canClaim() {
			var err error
			claimed, err = w.store.Claim(ctx, w.o.Owner, w.o.Now(), free, w.o.Lease)
			switch {
			case err != nil && ctx.Err() == nil:
				// The store is failing: asking again at once would spin
				// (work stays due) and flood the log.
				w.pause(ctx, claims.failed(w.o.Now(), err))
				continue
			case err == nil:
				claims.ok()
			}
		}
		for _, d := range claimed {
			if !w.start(d.ID) {
				continue
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem; w.finish(d.ID); w.Notify() }()
				// A delivery in flight finishes even when Run is asked to
				// stop: that is the drain.
				dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.o.Lease/2)
				defer cancel()
				w.attempt(dctx, d)
			}()
		}
		if len(claimed) > 0 && canClaim() {
			continue
		}
		// With the slots busy, the next chance to work is slots freeing
		// (each finished delivery notifies): asking the store when work is
		// due would scan the whole backlog once per delivery.
		w.sleep(ctx, canClaim())
	}
}

// RunOnce claims the deliveries due now (up to Workers), performs them
// concurrently and returns how many it attempted once all are recorded. It
// is Run's single step, for tests with a fake clock and for benchmarks.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	claimed, err := w.store.Claim(ctx, w.o.Owner, w.o.Now(), w.o.Workers, w.o.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim: %w", err)
	}
	var wg sync.WaitGroup
	for _, d := range claimed {
		wg.Go(func() { w.attempt(ctx, d) })
	}
	wg.Wait()
	return len(claimed), nil
}

// reap releases the leases of dead processes, when the store can.
func (w *Worker) reap(ctx context.Context) {
	r, ok := w.store.(Reaper)
	if !ok {
		return
	}
	n, err := r.ReleaseOrphans(ctx, w.o.Owner)
	switch {
	case err != nil && ctx.Err() == nil:
		w.o.Logger.Warn("outbox could not release orphaned leases", "err", err)
	case n > 0:
		w.o.Logger.Info("outbox released the leases of a process that is gone", "deliveries", n)
	}
}

func (w *Worker) start(id core.DeliveryID) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.busy[id] {
		return false
	}
	w.busy[id] = true
	return true
}

func (w *Worker) finish(id core.DeliveryID) {
	w.mu.Lock()
	delete(w.busy, id)
	w.mu.Unlock()
}

// sleep waits for a wake-up, the poll interval or, when idle slots could
// take work, the next due delivery.
func (w *Worker) sleep(ctx context.Context, idle bool) {
	wait := w.o.Poll
	if idle {
		if next, err := w.store.NextDue(ctx); err == nil {
			if d := next.Sub(w.o.Now()); d < wait {
				wait = max(d, time.Millisecond)
			}
		}
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-w.wake:
	case <-t.C:
	}
}

// pause waits d, or until ctx ends; wake-ups do not shorten it.
func (w *Worker) pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// attempt performs d once and records the outcome. A store that fails to
// record it (a database restarting) is asked again, backing off, until the
// attempt's deadline: the platform has acted, and a delivery left claimed
// would be performed again when its lease ends — a duplicate where the
// platform takes no idempotency key.
func (w *Worker) attempt(ctx context.Context, d core.Delivery) {
	began := w.o.Now()
	settle, err := w.perf.Perform(ctx, d)
	outcome, write := w.record(d, settle, err)
	wait := time.Duration(0)
	for {
		rerr := w.store.InTx(ctx, write)
		if rerr == nil {
			break
		}
		wait = min(max(wait*2, storeBackoffMin), storeBackoffMax)
		if ctx.Err() != nil || answered(rerr) {
			outcome = StoreError
			w.o.Logger.Error("outbox could not record a delivery outcome", "delivery", d.ID, "op", d.Op, "err", rerr)
			break
		}
		if wait == storeBackoffMin {
			w.o.Logger.Warn("outbox cannot record a delivery outcome yet; retrying", "delivery", d.ID, "op", d.Op, "err", rerr)
		}
		w.pause(ctx, wait)
	}
	if w.o.Observer != nil {
		w.o.Observer.Attempted(d, outcome, w.o.Now().Sub(began))
	}
}

// answered reports whether err is the store's answer (a sentinel) rather
// than its failing: asking again would get the same answer.
func answered(err error) bool {
	for _, e := range []error{core.ErrNotFound, core.ErrDuplicate, core.ErrInvalid, core.ErrUnsupported, core.ErrForbidden} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// record classifies an attempt's result and returns the write recording it.
func (w *Worker) record(d core.Delivery, settle func(core.Tx) error, err error) (Outcome, func(core.Tx) error) {
	now := w.o.Now()
	if err == nil {
		return Delivered, func(tx core.Tx) error {
			if settle != nil {
				if err := settle(tx); err != nil {
					return err
				}
			}
			return tx.FinishDelivery(d.ID, core.DeliveryDone, "", now)
		}
	}
	class, after := core.Classify(err)
	log := w.o.Logger.With("delivery", d.ID, "op", d.Op, "side", d.Side, "platform", d.Platform, "attempt", d.Attempts+1)
	switch {
	case class == core.ClassRetryAfter:
		if core.IsPaced(err) {
			// Our own pacing (or an earlier 429's window still running):
			// routine under load, so only at debug level.
			log.Debug("paced: the send waits for its turn (our own pacing, no new 429)", "after", after, "why", err)
		} else {
			log.Info("platform rate limited the call: retrying after its retry-after", "after", after, "err", err)
		}
		// Waiting as asked is not a failed attempt: it does not count.
		return RateLimit, func(tx core.Tx) error {
			return tx.RetryDelivery(d.ID, d.Attempts, now.Add(after), err.Error())
		}
	case class == core.ClassTransient && d.Attempts+1 < w.schedule(d).MaxAttempts:
		next := now.Add(w.backoff(w.schedule(d), d.Attempts))
		log.Warn("delivery failed, will retry", "err", err, "next", next)
		return Retried, func(tx core.Tx) error {
			return tx.RetryDelivery(d.ID, d.Attempts+1, next, err.Error())
		}
	}
	log.Error("delivery failed for good", "err", err)
	return GaveUp, func(tx core.Tx) error {
		if err := tx.FinishDelivery(d.ID, core.DeliveryFailed, err.Error(), now); err != nil {
			return err
		}
		if gerr := w.perf.GiveUp(tx, d, err); gerr != nil {
			return fmt.Errorf("record failure note: %w", gerr)
		}
		return nil
	}
}

// schedule is d's retry schedule: its Performer's, else the worker's.
func (w *Worker) schedule(d core.Delivery) Schedule {
	if sc, ok := w.perf.(Scheduler); ok {
		if s, ok := sc.Schedule(d); ok && s.MaxAttempts > 0 && s.BaseBackoff > 0 && s.MaxBackoff > 0 {
			return s
		}
	}
	return Schedule{MaxAttempts: w.o.MaxAttempts, BaseBackoff: w.o.BaseBackoff, MaxBackoff: w.o.MaxBackoff}
}

// backoff is the delay before transient retry number attempts+1 on s.
func (w *Worker) backoff(s Schedule, attempts int) time.Duration {
	d := s.BaseBackoff
	for range attempts {
		d *= 2
		if d >= s.MaxBackoff {
			d = s.MaxBackoff
			break
		}
	}
	return min(w.o.Jitter(d), s.MaxBackoff)
}
