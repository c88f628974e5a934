package store

import (
	"encoding/json"
	"fmt"
	"time"

	"cornershop/core"
)

// The row types below are the database's shape of the domain. They never
// leave this package: every crossing goes through a named converter.

type contactRow struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	Tags      string
	Blocked   bool
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

func (contactRow) TableName() string { return "contacts" }

type identityRow struct {
	ID        int64 `gorm:"primaryKey"`
	ContactID int64
	Platform  string
	UserID    string
	Handle    string
	Name      string
	AvatarURL string
}

func (identityRow) TableName() string { return "identities" }

type conversationRow struct {
	ID               int64 `gorm:"primaryKey"`
	ContactID        int64
	CustomerPlatform string
	CustomerChat     string
	CustomerThread   string
	Anchor           string
	DeskPlatform     string
	DeskChat         string
	DeskThread       string
	DeskCard         string
	Status           string
	Assignee         string
	Tags             string
	Priority         int
	ClosedAt         *time.Time
	CreatedAt        time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt        time.Time `gorm:"autoUpdateTime:false"`
}

func (conversationRow) TableName() string { return "conversations" }

type messageRow struct {
	ID             int64 `gorm:"primaryKey"`
	ConversationID int64
	Direction      string
	Author         string
	AuthorName     string
	Text           string
	Attachments    string
	AsTeam         bool
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	EditedAt       *time.Time
	DeletedAt      *time.Time
}

func (messageRow) TableName() string { return "messages" }

type refRow struct {
	ID         int64 `gorm:"primaryKey"`
	MessageID  int64
	Side       string
	Source     bool
	Platform   string
	Chat       string
	PlatformID string
	Part       int
}

func (refRow) TableName() string { return "message_refs" }

type deliveryRow struct {
	ID             int64  `gorm:"primaryKey"`
	Key            string `gorm:"column:idem_key"`
	ConversationID *int64
	MessageID      *int64
	IdeaID         *int64
	EventID        *int64
	IncidentID     *int64
	Priority       int
	Endpoint       string
	Lane           string
	Emoji          string
	Op             string
	Side           string
	Platform       string
	State          string
	Attempts       int
	NextAttemptAt  time.Time
	LastError      string
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	DoneAt         *time.Time
	ClaimedBy      string
	ClaimedUntil   *time.Time
}

func (deliveryRow) TableName() string { return "deliveries" }

type auditRow struct {
	ID     int64 `gorm:"primaryKey"`
	At     time.Time
	Actor  string
	Action string
	Object string
	Detail string
}

func (auditRow) TableName() string { return "audit_entries" }

// dbTime is how a time is stored: UTC at microsecond precision, the finest
// both PostgreSQL and the SQLite text format keep alike.
func dbTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// dbNullTime stores the zero time as NULL.
func dbNullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := dbTime(t)
	return &u
}

func fromDBTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func fromDBNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return fromDBTime(*t)
}

// toJSON encodes a slice column; nil and empty both store "[]".
func toJSON[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json column: %w", err)
	}
	return string(b), nil
}

// fromJSON decodes a slice column; "[]" and "" decode to nil.
func fromJSON[T any](s string) ([]T, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var v []T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("decode json column: %w", err)
	}
	return v, nil
}

func toContactRow(c core.Contact) (contactRow, error) {
	tags, err := toJSON(c.Tags)
	if err != nil {
		return contactRow{}, err
	}
	return contactRow{ID: int64(c.ID), Name: c.Name, Tags: tags, Blocked: c.Blocked, CreatedAt: dbTime(c.CreatedAt)}, nil
}

func toCoreContact(r contactRow, ids []identityRow) (core.Contact, error) {
	tags, err := fromJSON[string](r.Tags)
	if err != nil {
		return core.Contact{}, err
	}
	c := core.Contact{ID: core.ContactID(r.ID), Name: r.Name, Tags: tags, Blocked: r.Blocked, CreatedAt: fromDBTime(r.CreatedAt)}
	for _, ir := range ids {
		c.Identities = append(c.Identities, toCoreIdentity(ir))
	}
	return c, nil
}

func toIdentityRow(contact core.ContactID, id core.Identity) identityRow {
	return identityRow{
		ContactID: int64(contact), Platform: string(id.Platform), UserID: id.UserID,
		Handle: id.Handle, Name: id.Name, AvatarURL: id.AvatarURL,
	}
}

func toCoreIdentity(r identityRow) core.Identity {
	return core.Identity{Platform: core.PlatformName(r.Platform), UserID: r.UserID, Handle: r.Handle, Name: r.Name, AvatarURL: r.AvatarURL}
}

func toConversationRow(c core.Conversation) (conversationRow, error) {
	tags, err := toJSON(c.Tags)
	if err != nil {
		return conversationRow{}, err
	}
	return conversationRow{
		ID: int64(c.ID), ContactID: int64(c.ContactID),
		CustomerPlatform: string(c.Customer.Platform), CustomerChat: c.Customer.Chat, CustomerThread: c.Customer.Thread,
		Anchor:       c.Anchor,
		DeskPlatform: string(c.Desk.Platform), DeskChat: c.Desk.Chat, DeskThread: c.Desk.Thread, DeskCard: c.DeskCard,
		Status: string(c.Status), Assignee: string(c.Assignee), Tags: tags, Priority: c.Priority,
		ClosedAt: dbNullTime(c.ClosedAt), CreatedAt: dbTime(c.CreatedAt), UpdatedAt: dbTime(c.UpdatedAt),
	}, nil
}

