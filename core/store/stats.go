package store

import (
	"context"
	"time"

	"cornershop/core"
)

// OutboxStats is the outbox's state for metrics.
type OutboxStats struct {
	ByState map[core.DeliveryState]int
	// Lag is how long the oldest due pending delivery has waited (0 when
	// none is due).
	Lag time.Duration
}

// OutboxStats counts deliveries by state and measures the outbox lag at now.
func (s *Store) OutboxStats(ctx context.Context, now time.Time) (OutboxStats, error) {
	var counts []struct {
		State string
		N     int
	}
	if err := s.read.WithContext(ctx).Raw(`SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state`).Scan(&counts).Error; err != nil {
		return OutboxStats{}, mapErr("store: outbox stats", err)
	}
	st := OutboxStats{ByState: map[core.DeliveryState]int{}}
	for _, c := range counts {
		st.ByState[core.DeliveryState(c.State)] = c.N
	}
	var oldest []struct{ NextAttemptAt time.Time }
	err := s.read.WithContext(ctx).Raw(`SELECT next_attempt_at FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 1`, dbTime(now)).Scan(&oldest).Error
	if err != nil {
		return OutboxStats{}, mapErr("store: outbox lag", err)
	}
	if len(oldest) == 1 {
		st.Lag = now.Sub(fromDBTime(oldest[0].NextAttemptAt))
	}
	return st, nil
}
