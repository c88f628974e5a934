package core

import "context"

// SearchOrder says how search hits are ordered.
type SearchOrder int

// Search orders.
const (
	// ByRelevance puts the best match first (the database's own ranking:
	// bm25 on SQLite, ts_rank on PostgreSQL), newest first among equals.
	ByRelevance SearchOrder = iota
	// ByNewest puts the most recent record first.
	ByNewest
)

// SearchQuery is a full-text search. Text is what a person typed: every
// word must match (stemmed as the configured search language does); it is
// never read as query syntax, so no input can make the search fail.
type SearchQuery struct {
	Text  string
	Order SearchOrder
	// Limit caps the hits; 0 means 20.
	Limit int
}

// MessageHit is a message that matched, with its conversation.
type MessageHit struct {
	Message      Message
	Conversation Conversation
}

// SearchTx is full-text search inside a transaction, for desk commands
// (see Search for the contract).
type SearchTx interface {
	// SearchContacts finds contacts by name, platform handle or display
	// name, and profile field values.
	SearchContacts(q SearchQuery) ([]Contact, error)
	// SearchMessages finds messages by text (deleted ones excepted), each
	// with its conversation.
	SearchMessages(q SearchQuery) ([]MessageHit, error)
}

// Search is the full-text search port. The store implements it with each
// database's own engine (SQLite FTS5, PostgreSQL tsvector); core never
// scores text itself. A query with no word in it (empty, or only
// punctuation) matches nothing and is not an error. Safe for concurrent
// use; it reads outside any transaction.
type Search interface {
	// SearchContacts is SearchTx.SearchContacts outside a transaction.
	SearchContacts(ctx context.Context, q SearchQuery) ([]Contact, error)
	// SearchMessages is SearchTx.SearchMessages outside a transaction.
	SearchMessages(ctx context.Context, q SearchQuery) ([]MessageHit, error)
}
