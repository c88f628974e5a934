package relay

import (
	"context"
	"errors"
	"slices"
	"sync"

	"cornershop/core"
)

// committer groups concurrent writes into shared transactions (group
// commit). Each caller's work still returns only after the transaction that
// holds it commits, so nothing is acknowledged before it is durable; a batch
// that fails is retried one job per transaction so one bad job cannot fail
// the others. Up to lanes batches run at once (one on SQLite, whose single
// writer would make a second wait anyway); jobs that must follow one
// another (a chat's messages, a lane's deliveries) never share a moment in
// the queue, as each caller waits for its job's commit before the next.
type committer struct {
	store core.Store
	max   int
	lanes int
	wake  func()

	mu      sync.Mutex
	queue   []*job
	leaders int // batches running
}

type job struct {
	fn   func(tx core.Tx) error
	wake bool             // the job may queue deliveries: wake the outbox after it
	key  *core.InboundKey // a customer message: what its recording reads
	load *core.LoadKey    // a delivery's load: what it reads
	err  error
	done chan struct{} // closed when err is final
	lead chan struct{} // closed when this job must run the next batch
	led  bool          // lead closed (under committer.mu)
}

func (c *committer) do(ctx context.Context, fn func(tx core.Tx) error) error {
	return c.doJob(ctx, &job{fn: fn, wake: true})
}

// quiet is do for work that queues no delivery (the outbox's own reads and
// outcomes): its commit does not wake the outbox, which knows already.
func (c *committer) quiet(ctx context.Context, fn func(tx core.Tx) error) error {
	return c.doJob(ctx, &job{fn: fn})
}

func (c *committer) doJob(ctx context.Context, j *job) error {
	j.done, j.lead = make(chan struct{}), make(chan struct{})
	c.mu.Lock()
	c.queue = append(c.queue, j)
	if c.leaders >= max(c.lanes, 1) {
		c.mu.Unlock()
		select {
		case <-j.done:
			return j.err
		case <-j.lead:
		}
	} else {
		c.leaders++
		c.mu.Unlock()
	}
	// This goroutine leads: run one batch (which includes j), then pass the
	// lead to the first job still waiting, if any.
	c.mu.Lock()
	n := min(len(c.queue), c.max)
	batch := c.queue[:n:n]
	c.queue = c.queue[n:]
	c.mu.Unlock()

	c.run(context.WithoutCancel(ctx), batch)
	if c.wake != nil && slices.ContainsFunc(batch, func(j *job) bool { return j.wake }) {
		c.wake()
	}

	c.mu.Lock()
	if i := slices.IndexFunc(c.queue, func(j *job) bool { return !j.led }); i >= 0 {
		c.queue[i].led = true // another leader may pass on before it wakes
		close(c.queue[i].lead)
	} else {
		c.leaders--
	}
	c.mu.Unlock()
	<-j.done
	return j.err
}

var errJobFailed = errors.New("a job in the batch failed")

// preloader is a transaction that can read ahead, for a batch of customer
// messages and delivery loads, what recording and loading them reads (the
// PostgreSQL store: one round trip per kind of row for the batch instead of
// one per message).
type preloader interface {
	Preload(inbound []core.InboundKey, loads []core.LoadKey) error
}

// wrappedTx is one of the relay's own wrappers around the store's
// transaction (observedTx, eventTx): they add behaviour to some writes and
// hide the store's optional methods, which preload must still find.
type wrappedTx interface {
	wrapped() core.Tx
}

// storeTx is the store's own transaction under the relay's wrappers.
func storeTx(tx core.Tx) core.Tx {
	for {
		w, ok := tx.(wrappedTx)
		if !ok {
			return tx
		}
		tx = w.wrapped()
	}
}

// preload reads ahead for the batch's customer messages and delivery loads,
// when the store's transaction can (looking through the relay's wrappers:
// reading ahead bypasses nothing they add, as they wrap writes); it also
// tells the transaction it holds a batch (called for batches of two jobs or
// more only).
func preload(tx core.Tx, batch []*job) error {
	p, ok := storeTx(tx).(preloader)
	if !ok {
		return nil
	}
	var keys []core.InboundKey
	var loads []core.LoadKey
	for _, j := range batch {
		if j.key != nil {
			keys = append(keys, *j.key)
		}
		if j.load != nil {
			loads = append(loads, *j.load)
		}
	}
	return p.Preload(keys, loads)
}

func (c *committer) run(ctx context.Context, batch []*job) {
	finish := func(j *job, err error) { j.err = err; close(j.done) }
	if len(batch) > 1 {
		err := c.store.InTx(ctx, func(tx core.Tx) error {
			if err := preload(tx, batch); err != nil {
				return err
			}
			for _, j := range batch {
				if err := j.fn(tx); err != nil {
					return errJobFailed
				}
			}
			return nil
		})
		if err == nil {
			for _, j := range batch {
				finish(j, nil)
			}
			return
		}
	}
	for _, j := range batch {
		finish(j, c.store.InTx(ctx, j.fn))
	}
}
