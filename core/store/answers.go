package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"cornershop/core"
)

type answerRow struct {
	ID         int64 `gorm:"primaryKey"`
	Slug       string
	Title      string
	Body       string
	Tags       string
	Author     string
	AuthorName string
	CreditID   *int64
	CreditName string
	Shown      int
	Helped     int
	NotHelped  int
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt  time.Time `gorm:"autoUpdateTime:false"`
}

func (answerRow) TableName() string { return "answers" }

// answerColumns are the columns answerRow reads (PostgreSQL's table also
// has lang and tsv, which no row carries).
const answerColumns = `answers.id, answers.slug, answers.title, answers.body, answers.tags, answers.author, answers.author_name,
	answers.credit_id, answers.credit_name, answers.shown, answers.helped, answers.not_helped, answers.created_at, answers.updated_at`

type suggestionRow struct {
	ID             int64 `gorm:"primaryKey"`
	ConversationID int64
	MessageID      int64
	Answers        string
	Outcome        string
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	DecidedAt      *time.Time
}

func (suggestionRow) TableName() string { return "answer_suggestions" }

type missRow struct {
	Query  string `gorm:"primaryKey"`
	Count  int
	LastAt time.Time
}

func (missRow) TableName() string { return "answer_misses" }

// maxMisses bounds answer_misses: older queries are forgotten.
const maxMisses = 1000

func toAnswerRow(a core.Answer) (answerRow, error) {
	tags, err := toJSON(a.Tags)
	if err != nil {
		return answerRow{}, err
	}
	return answerRow{
		ID: int64(a.ID), Slug: a.Slug, Title: a.Title, Body: a.Body, Tags: tags, Author: a.Author, AuthorName: a.AuthorName,
		CreditID: nullID(a.Credit), CreditName: a.CreditName, Shown: a.Shown, Helped: a.Helped, NotHelped: a.NotHelped,
		CreatedAt: dbTime(a.CreatedAt), UpdatedAt: dbTime(a.UpdatedAt),
	}, nil
}

func toCoreAnswer(r answerRow) (core.Answer, error) {
	tags, err := fromJSON[string](r.Tags)
	if err != nil {
		return core.Answer{}, err
	}
	return core.Answer{
		ID: core.AnswerID(r.ID), Slug: r.Slug, Title: r.Title, Body: r.Body, Tags: tags, Author: r.Author, AuthorName: r.AuthorName,
		Credit: idOf[core.ContactID](r.CreditID), CreditName: r.CreditName, Shown: r.Shown, Helped: r.Helped, NotHelped: r.NotHelped,
		CreatedAt: fromDBTime(r.CreatedAt), UpdatedAt: fromDBTime(r.UpdatedAt),
	}, nil
}

