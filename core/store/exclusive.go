package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Exclusive runs fn while this process holds the cluster-wide lock called
// name, so a long-lived platform connection (Telegram polling, a Discord
// gateway, a Slack Socket Mode link) exists once however many replicas
// run. On PostgreSQL it waits for a session-level advisory lock taken on a
// dedicated connection, polling every poll; fn's context is cancelled if
// that connection stops answering, so another replica can take over, and
// the lock is released when fn returns. held, when not nil, is told when
// the lock is won and lost. SQLite serves one process: fn runs at once.
// Exclusive returns fn's error, or ctx.Err() if ctx ended while waiting.
func (s *Store) Exclusive(ctx context.Context, name string, poll time.Duration, held func(bool), fn func(ctx context.Context) error) error {
	if held == nil {
		held = func(bool) {}
	}
	if s.driver != DriverPostgres {
		held(true)
		defer held(false)
		return fn(ctx)
	}
	if poll <= 0 {
		poll = time.Second
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: exclusive %s: %w", name, err)
	}
	for {
		err := s.holdOnce(ctx, sqlDB, name, poll, held, fn)
		if !errors.Is(err, errNotHeld) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

var errNotHeld = errors.New("lock held elsewhere")

// lockKey names the advisory lock of name. PostgreSQL's advisory locks
// are per database; the queries add current_schema(), so deployments (or
// tests) in different schemas of one database do not hold each other's.
func lockKey(name string) string { return "cornershop:" + name + ":" }

// lockPingTimeout is how long the lock's connection may take to answer a
// ping before the lock is given up.
const lockPingTimeout = 5 * time.Second

func (s *Store) holdOnce(ctx context.Context, db *sql.DB, name string, poll time.Duration, held func(bool), fn func(ctx context.Context) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.o.Logger.Warn("exclusive lock: no database connection", "lock", name, "err", err)
		return errNotHeld
	}
	defer conn.Close()
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtext($1 || current_schema()))`, lockKey(name)).Scan(&got); err != nil || !got {
		if err != nil && ctx.Err() == nil {
			s.o.Logger.Warn("exclusive lock: try failed", "lock", name, "err", err)
		}
		return errNotHeld
	}
	s.o.Logger.Info("exclusive lock held", "lock", name)
	held(true)
	defer held(false)
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Watch the lock's connection: when it dies the lock is gone and
	// another replica may already hold it, so fn must stop.
	lost := make(chan struct{})
	go func() {
		defer close(lost)
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			select {
			case <-fctx.Done():
				return
			case <-t.C:
				// A failed ping closes the connection, and with it the
				// lock: allow a slow answer (a busy database, a loaded
				// machine) rather than give the lock up for nothing. A
				// replica that dies releases it at once however long this
				// is: its connection closes.
				pctx, pcancel := context.WithTimeout(fctx, max(lockPingTimeout, poll))
				err := conn.PingContext(pctx)
				pcancel()
				if err != nil && fctx.Err() == nil {
					s.o.Logger.Warn("exclusive lock lost", "lock", name, "err", err)
					cancel()
					return
				}
			}
		}
	}()
	err = fn(fctx)
	cancel()
	<-lost
	if ctx.Err() == nil && fctx.Err() != nil && errors.Is(err, context.Canceled) {
		return errNotHeld // lost the lock: try to win it back
	}
	uctx, ucancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer ucancel()
	_, _ = conn.ExecContext(uctx, `SELECT pg_advisory_unlock(hashtext($1 || current_schema()))`, lockKey(name))
	return err
}
