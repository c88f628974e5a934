package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"cornershop/core"
)

// On PostgreSQL every statement is a round trip. Recording a customer
// message reads four things before it writes (RefByPlatformID,
// ContactByIdentity, LatestSurvey, LatestConversation); when the relay
// group-commits many messages it calls Preload with their keys first, which
// reads all of them in four statements for the whole batch. The reads then
// answer from that snapshot — exactly the rows, or the absence, the
// statement would have found — until the transaction writes through gorm
// to a table the snapshot comes from (readAheadTables: contacts,
// conversations and surveys only change through gorm; reads and writes to
// other tables keep it). Three writes a new customer's first message makes
// drop only what they change (keepAhead): CreateContact its identities'
// answers, CreateConversation its place's latest conversation, and
// LockContact the contact's conversations, so the re-read after the lock
// goes to the database. A ref the
// transaction adds leaves the snapshot's list of absent refs. Within one
// transaction nothing else can change what this transaction reads except
// another transaction's commit, which READ COMMITTED lets a later statement
// see; the source ref's unique index still refuses a message another
// replica recorded meanwhile (the batch then fails and each message is
// retried alone, unpreloaded).

// readAhead is one PostgreSQL transaction's preloaded reads (valid until
// dropped) and its deferred message (writeback.go).
type readAhead struct {
	valid   bool
	absent  map[refKey]bool // preloaded refs not recorded
	contact map[identKey]*core.Contact
	conv    map[convKey]*core.Conversation
	survey  map[int64]*core.Survey

	// By id, for the outbox's delivery loads (LoadKey).
	convByID    map[int64]*core.Conversation
	contactByID map[int64]*core.Contact
	msgByID     map[int64]*core.Message
	refsByMsg   map[int64][]refRow // every side, in part, id order

	ids    []int64           // message ids reserved for the batch
	delIDs []int64           // delivery ids reserved for the batch
	held   []*pendingMessage // messages (and their refs, deliveries) not yet written

	keep     bool        // the gorm statement running drops only what its method forgets (keepAhead)
	batch    bool        // the transaction holds a group commit's batch
	refs     []refRow    // delivered copies' refs not yet written
	finishes []finishRow // FinishDelivery outcomes not yet written
}

type (
	refKey   struct{ platform, chat, id string }
	identKey struct{ platform, user string }
	convKey  struct {
		contact        int64
		platform, chat string
	}
)

// readAheadKey carries a transaction's readAhead in its gorm context, for
// dropReadAhead.
type readAheadKey struct{}

// readAheadTables are the tables the read-ahead answers from: a gorm write
// to one of them (or a raw statement, whose table gorm does not know)
// drops it; writes elsewhere, and reads, keep it.
var readAheadTables = map[string]bool{"": true, "messages": true, "message_refs": true, "contacts": true,
	"identities": true, "conversations": true, "surveys": true}

// dropReadAhead is a gorm callback run before every gorm write: the
// transaction's preloaded reads no longer hold once it writes to a table
// they come from, and what it holds back is written first.
func dropReadAhead(db *gorm.DB) {
	if ra, ok := db.Statement.Context.Value(readAheadKey{}).(*readAhead); ok {
		if readAheadTables[db.Statement.Table] && !ra.keep {
			ra.valid = false
		}
		flushHeld(db, ra)
	}
}

// flushBeforeRead is a gorm callback run before every gorm read: what the
// transaction holds back is written first, so the read sees it.
func flushBeforeRead(db *gorm.DB) {
	if ra, ok := db.Statement.Context.Value(readAheadKey{}).(*readAhead); ok {
		flushHeld(db, ra)
	}
}

func flushHeld(db *gorm.DB, ra *readAhead) {
	if !ra.holding() {
		return
	}
	// Only ever on the transaction's own connection.
	if _, ok := db.Statement.ConnPool.(gorm.TxCommitter); !ok {
		_ = db.AddError(errors.New("store: a message held back, and a statement outside its transaction"))
		return
	}
	if err := ra.flush(db.Statement.Context, db.Statement.ConnPool); err != nil {
		_ = db.AddError(err)
	}
}

