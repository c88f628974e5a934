package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cornershop/core"
)

// The statements every inbound message runs — its duplicate check, its
// contact, its conversation, and the inserts of the message, its ref and
// its delivery — are written out here and run on the transaction's
// connection directly, still through the row types and converters. gorm's
// Create and Find cost about 15 µs of reflection and callbacks per
// statement, as much as SQLite's own work. Measured with BenchmarkTxInsert
// (message + ref + delivery, 100 messages per transaction, 2 vCPU, SQLite
// WAL/NORMAL): gorm Create ≈ 6.9k msgs/s, plus the statement cache ≈ 12.7k,
// these statements ≈ 20–22k, against ≈ 25–30k for raw database/sql
// (BenchmarkRawInsert). Everything else goes through gorm.

// queries holds the hand-written statements in the store's dialect.
type queries struct {
	insertMessage, insertRef, insertDelivery string
	refByPlatformID                          string
	contactByIdentity, contactByID           string
	latestConversation, conversationByID     string
	conversationByDesk                       string
	messageByID                              string
}

const (
	contactCols      = `c.id, c.name, c.tags, c.blocked, c.created_at, i.platform, i.user_id, i.handle, i.name, i.avatar_url`
	conversationCols = `id, contact_id, customer_platform, customer_chat, customer_thread, anchor, desk_platform, desk_chat,
	desk_thread, desk_card, status, assignee, tags, priority, closed_at, created_at, updated_at`
	messageCols = `id, conversation_id, direction, author, author_name, text, attachments, as_team, created_at, edited_at, deleted_at`
)

