package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"cornershop/core"
)

// On PostgreSQL a preloaded batch (preload.go) also writes its recorded
// messages in one round trip instead of three per message: CreateMessage
// takes an id reserved for the batch and holds the row back, AddRef of
// that message joins it, and so does Enqueue of a delivery of it (with a
// delivery id reserved too). The next statement of any other kind — every
// hand-written statement and every gorm call — writes everything held
// first, all messages, refs and deliveries in one statement whose INSERTs
// are common table expressions over unnest(…) arrays; so does the commit.
// A ref another transaction recorded meanwhile, or a delivery key taken
// (ON CONFLICT DO NOTHING, fewer rows returned than held), fails the job
// with errRefTaken or errDeliveryTaken — not ErrDuplicate, which the relay
// ignores for deliveries — so the batch is retried one job per
// transaction, where nothing is held back and AddRef and Enqueue answer
// ErrDuplicate themselves, as they always have.

// errRefTaken is a held-back source ref found taken when it was written.
var errRefTaken = errors.New("record message ref: the platform id is recorded already (found when the batch wrote it)")

// errDeliveryTaken is a held-back delivery whose key was found taken when
// it was written.
var errDeliveryTaken = errors.New("enqueue: a delivery key is taken already (found when the batch wrote it)")

// pendingMessage is a message held back, with its ref and delivery once
// added.
type pendingMessage struct {
	r   messageRow
	ref *refRow
	del *deliveryRow
}

// reserveIDs takes n ids from the messages' identity sequence and n from
// the deliveries'.
func reserveIDs(ctx context.Context, c rowsQuerier, n int) (msgs, dels []int64, err error) {
	rows, err := c.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence('messages', 'id')),
	nextval(pg_get_serial_sequence('deliveries', 'id')) FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, nil, mapErr("reserve ids", err)
	}
	defer rows.Close()
	msgs, dels = make([]int64, 0, n), make([]int64, 0, n)
	for rows.Next() {
		var m, d int64
		if err := rows.Scan(&m, &d); err != nil {
			return nil, nil, mapErr("reserve ids", err)
		}
		msgs, dels = append(msgs, m), append(dels, d)
	}
	return msgs, dels, mapErr("reserve ids", rows.Err())
}

const writeBackSQL = `WITH m AS (INSERT INTO messages (id, conversation_id, direction, author, author_name, text, attachments, as_team,
	created_at, edited_at, deleted_at)
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[],
		$9::timestamptz[], $10::timestamptz[], $11::timestamptz[])),
r AS (INSERT INTO message_refs (message_id, side, source, platform, chat, platform_id, part)
	SELECT * FROM unnest($12::bigint[], $13::text[], $14::boolean[], $15::text[], $16::text[], $17::text[], $18::integer[])
	ON CONFLICT DO NOTHING RETURNING 1),
d AS (INSERT INTO deliveries (id, idem_key, conversation_id, message_id, idea_id, lane, emoji, op, side, platform, state,
	attempts, next_attempt_at, last_error, created_at, done_at, claimed_by, event_id, endpoint, incident_id, priority)
	SELECT v.id, v.idem_key, v.conversation_id, v.message_id, v.idea_id, v.lane, v.emoji, v.op, v.side, v.platform, v.state,
		v.attempts, v.next_attempt_at, v.last_error, v.created_at, v.done_at, '', v.event_id, v.endpoint, v.incident_id, v.priority
	FROM unnest($19::bigint[], $20::text[], $21::bigint[], $22::bigint[], $23::bigint[], $24::text[], $25::text[], $26::text[],
		$27::text[], $28::text[], $29::text[], $30::integer[], $31::timestamptz[], $32::text[], $33::timestamptz[],
		$34::timestamptz[], $35::bigint[], $36::text[], $37::bigint[], $38::integer[])
		AS v(id, idem_key, conversation_id, message_id, idea_id, lane, emoji, op, side, platform, state, attempts,
			next_attempt_at, last_error, created_at, done_at, event_id, endpoint, incident_id, priority)
	ON CONFLICT DO NOTHING RETURNING 1)
SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM d)`

