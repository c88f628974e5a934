package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"cornershop/core"
)

// On PostgreSQL a preloaded batch (preload.go) also writes each recorded
// message in one round trip instead of three: CreateMessage takes an id
// reserved for the batch and holds the row back, AddRef of that message
// joins it, and the next statement of any kind — normally Enqueue of its
// desk delivery — writes them together with it, in one statement whose
// INSERTs are common table expressions. Until then nothing else runs on
// the transaction: every hand-written statement and every gorm call
// writes the held message first (flush), and so does the commit. A ref
// another transaction recorded meanwhile (ON CONFLICT DO NOTHING, none
// returned) fails the job with errRefTaken — not ErrDuplicate, which the
// relay ignores for deliveries — so the batch is retried one message per
// transaction, where nothing is held back and AddRef answers ErrDuplicate
// itself, as it always has.

// errRefTaken is a held-back source ref found taken when it was written.
var errRefTaken = errors.New("record message ref: the platform id is recorded already (found when the batch wrote it)")

// pendingMessage is a message held back, and its ref once added.
type pendingMessage struct {
	r   messageRow
	ref *refRow
}

// reserveMessageIDs takes n ids from the messages' identity sequence.
func reserveMessageIDs(ctx context.Context, c rowsQuerier, n int) ([]int64, error) {
	rows, err := c.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence('messages', 'id')) FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, mapErr("reserve message ids", err)
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr("reserve message ids", err)
		}
		ids = append(ids, id)
	}
	return ids, mapErr("reserve message ids", rows.Err())
}

const (
	wbMessage = `m AS (INSERT INTO messages (id, conversation_id, direction, author, author_name, text, attachments, as_team,
	created_at, edited_at, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11))`
	wbRef = `r AS (INSERT INTO message_refs (message_id, side, source, platform, chat, platform_id, part)
	VALUES ($12, $13, $14, $15, $16, $17, $18) ON CONFLICT DO NOTHING RETURNING 1)`
	wbDelivery = `d AS (INSERT INTO deliveries (idem_key, conversation_id, message_id, idea_id, lane, emoji, op, side, platform, state,
	attempts, next_attempt_at, last_error, created_at, done_at, claimed_by, event_id, endpoint, incident_id, priority)
	VALUES ($%[1]d, $%[2]d, $%[3]d, $%[4]d, $%[5]d, $%[6]d, $%[7]d, $%[8]d, $%[9]d, $%[10]d, $%[11]d, $%[12]d, $%[13]d, $%[14]d, $%[15]d, '', $%[16]d, $%[17]d, $%[18]d, $%[19]d)
	ON CONFLICT DO NOTHING RETURNING id)`
)

// writeBackSQL is the statement writing a held message, with its ref when
// ref, and a delivery when del; it returns the number of refs written (1
// without one) and the delivery's id (NULL without one or when its key is
// taken).
func writeBackSQL(ref, del bool) string {
	q, refs, delID := "WITH "+wbMessage, "1", "NULL::bigint"
	next := 12
	if ref {
		q += ", " + wbRef
		refs, next = "(SELECT count(*) FROM r)", 19
	}
	if del {
		n := make([]any, 19)
		for i := range n {
			n[i] = next + i
		}
		q += ", " + fmt.Sprintf(wbDelivery, n...)
		delID = "(SELECT id FROM d)"
	}
	return q + " SELECT " + refs + ", " + delID
}

// writeBack holds the four statements, built once.
var writeBack = [4]string{writeBackSQL(false, false), writeBackSQL(true, false), writeBackSQL(false, true), writeBackSQL(true, true)}

