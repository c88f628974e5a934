package outbox

import (
	"log/slog"
	"time"
)

// Store errors: while the store fails (a database restarting, a full disk)
// the worker waits between claims, doubling from storeBackoffMin up to
// storeBackoffMax, and logs at most once per storeLogEvery with the number
// of failures since its last line. A claim that succeeds resets both.
const (
	storeBackoffMin = 50 * time.Millisecond
	storeBackoffMax = 4 * time.Second
	storeLogEvery   = 5 * time.Second
)

// trouble tracks the store's consecutive failures for one loop (Run's):
// how long to wait before asking it again and when to say so. It is not
// safe for concurrent use.
type trouble struct {
	log  *slog.Logger
	wait time.Duration // the next wait; 0 while the store answers

	failures int       // since the last line logged
	logged   time.Time // when the last line was logged
}

// failed notes a failure at now, logs it if no line was logged within
// storeLogEvery, and returns how long to wait before trying again.
func (t *trouble) failed(now time.Time, err error) time.Duration {
	t.failures++
	t.wait = min(max(t.wait*2, storeBackoffMin), storeBackoffMax)
	if t.logged.IsZero() || now.Sub(t.logged) >= storeLogEvery {
		t.log.Warn("outbox claim failed", "err", err, "failures", t.failures, "next_in", t.wait)
		t.failures, t.logged = 0, now
	}
	return t.wait
}

// ok notes a success: the next failure waits storeBackoffMin again. A
// recovery after failures is logged with the failures not yet logged.
func (t *trouble) ok() {
	if t.wait == 0 {
		return
	}
	t.log.Info("outbox claims succeed again", "failures", t.failures)
	t.wait, t.failures, t.logged = 0, 0, time.Time{}
}
