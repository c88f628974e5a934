package store

import (
	"context"
	"strings"
	"time"

	"cornershop/core"
)

// Full-text search of answers with each database's own engine: SQLite's
// FTS5 (bm25) and PostgreSQL's tsvector (ts_rank). No scoring is done here;
// this file only turns what a person typed into a query the engine cannot
// misread and reads back the engine's ranking.

// Relevance for AnswerQuery.Relevant (suggestions nobody asked for) is
// decided by each engine, not scored here: a hit must match at least one of
// the question's words in its title — FTS5's column filter {title},
// PostgreSQL's ts_filter keeping the A (title) weight — and score at least
// a floor on the engine's own scale:
//   - SQLite: -bm25() with the title weighted 10 and the body 1, floor 0.
//     bm25 scales by inverse document frequency, which FTS5 clamps to
//     almost nothing for a word in more than half of the answers: with a
//     handful of answers every word is, so any positive floor would turn
//     every suggestion away until the collection grows. The title match is
//     the test.
//   - PostgreSQL: ts_rank() with its default weights (A 1.0, B 0.4), which
//     needs no collection statistics and, for an OR query, shrinks as the
//     question gets longer; the floor 0.05 turns away one passing title
//     word in a long message.
const (
	sqliteRelevant   = 0.0
	postgresRelevant = 0.05
)

// queryWords is searchWords lowercased, each word once: what a question
// is searched for.
func queryWords(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range searchWords(strings.ToLower(text)) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// englishStop are words too common to search for. PostgreSQL's english
// configuration drops its own list; FTS5 has none, so the store drops
// these when the language is english to match.
var englishStop = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true, "but": true, "by": true, "can": true,
	"do": true, "does": true, "for": true, "from": true, "have": true, "how": true, "i": true, "if": true, "in": true, "is": true,
	"it": true, "me": true, "my": true, "no": true, "not": true, "of": true, "on": true, "or": true, "so": true, "that": true,
	"the": true, "there": true, "this": true, "to": true, "was": true, "we": true, "what": true, "when": true, "where": true,
	"which": true, "who": true, "why": true, "will": true, "with": true, "you": true, "your": true, "get": true, "hi": true, "hello": true,
}

// ftsAny is the FTS5 MATCH expression matching any of words.
func ftsAny(words []string) string { return ftsQuoted(words, " OR ") }

// websearch builds a websearch_to_tsquery input that matches any of words:
// each quoted, joined by "or".
func websearch(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = `"` + strings.ReplaceAll(w, `"`, "") + `"`
	}
	return strings.Join(q, " or ")
}

// ftsTable is the FTS5 index for the configured language (see migration 7).
func (s *Store) ftsTable() string {
	if strings.EqualFold(s.o.SearchLanguage, "english") {
		return "answers_fts_porter"
	}
	return "answers_fts_plain"
}

type hitRow struct {
	ID    int64
	Score float64
}

func (t *tx) SearchAnswers(q core.AnswerQuery) ([]core.AnswerHit, error) {
	if q.Limit <= 0 {
		q.Limit = 5
	}
	words := queryWords(q.Text)
	var rows []hitRow
	var err error
	if t.s.driver == DriverPostgres {
		if len(words) == 0 {
			return nil, nil
		}
		min, title := 0.0, ""
		if q.Relevant {
			min, title = postgresRelevant, " AND ts_filter(answers.tsv, '{a}') @@ q"
		}
		err = t.db.Raw(`SELECT answers.id, ts_rank(answers.tsv, q) AS score
FROM answers, websearch_to_tsquery(?::regconfig, ?) AS q
WHERE answers.tsv @@ q AND ts_rank(answers.tsv, q) >= ?`+title+`
ORDER BY score DESC, answers.id LIMIT ?`, t.s.o.SearchLanguage, websearch(words), min, q.Limit).Scan(&rows).Error
	} else {
		if strings.EqualFold(t.s.o.SearchLanguage, "english") {
			kept := words[:0:0]
			for _, w := range words {
				if !englishStop[w] {
					kept = append(kept, w)
				}
			}
			words = kept
		}
		if len(words) == 0 {
			return nil, nil
		}
		min, match := -1e300, ftsAny(words)
		if q.Relevant {
			min, match = sqliteRelevant, "("+match+") AND {title} : ("+match+")"
		}
		fts := t.s.ftsTable() // one of two fixed names, never user text
		err = t.db.Raw(`SELECT answers.id, -bm25(`+fts+`, 10.0, 1.0) AS score
FROM `+fts+` JOIN answers ON answers.id = `+fts+`.rowid
WHERE `+fts+` MATCH ? AND -bm25(`+fts+`, 10.0, 1.0) >= ?
ORDER BY score DESC, answers.id LIMIT ?`, match, min, q.Limit).Scan(&rows).Error
	}
	if err != nil {
		return nil, mapErr("search answers", err)
	}
	return t.hits(rows)
}

// hits loads the answers of ranked ids, keeping the engine's order.
func (t *tx) hits(rows []hitRow) ([]core.AnswerHit, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	as, err := t.answerList("search answers", t.db.Model(&answerRow{}).Select(answerColumns).Where("id IN ?", ids))
	if err != nil {
		return nil, err
	}
	byID := make(map[core.AnswerID]core.Answer, len(as))
	for _, a := range as {
		byID[a.ID] = a
	}
	out := make([]core.AnswerHit, 0, len(rows))
	for _, r := range rows {
		if a, ok := byID[core.AnswerID(r.ID)]; ok {
			out = append(out, core.AnswerHit{Answer: a, Score: r.Score})
		}
	}
	return out, nil
}

// SearchAnswers searches answers on the read pool, for the public page.
func (s *Store) SearchAnswers(ctx context.Context, q core.AnswerQuery) ([]core.AnswerHit, error) {
	return (&tx{db: s.read.WithContext(ctx), s: s}).SearchAnswers(q)
}

// Answers lists answers by title on the read pool, for the public page.
func (s *Store) Answers(ctx context.Context, limit int) ([]core.Answer, error) {
	return (&tx{db: s.read.WithContext(ctx), s: s}).Answers(limit)
}

// AnswerBySlug reads one answer on the read pool, for the public page;
// core.ErrNotFound when there is none.
func (s *Store) AnswerBySlug(ctx context.Context, slug string) (core.Answer, error) {
	return (&tx{db: s.read.WithContext(ctx), s: s}).AnswerBySlug(slug)
}

// AnswerStats reads self-help figures on the read pool, for /metrics.
func (s *Store) AnswerStats(ctx context.Context, since time.Time, top int) (core.AnswerStats, error) {
	return (&tx{db: s.read.WithContext(ctx), s: s}).AnswerStats(since, top)
}
