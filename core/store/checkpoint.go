package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
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
// the 24 s of `bench --scenario paced`. So when a PASSIVE checkpoint finds
// more than walRestartAt in the log, the checkpointer runs a RESTART
// checkpoint on the write connection: copy the last frames and wait for
// the readers still on the log, so the next commit writes from its
// beginning. And once nothing has been written for walIdleAfter it runs a
// TRUNCATE checkpoint, which also empties the file: an idle store's log is
// zero bytes.
//
// RESTART, not TRUNCATE, under load: in TestWALStaysBoundedUnderBacklog
// without its long readers (load average ≈ 10 on 2 vCPUs) a RESTART held
// the writer 1–29 ms (mostly 3–14), a TRUNCATE 11–97 ms: shrinking the file
// and growing it again costs more than the checkpoint's two fsyncs.
const (
	// walRestartAt is the log's size, in bytes of frames, past which it is
	// restarted. The log grows past it by what the writer adds until the
	// next PASSIVE copy sees it and while restarts are cut short by
	// readers (see TestWALStaysBoundedUnderBacklog for the peaks; the
	// promise is 64 MB). At paced 1,000 messages/s (≈ 23 MB of log a
	// second) it is restarted about twice a second.
	walRestartAt = 12 << 20
	// walGrowing is how much the log may grow in a tick, at the pace seen
	// since the previous PASSIVE copy, before the copies run every
	// walCopyFast instead of every checkpointEvery (as they do while the
	// log is over walRestartAt).
	// A backlog (≈ 70 MB of log a second here, ≈ 17 MB a tick) copies
	// fast, so the log cannot run far past walRestartAt before a copy sees
	// it, and each checkpoint's fsync of the log (all written since the
	// last one: synchronous=NORMAL does not sync commits) stays short,
	// above all the restart's, which the writer waits for. Paced traffic
	// (≈ 6 MB a tick at 1,000 messages/s) keeps the tick.
	walGrowing = 8 << 20
	// walCopyFast is the PASSIVE copies' interval while the log is growing.
	walCopyFast = 50 * time.Millisecond
	// walRetryAfter spaces escalations that readers cut short, so a reader
	// that stays does not make the writer wait walEscalateWait over and
	// over.
	walRetryAfter = 100 * time.Millisecond
	// walIdleAfter is how long without a new frame makes the store idle
	// enough to empty the log.
	walIdleAfter = time.Second
	// walEscalateWait bounds how long a RESTART or TRUNCATE waits for the
	// readers still on the log (SQLite's busy timeout, set for that
	// statement only). The writer waits for the whole checkpoint, so this
	// bounds most of its stall; the rest is the copy of what was written
	// since the PASSIVE copy and its fsyncs. A checkpoint that times out
	// copies what it can and is tried again. Readers on the read pool run
	// one statement each, milliseconds.
	walEscalateWait = 100 * time.Millisecond
	// journalSizeLimit is SQLite's journal_size_limit: when the log starts
	// over, a file larger than this is cut back to it rather than kept at
	// its peak size. Above the file's usual peak, so the writer's commits
	// do not shrink and regrow it.
	journalSizeLimit = 48 << 20
)

// checkpointer runs checkpoints beside the writer until stop.
type checkpointer struct {
	ckpt   *sql.DB // PASSIVE checkpoints: never blocks the writer
	writer *sql.DB // the one write connection, for RESTART and TRUNCATE
	// busy is the write connection's busy timeout, restored after each
	// escalated checkpoint.
	busy  time.Duration
	frame int64 // bytes per log frame: page size plus its 24-byte header
	log   *slog.Logger
	stop  func()
}

// walState is what `PRAGMA wal_checkpoint` reports: whether it was kept
// from finishing, the frames in the log and how many of them are copied.
type walState struct {
	busy         bool
	frames, done int64
}