// write writes every held message, with its ref and delivery, in one
// statement.
func (ra *readAhead) write(ctx context.Context, c execer) error {
	held := ra.held
	ra.held = nil
	n := len(held)
	var (
		mID, mConv                                                      = make([]int64, n), make([]int64, n)
		mDir, mAuthor, mName, mText                                     = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		mAtt                                                            = make([]string, n)
		mTeam                                                           = make([]bool, n)
		mAt                                                             = make([]time.Time, n)
		mEdited, mDeleted                                               = make([]*time.Time, n), make([]*time.Time, n)
		rMsg                                                            []int64
		rSide, rPlat, rChat, rPID                                       []string
		rSrc                                                            []bool
		rPart                                                           []int32
		dID                                                             []int64
		dConv, dMsg, dIdea, dEvent, dInc                                []*int64
		dKey, dLane, dEmoji, dOp, dSide, dPlat, dState, dErr, dEndpoint []string
		dAttempts, dPrio                                                []int32
		dNext, dCreated                                                 []time.Time
		dDone                                                           []*time.Time
	)
	for i, p := range held {
		r := p.r
		mID[i], mConv[i], mDir[i], mAuthor[i], mName[i], mText[i] = r.ID, r.ConversationID, r.Direction, r.Author, r.AuthorName, r.Text
		mAtt[i], mTeam[i], mAt[i], mEdited[i], mDeleted[i] = r.Attachments, r.AsTeam, r.CreatedAt, r.EditedAt, r.DeletedAt
		if f := p.ref; f != nil {
			rMsg, rSide, rSrc, rPlat = append(rMsg, f.MessageID), append(rSide, f.Side), append(rSrc, f.Source), append(rPlat, f.Platform)
			rChat, rPID, rPart = append(rChat, f.Chat), append(rPID, f.PlatformID), append(rPart, int32(f.Part))
		}
		if d := p.del; d != nil {
			dID, dKey, dConv, dMsg, dIdea = append(dID, d.ID), append(dKey, d.Key), append(dConv, d.ConversationID), append(dMsg, d.MessageID), append(dIdea, d.IdeaID)
			dLane, dEmoji, dOp, dSide, dPlat = append(dLane, d.Lane), append(dEmoji, d.Emoji), append(dOp, d.Op), append(dSide, d.Side), append(dPlat, d.Platform)
			dState, dAttempts, dNext, dErr = append(dState, d.State), append(dAttempts, int32(d.Attempts)), append(dNext, d.NextAttemptAt), append(dErr, d.LastError)
			dCreated, dDone, dEvent, dEndpoint = append(dCreated, d.CreatedAt), append(dDone, d.DoneAt), append(dEvent, d.EventID), append(dEndpoint, d.Endpoint)
			dInc, dPrio = append(dInc, d.IncidentID), append(dPrio, int32(d.Priority))
		}
	}
	var refs, dels int
	err := c.QueryRowContext(ctx, writeBackSQL,
		mID, mConv, mDir, mAuthor, mName, mText, mAtt, mTeam, mAt, mEdited, mDeleted,
		rMsg, rSide, rSrc, rPlat, rChat, rPID, rPart,
		dID, dKey, dConv, dMsg, dIdea, dLane, dEmoji, dOp, dSide, dPlat, dState, dAttempts, dNext, dErr, dCreated, dDone,
		dEvent, dEndpoint, dInc, dPrio,
	).Scan(&refs, &dels)
	switch {
	case err != nil:
		return mapErr("record messages", err)
	case refs != len(rMsg):
		return errRefTaken
	case dels != len(dID):
		return errDeliveryTaken
	}
	return nil
}

// flush writes the held message, then the waiting delivered refs and
// outcomes, if any.
func (ra *readAhead) flush(ctx context.Context, c execer) error {
	if ra == nil {
		return nil
	}
	if len(ra.held) > 0 {
		if err := ra.write(ctx, c); err != nil {
			return err
		}
	}
	return ra.writeOutcomes(ctx, c)
}