// registerReadAheadDrop installs dropReadAhead before every kind of gorm
// write and flushBeforeRead before every read.
func registerReadAheadDrop(db *gorm.DB) error {
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().Before("gorm:create").Register("cornershop:drop_read_ahead", dropReadAhead),
		cb.Update().Before("gorm:update").Register("cornershop:drop_read_ahead", dropReadAhead),
		cb.Delete().Before("gorm:delete").Register("cornershop:drop_read_ahead", dropReadAhead),
		cb.Query().Before("gorm:query").Register("cornershop:drop_read_ahead", flushBeforeRead),
		cb.Row().Before("gorm:row").Register("cornershop:drop_read_ahead", flushBeforeRead),
		cb.Raw().Before("gorm:raw").Register("cornershop:drop_read_ahead", dropReadAhead),
	} {
		if err != nil {
			return fmt.Errorf("store: register callback: %w", err)
		}
	}
	return nil
}

// ahead returns the transaction's valid preloaded reads, or nil.
// keepAhead runs fn, whose gorm statements change only what forget then
// removes from the read-ahead, so the rest of it stays valid. A new
// customer's first message creates a contact, locks it and creates a
// conversation; dropping the whole snapshot for those made every later
// message of the batch read one row per statement again.
func (t *tx) keepAhead(fn func() error, forget func(ra *readAhead)) error {
	ra := t.ahead()
	if ra == nil {
		return fn()
	}
	ra.keep = true
	err := fn()
	ra.keep = false
	forget(ra)
	return err
}

func (t *tx) ahead() *readAhead {
	if t.ra == nil || !t.ra.valid {
		return nil
	}
	return t.ra
}

// The batch reads below look each key up through a LATERAL subquery with
// LIMIT (which the planner cannot flatten into a join): one index descent
// per key whatever the table statistics say. Written as plain joins with
// unnest, PostgreSQL hash-joined them against a sequential scan of the
// whole table while its statistics were stale — a young database's normal
// state — and paced traffic slowed as the tables grew (issue #25).
const (
	preloadRefsSQL = `SELECT r.platform, r.chat, r.platform_id FROM unnest($1::text[], $2::text[], $3::text[]) AS k(platform, chat, pid)
	CROSS JOIN LATERAL (SELECT r.platform, r.chat, r.platform_id FROM message_refs r
		WHERE r.platform = k.platform AND r.chat = k.chat AND r.platform_id = k.pid LIMIT 1) r`
	preloadContactsSQL = `SELECT k.platform, k.uid, ` + contactCols + ` FROM unnest($1::text[], $2::text[]) AS k(platform, uid)
	CROSS JOIN LATERAL (SELECT x.contact_id FROM identities x WHERE x.platform = k.platform AND x.user_id = k.uid LIMIT 1) x
	CROSS JOIN LATERAL (SELECT c.id, c.name, c.tags, c.blocked, c.created_at FROM contacts c WHERE c.id = x.contact_id LIMIT 1) c
	LEFT JOIN LATERAL (SELECT i.id, i.platform, i.user_id, i.handle, i.name, i.avatar_url FROM identities i
		WHERE i.contact_id = c.id OFFSET 0) i ON true
	ORDER BY k.platform, k.uid, i.id`
	preloadConversationsSQL = `SELECT ` + conversationCols + ` FROM unnest($1::bigint[], $2::text[], $3::text[]) AS k(cid, kplatform, kchat)
	CROSS JOIN LATERAL (SELECT * FROM conversations cv
		WHERE cv.contact_id = k.cid AND cv.customer_platform = k.kplatform AND cv.customer_chat = k.kchat
		ORDER BY cv.id DESC LIMIT 1) cv`
	preloadSurveysSQL = `SELECT DISTINCT ON (contact_id) * FROM surveys WHERE contact_id IN ? ORDER BY contact_id, id DESC`
)

