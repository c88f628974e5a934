package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// prepareSearch makes the full-text indexes speak the configured language.
// On SQLite it creates the FTS5 tables and their triggers with that
// language's tokenizer (and rebuilds them when the language changed); on
// PostgreSQL it checks the text search configuration exists and, when it
// changed, records it and recomputes the stored tsvectors. Both run in one
// transaction, so replicas opening together do it once.
func (s *Store) prepareSearch(ctx context.Context) error {
	lang := s.o.SearchLanguage
	err := s.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		if s.driver == DriverPostgres {
			return preparePostgresSearch(g, lang)
		}
		return prepareSQLiteSearch(g, lang)
	})
	if err != nil {
		return fmt.Errorf("store: prepare search (%s): %w", lang, err)
	}
	return nil
}

func preparePostgresSearch(g *gorm.DB, lang string) error {
	if err := g.Exec("SELECT pg_advisory_xact_lock(hashtext('cornershop search ' || current_schema()))").Error; err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	var have string
	if err := g.Raw("SELECT language FROM search_config WHERE id = 1").Scan(&have).Error; err != nil {
		return fmt.Errorf("read search_config: %w", err)
	}
	var ok bool
	if err := g.Raw("SELECT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = ?)", lang).Scan(&ok).Error; err != nil {
		return fmt.Errorf("check text search configuration: %w", err)
	}
	if !ok {
		return fmt.Errorf("PostgreSQL has no text search configuration %q (see SELECT cfgname FROM pg_ts_config)", lang)
	}
	if have == lang {
		return nil
	}
	for _, q := range []string{
		"UPDATE search_config SET language = ? WHERE id = 1",
		"UPDATE messages SET search = to_tsvector(?::regconfig, text)",
	} {
		if err := g.Exec(q, lang).Error; err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
	}
	if err := g.Exec("SELECT cornershop_contact_search_refresh(id) FROM contacts").Error; err != nil {
		return fmt.Errorf("reindex contacts: %w", err)
	}
	return nil
}

// sqliteTokenizer is FTS5's tokenizer for a search language: "english"
// stems (porter); any other language indexes words unstemmed. Both fold
// case and remove diacritics.
func sqliteTokenizer(lang string) string {
	if lang == "english" {
		return "porter unicode61 remove_diacritics 2"
	}
	return "unicode61 remove_diacritics 2"
}

// contactDocSQL refreshes the contacts_fts row of the contact whose id is
// the SQL expression id (new.id, old.contact_id…).
func contactDocSQL(id string) string {
	return strings.ReplaceAll(`DELETE FROM contacts_fts WHERE rowid = @ID;
INSERT INTO contacts_fts (rowid, name, handles, fields)
SELECT c.id, c.name,
	coalesce((SELECT group_concat(i.handle || ' ' || i.name, ' ') FROM identities i WHERE i.contact_id = c.id), ''),
	coalesce((SELECT group_concat(f.value, ' ') FROM contact_fields f WHERE f.contact_id = c.id), '')
FROM contacts c WHERE c.id = @ID;`, "@ID", id)
}

// sqliteSearchSchema is what prepareSQLiteSearch drops and creates.
func sqliteSearchSchema(tokenizer string) []string {
	tok := "tokenize = '" + tokenizer + "'"
	return []string{
		"DROP TABLE IF EXISTS messages_fts",
		"DROP TRIGGER IF EXISTS messages_fts_insert", // before version 14
		"DROP TRIGGER IF EXISTS messages_fts_update",
		"DROP TRIGGER IF EXISTS messages_fts_delete",
		"DROP TABLE IF EXISTS contacts_fts",
		"CREATE VIRTUAL TABLE messages_fts USING fts5 (text, content = 'messages', content_rowid = 'id', " + tok + ")",
		"CREATE VIRTUAL TABLE contacts_fts USING fts5 (name, handles, fields, " + tok + ")",
		// New messages are indexed at commit (indexNewMessages); edits and
		// deletions of indexed ones keep the index in step here. Deleting
		// the highest indexed message lowers the mark, as SQLite may hand
		// its id to the next message.
		`CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages
	WHEN old.id <= (SELECT messages_indexed FROM search_config WHERE id = 1) BEGIN
	INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
	UPDATE search_config SET messages_indexed = (SELECT coalesce(max(id), 0) FROM messages WHERE id < old.id)
	WHERE id = 1 AND messages_indexed = old.id; END`,
		`CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE OF text ON messages
	WHEN old.id <= (SELECT messages_indexed FROM search_config WHERE id = 1) BEGIN
	INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
	INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text); END`,
		"CREATE TRIGGER IF NOT EXISTS contacts_fts_insert AFTER INSERT ON contacts BEGIN " + contactDocSQL("new.id") + " END",
		"CREATE TRIGGER IF NOT EXISTS contacts_fts_update AFTER UPDATE OF name ON contacts BEGIN " + contactDocSQL("new.id") + " END",
		"CREATE TRIGGER IF NOT EXISTS contacts_fts_delete AFTER DELETE ON contacts BEGIN DELETE FROM contacts_fts WHERE rowid = old.id; END",
		"CREATE TRIGGER IF NOT EXISTS identities_fts_insert AFTER INSERT ON identities BEGIN " + contactDocSQL("new.contact_id") + " END",
		"CREATE TRIGGER IF NOT EXISTS identities_fts_update AFTER UPDATE ON identities BEGIN " + contactDocSQL("old.contact_id") + contactDocSQL("new.contact_id") + " END",
		"CREATE TRIGGER IF NOT EXISTS identities_fts_delete AFTER DELETE ON identities BEGIN " + contactDocSQL("old.contact_id") + " END",
		"CREATE TRIGGER IF NOT EXISTS contact_fields_fts_insert AFTER INSERT ON contact_fields BEGIN " + contactDocSQL("new.contact_id") + " END",
		"CREATE TRIGGER IF NOT EXISTS contact_fields_fts_update AFTER UPDATE ON contact_fields BEGIN " + contactDocSQL("old.contact_id") + contactDocSQL("new.contact_id") + " END",
		"CREATE TRIGGER IF NOT EXISTS contact_fields_fts_delete AFTER DELETE ON contact_fields BEGIN " + contactDocSQL("old.contact_id") + " END",
		"INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
		`INSERT INTO contacts_fts (rowid, name, handles, fields)
SELECT c.id, c.name,
	coalesce((SELECT group_concat(i.handle || ' ' || i.name, ' ') FROM identities i WHERE i.contact_id = c.id), ''),
	coalesce((SELECT group_concat(f.value, ' ') FROM contact_fields f WHERE f.contact_id = c.id), '')
FROM contacts c`,
	}
}