// holding reports whether anything waits to be written.
func (ra *readAhead) holding() bool {
	return len(ra.held) > 0 || len(ra.refs) > 0 || len(ra.finishes) > 0
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

// outcomesSQL writes a batch's delivered refs and outcomes in one
// statement: the refs' INSERT as a common table expression of the
// outcomes' UPDATE, whose row count is the statement's. Either array may
// be empty.
const outcomesSQL = `WITH r AS (INSERT INTO message_refs (message_id, side, source, platform, chat, platform_id, part)
	SELECT * FROM unnest($5::bigint[], $6::text[], $7::boolean[], $8::text[], $9::text[], $10::text[], $11::integer[])
	ON CONFLICT DO NOTHING)
UPDATE deliveries d SET state = v.state, last_error = v.last_error, done_at = v.done_at, claimed_by = '', claimed_until = NULL
	FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[]) AS v(id, state, last_error, done_at) WHERE d.id = v.id`

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
	ids, states, errs, ats := make([]int64, len(fs)), make([]string, len(fs)), make([]string, len(fs)), make([]time.Time, len(fs))
	for i, f := range fs {
		ids[i], states[i], errs[i], ats[i] = f.id, f.state, f.lastErr, f.at
	}
	msg, side, src, plat, chat, pid, part := make([]int64, len(rs)), make([]string, len(rs)), make([]bool, len(rs)),
		make([]string, len(rs)), make([]string, len(rs)), make([]string, len(rs)), make([]int32, len(rs))
	for i, r := range rs {
		msg[i], side[i], src[i], plat[i], chat[i], pid[i], part[i] = r.MessageID, r.Side, r.Source, r.Platform, r.Chat, r.PlatformID, int32(r.Part)
	}
	res, err := c.ExecContext(ctx, outcomesSQL, ids, states, errs, ats, msg, side, src, plat, chat, pid, part)
	if err != nil {
		return mapErr("finish deliveries", err)
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
	if t.ra == nil || !t.ra.batch || len(t.ra.held) > 0 || at.IsZero() || slices.ContainsFunc(t.ra.finishes, func(f finishRow) bool { return f.id == int64(id) }) {
		return false
	}
	t.ra.finishes = append(t.ra.finishes, finishRow{id: int64(id), state: string(state), lastErr: lastErr, at: dbTime(at)})
	return true
}

// holdDeliveredRef makes a delivered copy's ref wait with the batch's
// outcomes; false outside a PostgreSQL batch, for a source ref (whose
// ErrDuplicate the caller needs at once) or one of the held message.
func (t *tx) holdDeliveredRef(r refRow) bool {
	if t.ra == nil || !t.ra.batch || r.Source || t.ra.heldMessage(r.MessageID) != nil {
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
func (t *tx) hold(r *messageRow) bool {
	if t.ra == nil || len(t.ra.ids) == 0 {
		return false
	}
	r.ID, t.ra.ids = t.ra.ids[0], t.ra.ids[1:]
	t.ra.held = append(t.ra.held, &pendingMessage{r: *r})
	return true
}

// heldMessage is the held message with id, or nil.
func (ra *readAhead) heldMessage(id int64) *pendingMessage {
	for _, p := range slices.Backward(ra.held) {
		if p.r.ID == id {
			return p
		}
	}
	return nil
}

// holdRef joins r to the held message when it is that message's first
// ref; false otherwise.
func (t *tx) holdRef(r refRow) bool {
	if t.ra == nil {
		return false
	}
	p := t.ra.heldMessage(r.MessageID)
	if p == nil || p.ref != nil {
		return false
	}
	p.ref = &r
	return true
}

// flush writes what is held before another statement.
func (t *tx) flush() error {
	if t.ra == nil {
		return nil
	}
	return t.ra.flush(t.db.Statement.Context, t.db.Statement.ConnPool)
}

// holdDelivery joins d, with an id reserved for it, to the held message it
// delivers when that message has none yet; false otherwise.
func (t *tx) holdDelivery(d *deliveryRow) bool {
	if t.ra == nil || d.MessageID == nil || len(t.ra.delIDs) == 0 {
		return false
	}
	p := t.ra.heldMessage(*d.MessageID)
	if p == nil || p.del != nil {
		return false
	}
	d.ID, t.ra.delIDs = t.ra.delIDs[0], t.ra.delIDs[1:]
	p.del = d
	return true
}
