package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"cornershop/core"
)

// Bounds on what one search may ask of the engine.
const (
	maxSearchWords = 16
	maxWordRunes   = 64
	defaultHits    = 20
	maxHits        = 200
)

// searchWords splits what a person typed into words: runs of letters,
// digits and marks. Everything else separates words, so nothing typed
// reaches the engine as query syntax.
func searchWords(text string) []string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	for i, w := range words {
		if r := []rune(w); len(r) > maxWordRunes {
			words[i] = string(r[:maxWordRunes])
		}
	}
	return words
}

// ftsMatch is the FTS5 MATCH expression requiring all of words.
func ftsMatch(words []string) string { return ftsQuoted(words, " ") }

// ftsQuoted joins words with sep, each a quoted FTS5 string (inner quotes
// doubled, though searchWords leaves none), so no word is read as syntax.
func ftsQuoted(words []string, sep string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(quoted, sep)
}

// contactMatch is the SQL that keeps contacts matching words:
// a condition on the contact id column idCol, and its arguments.
func (t *tx) contactMatch(idCol string, words []string) (string, []any) {
	if t.s.driver == DriverPostgres {
		return idCol + " IN (SELECT contact_id FROM contact_search WHERE doc @@ plainto_tsquery(?::regconfig, ?))",
			[]any{t.s.o.SearchLanguage, strings.Join(words, " ")}
	}
	return idCol + " IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)", []any{ftsMatch(words)}
}

func hitLimit(n int) int {
	switch {
	case n <= 0:
		return defaultHits
	case n > maxHits:
		return maxHits
	}
	return n
}

func (t *tx) SearchContacts(q core.SearchQuery) ([]core.Contact, error) {
	words := searchWords(q.Text)
	if len(words) == 0 {
		return nil, nil
	}
	var sql string
	var args []any
	newest := "coalesce(c.updated_at, c.created_at) DESC, c.id DESC"
	if t.s.driver == DriverPostgres {
		order := "ts_rank(s.doc, q) DESC, c.id DESC"
		if q.Order == core.ByNewest {
			order = newest
		}
		sql = `SELECT c.id FROM contact_search s JOIN contacts c ON c.id = s.contact_id, plainto_tsquery(?::regconfig, ?) q
WHERE s.doc @@ q ORDER BY ` + order + ` LIMIT ?`
		args = []any{t.s.o.SearchLanguage, strings.Join(words, " "), hitLimit(q.Limit)}
	} else {
		// bm25 is lower for better matches; a name counts most, then
		// handles, then profile values.
		order := "bm25(contacts_fts, 10.0, 5.0, 1.0), c.id DESC"
		if q.Order == core.ByNewest {
			order = newest
		}
		sql = `SELECT c.id FROM contacts_fts JOIN contacts c ON c.id = contacts_fts.rowid
WHERE contacts_fts MATCH ? ORDER BY ` + order + ` LIMIT ?`
		args = []any{ftsMatch(words), hitLimit(q.Limit)}
	}
	var ids []int64
	if err := t.db.Raw(sql, args...).Scan(&ids).Error; err != nil {
		return nil, mapErr("search contacts", err)
	}
	return t.contactsByID(ids)
}

// contactsByID loads contacts in the order of ids.
func (t *tx) contactsByID(ids []int64) ([]core.Contact, error) {
	out := make([]core.Contact, 0, len(ids))
	for _, id := range ids {
		c, err := t.Contact(core.ContactID(id))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// searchedDirections are the messages search finds: what customers and
// staff wrote, internal notes included; not cornershop's own notes.
var searchedDirections = []string{string(core.Inbound), string(core.Reply), string(core.Note)}

func (t *tx) SearchMessages(q core.SearchQuery) ([]core.MessageHit, error) {
	words := searchWords(q.Text)
	if len(words) == 0 {
		return nil, nil
	}
	var sql string
	var args []any
	if t.s.driver == DriverPostgres {
		order := "ts_rank(m.search, q) DESC, m.id DESC"
		if q.Order == core.ByNewest {
			order = "m.id DESC"
		}
		sql = `SELECT m.id FROM messages m, plainto_tsquery(?::regconfig, ?) q
WHERE m.search @@ q AND m.deleted_at IS NULL AND m.direction IN ? ORDER BY ` + order + ` LIMIT ?`
		args = []any{t.s.o.SearchLanguage, strings.Join(words, " "), searchedDirections, hitLimit(q.Limit)}
	} else {
		order := "bm25(messages_fts), m.id DESC"
		if q.Order == core.ByNewest {
			order = "m.id DESC"
		}
		sql = `SELECT m.id FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
WHERE messages_fts MATCH ? AND m.deleted_at IS NULL AND m.direction IN ? ORDER BY ` + order + ` LIMIT ?`
		args = []any{ftsMatch(words), searchedDirections, hitLimit(q.Limit)}
	}
	var ids []int64
	if err := t.db.Raw(sql, args...).Scan(&ids).Error; err != nil {
		return nil, mapErr("search messages", err)
	}
	convs := map[core.ConversationID]core.Conversation{}
	out := make([]core.MessageHit, 0, len(ids))
	for _, id := range ids {
		m, err := t.Message(core.MessageID(id))
		if err != nil {
			return nil, fmt.Errorf("search messages: %w", err)
		}
		c, ok := convs[m.ConversationID]
		if !ok {
			if c, err = t.Conversation(m.ConversationID); err != nil {
				return nil, fmt.Errorf("search messages: %w", err)
			}
			convs[m.ConversationID] = c
		}
		out = append(out, core.MessageHit{Message: m, Conversation: c})
	}
	return out, nil
}

var _ core.Search = (*Store)(nil)

// SearchContacts implements core.Search, reading outside any transaction
// (on SQLite from the read pool).
func (s *Store) SearchContacts(ctx context.Context, q core.SearchQuery) ([]core.Contact, error) {
	return s.reader(ctx).SearchContacts(q)
}

// SearchMessages implements core.Search, reading outside any transaction.
func (s *Store) SearchMessages(ctx context.Context, q core.SearchQuery) ([]core.MessageHit, error) {
	return s.reader(ctx).SearchMessages(q)
}

// reader is a tx over the read pool, for reads outside a transaction.
func (s *Store) reader(ctx context.Context) *tx {
	return &tx{db: s.read.WithContext(ctx), s: s}
}
