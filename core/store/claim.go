package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"cornershop/core"
)

// headOnly keeps a delivery only when no earlier delivery of the same lane
// (a conversation's side, an idea's card, a follower's notices) is still
// pending — leased or not, due or not — so each lane is worked strictly in
// id order. It is written as "d is its lane's first pending id" rather than
// NOT EXISTS: a correlated subquery is always one descent of
// deliveries_order (lane, id) per candidate, whereas PostgreSQL planned the
// anti-join, for a table not yet analysed (a new install's first burst),
// as a scan of every pending row per candidate — 10 ms a claim at 5,000
// pending, most of the database's CPU in a burst (issue #25).
const headOnly = `d.id = (
	SELECT min(e.id) FROM deliveries e
	WHERE e.lane = d.lane AND e.state = 'pending')`

// claimPriorities are the priority levels Claim works through, highest
// first. Each level is one query that walks the deliveries_claim index
// (state, priority, next_attempt_at, id) in order and stops at its limit,
// as the single query did before priorities: ordering by priority in one
// query would sort the whole due backlog on every claim.
var claimPriorities = []int{core.PriorityNormal, core.PriorityBulk}

const claimSQL = `SELECT d.* FROM deliveries d
WHERE d.state = 'pending' AND d.priority = ? AND d.next_attempt_at <= ?
  AND (d.claimed_until IS NULL OR d.claimed_until <= ?)
  AND ` + headOnly + `
ORDER BY d.next_attempt_at, d.id
LIMIT ?`

// Claim leases up to limit due deliveries to owner until now+lease, the
// highest priority first (an incident's fan-out below everything else),
// then the longest-due first, at most one per (conversation, side) and only the
// earliest pending one of each. A leased delivery is invisible to Claim
// until its lease expires or RetryDelivery/FinishDelivery release it. On
// PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED, so concurrent
// claimers (other replicas) never get the same row; on SQLite claims are
// serialised by the single writer. lease must be positive (ErrInvalid).
func (s *Store) Claim(ctx context.Context, owner string, now time.Time, limit int, lease time.Duration) ([]core.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("store: claim: lease %s: %w", lease, core.ErrInvalid)
	}
	at, until := dbTime(now), dbTime(now.Add(lease))
	if s.driver == DriverSQLite {
		return s.claimSQLite(ctx, owner, at, until, limit)
	}
	q := claimSQL + "\nFOR UPDATE OF d SKIP LOCKED"
	var rows []deliveryRow
	err := s.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		for _, p := range claimPriorities {
			var some []deliveryRow
			if err := g.Raw(q, p, at, at, limit-len(rows)).Scan(&some).Error; err != nil {
				return err
			}
			if rows = append(rows, some...); len(rows) == limit {
				break
			}
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		return g.Model(&deliveryRow{}).Where("id IN ?", ids).
			Updates(map[string]any{"claimed_by": owner, "claimed_until": until}).Error
	})
	if err != nil {
		return nil, mapErr("store: claim", err)
	}
	out := make([]core.Delivery, len(rows))
	for i, r := range rows {
		out[i] = toCoreDelivery(r)
		// Outcomes release the claim: one still there was cut off.
		out[i].MaybeSent = r.ClaimedBy != ""
	}
	return out, nil
}

// claimSQLiteSQL picks the claimable deliveries and who held each last
// (an owner still named there was cut off before recording the outcome);
// claimLeaseSQL then leases them. Both texts never change, so they are
// prepared once (the statement cache); SQLite's single writer serialises
// claimers.
const (
	claimSQLiteSQL = `SELECT d.id, d.claimed_by FROM deliveries d
WHERE d.state = 'pending' AND d.priority = ? AND d.next_attempt_at <= ?
  AND (d.claimed_until IS NULL OR d.claimed_until <= ?)
  AND ` + headOnly + `
ORDER BY d.next_attempt_at, d.id
LIMIT ?`
	claimLeaseSQL = `UPDATE deliveries SET claimed_by = ?, claimed_until = ? WHERE id IN (SELECT value FROM json_each(?)) RETURNING *`
)