func toCoreConversation(r conversationRow) (core.Conversation, error) {
	tags, err := fromJSON[string](r.Tags)
	if err != nil {
		return core.Conversation{}, err
	}
	return core.Conversation{
		ID: core.ConversationID(r.ID), ContactID: core.ContactID(r.ContactID),
		Customer: core.Place{Platform: core.PlatformName(r.CustomerPlatform), Chat: r.CustomerChat, Thread: r.CustomerThread},
		Anchor:   r.Anchor,
		Desk:     core.Place{Platform: core.PlatformName(r.DeskPlatform), Chat: r.DeskChat, Thread: r.DeskThread},
		DeskCard: r.DeskCard,
		Status:   core.Status(r.Status), Assignee: core.StaffID(r.Assignee), Tags: tags, Priority: r.Priority,
		ClosedAt: fromDBNullTime(r.ClosedAt), CreatedAt: fromDBTime(r.CreatedAt), UpdatedAt: fromDBTime(r.UpdatedAt),
	}, nil
}

func toMessageRow(m core.Message) (messageRow, error) {
	att, err := toJSON(m.Attachments)
	if err != nil {
		return messageRow{}, err
	}
	return messageRow{
		ID: int64(m.ID), ConversationID: int64(m.ConversationID), Direction: string(m.Direction),
		Author: m.Author, AuthorName: m.AuthorName, Text: m.Text, Attachments: att, AsTeam: m.AsTeam,
		CreatedAt: dbTime(m.CreatedAt), EditedAt: dbNullTime(m.EditedAt), DeletedAt: dbNullTime(m.DeletedAt),
	}, nil
}

func toCoreMessage(r messageRow) (core.Message, error) {
	att, err := fromJSON[core.Attachment](r.Attachments)
	if err != nil {
		return core.Message{}, err
	}
	return core.Message{
		ID: core.MessageID(r.ID), ConversationID: core.ConversationID(r.ConversationID), Direction: core.Direction(r.Direction),
		Author: r.Author, AuthorName: r.AuthorName, Text: r.Text, Attachments: att, AsTeam: r.AsTeam,
		CreatedAt: fromDBTime(r.CreatedAt), EditedAt: fromDBNullTime(r.EditedAt), DeletedAt: fromDBNullTime(r.DeletedAt),
	}, nil
}

func toRefRow(r core.Ref) refRow {
	return refRow{
		MessageID: int64(r.MessageID), Side: string(r.Side), Source: r.Source,
		Platform: string(r.Platform), Chat: r.Chat, PlatformID: r.PlatformID, Part: r.Part,
	}
}

func toCoreRef(r refRow) core.Ref {
	return core.Ref{
		MessageID: core.MessageID(r.MessageID), Side: core.Side(r.Side), Source: r.Source,
		Platform: core.PlatformName(r.Platform), Chat: r.Chat, PlatformID: r.PlatformID, Part: r.Part,
	}
}

// nullID maps a zero id to NULL.
func nullID[T ~int64](id T) *int64 {
	if id == 0 {
		return nil
	}
	v := int64(id)
	return &v
}

// idOf maps NULL to a zero id.
func idOf[T ~int64](p *int64) T {
	if p == nil {
		return 0
	}
	return T(*p)
}

func toDeliveryRow(d core.Delivery) deliveryRow {
	return deliveryRow{
		ID: int64(d.ID), Key: d.Key, ConversationID: nullID(d.ConversationID), MessageID: nullID(d.MessageID),
		IdeaID: nullID(d.IdeaID), EventID: nullID(d.Event), IncidentID: nullID(d.Incident), Priority: d.Priority,
		Endpoint: d.Endpoint, Lane: core.DeliveryLane(d),
		Emoji: d.Emoji, Op: string(d.Op), Side: string(d.Side), Platform: string(d.Platform),
		State: string(d.State), Attempts: d.Attempts, NextAttemptAt: dbTime(d.NextAttemptAt),
		LastError: d.LastError, CreatedAt: dbTime(d.CreatedAt), DoneAt: dbNullTime(d.DoneAt),
	}
}

func toCoreDelivery(r deliveryRow) core.Delivery {
	return core.Delivery{
		ID: core.DeliveryID(r.ID), Key: r.Key, ConversationID: idOf[core.ConversationID](r.ConversationID),
		MessageID: idOf[core.MessageID](r.MessageID), IdeaID: idOf[core.IdeaID](r.IdeaID), Lane: r.Lane,
		Event: idOf[core.WebhookEventID](r.EventID), Endpoint: r.Endpoint,
		Incident: idOf[core.IncidentID](r.IncidentID), Priority: r.Priority,
		Emoji: r.Emoji, Op: core.Op(r.Op), Side: core.Side(r.Side), Platform: core.PlatformName(r.Platform),
		State: core.DeliveryState(r.State), Attempts: r.Attempts, NextAttemptAt: fromDBTime(r.NextAttemptAt),
		LastError: r.LastError, CreatedAt: fromDBTime(r.CreatedAt), DoneAt: fromDBNullTime(r.DoneAt),
	}
}

func toAuditRow(e core.AuditEntry) auditRow {
	return auditRow{ID: e.ID, At: dbTime(e.At), Actor: e.Actor, Action: e.Action, Object: e.Object, Detail: e.Detail}
}

func toCoreAudit(r auditRow) core.AuditEntry {
	return core.AuditEntry{ID: r.ID, At: fromDBTime(r.At), Actor: r.Actor, Action: r.Action, Object: r.Object, Detail: r.Detail}
}
