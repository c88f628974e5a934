package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// IncidentID numbers an incident; unique in one database.
type IncidentID int64

// String names the incident for logs and audit entries: "incident#3".
func (id IncidentID) String() string { return fmt.Sprintf("incident#%d", int64(id)) }

// IncidentUpdateID numbers an incident update; unique in one database.
type IncidentUpdateID int64

// IncidentState is where an incident stands.
type IncidentState string

// Incident states, in the order an incident usually moves through them.
const (
	IncidentInvestigating IncidentState = "investigating"
	IncidentIdentified    IncidentState = "identified"
	IncidentMonitoring    IncidentState = "monitoring"
	IncidentResolved      IncidentState = "resolved"
)

// Valid reports whether s is a known state.
func (s IncidentState) Valid() bool {
	switch s {
	case IncidentInvestigating, IncidentIdentified, IncidentMonitoring, IncidentResolved:
		return true
	}
	return false
}

// String implements fmt.Stringer.
func (s IncidentState) String() string { return string(s) }

// MarshalText implements encoding.TextMarshaler.
func (s IncidentState) MarshalText() ([]byte, error) { return marshalEnum(s) }

// Incident is one problem many customers have at once: the conversations
// about it are linked to it, and an update written in its own desk thread
// reaches every linked customer.
type Incident struct {
	ID       IncidentID
	Title    string
	State    IncidentState
	Keywords []string
	// Desk is the incident's desk channel, and its thread once open
	// (Thread set); Card the id of the card message there.
	Desk Place
	Card string
	// Opener is who created it ("staff:<id>").
	Opener    string
	CreatedAt time.Time
	UpdatedAt time.Time
	// ResolvedAt is set once resolved.
	ResolvedAt time.Time
}

// IncidentPatch changes some fields of an incident; nil means keep.
type IncidentPatch struct {
	State      *IncidentState
	Keywords   *[]string
	Desk       *Place
	Card       *string
	ResolvedAt *time.Time
}

// IncidentLink ties a conversation to an incident: a conversation is
// linked to one incident at a time.
type IncidentLink struct {
	Incident     IncidentID
	Conversation ConversationID
	// Platform is the conversation's customer platform (filled on read).
	Platform PlatformName
	LinkedBy string
	LinkedAt time.Time
}

// IncidentUpdate is one message written in an incident's thread: recorded
// once, copied to every linked conversation as a reply in the writer's
// voice.
type IncidentUpdate struct {
	ID         IncidentUpdateID
	Incident   IncidentID
	Author     string // "staff:<id>"
	AuthorName string
	Text       string
	AsTeam     bool
	// Final marks the message sent with the resolution.
	Final     bool
	CreatedAt time.Time
	// UndoneAt is set when the update was taken back before it left.
	UndoneAt time.Time
}

// IncidentCopy is one update's copy in one linked conversation: a reply
// message of that conversation, delivered by the outbox.
type IncidentCopy struct {
	Update       IncidentUpdateID
	Incident     IncidentID
	Conversation ConversationID
	Message      MessageID
}

// IncidentProgress counts the customer deliveries of an update's copies
// by state (computed by a query, never kept in memory).
type IncidentProgress struct {
	Copies    int
	Delivered int
	Failed    int
	Pending   int
	Cancelled int
}

// IncidentPost is a line cornershop writes in an incident's thread, kept
// until its delivery (keyed by the delivery's key) posts it.
type IncidentPost struct {
	Key       string
	Incident  IncidentID
	Text      string
	CreatedAt time.Time
}

// IncidentBroadcast is an incident's public status post at one place (a
// channel or group): posted once, then edited in place.
type IncidentBroadcast struct {
	Incident IncidentID
	Place    Place
	PostIDs  []string
}

// IncidentHit is an open incident whose keywords match a text, with the
// full-text engine's relevance (higher is better).
type IncidentHit struct {
	Incident Incident
	Score    float64
}

// IncidentStats are the figures of incidents since a time.
type IncidentStats struct {
	Opened int
	// Affected counts the conversations linked to those incidents.
	Affected int
	// FirstUpdate are, per incident with an update, the times from its
	// first linked customer message to its first update.
	FirstUpdate []time.Duration
}

