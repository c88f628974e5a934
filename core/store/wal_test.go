package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/store"
)

// walBound is the most the write-ahead log may weigh on disk, however long
// the backlog (issue #16: 1.08 GB after 18,000 messages).
const walBound = 64 << 20

// walIdle is "near zero": what the log may weigh once the store is idle.
const walIdle = 1 << 20

// TestWALStaysBoundedUnderBacklog works a backlog through the store's own
// write path — each customer message recorded with its ref and desk
// delivery in one transaction, outbox workers claiming and finishing the
// deliveries — while readers keep the log busy: the outbox's reads on the
// read pool and long read transactions on other connections, so some
// reader is nearly always on the log and PASSIVE checkpoints never let it
// start over. The log file must stay under walBound throughout and be back
// near zero bytes once the work stops. 1,500 messages by default (the
// log grew to ≈ 97 MB with PASSIVE checkpoints alone);
// CORNERSHOP_LONG=1 works the 18,000 of the issue and logs the figures.
func TestWALStaysBoundedUnderBacklog(t *testing.T) {
	n := 1_500
	if os.Getenv("CORNERSHOP_LONG") != "" {
		n = 18_000
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "wal.db")
	logs := &escalations{}
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path, AutoMigrate: true,
		Logger: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	convs := backlogConversations(t, s, 100)

	peak := watchWAL(t, path)
	stopReaders := keepReading(t, s, path)
	start := time.Now()
	workBacklog(t, s, convs, n)
	stopReaders()
	worked := time.Since(start)

	if got := peak(); got > walBound {
		t.Errorf("the write-ahead log reached %d bytes during a backlog of %d messages, want at most %d", got, n, walBound)
	}
	deadline := time.Now().Add(10 * time.Second)
	for walSize(t, path) > walIdle && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	final := walSize(t, path)
	if final > walIdle {
		t.Errorf("the write-ahead log is still %d bytes 10 s after the work stopped, want at most %d", final, walIdle)
	}
	db, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d messages in %s: write-ahead log peak %d bytes, %d once idle, database %d bytes; %s",
		n, worked.Round(time.Millisecond), peak(), final, db.Size(), logs)
}