// Preload reads ahead what recording the keyed messages and loading the
// keyed deliveries will read (see above). On SQLite, where a statement is
// no round trip, it does nothing.
func (t *tx) Preload(keys []core.InboundKey, loads []core.LoadKey) error {
	if t.s.driver != DriverPostgres {
		return nil
	}
	t.ra.batch = true // outcomes may wait for the batch's end (writeback.go)
	if len(keys)+len(loads) == 0 {
		return nil
	}
	if err := t.flush(); err != nil {
		return err
	}
	ra := &readAhead{absent: map[refKey]bool{}, contact: map[identKey]*core.Contact{}, conv: map[convKey]*core.Conversation{},
		survey: map[int64]*core.Survey{}}
	c, ctx := t.db.Statement.ConnPool, t.db.Statement.Context
	if err := preloadLoads(ctx, c, loads, ra); err != nil {
		return err
	}
	t.ra.convByID, t.ra.contactByID, t.ra.msgByID, t.ra.refsByMsg = ra.convByID, ra.contactByID, ra.msgByID, ra.refsByMsg
	if len(keys) == 0 {
		t.ra.valid = true
		return nil
	}
	if err := preloadRefs(ctx, c, keys, ra); err != nil {
		return err
	}
	if err := preloadContacts(ctx, c, keys, ra); err != nil {
		return err
	}
	var cids []int64
	var convs []convKey
	for _, k := range keys {
		con := ra.contact[identKey{string(k.Place.Platform), k.UserID}]
		if con == nil {
			continue
		}
		ck := convKey{int64(con.ID), string(k.Place.Platform), k.Place.Chat}
		if _, ok := ra.conv[ck]; !ok {
			ra.conv[ck] = nil
			convs = append(convs, ck)
		}
		if !slices.Contains(cids, int64(con.ID)) {
			cids = append(cids, int64(con.ID))
		}
	}
	if len(convs) > 0 {
		if err := preloadConversations(ctx, c, convs, ra); err != nil {
			return err
		}
		var rows []surveyRow
		if err := t.db.Raw(preloadSurveysSQL, cids).Scan(&rows).Error; err != nil {
			return mapErr("preload surveys", err)
		}
		for _, r := range rows {
			sv := toCoreSurvey(r)
			ra.survey[r.ContactID] = &sv
		}
		for _, id := range cids {
			if _, ok := ra.survey[id]; !ok {
				ra.survey[id] = nil
			}
		}
	}
	ids, delIDs, err := reserveIDs(ctx, c, len(keys))
	if err != nil {
		return err
	}
	// After the gorm read above, which drops the old snapshot.
	t.ra.absent, t.ra.contact, t.ra.conv, t.ra.survey = ra.absent, ra.contact, ra.conv, ra.survey
	t.ra.ids, t.ra.delIDs, t.ra.valid = ids, delIDs, true
	return nil
}

// rowsQuerier is the transaction's connection.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func preloadRefs(ctx context.Context, c rowsQuerier, keys []core.InboundKey, ra *readAhead) error {
	var platforms, chats, ids []string
	for _, k := range keys {
		rk := refKey{string(k.Place.Platform), k.Place.Chat, k.ID}
		if !ra.absent[rk] {
			ra.absent[rk] = true
			platforms, chats, ids = append(platforms, rk.platform), append(chats, rk.chat), append(ids, rk.id)
		}
	}
	rows, err := c.QueryContext(ctx, preloadRefsSQL, platforms, chats, ids)
	if err != nil {
		return mapErr("preload refs", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rk refKey
		if err := rows.Scan(&rk.platform, &rk.chat, &rk.id); err != nil {
			return mapErr("preload refs", err)
		}
		delete(ra.absent, rk)
	}
	return mapErr("preload refs", rows.Err())
}

