package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Scrub makes what erases removed gone from disk as far as the database
// allows: on SQLite (where secure_delete already zeroed the freed space)
// it checkpoints the write-ahead log and truncates it, so no older page
// image survives there (ErrScrubBusy when a reader kept it from
// finishing); on PostgreSQL it vacuums the tables an erase
// changes, which frees the dead row versions for reuse (the bytes stay in
// the data files until reused; docs/privacy.md). It waits for the
// transaction in flight. Safe to call any time.
func (s *Store) Scrub(ctx context.Context) error {
	if s.driver == DriverPostgres {
		q := "VACUUM messages, message_refs, contacts, identities, contact_fields, contact_search, conversations, " +
			"idea_votes, idea_comments, ideas, webhook_events, answer_suggestions, answer_misses, surveys, " +
			"handled_requests, deliveries, audit_entries, contact_merges, link_codes, export_links, idea_notices"
		if err := s.db.WithContext(ctx).Exec(q).Error; err != nil {
			return fmt.Errorf("store: scrub: %w", err)
		}
		return nil
	}
	if s.writer == nil {
		return nil
	}
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: scrub: %w", err)
	}
	defer conn.Close()
	// The log keeps the erased pages' old versions until a TRUNCATE
	// checkpoint completes, which a reader's open snapshot prevents
	// (busy): try again until it does, then report failure so the
	// outbox tries the scrub again later.
	for wait := 10 * time.Millisecond; ; wait *= 2 {
		st, err := checkpoint(ctx, conn, "TRUNCATE")
		if err != nil && !sqliteBusy(err) { // busy: another checkpoint runs
			return fmt.Errorf("store: scrub: %w", err)
		}
		if err == nil && !st.busy {
			return nil
		}
		if wait > time.Second {
			return ErrScrubBusy
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: scrub: %w", ctx.Err())
		case <-time.After(wait):
		}
	}
}

// ErrScrubBusy is Scrub's answer when a reader kept the write-ahead log
// from being emptied: nothing is lost, try again later (the outbox does).
var ErrScrubBusy = errors.New("store: scrub: a reader kept the write-ahead log from being emptied")

// Occurrences lists where any of needles (compared without case) still
// appears: every column of every table, the full-text index tables
// included, as "table.column", and on SQLite every byte of the database
// file and its write-ahead log, as "file <name>". It reads everything, so
// it is slow on a large store: it is how tests and an operator check an
// erase, not something the service calls.
func (s *Store) Occurrences(ctx context.Context, needles []string) ([]string, error) {
	low := make([][]byte, 0, len(needles))
	for _, n := range needles {
		if n != "" {
			low = append(low, bytes.ToLower([]byte(n)))
		}
	}
	found := func(b []byte) bool {
		b = bytes.ToLower(b)
		for _, n := range low {
			if bytes.Contains(b, n) {
				return true
			}
		}
		return false
	}
	out, err := s.rowOccurrences(ctx, found)
	if err != nil || s.driver == DriverPostgres {
		return out, err
	}
	terms, err := s.indexOccurrences(ctx, low)
	if err != nil {
		return nil, err
	}
	out = append(out, terms...)
	path, ok := sqliteFilePath(s.o.DSN)
	if !ok {
		return out, nil
	}
	for _, f := range []string{path, path + "-wal", path + "-journal"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: occurrences: %w", err)
		}
		if found(b) {
			out = append(out, "file "+f)
		}
	}
	return out, nil
}

// rowOccurrences checks every column of every table as text.
func (s *Store) rowOccurrences(ctx context.Context, found func([]byte) bool) ([]string, error) {
	db := s.db.WithContext(ctx)
	type column struct{ Table, Name, Type string }
	var cols []column
	q := `SELECT m.name AS "table", p.name AS name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' ORDER BY m.name, p.cid`
	if s.driver == DriverPostgres {
		q = `SELECT table_name AS "table", column_name AS name, data_type AS type FROM information_schema.columns
			WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`
	}
	if err := db.Raw(q).Scan(&cols).Error; err != nil {
		return nil, fmt.Errorf("store: occurrences: list columns: %w", err)
	}
	var out []string
	for _, c := range cols {
		expr := `CAST("` + c.Name + `" AS BLOB)`
		switch {
		case c.Type == "bytea":
			expr = `"` + c.Name + `"`
		case s.driver == DriverPostgres:
			expr = `convert_to("` + c.Name + `"::text, 'UTF8')`
		}
		rows, err := db.Raw(`SELECT ` + expr + ` FROM "` + c.Table + `"`).Rows()
		if err != nil {
			return nil, fmt.Errorf("store: occurrences: read %s.%s: %w", c.Table, c.Name, err)
		}
		hit := false
		for rows.Next() && !hit {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: occurrences: read %s.%s: %w", c.Table, c.Name, err)
			}
			hit = found(b)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: occurrences: read %s.%s: %w", c.Table, c.Name, err)
		}
		if hit {
			out = append(out, c.Table+"."+strings.ToLower(c.Name))
		}
	}
	return out, nil
}

// indexOccurrences lists the SQLite full-text indexes holding a term that
// begins any word of the needles (a stemmed word is its beginning): the
// index's own pages keep terms prefix-compressed, where a byte search
// could miss them, so it asks FTS5 for its vocabulary instead.
func (s *Store) indexOccurrences(ctx context.Context, needles [][]byte) ([]string, error) {
	var words []string
	for _, n := range needles {
		for _, w := range strings.FieldsFunc(string(n), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			words = append(words, w)
		}
	}
	db := s.db.WithContext(ctx)
	var out []string
	for _, fts := range []string{"messages_fts", "contacts_fts"} {
		vocab := "temp." + fts + "_vocab"
		if err := db.Exec("CREATE VIRTUAL TABLE IF NOT EXISTS " + vocab + " USING fts5vocab(main, " + fts + ", 'row')").Error; err != nil {
			return nil, fmt.Errorf("store: occurrences: %s vocabulary: %w", fts, err)
		}
		var terms []string
		err := db.Raw("SELECT term FROM " + vocab + " WHERE length(term) >= 4").Scan(&terms).Error
		if derr := db.Exec("DROP TABLE " + vocab).Error; err == nil {
			err = derr
		}
		if err != nil {
			return nil, fmt.Errorf("store: occurrences: %s vocabulary: %w", fts, err)
		}
		if slices.ContainsFunc(terms, func(t string) bool {
			return slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, t) })
		}) {
			out = append(out, "index "+fts)
		}
	}
	return out, nil
}
