package core

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// AnswerID numbers an answer; unique in one database.
type AnswerID int64

// String names the answer for logs and audit entries: "answer#12".
func (id AnswerID) String() string { return fmt.Sprintf("answer#%d", int64(id)) }

// Answer is a piece of self-help: a title people search for and a body
// that answers it (platform-neutral text with links, written by staff).
type Answer struct {
	ID    AnswerID
	Slug  string // unique; the page's address (/answers/<slug>)
	Title string
	Body  string
	Tags  []string
	// Author is who published it ("staff:<id>", or "seed" for the answers
	// folder); AuthorName their name then.
	Author     string
	AuthorName string
	// Credit is the community member whose reply became this answer
	// (zero for none), CreditName their name.
	Credit     ContactID
	CreditName string
	// Shown counts the times it was offered; Helped and NotHelped what
	// people said after seeing it.
	Shown     int
	Helped    int
	NotHelped int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AnswerPatch changes some fields of an answer; nil means keep.
type AnswerPatch struct {
	Title *string
	Body  *string
	Tags  *[]string
}

// AnswerQuery is a full-text search of answers.
type AnswerQuery struct {
	// Text is what the person typed; the store turns it into a safe query
	// for its engine (user text never reaches the engine's syntax).
	Text string
	// Limit caps the hits [5].
	Limit int
	// Relevant keeps only hits above the engine's relevance threshold,
	// for suggestions nobody asked for.
	Relevant bool
}

// AnswerHit is one search result: the answer and the engine's relevance
// (higher is better; comparable only within one engine).
type AnswerHit struct {
	Answer Answer
	Score  float64
}

// AnswerCounter is which count of an answer to raise.
type AnswerCounter string

// Answer counters.
const (
	AnswerShown     AnswerCounter = "shown"
	AnswerHelped    AnswerCounter = "helped"
	AnswerNotHelped AnswerCounter = "not_helped"
)

// Valid reports whether c is a known counter.
func (c AnswerCounter) Valid() bool {
	return c == AnswerShown || c == AnswerHelped || c == AnswerNotHelped
}

// String implements fmt.Stringer.
func (c AnswerCounter) String() string { return string(c) }

// MarshalText implements encoding.TextMarshaler.
func (c AnswerCounter) MarshalText() ([]byte, error) { return marshalEnum(c) }

// SuggestionOutcome is what a customer did with suggested answers.
type SuggestionOutcome string

// Suggestion outcomes.
const (
	SuggestionPending SuggestionOutcome = ""       // no button pressed yet
	SuggestionSolved  SuggestionOutcome = "solved" // "This solved it": closed as self-served
	SuggestionPerson  SuggestionOutcome = "person" // "I still need a person"
)

// Valid reports whether o is a known outcome.
func (o SuggestionOutcome) Valid() bool {
	return o == SuggestionPending || o == SuggestionSolved || o == SuggestionPerson
}

// String implements fmt.Stringer.
func (o SuggestionOutcome) String() string { return string(o) }

// Suggestion is the one offer of answers a new conversation gets.
type Suggestion struct {
	ID           int64
	Conversation ConversationID // unique: one suggestion per conversation
	// Message is the system message that carried it to the customer.
	Message   MessageID
	Answers   []AnswerID
	Outcome   SuggestionOutcome
	CreatedAt time.Time
	DecidedAt time.Time
}

// AnswerStats are the figures of self-help since a time.
type AnswerStats struct {
	Suggested  int // conversations offered answers
	SelfServed int // of which the customer said "This solved it"
	Person     int // of which the customer asked for a person
	// Misses are the most frequent searches that found nothing, most first.
	Misses []Miss
	// Helpful are the answers people said helped most, most first.
	Helpful []Answer
}

// Miss is a search that found nothing and how often it was made.
type Miss struct {
	Query string
	Count int
	Last  time.Time
}

// AnswerTx is the part of a transaction that keeps answers. Lookups return
// ErrNotFound when nothing matches.
type AnswerTx interface {
	// CreateAnswer inserts a and sets a.ID; ErrDuplicate when the slug is
	// taken.
	CreateAnswer(a *Answer) error
	// Answer returns one answer.
	Answer(id AnswerID) (Answer, error)
	// AnswerBySlug returns the answer with that slug.
	AnswerBySlug(slug string) (Answer, error)
	// UpdateAnswer applies p at time now.
	UpdateAnswer(id AnswerID, p AnswerPatch, now time.Time) error
	// DeleteAnswer removes an answer and its search entry.
	DeleteAnswer(id AnswerID) error
	// Answers lists answers by title, at most limit (0: all).
	Answers(limit int) ([]Answer, error)
	// SearchAnswers searches titles (weighted above bodies) and bodies
	// with the database's own full-text engine, best first. An empty or
	// wordless query finds nothing.
	SearchAnswers(q AnswerQuery) ([]AnswerHit, error)
	// CountAnswer raises one counter of an answer by one.
	CountAnswer(id AnswerID, c AnswerCounter) error
	// CreateSuggestion records s and sets s.ID; ErrDuplicate when its
	// conversation was offered answers before.
	CreateSuggestion(s *Suggestion) error
	// SuggestionFor returns the suggestion of a conversation.
	SuggestionFor(conv ConversationID) (Suggestion, error)
	// SuggestionByMessage returns the suggestion message m carried.
	SuggestionByMessage(m MessageID) (Suggestion, error)
	// DecideSuggestion records the customer's choice, once: it returns
	// false (and changes nothing) when one was recorded before.
	DecideSuggestion(id int64, o SuggestionOutcome, at time.Time) (bool, error)
	// RecordMiss counts a search that found nothing, keeping at most the
	// most recent thousand distinct queries.
	RecordMiss(query string, at time.Time) error
	// AnswerStats returns the figures since since, with at most top misses
	// and helpful answers.
	AnswerStats(since time.Time, top int) (AnswerStats, error)
}

// Slugify makes an address-safe slug of a title: "How do refunds work?"
// → "how-do-refunds-work". Letters of any script are kept, lowercased.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	s := b.String()
	if r := []rune(s); len(r) > 80 {
		s = strings.TrimRight(string(r[:80]), "-")
	}
	return s
}

// MessageLinker is a Platform that can read links to its messages (its
// clients' "copy link"), so staff can point at a message by pasting one.
type MessageLinker interface {
	// ParseMessageLink returns the place (its Chat, and Thread when the
	// link names one) and the platform id of the message link points at;
	// ok is false when link is not a message link of this platform.
	ParseMessageLink(link string) (place Place, id string, ok bool)
}
