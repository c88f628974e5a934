package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"
)

// checkpointEvery is how often a background connection copies SQLite's
// write-ahead log into the database file. The write connection does not
// checkpoint itself (wal_autocheckpoint=0): SQLite's automatic checkpoint
// runs inside whichever commit crosses the log's threshold and makes it
// wait for the copy and its fsync. A PASSIVE checkpoint never waits for,
// nor blocks, the writer or the readers. Measured with `cornershop bench
// --scenario paced` (p99 at 200 and 1,000 messages/s): SQLite's automatic
// checkpoints 5.2–7.5 and 9.2–10.1 ms; every second beside the writer
// 2.4–4.2 and 11–13 ms; every 250 ms, small copies, 2.2–2.3 and 8.6 ms.
const checkpointEvery = 250 * time.Millisecond

// PASSIVE alone does not bound the log. The log starts over from its
// beginning only when a writer begins a transaction with the log wholly
// copied and no reader still on it. A writer that commits every few
// milliseconds never finds it so (the copy takes longer than the gap), and
// the read pool nearly always has a reader: the log grew by every commit's
// pages, 1.08 GB beside a 13.9 MB database after 18,000 messages, 282 MB in
// the 24 s of `bench --scenario paced`. So the checkpointer also watches
// the log file's size, and once it passes walTruncateAt it copies the log
// with PASSIVE, then runs a TRUNCATE checkpoint on the write connection:
// copy the last frames, wait for the readers still on the log, empty the
// file. It empties it the same way once nothing has been written for
// walIdleTicks ticks, so an idle store's log is zero bytes.
const (
	// walTruncateAt is the log file's size past which it is emptied. The
	// file peaks above it by what the writer adds while the PASSIVE copy
	// runs and while truncations are cut short by readers: ≈ 25–40 MB in
	// TestWALStaysBoundedUnderBacklog, under the 64 MB promised. At paced
	// 1,000 messages/s (≈ 23 MB of log a second) it is emptied about once
	// a second.
	walTruncateAt = 24 << 20
	// walProbeEvery is how often the log file's size is read (one stat):
	// a backlog adds ≈ 2 MB to the log between two reads.
	walProbeEvery = 25 * time.Millisecond
	// walRetryAfter spaces truncations that readers cut short, so a reader
	// that stays does not make the writer wait walEscalateWait over and
	// over.
	walRetryAfter = 100 * time.Millisecond
	// walIdleTicks is how many ticks without a new frame make the store
	// idle enough to empty the log (one second).
	walIdleTicks = 4
	// walEscalateWait bounds how long a truncation waits for the readers
	// still on the log (SQLite's busy timeout, set for that statement
	// only). The writer waits for the whole truncation, so this bounds
	// most of its stall; the rest is the copy of what was written since
	// the PASSIVE copy and its fsyncs. A truncation that times out copies
	// what it can and is tried again walRetryAfter later. Readers on the
	// read pool run one statement each, milliseconds.
	walEscalateWait = 100 * time.Millisecond
	// journalSizeLimit is SQLite's journal_size_limit: when the writer
	// starts the log over by itself, a file larger than this is cut back
	// to it rather than kept at its peak size.
	journalSizeLimit = 16 << 20
)

// checkpointer runs checkpoints beside the writer until stop.
type checkpointer struct {
	ckpt   *sql.DB // PASSIVE checkpoints: never blocks the writer
	writer *sql.DB // the one write connection, for TRUNCATE
	// busy is the write connection's busy timeout, restored after each
	// truncation.
	busy    time.Duration
	frame   int64  // bytes per log frame: page size plus its 24-byte header
	walPath string // the log file, "" when the DSN does not name a file
	log     *slog.Logger
	stop    func()
}

// walState is what `PRAGMA wal_checkpoint` reports: whether it was kept
// from finishing, the frames in the log and how many of them are copied.
type walState struct {
	busy         bool
	frames, done int64
}

