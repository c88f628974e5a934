package core

import (
	"context"
	"time"
)

// Pages of records are ordered by id, ascending, and continue after the
// id of the last record of the previous page: a record inserted while a
// client pages gets a higher id and shows up on a later page, so no
// record is skipped or repeated.

// ContactQuery selects contacts; every filter set must hold.
type ContactQuery struct {
	// Text is a full-text search (see SearchQuery.Text); "" for all.
	Text string
	// Platform keeps contacts with an identity on that platform.
	Platform PlatformName
	// Tag keeps contacts carrying that tag (ignoring case).
	Tag string
	// UpdatedSince keeps contacts created or changed at or after it.
	UpdatedSince time.Time
	// After is the id of the previous page's last contact (0: the start).
	After ContactID
	// Limit caps the page; 0 means 50.
	Limit int
}

// ConversationQuery selects conversations; every filter set must hold.
type ConversationQuery struct {
	Status   Status
	Desk     Place // platform and channel (Thread ignored)
	Assignee StaffID
	Contact  ContactID
	// UpdatedSince keeps conversations changed at or after it.
	UpdatedSince time.Time
	After        ConversationID
	Limit        int
}

// MessageQuery selects a page of one conversation's messages.
type MessageQuery struct {
	Conversation ConversationID
	After        MessageID
	Limit        int
}

// AuditQuery selects audit entries; every filter set must hold.
type AuditQuery struct {
	Object string // e.g. "conversation#12"
	Actor  string // e.g. "staff:ada"
	Action string
	Since  time.Time
	After  int64
	Limit  int
}

// Records reads pages of records for clients outside the chat (the API).
// Methods return the page and no error for an empty page; errors are the
// store's. Safe for concurrent use; they read outside any transaction.
type Records interface {
	// ListContacts returns contacts with their identities and tags.
	ListContacts(ctx context.Context, q ContactQuery) ([]Contact, error)
	// ListConversations returns conversations.
	ListConversations(ctx context.Context, q ConversationQuery) ([]Conversation, error)
	// ListMessages returns a conversation's messages.
	ListMessages(ctx context.Context, q MessageQuery) ([]Message, error)
	// ListAudit returns audit entries.
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}