// write writes the held message (and ref, and d when not nil) in one
// statement, and returns d's id (0 when its key was taken).
func (ra *readAhead) write(ctx context.Context, c execer, d *deliveryRow) (int64, error) {
	p := ra.pend
	ra.pend = nil
	r := p.r
	args := []any{r.ID, r.ConversationID, r.Direction, r.Author, r.AuthorName, r.Text, r.Attachments, r.AsTeam, r.CreatedAt, r.EditedAt, r.DeletedAt}
	which := 0
	if p.ref != nil {
		f := p.ref
		args = append(args, f.MessageID, f.Side, f.Source, f.Platform, f.Chat, f.PlatformID, f.Part)
		which = 1
	}
	if d != nil {
		args = append(args, d.Key, d.ConversationID, d.MessageID, d.IdeaID, d.Lane, d.Emoji, d.Op, d.Side, d.Platform,
			d.State, d.Attempts, d.NextAttemptAt, d.LastError, d.CreatedAt, d.DoneAt, d.EventID, d.Endpoint, d.IncidentID, d.Priority)
		which += 2
	}
	var refs int64
	var id sql.NullInt64
	if err := c.QueryRowContext(ctx, writeBack[which], args...).Scan(&refs, &id); err != nil {
		return 0, mapErr("record message", err)
	}
	if refs == 0 {
		return 0, errRefTaken
	}
	return id.Int64, nil
}

// flush writes the held message, then the waiting delivered refs and
// outcomes, if any.
func (ra *readAhead) flush(ctx context.Context, c execer) error {
	if ra == nil {
		return nil
	}
	if ra.pend != nil {
		if _, err := ra.write(ctx, c, nil); err != nil {
			return err
		}
	}
	return ra.writeOutcomes(ctx, c)
}

// holding reports whether anything waits to be written.
func (ra *readAhead) holding() bool {
	return ra.pend != nil || len(ra.refs) > 0 || len(ra.finishes) > 0
}

// The outbox's outcomes in a batch (FinishDelivery: done, failed,
// cancelled) wait like a held message and are written together, in one
// UPDATE … FROM unnest(…), before any other statement and before the
// commit. An outcome for a delivery that is not there — which alone would
// have answered ErrNotFound — fails the batch with errFinishMissing (not
// the sentinel, so no caller mistakes it for an answer about its own
// row), and the batch is retried one job per transaction, where
// FinishDelivery answers at once.

// errFinishMissing is a waiting outcome whose delivery was not found.
var errFinishMissing = errors.New("finish delivery: a delivery of the batch's outcomes was not found")

// finishRow is one waiting outcome.
type finishRow struct {
	id      int64
	state   string
	lastErr string
	at      time.Time
}

const (
	finishManySQL = `UPDATE deliveries d SET state = v.state, last_error = v.last_error, done_at = v.done_at, claimed_by = '', claimed_until = NULL
	FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[]) AS v(id, state, last_error, done_at) WHERE d.id = v.id`
	refsManySQL = `INSERT INTO message_refs (message_id, side, source, platform, chat, platform_id, part)
	SELECT * FROM unnest($%d::bigint[], $%d::text[], $%d::boolean[], $%d::text[], $%d::text[], $%d::text[], $%d::integer[])
	ON CONFLICT DO NOTHING`
)

// outcomesSQL writes a batch's delivered refs and outcomes in one
// statement: the refs' INSERT as a common table expression of the
// outcomes' UPDATE, whose row count is the statement's.
var outcomesSQL = [3]string{
	fmt.Sprintf(refsManySQL, 1, 2, 3, 4, 5, 6, 7),
	finishManySQL,
	"WITH r AS (" + fmt.Sprintf(refsManySQL, 5, 6, 7, 8, 9, 10, 11) + ")\n" + finishManySQL,
}