// backlogConversations creates n conversations to spread the backlog over
// (the outbox claims one delivery per conversation and side at a time).
func backlogConversations(t testing.TB, s *store.Store, n int) []core.ConversationID {
	t.Helper()
	ids := make([]core.ConversationID, n)
	err := s.InTx(context.Background(), func(tx core.Tx) error {
		for i := range ids {
			c := core.Contact{Name: fmt.Sprint("customer ", i), Identities: []core.Identity{{Platform: core.Telegram, UserID: fmt.Sprint(i)}}, CreatedAt: time.Now()}
			if err := tx.CreateContact(&c); err != nil {
				return err
			}
			conv := core.Conversation{ContactID: c.ID, Customer: core.Place{Platform: core.Telegram, Chat: fmt.Sprint(i)}, Status: core.StatusOpen, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := tx.CreateConversation(&conv); err != nil {
				return err
			}
			ids[i] = conv.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// workBacklog records n messages, one transaction each as the inbound path
// does when events arrive one by one, while two outbox workers claim and
// finish their deliveries; it returns when all are finished.
func workBacklog(t testing.TB, s *store.Store, convs []core.ConversationID, n int) {
	t.Helper()
	ctx := context.Background()
	var recorded atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	var failed atomic.Bool
	fail := func(err error) { failed.Store(true); errs <- err }
	wg.Go(func() {
		for i := range n {
			_, err := recordMessage(ctx, s, convs[i%len(convs)], i)
			if err != nil {
				fail(fmt.Errorf("record message %d: %w", i, err))
				return
			}
			recorded.Add(1)
		}
	})
	var finished atomic.Int64
	for w := range 2 {
		wg.Go(func() {
			for finished.Load() < int64(n) && !failed.Load() {
				ds, err := s.Claim(ctx, fmt.Sprint("worker", w), time.Now(), 8, time.Minute)
				if err != nil {
					fail(fmt.Errorf("claim: %w", err))
					return
				}
				if len(ds) == 0 {
					if recorded.Load() == int64(n) && finished.Load() >= int64(n) {
						return
					}
					time.Sleep(time.Millisecond)
					continue
				}
				for _, d := range ds {
					err := s.InTx(ctx, func(tx core.Tx) error {
						return tx.FinishDelivery(d.ID, core.DeliveryDone, "", time.Now())
					})
					if err != nil {
						fail(fmt.Errorf("finish delivery %d: %w", d.ID, err))
						return
					}
					finished.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// recordMessage records customer message i of conv as the inbound path
// does: the message, its source ref and its desk delivery in one
// transaction.
func recordMessage(ctx context.Context, s *store.Store, conv core.ConversationID, i int) (core.MessageID, error) {
	var m core.Message
	err := s.InTx(ctx, func(tx core.Tx) error {
		now := time.Now()
		m = core.Message{ConversationID: conv, Direction: core.Inbound, Author: "contact", AuthorName: "Ada", Text: "hello, is anyone there? I ordered a blue teapot last week", CreatedAt: now}
		if err := tx.CreateMessage(&m); err != nil {
			return err
		}
		if err := tx.AddRef(core.Ref{MessageID: m.ID, Side: core.CustomerSide, Source: true, Platform: core.Telegram, Chat: fmt.Sprint(conv), PlatformID: fmt.Sprint(i)}); err != nil {
			return err
		}
		return tx.Enqueue(&core.Delivery{Key: fmt.Sprint("send:desk:", m.ID), ConversationID: conv, MessageID: m.ID, Op: core.OpSend, Side: core.DeskSide, Platform: core.Slack, NextAttemptAt: now, CreatedAt: now})
	})
	return m.ID, err
}

// keepReading keeps readers on the log until the returned stop is called:
// the outbox's own reads on the store's read pool, and long read
// transactions (30 ms, as a report or a roadmap page) on three connections
// of their own, staggered so one is nearly always open.
func keepReading(t testing.TB, s *store.Store, path string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	wg.Go(func() {
		for ctx.Err() == nil {
			_, err := s.NextDue(ctx)
			if err != nil && !errors.Is(err, core.ErrNotFound) && ctx.Err() == nil {
				errs <- fmt.Errorf("next due: %w", err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	for r := range 3 {
		wg.Go(func() {
			time.Sleep(time.Duration(r) * 10 * time.Millisecond)
			for ctx.Err() == nil {
				if err := readLong(ctx, db); err != nil && ctx.Err() == nil {
					errs <- err
					return
				}
			}
		})
	}
	return func() {
		cancel()
		wg.Wait()
		db.Close()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

// readLong holds one read transaction open for 30 ms.
func readLong(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	var n sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT MAX(id) FROM messages").Scan(&n); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(30 * time.Millisecond):
	}
	return nil
}

// watchWAL samples the size of path's write-ahead log every 5 ms until
// the test ends; peak returns the largest seen so far.
func watchWAL(t testing.TB, path string) (peak func() int64) {
	t.Helper()
	var max atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if n := walSize(t, path); n > max.Load() {
				max.Store(n)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	return func() int64 {
		if n := walSize(t, path); n > max.Load() {
			max.Store(n)
		}
		return max.Load()
	}
}

// walSize is the size of path's write-ahead log file, 0 when there is none.
func walSize(t testing.TB, path string) int64 {
	fi, err := os.Stat(path + "-wal")
	if errors.Is(err, fs.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Error(err)
		return 0
	}
	return fi.Size()
}

// escalations is a slog.Handler that keeps how long each of the store's
// RESTART and TRUNCATE checkpoints held the writer.
type escalations struct {
	mu      sync.Mutex
	held    []time.Duration // how long each held the writer
	blocked int             // checkpoints cut short by readers
}

func (h *escalations) Enabled(context.Context, slog.Level) bool { return true }
func (h *escalations) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *escalations) WithGroup(string) slog.Handler            { return h }

func (h *escalations) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "writer_held":
			h.held = append(h.held, a.Value.Duration())
		case "readers_held":
			if a.Value.Bool() {
				h.blocked++
			}
		}
		return true
	})
	return nil
}

func (h *escalations) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.held) == 0 {
		return "no checkpoint on the write connection"
	}
	held := slices.Clone(h.held)
	slices.Sort(held)
	at := func(q float64) time.Duration { return held[int(q*float64(len(held)-1))].Round(time.Millisecond) }
	return fmt.Sprintf("%d checkpoints on the write connection (%d cut short by readers) held the writer p50 %s, p90 %s, max %s",
		len(held), h.blocked, at(0.5), at(0.9), at(1))
}
