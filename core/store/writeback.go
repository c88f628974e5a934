package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
	attempts, next_attempt_at, last_error, created_at, done_at, claimed_by, event_id, endpoint)
	VALUES ($%[1]d, $%[2]d, $%[3]d, $%[4]d, $%[5]d, $%[6]d, $%[7]d, $%[8]d, $%[9]d, $%[10]d, $%[11]d, $%[12]d, $%[13]d, $%[14]d, $%[15]d, '', $%[16]d, $%[17]d)
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
		n := make([]any, 17)
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
			d.State, d.Attempts, d.NextAttemptAt, d.LastError, d.CreatedAt, d.DoneAt, d.EventID, d.Endpoint)
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

// flush writes the held message, if any.
func (ra *readAhead) flush(ctx context.Context, c execer) error {
	if ra == nil || ra.pend == nil {
		return nil
	}
	_, err := ra.write(ctx, c, nil)
	return err
}

// execer is the transaction's connection.
type execer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
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