// startCheckpoints starts checkpointing the database dsn names, through
// ckpt (a connection of its own) and writer (the write pool).
func startCheckpoints(ctx context.Context, dsn string, ckpt, writer *sql.DB, busy time.Duration, log *slog.Logger) (*checkpointer, error) {
	var page int64
	if err := ckpt.QueryRowContext(ctx, "PRAGMA page_size").Scan(&page); err != nil {
		return nil, fmt.Errorf("store: sqlite page size: %w", err)
	}
	c := &checkpointer{ckpt: ckpt, writer: writer, busy: busy, frame: page + 24, log: log}
	if path, ok := sqliteFilePath(dsn); ok {
		c.walPath = path + "-wal"
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { c.run(ctx) })
	c.stop = func() { cancel(); wg.Wait() }
	return c, nil
}

func (c *checkpointer) run(ctx context.Context) {
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	var probe <-chan time.Time
	if c.walPath != "" {
		p := time.NewTicker(walProbeEvery)
		defer p.Stop()
		probe = p.C
	}
	var last int64      // frames in the log at the previous tick
	still := 0          // ticks in a row without a new frame
	var tried time.Time // the last truncation cut short by readers
	for {
		var st walState
		var err error
		select {
		case <-ctx.Done():
			return
		case <-probe:
			if c.walSize() < walTruncateAt || time.Since(tried) < walRetryAfter {
				continue
			}
			st, err = checkpoint(ctx, c.ckpt, "PASSIVE")
		case <-tick.C:
			st, err = checkpoint(ctx, c.ckpt, "PASSIVE")
			if err == nil {
				if st.frames == last {
					still++
				} else {
					still = 0
				}
				last = st.frames
				if !c.truncateAfter(st, still) {
					continue
				}
			}
		}
		if err == nil {
			var cut bool
			cut, err = c.truncate(ctx, st)
			if cut {
				tried = time.Now()
			}
		}
		if err != nil && ctx.Err() == nil {
			c.log.Warn("store: sqlite checkpoint failed", "err", err)
		}
	}
}

// truncateAfter tells whether the tick's PASSIVE checkpoint, st, calls for
// a truncation: the log is idle (still ticks in a row without a new frame)
// and not empty, or — when there is no file to probe — over walTruncateAt
// and growing.
func (c *checkpointer) truncateAfter(st walState, still int) bool {
	if st.frames > 0 && st.frames == st.done && still >= walIdleTicks {
		return true
	}
	return c.walPath == "" && st.frames*c.frame >= walTruncateAt && still == 0
}

// walSize is the log file's size; 0 when it is missing or unreadable.
func (c *checkpointer) walSize() int64 {
	fi, err := os.Stat(c.walPath)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.log.Warn("store: sqlite wal size unknown", "err", err)
		}
		return 0
	}
	return fi.Size()
}

// truncate runs a TRUNCATE checkpoint on the write connection, so it takes
// its turn between two write transactions rather than making the writer
// poll SQLite's busy handler, with the busy timeout cut to walEscalateWait.
// before is what the PASSIVE checkpoint just before reported. cut reports a
// truncation that readers kept from finishing.
func (c *checkpointer) truncate(ctx context.Context, before walState) (cut bool, err error) {
	start := time.Now()
	conn, err := c.writer.Conn(ctx) // waits for the transaction in flight
	if err != nil {
		return false, fmt.Errorf("store: sqlite wal truncation: %w", err)
	}
	defer conn.Close()
	got := time.Now()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout=%d", walEscalateWait.Milliseconds())); err != nil {
		return false, fmt.Errorf("store: sqlite wal truncation: %w", err)
	}
	st, err := checkpoint(ctx, conn, "TRUNCATE")
	held := time.Since(got)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout=%d", c.busy.Milliseconds())); rerr != nil {
		c.log.Error("store: sqlite busy timeout not restored", "err", rerr)
	}
	if err != nil {
		return false, err
	}
	c.log.Debug("store: sqlite wal truncated", "wal_bytes", before.frames*c.frame, "readers_held", st.busy,
		"waited", got.Sub(start), "writer_held", held)
	return st.busy, nil
}

// querier is a *sql.DB or a *sql.Conn.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkpoint runs `PRAGMA wal_checkpoint(mode)` on q.
func checkpoint(ctx context.Context, q querier, mode string) (walState, error) {
	var st walState
	var busy int
	if err := q.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &st.frames, &st.done); err != nil {
		return st, fmt.Errorf("store: sqlite checkpoint %s: %w", mode, err)
	}
	st.busy = busy != 0
	return st, nil
}