func (t *tx) CreateAnswer(a *core.Answer) error {
	if a.Slug == "" || strings.TrimSpace(a.Title) == "" {
		return fmt.Errorf("create answer: slug and title are required: %w", core.ErrInvalid)
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = t.now()
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.CreatedAt
	}
	r, err := toAnswerRow(*a)
	if err != nil {
		return fmt.Errorf("create answer: %w", err)
	}
	r.ID = 0
	res := t.db.Clauses(ignoreDup).Create(&r)
	if res.Error != nil {
		return mapErr("create answer", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("create answer %q: %w", a.Slug, core.ErrDuplicate)
	}
	a.ID = core.AnswerID(r.ID)
	return t.setLanguage(a.ID)
}

// setLanguage stamps an answer with the configured text search
// configuration, from which PostgreSQL generates its tsvector. SQLite
// keeps one index per tokenizer instead and needs nothing.
func (t *tx) setLanguage(id core.AnswerID) error {
	if t.s.driver != DriverPostgres {
		return nil
	}
	err := t.db.Exec("UPDATE answers SET lang = ?::regconfig WHERE id = ? AND lang <> ?::regconfig", t.s.o.SearchLanguage, int64(id), t.s.o.SearchLanguage).Error
	return mapErr("answer language", err)
}

func (t *tx) oneAnswer(what string, q *gorm.DB) (core.Answer, error) {
	var rows []answerRow
	if err := q.Select(answerColumns).Limit(1).Find(&rows).Error; err != nil {
		return core.Answer{}, mapErr(what, err)
	}
	if len(rows) == 0 {
		return core.Answer{}, fmt.Errorf("%s: %w", what, core.ErrNotFound)
	}
	a, err := toCoreAnswer(rows[0])
	if err != nil {
		return core.Answer{}, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}

func (t *tx) Answer(id core.AnswerID) (core.Answer, error) {
	return t.oneAnswer("answer", t.db.Model(&answerRow{}).Where("id = ?", int64(id)))
}

func (t *tx) AnswerBySlug(slug string) (core.Answer, error) {
	return t.oneAnswer("answer by slug", t.db.Model(&answerRow{}).Where("slug = ?", slug))
}

func (t *tx) UpdateAnswer(id core.AnswerID, p core.AnswerPatch, now time.Time) error {
	set := map[string]any{"updated_at": dbTime(now)}
	if p.Title != nil {
		set["title"] = *p.Title
	}
	if p.Body != nil {
		set["body"] = *p.Body
	}
	if p.Tags != nil {
		tags, err := toJSON(*p.Tags)
		if err != nil {
			return fmt.Errorf("update answer: %w", err)
		}
		set["tags"] = tags
	}
	if err := changed("update answer", t.db.Model(&answerRow{}).Where("id = ?", int64(id)).Updates(set)); err != nil {
		return err
	}
	return t.setLanguage(id)
}

func (t *tx) DeleteAnswer(id core.AnswerID) error {
	return changed("delete answer", t.db.Where("id = ?", int64(id)).Delete(&answerRow{}))
}

func (t *tx) answerList(what string, q *gorm.DB) ([]core.Answer, error) {
	var rows []answerRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, mapErr(what, err)
	}
	out := make([]core.Answer, 0, len(rows))
	for _, r := range rows {
		a, err := toCoreAnswer(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, a)
	}
	return out, nil
}

func (t *tx) Answers(limit int) ([]core.Answer, error) {
	q := t.db.Model(&answerRow{}).Select(answerColumns).Order("lower(title), id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	return t.answerList("answers", q)
}

func (t *tx) CountAnswer(id core.AnswerID, c core.AnswerCounter) error {
	if !c.Valid() {
		return fmt.Errorf("count answer: counter %q: %w", c, core.ErrInvalid)
	}
	col := string(c) // one of three known column names
	return changed("count answer", t.db.Model(&answerRow{}).Where("id = ?", int64(id)).UpdateColumn(col, gorm.Expr(col+" + 1")))
}

func (t *tx) CreateSuggestion(s *core.Suggestion) error {
	ids, err := toJSON(s.Answers)
	if err != nil {
		return fmt.Errorf("create suggestion: %w", err)
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = t.now()
	}
	r := suggestionRow{ConversationID: int64(s.Conversation), MessageID: int64(s.Message), Answers: ids,
		Outcome: string(s.Outcome), CreatedAt: dbTime(s.CreatedAt), DecidedAt: dbNullTime(s.DecidedAt)}
	res := t.db.Clauses(ignoreDup).Create(&r)
	if res.Error != nil {
		return mapErr("create suggestion", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("create suggestion: %w", core.ErrDuplicate)
	}
	s.ID = r.ID
	return nil
}

func toCoreSuggestion(r suggestionRow) (core.Suggestion, error) {
	ids, err := fromJSON[core.AnswerID](r.Answers)
	if err != nil {
		return core.Suggestion{}, err
	}
	return core.Suggestion{ID: r.ID, Conversation: core.ConversationID(r.ConversationID), Message: core.MessageID(r.MessageID),
		Answers: ids, Outcome: core.SuggestionOutcome(r.Outcome), CreatedAt: fromDBTime(r.CreatedAt), DecidedAt: fromDBNullTime(r.DecidedAt)}, nil
}

func (t *tx) oneSuggestion(what string, q *gorm.DB) (core.Suggestion, error) {
	var r suggestionRow
	err := q.Order("id").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return core.Suggestion{}, fmt.Errorf("%s: %w", what, core.ErrNotFound)
	}
	if err != nil {
		return core.Suggestion{}, mapErr(what, err)
	}
	return toCoreSuggestion(r)
}

func (t *tx) SuggestionFor(conv core.ConversationID) (core.Suggestion, error) {
	return t.oneSuggestion("suggestion", t.db.Where("conversation_id = ?", int64(conv)))
}

func (t *tx) SuggestionByMessage(m core.MessageID) (core.Suggestion, error) {
	return t.oneSuggestion("suggestion by message", t.db.Where("message_id = ?", int64(m)))
}

func (t *tx) DecideSuggestion(id int64, o core.SuggestionOutcome, at time.Time) (bool, error) {
	if !o.Valid() || o == core.SuggestionPending {
		return false, fmt.Errorf("decide suggestion: outcome %q: %w", o, core.ErrInvalid)
	}
	res := t.db.Model(&suggestionRow{}).Where("id = ? AND outcome = ''", id).
		Updates(map[string]any{"outcome": string(o), "decided_at": dbTime(at)})
	if res.Error != nil {
		return false, mapErr("decide suggestion", res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) RecordMiss(query string, at time.Time) error {
	query = strings.ToLower(strings.Join(strings.Fields(query), " "))
	if query == "" {
		return nil
	}
	if r := []rune(query); len(r) > 200 {
		query = string(r[:200])
	}
	err := t.db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "query"}},
		DoUpdates: clause.Assignments(map[string]any{"count": gorm.Expr("answer_misses.count + 1"), "last_at": dbTime(at)}),
	}).Create(&missRow{Query: query, Count: 1, LastAt: dbTime(at)}).Error
	if err != nil {
		return mapErr("record miss", err)
	}
	// Keep the table bounded: forget all but the newest maxMisses.
	keep := "LIMIT -1 OFFSET ?" // SQLite needs a LIMIT before OFFSET
	if t.s.driver == DriverPostgres {
		keep = "OFFSET ?"
	}
	err = t.db.Exec(`DELETE FROM answer_misses WHERE query IN (
		SELECT query FROM answer_misses ORDER BY last_at DESC, query `+keep+`)`, maxMisses).Error
	return mapErr("prune misses", err)
}