func (s *Store) claimSQLite(ctx context.Context, owner string, at, until time.Time, limit int) ([]core.Delivery, error) {
	var rows []deliveryRow
	cut := map[int64]bool{}
	err := s.inSQLiteTx(ctx, func(t core.Tx) error {
		db := t.(*tx).db
		type pick struct {
			ID        int64
			ClaimedBy string
		}
		var picked []pick
		for _, p := range claimPriorities {
			var some []pick
			if err := db.Raw(claimSQLiteSQL, p, at, at, limit-len(picked)).Scan(&some).Error; err != nil {
				return err
			}
			if picked = append(picked, some...); len(picked) == limit {
				break
			}
		}
		if len(picked) == 0 {
			return nil
		}
		ids := make([]int64, len(picked))
		for i, p := range picked {
			ids[i] = p.ID
			cut[p.ID] = p.ClaimedBy != ""
		}
		list, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		return db.Raw(claimLeaseSQL, owner, until, string(list)).Scan(&rows).Error
	})
	if err != nil {
		return nil, mapErr("store: claim", err)
	}
	// RETURNING gives no order: highest priority, then longest due first,
	// as Claim promises.
	slices.SortFunc(rows, func(a, b deliveryRow) int {
		if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
			return c
		}
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	out := make([]core.Delivery, len(rows))
	for i, r := range rows {
		out[i] = toCoreDelivery(r)
		// Outcomes release the claim: one still there was cut off.
		out[i].MaybeSent = cut[r.ID]
	}
	return out, nil
}

// NextDue returns when Claim could next return a delivery: the earliest
// time at which a pending delivery that heads its (conversation, side) is
// both due and free of its lease. Deliveries queued behind an earlier
// sibling are ignored (they become claimable only when that sibling
// finishes). It returns ErrNotFound when nothing is pending.
func (s *Store) NextDue(ctx context.Context) (time.Time, error) {
	var rows []struct {
		NextAttemptAt time.Time
		ClaimedUntil  *time.Time
	}
	q := `SELECT d.next_attempt_at, d.claimed_until FROM deliveries d
WHERE d.state = 'pending' AND ` + headOnly + `
ORDER BY CASE WHEN d.claimed_until IS NOT NULL AND d.claimed_until > d.next_attempt_at
	THEN d.claimed_until ELSE d.next_attempt_at END
LIMIT 1`
	if err := s.read.WithContext(ctx).Raw(q).Scan(&rows).Error; err != nil {
		return time.Time{}, mapErr("store: next due", err)
	}
	if len(rows) == 0 {
		return time.Time{}, fmt.Errorf("store: next due: %w", core.ErrNotFound)
	}
	due := rows[0].NextAttemptAt
	if u := rows[0].ClaimedUntil; u != nil && u.After(due) {
		due = *u
	}
	return fromDBTime(due), nil
}

// ReleaseOrphans makes claimable again, at once, the pending deliveries
// leased to processes that are gone, so a crash does not hold them (and
// every later delivery of their conversations) until the lease ends. On
// SQLite, which serves one process, that is every lease not held by self;
// on PostgreSQL every lease whose owner has no session open, owners naming
// their sessions after themselves (Options.ApplicationName). It returns
// how many it released.
func (s *Store) ReleaseOrphans(ctx context.Context, self string) (int64, error) {
	// claimed_by stays: the next Claim reports the delivery MaybeSent.
	q := s.db.WithContext(ctx).Model(&deliveryRow{}).
		Where("state = ? AND claimed_until IS NOT NULL AND claimed_by <> ?", string(core.DeliveryPending), self)
	if s.driver == DriverPostgres {
		q = q.Where("claimed_by NOT IN (SELECT application_name FROM pg_stat_activity WHERE application_name <> '')")
	}
	res := q.Update("claimed_until", nil)
	if res.Error != nil {
		return 0, mapErr("store: release orphans", res.Error)
	}
	return res.RowsAffected, nil
}
