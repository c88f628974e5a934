package bench

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", for the bench's PostgreSQL schemas

	"cornershop/core"
	"cornershop/core/store"
)

// freshPostgresSchema creates an empty schema for one scenario and returns
// a DSN that uses it and a function that drops it.
func freshPostgresSchema(ctx context.Context, dsn, name string) (string, func(), error) {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, fmt.Errorf("bench: postgres: %w", err)
	}
	defer admin.Close()
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(name))
	schema := fmt.Sprintf("bench_%s_%d", clean, time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("bench: postgres: create schema: %w", err)
	}
	drop := func() {
		if a, err := sql.Open("pgx", dsn); err == nil {
			_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
			a.Close()
		}
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema, drop, nil
}

// openBenchStore opens the scenario's database as the service does.
func openBenchStore(ctx context.Context, r *rig) (*store.Store, error) {
	driver := store.DriverSQLite
	if r.o.DB != "" {
		driver = store.DriverPostgres
	}
	st, err := store.Open(ctx, store.Options{Driver: driver, DSN: r.dsn, AutoMigrate: true})
	if err != nil {
		return nil, fmt.Errorf("bench: open the store: %w", err)
	}
	return st, nil
}

// placeholders returns "(?, ?, …), (…)" for rows×cols values, numbered
// $1… for PostgreSQL.
func placeholders(driver string, rows, cols int) string {
	var b strings.Builder
	n := 0
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			n++
			if driver == store.DriverPostgres {
				b.WriteString("$" + strconv.Itoa(n))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// rawInsertRate writes n messages the way the relay records one — the
// message, its source ref, its desk delivery, and its full-text entry —
// in batches of 100 messages per transaction, each table's rows in one
// multi-row INSERT (three statements a batch, plus SQLite's full-text
// INSERT … SELECT; PostgreSQL's trigger indexes), through the store's own
// connection, and returns messages per second. It is the floor the pipeline
// is compared with, measured on the scenario's database: one round trip
// per table and batch, as batching can do at best.
func rawInsertRate(ctx context.Context, r *rig, n int) (float64, error) {
	st, err := openBenchStore(ctx, r)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	var conv core.Conversation
	err = st.InTx(ctx, func(tx core.Tx) error {
		c := core.Contact{Name: "raw", Identities: []core.Identity{{Platform: core.Telegram, UserID: "raw-insert"}}, CreatedAt: time.Now()}
		if err := tx.CreateContact(&c); err != nil {
			return err
		}
		conv = core.Conversation{ContactID: c.ID, Customer: core.Place{Platform: core.Telegram, Chat: "raw-insert"}, Status: core.StatusOpen,
			CreatedAt: time.Now(), UpdatedAt: time.Now()}
		return tx.CreateConversation(&conv)
	})
	if err != nil {
		return 0, fmt.Errorf("bench: raw insert: %w", err)
	}
	db, err := st.SQL()
	if err != nil {
		return 0, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	began := time.Now()
	for done := 0; done < n; {
		batch := min(100, n-done)
		if err := rawBatch(ctx, db, st.Driver(), int64(conv.ID), done, batch, now); err != nil {
			return 0, fmt.Errorf("bench: raw insert: %w", err)
		}
		done += batch
	}
	return float64(n) / time.Since(began).Seconds(), nil
}

// rawBatch writes messages [from, from+n) in one transaction: a multi-row
// INSERT per table.
func rawBatch(ctx context.Context, db *sql.DB, driver string, conv int64, from, n int, now time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	args := make([]any, 0, n*8)
	for i := from; i < from+n; i++ {
		args = append(args, conv, "inbound", "contact:1", "Ada", customerText(i), "[]", false, now)
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO messages (conversation_id, direction, author, author_name, text, attachments, as_team, created_at)
VALUES `+placeholders(driver, n, 8)+` RETURNING id`, args...)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if len(ids) != n {
		return fmt.Errorf("%d ids for %d messages", len(ids), n)
	}
	slices.Sort(ids) // assigned in the VALUES' order
	args = args[:0]
	for k, id := range ids {
		args = append(args, id, "customer", true, "telegram", "raw-insert", strconv.Itoa(from+k), 0)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO message_refs (message_id, side, source, platform, chat, platform_id, part) VALUES `+
		placeholders(driver, n, 7), args...); err != nil {
		return err
	}
	args = args[:0]
	for _, id := range ids {
		args = append(args, "raw:send:desk:"+strconv.FormatInt(id, 10), conv, id, "c"+strconv.FormatInt(conv, 10)+":desk", "", "send", "desk", "slack",
			"pending", 0, now, "", now, "")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (idem_key, conversation_id, message_id, lane, emoji, op, side, platform, state,
	attempts, next_attempt_at, last_error, created_at, claimed_by) VALUES `+placeholders(driver, n, 14), args...); err != nil {
		return err
	}
	if driver != store.DriverPostgres {
		if _, err := tx.ExecContext(ctx, `INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id BETWEEN ? AND ?`,
			ids[0], ids[n-1]); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// seedLarge fills the scenario's database with contacts (each with a
// Telegram identity and one conversation in the desk) and messages spread
// evenly over them, each with its customer-side ref and a finished desk
// delivery: a store after a long life. Rows go in with multi-row INSERTs,
// 10,000 rows per transaction.
func seedLarge(ctx context.Context, r *rig, contacts, messages int) error {
	st, err := openBenchStore(ctx, r)
	if err != nil {
		return err
	}
	defer st.Close()
	db, err := st.SQL()
	if err != nil {
		return err
	}
	at := time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Microsecond)
	desk := r.desk.ID
	user := func(c int) string { return strconv.Itoa(5_000_000_000 + c) }
	tables := []struct {
		table string
		cols  []string
		n     int
		row   func(i int) []any
	}{
		{"contacts", []string{"id", "name", "tags", "blocked", "created_at"}, contacts, func(i int) []any {
			return []any{i + 1, "Seeded Customer " + strconv.Itoa(i), "[]", false, at}
		}},
		{"identities", []string{"id", "contact_id", "platform", "user_id", "handle", "name", "avatar_url"}, contacts, func(i int) []any {
			return []any{i + 1, i + 1, "telegram", user(i), "seeded" + strconv.Itoa(i), "Seeded Customer " + strconv.Itoa(i), ""}
		}},
		{"conversations", []string{"id", "contact_id", "customer_platform", "customer_chat", "customer_thread", "anchor", "desk_platform",
			"desk_chat", "desk_thread", "desk_card", "status", "assignee", "tags", "priority", "created_at", "updated_at"}, contacts, func(i int) []any {
			thread := "1600000000." + strconv.Itoa(100000+i)
			return []any{i + 1, i + 1, "telegram", user(i), "", "1", "slack", desk, thread, thread, "open", "", "[]", 0, at, at}
		}},
		{"messages", []string{"id", "conversation_id", "direction", "author", "author_name", "text", "attachments", "as_team", "created_at"}, messages, func(i int) []any {
			c := i % contacts
			return []any{i + 1, c + 1, "inbound", "contact:" + strconv.Itoa(c+1), "Seeded Customer", "seeded message " + strconv.Itoa(i) + ": where is my parcel?", "[]", false, at}
		}},
		{"message_refs", []string{"id", "message_id", "side", "source", "platform", "chat", "platform_id", "part"}, messages, func(i int) []any {
			return []any{i + 1, i + 1, "customer", true, "telegram", user(i % contacts), strconv.Itoa(i/contacts + 1), 0}
		}},
		{"deliveries", []string{"id", "idem_key", "conversation_id", "message_id", "lane", "emoji", "op", "side", "platform", "state", "attempts",
			"next_attempt_at", "last_error", "created_at", "done_at", "claimed_by"}, messages, func(i int) []any {
			return []any{i + 1, "send:desk:" + strconv.Itoa(i+1), i%contacts + 1, i + 1, "c" + strconv.Itoa(i%contacts+1) + ":desk", "", "send", "desk", "slack", "done", 1, at, "", at, at, ""}
		}},
	}
	for _, t := range tables {
		if err := bulkInsert(ctx, db, st.Driver(), t.table, t.cols, t.n, t.row); err != nil {
			return fmt.Errorf("bench: seed %s: %w", t.table, err)
		}
	}
	if st.Driver() == store.DriverPostgres {
		for _, t := range tables {
			if _, err := db.ExecContext(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))", t.table, t.table)); err != nil {
				return fmt.Errorf("bench: seed: %w", err)
			}
		}
		_, err = db.ExecContext(ctx, "ANALYZE")
	} else {
		// The rows went in beside the store: index their text as it would.
		if err := st.IndexSearch(ctx); err != nil {
			return fmt.Errorf("bench: seed: %w", err)
		}
		_, err = db.ExecContext(ctx, "ANALYZE")
	}
	if err != nil {
		return fmt.Errorf("bench: seed: analyze: %w", err)
	}
	return nil
}

// bulkInsert writes n rows into table, 100 rows per statement and 10,000
// per transaction.
func bulkInsert(ctx context.Context, db *sql.DB, driver, table string, cols []string, n int, row func(int) []any) error {
	const perStmt, perTx = 100, 10000
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	full := head + placeholders(driver, perStmt, len(cols))
	for from := 0; from < n; from += perTx {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, full)
		if err != nil {
			tx.Rollback()
			return err
		}
		args := make([]any, 0, perStmt*len(cols))
		for i := from; i < min(from+perTx, n); i += perStmt {
			k := min(perStmt, n-i, from+perTx-i)
			args = args[:0]
			for j := i; j < i+k; j++ {
				args = append(args, row(j)...)
			}
			if k == perStmt {
				_, err = stmt.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, head+placeholders(driver, k, len(cols)), args...)
			}
			if err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