// IncidentTx is the part of a transaction that keeps incidents. Lookups
// return ErrNotFound when nothing matches.
type IncidentTx interface {
	// CreateIncident inserts i and sets i.ID.
	CreateIncident(i *Incident) error
	// Incident returns one incident.
	Incident(id IncidentID) (Incident, error)
	// IncidentByThread returns the incident whose desk thread is thread.
	IncidentByThread(thread Place) (Incident, error)
	// UpdateIncident applies p at time now.
	UpdateIncident(id IncidentID, p IncidentPatch, now time.Time) error
	// OpenIncidents lists the incidents not resolved, oldest first.
	OpenIncidents() ([]Incident, error)
	// LinkIncident links a conversation; ErrDuplicate when it is linked
	// to an incident already.
	LinkIncident(l IncidentLink) error
	// UnlinkIncident removes a conversation's link and returns the
	// incident it was linked to.
	UnlinkIncident(conv ConversationID) (IncidentID, error)
	// IncidentOf returns a conversation's link.
	IncidentOf(conv ConversationID) (IncidentLink, error)
	// IncidentLinks lists an incident's links, oldest first, with each
	// conversation's platform.
	IncidentLinks(id IncidentID) ([]IncidentLink, error)
	// CreateIncidentUpdate records u and sets u.ID.
	CreateIncidentUpdate(u *IncidentUpdate) error
	// LatestIncidentUpdate returns the incident's newest update not
	// taken back.
	LatestIncidentUpdate(id IncidentID) (IncidentUpdate, error)
	// AddIncidentCopy records a copy; ErrDuplicate when the update was
	// copied to that conversation before.
	AddIncidentCopy(c IncidentCopy) error
	// IncidentCopyOf returns the copy a message is.
	IncidentCopyOf(m MessageID) (IncidentCopy, error)
	// UndoIncidentUpdate takes an update back: its copies' customer
	// deliveries still pending are cancelled and their messages marked
	// deleted at at. It returns how many it cancelled.
	UndoIncidentUpdate(id IncidentUpdateID, at time.Time) (int, error)
	// IncidentProgress counts the customer deliveries of an update's
	// copies by state.
	IncidentProgress(id IncidentUpdateID) (IncidentProgress, error)
	// IncidentFailures lists the conversations whose copy of the update
	// failed, at most limit.
	IncidentFailures(id IncidentUpdateID, limit int) ([]ConversationID, error)
	// FirstLinkedMessageAt returns when the first customer message of the
	// incident's linked conversations was written; ErrNotFound for none.
	FirstLinkedMessageAt(id IncidentID) (time.Time, error)
	// PersonalReplies counts the staff replies of a conversation written
	// after since that are not incident copies.
	PersonalReplies(conv ConversationID, since time.Time) (int, error)
	// SaveIncidentPost stores a line for the incident's thread;
	// ErrDuplicate when its key is taken.
	SaveIncidentPost(p IncidentPost) error
	// IncidentPost returns the line a delivery key posts.
	IncidentPost(key string) (IncidentPost, error)
	// SearchIncidents ranks the open incidents whose keywords match text
	// with the database's own full-text engine, best first, at most
	// limit. A wordless text finds nothing.
	SearchIncidents(text string, limit int) ([]IncidentHit, error)
	// IncidentUpdates lists the incident's updates not taken back, oldest
	// first.
	IncidentUpdates(id IncidentID) ([]IncidentUpdate, error)
	// SaveIncidentBroadcast records the post ids of the incident's status
	// post at a place (replacing earlier ones).
	SaveIncidentBroadcast(b IncidentBroadcast) error
	// IncidentBroadcast returns the incident's status post at place.
	IncidentBroadcast(id IncidentID, place Place) (IncidentBroadcast, error)
	// IncidentStats returns the figures of incidents opened at or after
	// since.
	IncidentStats(since time.Time) (IncidentStats, error)
}

// IncidentCard is what staff see at the top of an incident's thread.
// Title is staff text: adapters escape it.
type IncidentCard struct {
	ID    IncidentID
	Title string
	State IncidentState
	// Lines are the card's facts, written by cornershop ("Linked: 3 on
	// Telegram, 1 on Slack").
	Lines []string
}

// Heading is the card's first line and the thread's name: "🚨 Incident #3
// · investigating · Payments down".
func (c IncidentCard) Heading() string {
	emoji := "🚨"
	if c.State == IncidentResolved {
		emoji = "✅"
	}
	return fmt.Sprintf("%s Incident #%d · %s · %s", emoji, c.ID, c.State, c.Title)
}

// Text renders the whole card as plain text, heading first.
func (c IncidentCard) Text() string {
	return strings.Join(append([]string{c.Heading()}, c.Lines...), "\n")
}

// IncidentBoard is a Platform whose desk can hold incident threads.
type IncidentBoard interface {
	// OpenIncident opens a thread in desk whose first message is the card
	// and returns the thread's place and the card's message id.
	OpenIncident(ctx context.Context, desk Place, card IncidentCard) (Thread, error)
	// UpdateIncident renders card again in its thread.
	UpdateIncident(ctx context.Context, t Thread, card IncidentCard) error
}