func preloadContacts(ctx context.Context, c rowsQuerier, keys []core.InboundKey, ra *readAhead) error {
	var platforms, users []string
	seen := map[identKey]bool{}
	for _, k := range keys {
		ik := identKey{string(k.Place.Platform), k.UserID}
		if !seen[ik] {
			seen[ik] = true
			platforms, users = append(platforms, ik.platform), append(users, ik.user)
		}
	}
	rows, err := c.QueryContext(ctx, preloadContactsSQL, platforms, users)
	if err != nil {
		return mapErr("preload contacts", err)
	}
	defer rows.Close()
	type acc struct {
		cr  contactRow
		irs []identityRow
	}
	found := map[identKey]*acc{}
	var order []identKey
	for rows.Next() {
		var ik identKey
		var cr contactRow
		var platform, user, handle, name, avatar sql.NullString
		if err := rows.Scan(&ik.platform, &ik.user, &cr.ID, &cr.Name, &cr.Tags, &cr.Blocked, &cr.CreatedAt, &platform, &user, &handle, &name, &avatar); err != nil {
			return mapErr("preload contacts", err)
		}
		a := found[ik]
		if a == nil {
			a = &acc{cr: cr}
			found[ik] = a
			order = append(order, ik)
		}
		if platform.Valid {
			a.irs = append(a.irs, identityRow{ContactID: cr.ID, Platform: platform.String, UserID: user.String, Handle: handle.String, Name: name.String, AvatarURL: avatar.String})
		}
	}
	if err := rows.Err(); err != nil {
		return mapErr("preload contacts", err)
	}
	for ik := range seen {
		ra.contact[ik] = nil
	}
	for _, ik := range order {
		con, err := toCoreContact(found[ik].cr, found[ik].irs)
		if err != nil {
			return fmt.Errorf("preload contacts: %w", err)
		}
		ra.contact[ik] = &con
	}
	return nil
}

func preloadConversations(ctx context.Context, c rowsQuerier, keys []convKey, ra *readAhead) error {
	cids, platforms, chats := make([]int64, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		cids[i], platforms[i], chats[i] = k.contact, k.platform, k.chat
	}
	rows, err := c.QueryContext(ctx, preloadConversationsSQL, cids, platforms, chats)
	if err != nil {
		return mapErr("preload conversations", err)
	}
	defer rows.Close()
	for rows.Next() {
		conv, err := scanConversation(rows)
		if err != nil {
			return fmt.Errorf("preload conversations: %w", err)
		}
		ra.conv[convKey{int64(conv.ContactID), string(conv.Customer.Platform), conv.Customer.Chat}] = &conv
	}
	return mapErr("preload conversations", rows.Err())
}

const (
	preloadConversationsByIDSQL = `SELECT ` + conversationCols + ` FROM conversations WHERE id = ANY($1::bigint[])`
	preloadContactsByIDSQL      = `SELECT ` + contactCols + ` FROM contacts c LEFT JOIN identities i ON i.contact_id = c.id
	WHERE c.id = ANY($1::bigint[]) ORDER BY c.id, i.id`
	preloadMessagesSQL  = `SELECT ` + messageCols + ` FROM messages WHERE id = ANY($1::bigint[])`
	preloadRefsByMsgSQL = `SELECT message_id, side, source, platform, chat, platform_id, part FROM message_refs
	WHERE message_id = ANY($1::bigint[]) ORDER BY message_id, part, id`
)

