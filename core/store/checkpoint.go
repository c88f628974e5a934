package store

import (
	"context"
	"database/sql"
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

// checkpointer runs PASSIVE checkpoints on db until stop.
type checkpointer struct {
	stop func()
}

func startCheckpoints(db *sql.DB, every time.Duration, log *slog.Logger) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil && ctx.Err() == nil {
				log.Warn("store: sqlite checkpoint failed", "err", err)
			}
		}
	})
	return &checkpointer{stop: func() { cancel(); wg.Wait() }}
}