func (t *tx) AnswerStats(since time.Time, top int) (core.AnswerStats, error) {
	var st core.AnswerStats
	var counts []struct {
		Outcome string
		N       int
	}
	err := t.db.Model(&suggestionRow{}).Select("outcome, count(*) AS n").Where("created_at >= ?", dbTime(since)).Group("outcome").Scan(&counts).Error
	if err != nil {
		return st, mapErr("suggestion figures", err)
	}
	for _, c := range counts {
		st.Suggested += c.N
		switch core.SuggestionOutcome(c.Outcome) {
		case core.SuggestionSolved:
			st.SelfServed = c.N
		case core.SuggestionPerson:
			st.Person = c.N
		}
	}
	var misses []missRow
	if err := t.db.Where("last_at >= ?", dbTime(since)).Order("count DESC, last_at DESC").Limit(top).Find(&misses).Error; err != nil {
		return st, mapErr("misses", err)
	}
	for _, m := range misses {
		st.Misses = append(st.Misses, core.Miss{Query: m.Query, Count: m.Count, Last: fromDBTime(m.LastAt)})
	}
	st.Helpful, err = t.answerList("helpful answers", t.db.Model(&answerRow{}).Select(answerColumns).
		Where("helped > 0").Order("helped DESC, id").Limit(top))
	return st, err
}