func newQueries(driver string) queries {
	q := queries{
		insertMessage: `INSERT INTO messages (conversation_id, direction, author, author_name, text, attachments, as_team,
	created_at, edited_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		insertRef: `INSERT INTO message_refs (message_id, side, source, platform, chat, platform_id, part)
	VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		insertDelivery: `INSERT INTO deliveries (idem_key, conversation_id, message_id, idea_id, lane, emoji, op, side, platform, state,
	attempts, next_attempt_at, last_error, created_at, done_at, claimed_by, event_id, endpoint, incident_id, priority)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		refByPlatformID: `SELECT message_id, side, source, platform, chat, platform_id, part FROM message_refs
	WHERE platform = ? AND chat = ? AND platform_id = ?`,
		contactByIdentity: `SELECT ` + contactCols + ` FROM contacts c LEFT JOIN identities i ON i.contact_id = c.id
	WHERE c.id = (SELECT contact_id FROM identities WHERE platform = ? AND user_id = ?) ORDER BY i.id`,
		contactByID: `SELECT ` + contactCols + ` FROM contacts c LEFT JOIN identities i ON i.contact_id = c.id
	WHERE c.id = ? ORDER BY i.id`,
		latestConversation: `SELECT ` + conversationCols + ` FROM conversations
	WHERE contact_id = ? AND customer_platform = ? AND customer_chat = ? ORDER BY id DESC LIMIT 1`,
		conversationByID:   `SELECT ` + conversationCols + ` FROM conversations WHERE id = ?`,
		conversationByDesk: `SELECT ` + conversationCols + ` FROM conversations WHERE desk_platform = ? AND desk_chat = ? AND desk_thread = ?`,
		messageByID:        `SELECT ` + messageCols + ` FROM messages WHERE id = ?`,
	}
	if driver == DriverPostgres {
		for _, p := range []*string{&q.insertMessage, &q.insertRef, &q.insertDelivery, &q.refByPlatformID, &q.contactByIdentity,
			&q.contactByID, &q.latestConversation, &q.conversationByID, &q.conversationByDesk, &q.messageByID} {
			*p = dollarParams(*p)
		}
	}
	return q
}

// dollarParams numbers ? placeholders as $1, $2, … for PostgreSQL. The
// statements above have no ? inside string literals.
func dollarParams(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (t *tx) CreateMessage(m *core.Message) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = t.now()
	}
	r, err := toMessageRow(*m)
	if err != nil {
		return fmt.Errorf("create message: %w", err)
	}
	if t.hold(&r) {
		m.ID = core.MessageID(r.ID)
		return nil
	}
	if err := t.flush(); err != nil {
		return err
	}
	c, ctx := t.db.Statement.ConnPool, t.db.Statement.Context
	err = c.QueryRowContext(ctx, t.s.q.insertMessage, r.ConversationID, r.Direction, r.Author, r.AuthorName, r.Text,
		r.Attachments, r.AsTeam, r.CreatedAt, r.EditedAt, r.DeletedAt).Scan(&r.ID)
	if err != nil {
		return mapErr("create message", err)
	}
	m.ID = core.MessageID(r.ID)
	return nil
}

func (t *tx) AddRef(ref core.Ref) error {
	r := toRefRow(ref)
	if ra := t.ahead(); ra != nil {
		delete(ra.absent, refKey{r.Platform, r.Chat, r.PlatformID})
		delete(ra.refsByMsg, r.MessageID)
	}
	if t.holdRef(r) || t.holdDeliveredRef(r) {
		return nil
	}
	if err := t.flush(); err != nil {
		return err
	}
	c, ctx := t.db.Statement.ConnPool, t.db.Statement.Context
	res, err := c.ExecContext(ctx, t.s.q.insertRef, r.MessageID, r.Side, r.Source, r.Platform, r.Chat, r.PlatformID, r.Part)
	if err != nil {
		return mapErr("add ref", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return mapErr("add ref", err)
	} else if n == 0 {
		return fmt.Errorf("add ref: %w", core.ErrDuplicate)
	}
	return nil
}

// Enqueue stores d as pending whatever d.State says; a zero CreatedAt or
// NextAttemptAt becomes the store clock's now (due at once).
func (t *tx) Enqueue(d *core.Delivery) error {
	if !slices.Contains(claimPriorities, d.Priority) {
		return fmt.Errorf("enqueue: priority %d: %w", d.Priority, core.ErrInvalid)
	}
	d.State = core.DeliveryPending
	if d.CreatedAt.IsZero() {
		d.CreatedAt = t.now()
	}
	if d.NextAttemptAt.IsZero() {
		d.NextAttemptAt = d.CreatedAt
	}
	r := toDeliveryRow(*d)
	if t.holdDelivery(&r) {
		d.ID = core.DeliveryID(r.ID)
		return nil
	}
	if err := t.flush(); err != nil {
		return err
	}
	c, ctx := t.db.Statement.ConnPool, t.db.Statement.Context
	err := c.QueryRowContext(ctx, t.s.q.insertDelivery, r.Key, r.ConversationID, r.MessageID, r.IdeaID, r.Lane, r.Emoji, r.Op, r.Side, r.Platform,
		r.State, r.Attempts, r.NextAttemptAt, r.LastError, r.CreatedAt, r.DoneAt, r.EventID, r.Endpoint, r.IncidentID, r.Priority).Scan(&r.ID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("enqueue: key taken: %w", core.ErrDuplicate)
	case err != nil:
		return mapErr("enqueue", err)
	}
	d.ID = core.DeliveryID(r.ID)
	return nil
}

func (t *tx) RefByPlatformID(platform core.PlatformName, chat, id string) (core.Ref, error) {
	if ra := t.ahead(); ra != nil && ra.absent[refKey{string(platform), chat, id}] {
		return core.Ref{}, fmt.Errorf("ref by platform id: %w", core.ErrNotFound)
	}
	if err := t.flush(); err != nil {
		return core.Ref{}, err
	}
	var r refRow
	c, ctx := t.db.Statement.ConnPool, t.db.Statement.Context
	err := c.QueryRowContext(ctx, t.s.q.refByPlatformID, string(platform), chat, id).
		Scan(&r.MessageID, &r.Side, &r.Source, &r.Platform, &r.Chat, &r.PlatformID, &r.Part)
	if err != nil {
		return core.Ref{}, mapErr("ref by platform id", err)
	}
	return toCoreRef(r), nil
}

func (t *tx) ContactByIdentity(platform core.PlatformName, userID string) (core.Contact, error) {
	if ra := t.ahead(); ra != nil {
		if c, ok := ra.contact[identKey{string(platform), userID}]; ok {
			if c == nil {
				return core.Contact{}, fmt.Errorf("contact by identity: %w", core.ErrNotFound)
			}
			con := *c
			con.Identities, con.Tags = slices.Clone(c.Identities), slices.Clone(c.Tags)
			return con, nil
		}
	}
	return t.contact("contact by identity", t.s.q.contactByIdentity, string(platform), userID)
}

func (t *tx) Contact(id core.ContactID) (core.Contact, error) {
	if ra := t.ahead(); ra != nil {
		if c, ok := ra.contactByID[int64(id)]; ok {
			con := *c
			con.Identities, con.Tags = slices.Clone(c.Identities), slices.Clone(c.Tags)
			return con, nil
		}
	}
	return t.contact("contact", t.s.q.contactByID, int64(id))
}

// contact reads a contact and its identities in one statement.
func (t *tx) contact(what, query string, args ...any) (core.Contact, error) {
	if err := t.flush(); err != nil {
		return core.Contact{}, err
	}
	c, ctx := t.db.Statement.ConnPool, t.db.Statement.Context
	rows, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		return core.Contact{}, mapErr(what, err)
	}
	defer rows.Close()
	var (
		cr    contactRow
		irs   []identityRow
		found bool
	)
	for rows.Next() {
		var platform, user, handle, name, avatar sql.NullString
		if err := rows.Scan(&cr.ID, &cr.Name, &cr.Tags, &cr.Blocked, &cr.CreatedAt, &platform, &user, &handle, &name, &avatar); err != nil {
			return core.Contact{}, mapErr(what, err)
		}
		found = true
		if platform.Valid {
			irs = append(irs, identityRow{ContactID: cr.ID, Platform: platform.String, UserID: user.String, Handle: handle.String, Name: name.String, AvatarURL: avatar.String})
		}
	}
	if err := rows.Err(); err != nil {
		return core.Contact{}, mapErr(what, err)
	}
	if !found {
		return core.Contact{}, fmt.Errorf("%s: %w", what, core.ErrNotFound)
	}
	con, err := toCoreContact(cr, irs)
	if err != nil {
		return core.Contact{}, fmt.Errorf("%s: %w", what, err)
	}
	return con, nil
}

func (t *tx) LatestConversation(contact core.ContactID, place core.Place) (core.Conversation, error) {
	if ra := t.ahead(); ra != nil {
		if c, ok := ra.conv[convKey{int64(contact), string(place.Platform), place.Chat}]; ok {
			if c == nil {
				return core.Conversation{}, fmt.Errorf("latest conversation: %w", core.ErrNotFound)
			}
			conv := *c
			conv.Tags = slices.Clone(c.Tags)
			return conv, nil
		}
	}
	return t.conversation("latest conversation", t.s.q.latestConversation, int64(contact), string(place.Platform), place.Chat)
}

// ConversationByDesk returns ErrNotFound for a desk place without a thread:
// a channel alone names no conversation.
func (t *tx) ConversationByDesk(desk core.Place) (core.Conversation, error) {
	if desk.Thread == "" {
		return core.Conversation{}, fmt.Errorf("conversation by desk: no thread: %w", core.ErrNotFound)
	}
	return t.conversation("conversation by desk", t.s.q.conversationByDesk, string(desk.Platform), desk.Chat, desk.Thread)
}

func (t *tx) Conversation(id core.ConversationID) (core.Conversation, error) {
	if ra := t.ahead(); ra != nil {
		if c, ok := ra.convByID[int64(id)]; ok {
			conv := *c
			conv.Tags = slices.Clone(c.Tags)
			return conv, nil
		}
	}
	return t.conversation("conversation", t.s.q.conversationByID, int64(id))
}

func (t *tx) conversation(what, query string, args ...any) (core.Conversation, error) {
	if err := t.flush(); err != nil {
		return core.Conversation{}, err
	}
	c, ctx := t.db.Statement.ConnPool, t.db.Statement.Context
	conv, err := scanConversation(c.QueryRowContext(ctx, query, args...))
	if err != nil {
		return core.Conversation{}, mapErr(what, err)
	}
	return conv, nil
}

// scanConversation reads one row of conversationCols.
func scanConversation(row interface{ Scan(dest ...any) error }) (core.Conversation, error) {
	var r conversationRow
	err := row.Scan(&r.ID, &r.ContactID, &r.CustomerPlatform, &r.CustomerChat, &r.CustomerThread,
		&r.Anchor, &r.DeskPlatform, &r.DeskChat, &r.DeskThread, &r.DeskCard, &r.Status, &r.Assignee, &r.Tags, &r.Priority,
		&r.ClosedAt, &r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return core.Conversation{}, err
	}
	return toCoreConversation(r)
}

func (t *tx) Message(id core.MessageID) (core.Message, error) {
	if ra := t.ahead(); ra != nil {
		if m, ok := ra.msgByID[int64(id)]; ok {
			msg := *m
			msg.Attachments = slices.Clone(m.Attachments)
			return msg, nil
		}
	}
	if err := t.flush(); err != nil {
		return core.Message{}, err
	}
	var r messageRow
	c, ctx := t.db.Statement.ConnPool, t.db.Statement.Context
	err := c.QueryRowContext(ctx, t.s.q.messageByID, int64(id)).Scan(&r.ID, &r.ConversationID, &r.Direction, &r.Author,
		&r.AuthorName, &r.Text, &r.Attachments, &r.AsTeam, &r.CreatedAt, &r.EditedAt, &r.DeletedAt)
	if err != nil {
		return core.Message{}, mapErr("message", err)
	}
	m, err := toCoreMessage(r)
	if err != nil {
		return core.Message{}, fmt.Errorf("message: %w", err)
	}
	return m, nil
}