func prepareSQLiteSearch(g *gorm.DB, lang string) error {
	var have []string
	if err := g.Raw("SELECT language FROM search_config WHERE id = 1").Scan(&have).Error; err != nil {
		return fmt.Errorf("read search_config: %w", err)
	}
	// Both tables, and not the per-row insert trigger of before version 14.
	var tables int64
	if err := g.Raw("SELECT count(*) FROM sqlite_master WHERE name IN ('messages_fts', 'contacts_fts', 'messages_fts_update')").Scan(&tables).Error; err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	var oldTrigger int64
	if err := g.Raw("SELECT count(*) FROM sqlite_master WHERE name = 'messages_fts_insert'").Scan(&oldTrigger).Error; err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if len(have) == 1 && have[0] == lang && tables == 3 && oldTrigger == 0 {
		return secureSQLiteSearch(g, false)
	}
	for _, q := range sqliteSearchSchema(sqliteTokenizer(lang)) {
		if _, err := g.Statement.ConnPool.ExecContext(g.Statement.Context, q); err != nil {
			return fmt.Errorf("create full-text index: %w", err)
		}
	}
	// The rebuild indexed every message there is.
	err := g.Exec(`INSERT INTO search_config (id, language, messages_indexed) VALUES (1, ?, (SELECT coalesce(max(id), 0) FROM messages))
ON CONFLICT (id) DO UPDATE SET language = excluded.language, messages_indexed = excluded.messages_indexed`, lang).Error
	if err != nil {
		return fmt.Errorf("record search language: %w", err)
	}
	return secureSQLiteSearch(g, true)
}

// secureSQLiteSearch turns on FTS5's secure-delete in both full-text
// indexes, so a deleted or changed row's words leave the index at once
// instead of staying in older segments behind a delete marker until they
// merge (an erase must leave nothing on disk, docs/privacy.md). An index
// that had it off may hold such words: it is optimized once (its segments
// merged, the deleted entries dropped), unless it was just built (fresh).
func secureSQLiteSearch(g *gorm.DB, fresh bool) error {
	for _, fts := range []string{"messages_fts", "contacts_fts"} {
		var on []string
		if err := g.Raw("SELECT v FROM " + fts + "_config WHERE k = 'secure-delete'").Scan(&on).Error; err != nil {
			return fmt.Errorf("read %s settings: %w", fts, err)
		}
		if len(on) == 1 && on[0] == "1" {
			continue
		}
		qs := []string{"INSERT INTO " + fts + " (" + fts + ", rank) VALUES ('secure-delete', 1)"}
		if !fresh {
			qs = append(qs, "INSERT INTO "+fts+" ("+fts+") VALUES ('optimize')")
		}
		for _, q := range qs {
			if err := g.Exec(q).Error; err != nil {
				return fmt.Errorf("secure %s: %w", fts, err)
			}
		}
	}
	return nil
}

// SQLite indexes the messages a write transaction added, once, just before
// it commits (see migration 0014): one INSERT of every message above the
// mark, then the mark moved up. Both are no-ops when the transaction added
// none.
const (
	sqliteIndexNew = `INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages
	WHERE id > (SELECT messages_indexed FROM search_config WHERE id = 1) ORDER BY id`
	sqliteMarkIndexed = `UPDATE search_config SET messages_indexed = (SELECT max(id) FROM messages)
	WHERE id = 1 AND messages_indexed < (SELECT max(id) FROM messages)`
)

// indexNewMessages runs sqliteIndexNew and sqliteMarkIndexed on c.
func indexNewMessages(ctx context.Context, c interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}) error {
	for _, q := range []string{sqliteIndexNew, sqliteMarkIndexed} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index new messages: %w", err)
		}
	}
	return nil
}

// IndexSearch brings the full-text index up to date with messages written
// outside InTx (bulk loads through SQL). Transactions through InTx index
// their own; on PostgreSQL a trigger does, and this does nothing.
func (s *Store) IndexSearch(ctx context.Context) error {
	if s.writer == nil {
		return nil
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: index search: %w", err)
	}
	defer tx.Rollback()
	if err := indexNewMessages(ctx, tx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: index search: %w", err)
	}
	return nil
}