// writeOutcomes writes the waiting delivered refs and outcomes in one
// statement. A ref found taken is dropped (AddRef's caller for a delivered
// copy ignores ErrDuplicate); an outcome whose delivery is missing fails
// the batch (errFinishMissing).
func (ra *readAhead) writeOutcomes(ctx context.Context, c execer) error {
	if len(ra.refs)+len(ra.finishes) == 0 {
		return nil
	}
	fs, rs := ra.finishes, ra.refs
	ra.finishes, ra.refs = nil, nil
	var args []any
	which := 0 // refs alone; 1: outcomes alone; 2: both
	if len(fs) > 0 {
		ids, states, errs, ats := make([]int64, len(fs)), make([]string, len(fs)), make([]string, len(fs)), make([]time.Time, len(fs))
		for i, f := range fs {
			ids[i], states[i], errs[i], ats[i] = f.id, f.state, f.lastErr, f.at
		}
		args, which = append(args, ids, states, errs, ats), 1
	}
	if len(rs) > 0 {
		msg, side, src, plat, chat, pid, part := make([]int64, len(rs)), make([]string, len(rs)), make([]bool, len(rs)),
			make([]string, len(rs)), make([]string, len(rs)), make([]string, len(rs)), make([]int32, len(rs))
		for i, r := range rs {
			msg[i], side[i], src[i], plat[i], chat[i], pid[i], part[i] = r.MessageID, r.Side, r.Source, r.Platform, r.Chat, r.PlatformID, int32(r.Part)
		}
		args = append(args, msg, side, src, plat, chat, pid, part)
		if which == 1 {
			which = 2
		}
	}
	res, err := c.ExecContext(ctx, outcomesSQL[which], args...)
	if err != nil {
		return mapErr("finish deliveries", err)
	}
	if len(fs) == 0 {
		return nil
	}
	if n, err := res.RowsAffected(); err != nil {
		return mapErr("finish deliveries", err)
	} else if int(n) != len(fs) {
		return errFinishMissing
	}
	return nil
}

// holdFinish makes a batch's outcome wait (see above); false outside a
// PostgreSQL batch, or when a message is held back (its delivery may be
// the one finished).
func (t *tx) holdFinish(id core.DeliveryID, state core.DeliveryState, lastErr string, at time.Time) bool {
	if t.ra == nil || !t.ra.batch || t.ra.pend != nil || at.IsZero() || slices.ContainsFunc(t.ra.finishes, func(f finishRow) bool { return f.id == int64(id) }) {
		return false
	}
	t.ra.finishes = append(t.ra.finishes, finishRow{id: int64(id), state: string(state), lastErr: lastErr, at: dbTime(at)})
	return true
}

// holdDeliveredRef makes a delivered copy's ref wait with the batch's
// outcomes; false outside a PostgreSQL batch, for a source ref (whose
// ErrDuplicate the caller needs at once) or one of the held message.
func (t *tx) holdDeliveredRef(r refRow) bool {
	if t.ra == nil || !t.ra.batch || r.Source || (t.ra.pend != nil && t.ra.pend.r.ID == r.MessageID) {
		return false
	}
	t.ra.refs = append(t.ra.refs, r)
	return true
}

// execer is the transaction's connection.
type execer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// hold defers r when the batch reserved an id for it; false when it did
// not (the message is written at once, as outside a batch).
func (t *tx) hold(r *messageRow) (bool, error) {
	if t.ra == nil || len(t.ra.ids) == 0 {
		return false, nil
	}
	if err := t.flush(); err != nil {
		return false, err
	}
	r.ID, t.ra.ids = t.ra.ids[0], t.ra.ids[1:]
	t.ra.pend = &pendingMessage{r: *r}
	return true, nil
}

// holdRef joins r to the held message when it is that message's; false
// otherwise.
func (t *tx) holdRef(r refRow) bool {
	if t.ra == nil || t.ra.pend == nil || t.ra.pend.ref != nil || t.ra.pend.r.ID != r.MessageID {
		return false
	}
	t.ra.pend.ref = &r
	return true
}

// flush writes the held message before another statement.
func (t *tx) flush() error {
	if t.ra == nil {
		return nil
	}
	return t.ra.flush(t.db.Statement.Context, t.db.Statement.ConnPool)
}

// enqueueHeld writes the held message, its ref and d together; ok is false
// when no message is held.
func (t *tx) enqueueHeld(d *deliveryRow) (id int64, ok bool, err error) {
	if t.ra == nil || t.ra.pend == nil {
		return 0, false, nil
	}
	id, err = t.ra.write(t.db.Statement.Context, t.db.Statement.ConnPool, d)
	if err == nil && id == 0 {
		err = fmt.Errorf("enqueue: key taken: %w", core.ErrDuplicate)
	}
	return id, true, err
}