// startCheckpoints starts checkpointing through ckpt (a connection of its
// own) and writer (the write pool).
func startCheckpoints(ctx context.Context, ckpt, writer *sql.DB, busy time.Duration, log *slog.Logger) (*checkpointer, error) {
	var page int64
	if err := ckpt.QueryRowContext(ctx, "PRAGMA page_size").Scan(&page); err != nil {
		return nil, fmt.Errorf("store: sqlite page size: %w", err)
	}
	c := &checkpointer{ckpt: ckpt, writer: writer, busy: busy, frame: page + 24, log: log}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { c.run(ctx) })
	c.stop = func() { cancel(); wg.Wait() }
	return c, nil
}

func (c *checkpointer) run(ctx context.Context) {
	t := time.NewTimer(checkpointEvery)
	defer t.Stop()
	var (
		last    int64     // frames in the log at the previous copy
		copied  time.Time // when the previous copy ran
		changed time.Time // when the log last had new frames
		tried   time.Time // the last escalation cut short by readers
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st, err := checkpoint(ctx, c.ckpt, "PASSIVE")
		if err != nil {
			if ctx.Err() == nil {
				c.log.Warn("store: sqlite checkpoint failed", "err", err)
			}
			t.Reset(checkpointEvery)
			continue
		}
		grew := st.frames - last
		if grew < 0 { // the log started over
			grew = st.frames
		}
		if grew != 0 || changed.IsZero() {
			changed = time.Now()
		}
		last = st.frames
		// The log's growth over a whole tick at the pace since the last copy.
		pace := float64(grew*c.frame) * checkpointEvery.Seconds() / max(time.Since(copied).Seconds(), 0.001)
		copied = time.Now()
		if pace >= walGrowing || st.frames*c.frame >= walRestartAt {
			t.Reset(walCopyFast)
		} else {
			t.Reset(checkpointEvery)
		}
		mode := escalation(st, c.frame, grew, time.Since(changed))
		if mode == "" || time.Since(tried) < walRetryAfter {
			continue
		}
		after, err := c.escalate(ctx, mode, st)
		if err != nil {
			if ctx.Err() == nil {
				c.log.Warn("store: sqlite checkpoint failed", "mode", mode, "err", err)
			}
			continue
		}
		last = after.frames // a restarted log keeps its frames until the next commit
		if after.busy {
			tried = time.Now()
		}
	}
}

// escalation is the checkpoint a PASSIVE one's report st calls for beyond
// it, or "": frame is the bytes of a log frame, grew the frames written
// since the previous copy, still how long none has been. A log nothing is
// written to is not restarted again (the restart happens at the next
// commit); it is emptied once idle.
func escalation(st walState, frame, grew int64, still time.Duration) string {
	switch {
	case st.frames > 0 && st.frames == st.done && still >= walIdleAfter:
		return "TRUNCATE"
	case st.frames*frame >= walRestartAt && grew > 0:
		return "RESTART"
	}
	return ""
}

// escalate runs a RESTART or TRUNCATE checkpoint on the write connection,
// so it takes its turn between two write transactions rather than making
// the writer poll SQLite's busy handler, with the busy timeout cut to
// walEscalateWait. before is what the PASSIVE checkpoint just before
// reported; escalate returns what the checkpoint reports (busy: readers
// kept it from finishing).
func (c *checkpointer) escalate(ctx context.Context, mode string, before walState) (walState, error) {
	start := time.Now()
	conn, err := c.writer.Conn(ctx) // waits for the transaction in flight
	if err != nil {
		return walState{}, fmt.Errorf("store: sqlite checkpoint %s: %w", mode, err)
	}
	defer conn.Close()
	got := time.Now()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout=%d", walEscalateWait.Milliseconds())); err != nil {
		return walState{}, fmt.Errorf("store: sqlite checkpoint %s: %w", mode, err)
	}
	st, err := checkpoint(ctx, conn, mode)
	held := time.Since(got)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout=%d", c.busy.Milliseconds())); rerr != nil {
		c.log.Error("store: sqlite busy timeout not restored", "err", rerr)
	}
	if err != nil {
		return walState{}, err
	}
	c.log.Debug("store: sqlite checkpoint escalated", "mode", mode, "wal_bytes", before.frames*c.frame,
		"readers_held", st.busy, "waited", got.Sub(start), "writer_held", held)
	return st, nil
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
