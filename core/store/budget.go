package store

import (
	"context"
	"fmt"
	"time"

	"cornershop/core"
)

// The shared budgets are GCRA (the generic cell rate algorithm) in one
// statement on the database's clock, so replicas on different machines
// agree without trusting each other's clocks: a budget of one send every
// T with bursts of B keeps tat, the time its next send is due as if sends
// were evenly spaced. A send at now is due at max(tat, now) and may go
// once that is at most (B-1)·T away; it pushes tat on by T.
//
// reserveSQL takes a send when its wait is within the tolerance plus
// maxWait, in one round trip: taken and the wait, or not taken and how
// long until the send may go (from the row as it was), in microseconds.
// $2 is T, $3 the burst tolerance (B-1)·T, $4 maxWait, in microseconds.
// The clock is clock_timestamp(), read once the row is locked: now() is
// when the statement began, and a reservation that queued behind others
// for the row would count its wait from then and sleep too long.
const reserveSQL = `WITH up AS (
	INSERT INTO rate_budgets AS b (key, tat) VALUES ($1::text, clock_timestamp() + $2::bigint * interval '1 microsecond')
	ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat, clock_timestamp()) + $2::bigint * interval '1 microsecond'
	WHERE GREATEST(b.tat, clock_timestamp()) - clock_timestamp() <= ($3::bigint + $4::bigint) * interval '1 microsecond'
	RETURNING (EXTRACT(EPOCH FROM (b.tat - clock_timestamp())) * 1000000)::bigint - $2::bigint - $3::bigint AS wait)
SELECT true, wait FROM up
UNION ALL
SELECT false, (EXTRACT(EPOCH FROM (GREATEST(tat, clock_timestamp()) - clock_timestamp())) * 1000000)::bigint - $3::bigint
FROM rate_budgets WHERE key = $1::text AND NOT EXISTS (SELECT 1 FROM up)`

// holdSQL closes a budget until clock + $2 (the retry-after), whatever
// its burst: its next send is due then, so tat is that plus the burst
// tolerance $3 (microseconds).
const holdSQL = `INSERT INTO rate_budgets AS b (key, tat) VALUES ($1::text, clock_timestamp() + ($2::bigint + $3::bigint) * interval '1 microsecond')
ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat, EXCLUDED.tat)`

// pruneSQL forgets budgets whose next send is already due: a missing row
// is the same budget (a full burst), so the table keeps only the chats
// sent to in the last moments, not every chat ever.
const pruneSQL = `DELETE FROM rate_budgets WHERE tat < clock_timestamp()`

// pruneEvery is how many reservations pass between two prunes.
const pruneEvery = 4096

// Reserve implements core.RateBudget on PostgreSQL, where the replicas
// share the budget; on SQLite, which serves one process, it answers
// core.ErrUnsupported and the adapters keep their budgets in memory.
func (s *Store) Reserve(ctx context.Context, key string, every time.Duration, burst int, maxWait time.Duration) (time.Duration, bool, error) {
	if s.driver != DriverPostgres {
		return 0, false, fmt.Errorf("store: shared rate budgets: %w", core.ErrUnsupported)
	}
	db, err := s.db.DB()
	if err != nil {
		return 0, false, fmt.Errorf("store: reserve %s: %w", key, err)
	}
	if s.budgetCalls.Add(1)%pruneEvery == 0 {
		if _, err := db.ExecContext(ctx, pruneSQL); err != nil {
			s.o.Logger.Warn("store: prune rate budgets", "err", err)
		}
	}
	t := every.Microseconds()
	tolerance := int64(max(burst, 1)-1) * t
	var (
		us    int64
		taken bool
	)
	if err := db.QueryRowContext(ctx, reserveSQL, key, t, tolerance, maxWait.Microseconds()).Scan(&taken, &us); err != nil {
		return 0, false, fmt.Errorf("store: reserve %s: %w", key, err)
	}
	return time.Duration(max(us, 0)) * time.Microsecond, taken, nil
}

// Hold implements core.RateBudget on PostgreSQL (core.ErrUnsupported on
// SQLite, like Reserve).
func (s *Store) Hold(ctx context.Context, key string, every time.Duration, burst int, d time.Duration) error {
	if s.driver != DriverPostgres {
		return fmt.Errorf("store: shared rate budgets: %w", core.ErrUnsupported)
	}
	db, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: hold %s: %w", key, err)
	}
	tolerance := int64(max(burst, 1)-1) * every.Microseconds()
	if _, err := db.ExecContext(ctx, holdSQL, key, d.Microseconds(), tolerance); err != nil {
		return fmt.Errorf("store: hold %s: %w", key, err)
	}
	return nil
}
