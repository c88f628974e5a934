package core

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// WebhookEventID identifies a webhook event: unique in one database and the
// same on every delivery of the event to every endpoint, so receivers
// deduplicate by it. It renders as "evt_<n>" (see ParseWebhookEventID).
type WebhookEventID int64

// String renders the id as receivers see it, e.g. "evt_42".
func (id WebhookEventID) String() string { return "evt_" + strconv.FormatInt(int64(id), 10) }

// ParseWebhookEventID reads an id rendered by String; ErrInvalid otherwise.
func ParseWebhookEventID(s string) (WebhookEventID, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "evt_"), 10, 64)
	if err != nil || n <= 0 || !strings.HasPrefix(s, "evt_") {
		return 0, fmt.Errorf("webhook event id %q: %w", s, ErrInvalid)
	}
	return WebhookEventID(n), nil
}

// EventType names what a webhook event reports, "<subject>.<change>".
type EventType string

// Webhook event types.
const (
	EventContactCreated       EventType = "contact.created"
	EventContactMerged        EventType = "contact.merged"
	EventConversationOpened   EventType = "conversation.opened"
	EventConversationAssigned EventType = "conversation.assigned"
	EventConversationClosed   EventType = "conversation.closed"
	EventConversationReopened EventType = "conversation.reopened"
	EventMessageCreated       EventType = "message.created"
	EventIdeaCreated          EventType = "idea.created"
	EventIdeaStatusChanged    EventType = "idea.status_changed"
	EventIdeaVoted            EventType = "idea.voted"
)

// EventTypes lists every webhook event type.
var EventTypes = []EventType{
	EventContactCreated, EventContactMerged,
	EventConversationOpened, EventConversationAssigned, EventConversationClosed, EventConversationReopened,
	EventMessageCreated, EventIdeaCreated, EventIdeaStatusChanged, EventIdeaVoted,
}

// Valid reports whether t is a known event type.
func (t EventType) Valid() bool {
	for _, k := range EventTypes {
		if t == k {
			return true
		}
	}
	return false
}

// String implements fmt.Stringer.
func (t EventType) String() string { return string(t) }

// MarshalText implements encoding.TextMarshaler.
func (t EventType) MarshalText() ([]byte, error) { return marshalEnum(t) }

// Matches reports whether t matches an endpoint's filter pattern: an exact
// type, "*" or a glob such as "conversation.*".
func (t EventType) Matches(pattern string) bool {
	ok, err := path.Match(pattern, string(t))
	return err == nil && ok
}

// ValidEventPattern reports whether pattern matches at least one event type.
func ValidEventPattern(pattern string) bool {
	for _, t := range EventTypes {
		if t.Matches(pattern) {
			return true
		}
	}
	return false
}

// WebhookEvent is a change cornershop reports to webhook endpoints. It is
// recorded in the transaction that makes the change and never changes
// afterwards, so every delivery of it carries the same body.
type WebhookEvent struct {
	ID        WebhookEventID
	Type      EventType
	CreatedAt time.Time
	// Subject is what the event is about, "conversation:<id>", "idea:<id>"
	// or "contact:<id>": the events of one subject reach each endpoint in
	// the order they were recorded.
	Subject string
	// Contact is the contact the event concerns, when any (for erasure).
	Contact ContactID
	// Data is the event's "data" object, encoded when it was recorded.
	Data json.RawMessage
}

// Body returns the JSON document posted to endpoints:
// {"id","type","created_at","data"}. It is the same for every call.
func (e WebhookEvent) Body() ([]byte, error) {
	b, err := json.Marshal(struct {
		ID        string          `json:"id"`
		Type      EventType       `json:"type"`
		CreatedAt string          `json:"created_at"`
		Data      json.RawMessage `json:"data"`
	}{e.ID.String(), e.Type, e.CreatedAt.UTC().Format(time.RFC3339Nano), e.Data})
	if err != nil {
		return nil, fmt.Errorf("encode webhook event %s: %w", e.ID, err)
	}
	return b, nil
}

// WebhookFailure is a webhook delivery the outbox gave up on.
type WebhookFailure struct {
	Delivery DeliveryID
	Endpoint string
	Event    WebhookEventID
	Type     EventType
	// Attempts counts the attempts made, the last included (waits a 429
	// asked for are not attempts).
	Attempts  int
	LastError string
	FailedAt  time.Time
}

// WebhookTx is the part of a Tx that keeps webhook events.
type WebhookTx interface {
	// RecordWebhookEvent inserts e and sets e.ID.
	RecordWebhookEvent(e *WebhookEvent) error
	// WebhookEvent returns one event; ErrNotFound when unknown.
	WebhookEvent(id WebhookEventID) (WebhookEvent, error)
	// WebhookFailures lists the webhook deliveries that failed for good,
	// newest first, at most limit.
	WebhookFailures(limit int) ([]WebhookFailure, error)
	// RedeliverWebhook makes failed webhook delivery id pending again, due
	// at now with its attempts reset; ErrNotFound unless id is a webhook
	// delivery that failed.
	RedeliverWebhook(id DeliveryID, now time.Time) error
}

// WebhookSender posts events to the configured webhook endpoints: the
// webhooks adapter implements it.
type WebhookSender interface {
	// Post delivers e to the endpoint named endpoint, once. Errors are
	// classified with RetryAfter, Transient and Permanent; an unknown
	// endpoint is Permanent. Safe for concurrent use.
	Post(ctx context.Context, endpoint string, e WebhookEvent) error
}
