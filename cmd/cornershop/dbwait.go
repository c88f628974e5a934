package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"cornershop/config"
)

// backoff is how long waitForDatabase waits between attempts.
type backoff struct {
	first, max time.Duration
}

// databaseBackoff is serve's wait for PostgreSQL: 1 s doubling to 30 s.
var databaseBackoff = backoff{first: time.Second, max: 30 * time.Second}

// waitForDatabase returns once PostgreSQL accepts a connection, logging
// each refusal with the next delay, so a service started beside its
// database (or during a failover) waits instead of exiting. It returns
// ctx's error if ctx ends first, and at once for SQLite (a local file:
// failing to open it is not something waiting cures) or a DSN that cannot
// be parsed.
func waitForDatabase(ctx context.Context, cfg *config.Config, log *slog.Logger, b backoff) error {
	if cfg.Database.Driver != config.Postgres {
		return nil
	}
	pcfg, err := pgx.ParseConfig(cfg.Database.DSN.Reveal())
	if err != nil {
		return fmt.Errorf("database.dsn: %w", errors.New("not a PostgreSQL connection string"))
	}
	delay := b.first
	for attempt := 1; ; attempt++ {
		err := pingPostgres(ctx, pcfg)
		if err == nil {
			if attempt > 1 {
				log.Info("database reachable", "attempts", attempt)
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := err.Error()
		if pcfg.Password != "" {
			msg = strings.ReplaceAll(msg, pcfg.Password, "[redacted]")
		}
		log.Warn("waiting for the database", "attempt", attempt, "retry_in", delay.String(), "err", msg)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, b.max)
	}
}

// pingPostgres opens one connection with cfg, pings and closes it.
func pingPostgres(ctx context.Context, cfg *pgx.ConnConfig) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.Ping(ctx)
}