// preloadLoads reads the conversations, contacts, messages and refs the
// keyed delivery loads read, four statements for them all. What is absent
// stays out of the maps: those reads go to the database.
func preloadLoads(ctx context.Context, c rowsQuerier, loads []core.LoadKey, ra *readAhead) error {
	ra.convByID, ra.contactByID, ra.msgByID, ra.refsByMsg = map[int64]*core.Conversation{}, map[int64]*core.Contact{},
		map[int64]*core.Message{}, map[int64][]refRow{}
	if len(loads) == 0 {
		return nil
	}
	var convIDs, msgIDs []int64
	for _, l := range loads {
		if id := int64(l.Conversation); !slices.Contains(convIDs, id) {
			convIDs = append(convIDs, id)
		}
		if id := int64(l.Message); id != 0 && !slices.Contains(msgIDs, id) {
			msgIDs = append(msgIDs, id)
		}
	}
	err := queryEach(ctx, c, preloadConversationsByIDSQL, []any{convIDs}, func(rows *sql.Rows) error {
		conv, err := scanConversation(rows)
		ra.convByID[int64(conv.ID)] = &conv
		return err
	})
	if err != nil {
		return fmt.Errorf("preload conversations: %w", err)
	}
	var contactIDs []int64
	for _, conv := range ra.convByID {
		if id := int64(conv.ContactID); !slices.Contains(contactIDs, id) {
			contactIDs = append(contactIDs, id)
		}
	}
	if err := preloadContactsByID(ctx, c, contactIDs, ra); err != nil {
		return err
	}
	if len(msgIDs) == 0 {
		return nil
	}
	err = queryEach(ctx, c, preloadMessagesSQL, []any{msgIDs}, func(rows *sql.Rows) error {
		var r messageRow
		if err := rows.Scan(&r.ID, &r.ConversationID, &r.Direction, &r.Author, &r.AuthorName, &r.Text, &r.Attachments, &r.AsTeam,
			&r.CreatedAt, &r.EditedAt, &r.DeletedAt); err != nil {
			return err
		}
		m, err := toCoreMessage(r)
		ra.msgByID[r.ID] = &m
		return err
	})
	if err != nil {
		return fmt.Errorf("preload messages: %w", err)
	}
	for _, id := range msgIDs {
		ra.refsByMsg[id] = []refRow{}
	}
	err = queryEach(ctx, c, preloadRefsByMsgSQL, []any{msgIDs}, func(rows *sql.Rows) error {
		var r refRow
		if err := rows.Scan(&r.MessageID, &r.Side, &r.Source, &r.Platform, &r.Chat, &r.PlatformID, &r.Part); err != nil {
			return err
		}
		ra.refsByMsg[r.MessageID] = append(ra.refsByMsg[r.MessageID], r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("preload refs: %w", err)
	}
	return nil
}

func preloadContactsByID(ctx context.Context, c rowsQuerier, ids []int64, ra *readAhead) error {
	if len(ids) == 0 {
		return nil
	}
	crs := map[int64]contactRow{}
	irs := map[int64][]identityRow{}
	err := queryEach(ctx, c, preloadContactsByIDSQL, []any{ids}, func(rows *sql.Rows) error {
		var cr contactRow
		var platform, user, handle, name, avatar sql.NullString
		if err := rows.Scan(&cr.ID, &cr.Name, &cr.Tags, &cr.Blocked, &cr.CreatedAt, &platform, &user, &handle, &name, &avatar); err != nil {
			return err
		}
		crs[cr.ID] = cr
		if platform.Valid {
			irs[cr.ID] = append(irs[cr.ID], identityRow{ContactID: cr.ID, Platform: platform.String, UserID: user.String, Handle: handle.String, Name: name.String, AvatarURL: avatar.String})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("preload contacts: %w", err)
	}
	for id, cr := range crs {
		con, err := toCoreContact(cr, irs[id])
		if err != nil {
			return fmt.Errorf("preload contacts: %w", err)
		}
		ra.contactByID[id] = &con
	}
	return nil
}

// queryEach runs query and calls each for every row.
func queryEach(ctx context.Context, c rowsQuerier, query string, args []any, each func(*sql.Rows) error) error {
	rows, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		return mapErr("query", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return mapErr("scan", err)
		}
	}
	return mapErr("rows", rows.Err())
}
