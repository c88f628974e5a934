package core

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Identity is a contact's account on one platform. (Platform, UserID) is
// unique across all contacts.
type Identity struct {
	Platform  PlatformName
	UserID    string
	Handle    string // @name where the platform has one
	Name      string // display name
	AvatarURL string
}

// Contact is a person outside the company, whatever platforms they use.
type Contact struct {
	ID         ContactID
	Name       string
	Identities []Identity
	Tags       []string
	Blocked    bool
	CreatedAt  time.Time
}

// Voice is how a staff member appears to customers: their name and face
// where the platform allows it, a signature where it does not.
type Voice struct {
	Name      string
	Title     string
	AvatarURL string
	Signature string
	// Team marks the anonymous team voice: Name and AvatarURL are the team's.
	Team bool
}

// Label renders the voice as "Name (Title)", or Name alone.
func (v Voice) Label() string {
	if v.Title == "" {
		return v.Name
	}
	return v.Name + " (" + v.Title + ")"
}

// Staff is a person inside the company who may answer customers.
type Staff struct {
	ID         StaffID
	Voice      Voice
	Roles      []Role
	Identities map[PlatformName]string // platform user ids on team-chat platforms
}

// Can reports whether s holds role r or a stronger one.
func (s Staff) Can(r Role) bool {
	rank := map[Role]int{RoleAgent: 1, RoleModerator: 2, RoleAdmin: 3}
	for _, have := range s.Roles {
		if rank[have] >= rank[r] {
			return true
		}
	}
	return false
}

// Conversation is a contact talking with the company at one customer place.
type Conversation struct {
	ID        ConversationID
	ContactID ContactID
	// Customer is where the customer writes; Anchor is the platform id of
	// the message that opened the conversation (Discord community threads
	// hang under it).
	Customer Place
	Anchor   string
	// Desk is the desk thread once it is open; DeskCard the id of the
	// contact card message in it.
	Desk     Place
	DeskCard string
	Status   Status
	Assignee StaffID
	Tags     []string
	Priority int
	// ClosedAt is set while Status is closed.
	ClosedAt  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ConversationPatch changes some fields of a conversation; nil means keep.
type ConversationPatch struct {
	Status   *Status
	Assignee *StaffID
	Tags     *[]string
	Priority *int
	Desk     *Place
	DeskCard *string
	Customer *Place
	ClosedAt *time.Time
}

// AttachmentKind says what an attachment is, so platforms can show it well.
type AttachmentKind string

// Attachment kinds.
const (
	KindFile     AttachmentKind = "file"
	KindImage    AttachmentKind = "image"
	KindVoice    AttachmentKind = "voice"
	KindSticker  AttachmentKind = "sticker"
	KindLocation AttachmentKind = "location"
)

// Attachment is a file or other media that came with a message. Ref is the
// source platform's handle for fetching it (a Telegram file_id, a Slack
// url_private, a Discord CDN URL), resolved by that platform's Downloader.
type Attachment struct {
	Kind        AttachmentKind
	Name        string
	ContentType string
	Size        int64
	Platform    PlatformName
	Ref         string
	// Stored is the attachment's key in cornershop's own file store
	// (Files), where it was copied when recorded; "" when it was not.
	Stored string `json:",omitempty"`
	// SHA256 is the stored bytes' checksum (hex).
	SHA256 string `json:",omitempty"`
	// Missing says why the file could not be copied from its platform.
	Missing string `json:",omitempty"`
}

// Message is one recorded message of a conversation.
type Message struct {
	ID             MessageID
	ConversationID ConversationID
	Direction      Direction
	// Author is "contact:<id>", "staff:<id>", "system" or, for rejected
	// desk messages, the platform user id of whoever wrote it.
	Author      string
	AuthorName  string
	Text        string
	Attachments []Attachment
	// AsTeam marks a reply sent in the team's voice.
	AsTeam    bool
	CreatedAt time.Time
	EditedAt  time.Time
	DeletedAt time.Time
}

// Edited reports whether the message was changed after it was written.
func (m Message) Edited() bool { return !m.EditedAt.IsZero() }

// Deleted reports whether the message was withdrawn.
func (m Message) Deleted() bool { return !m.DeletedAt.IsZero() }

// Ref ties a platform message to a recorded message. A message has one
// source ref (where it was written) and copy refs (where cornershop relayed
// it; several when it was split). (Platform, Chat, PlatformID) is unique.
type Ref struct {
	MessageID  MessageID
	Side       Side
	Source     bool
	Platform   PlatformName
	Chat       string
	PlatformID string
	Part       int
}

// Delivery is one operation owed to a platform: an outbox row. It is written
// in the same transaction as the message it delivers.
type Delivery struct {
	ID             DeliveryID
	Key            string         // idempotency key, unique
	ConversationID ConversationID // zero for idea cards and notices
	MessageID      MessageID      // zero for thread and card operations
	// IdeaID is the idea of an OpIdeaCard or OpNotify.
	IdeaID IdeaID
	// Lane orders deliveries: those of one lane are performed one at a time
	// in id order. Empty means the conversation's side (see DeliveryLane).
	Lane string
	// Event and Endpoint are the webhook event an OpWebhook posts and the
	// configured endpoint it goes to; an OpBroadcast's Endpoint is its
	// place, "<platform>:<chat>".
	Event    WebhookEventID
	Endpoint string
	// Incident is the incident of an incident thread's operation (its
	// card, a line in it); zero otherwise.
	Incident IncidentID
	// Priority ranks claims: higher goes first among due deliveries.
	// Ordinary deliveries are PriorityNormal; an incident's fan-out is
	// PriorityBulk, so it never holds back a reply. Enqueue accepts only
	// these two (ErrInvalid).
	Priority int
	// Emoji is the reaction for OpReact.
	Emoji         string
	Op            Op
	Side          Side
	Platform      PlatformName
	State         DeliveryState
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	DoneAt        time.Time
	// MaybeSent is set by Claim when an earlier attempt was claimed but its
	// outcome never recorded (its process died, or its lease ran out): the
	// platform may have accepted it.
	MaybeSent bool
}

// AuditEntry records who did what to which record.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string // "staff:<id>", "contact:<id>", "system"
	Action string
	Object string // e.g. "conversation#12"
	Detail string
}

// Field is a free-form profile field staff keep about a contact.
type Field struct {
	Key   string
	Value string
}

// ContactCard is what staff see at the top of a desk thread.
type ContactCard struct {
	Conversation ConversationID
	Contact      ContactID
	Name         string
	Identities   []Identity
	Customer     Place
	Status       Status
	Assignee     string // display name
	Tags         []string
	Priority     int
	// Previous counts the contact's earlier conversations.
	Previous int
	// Since is when the contact first wrote; LastSeen when they last did.
	Since    time.Time
	LastSeen time.Time
	// Profile holds the fields staff keep about the contact.
	Profile []Field
	// Ideas are the ideas the contact proposed or voted for, newest first.
	Ideas []Idea
	// Due says when a staff response is due under the desk's SLA ("First
	// response due Mon 7 Dec 10:00 CET"); "" when no clock runs. Written by
	// cornershop.
	Due string
	// Satisfaction is the conversation's survey result ("4/5 🙂 —
	// “quick and kind”"); "" when not rated. The comment is customer text:
	// adapters escape it.
	Satisfaction string
	// Retention says the retention policy in force ("Closed
	// conversations are erased after 365 days."); "" when there is none.
	// Written by cornershop.
	Retention string
}

// IdeasSummary renders the card's ideas on one line, e.g. "#12 Dark mode
// (Planned), #7 Export (New)"; "" when there are none. Customer text:
// adapters escape it.
func (c ContactCard) IdeasSummary() string {
	parts := make([]string, len(c.Ideas))
	for i, idea := range c.Ideas {
		parts[i] = fmt.Sprintf("#%d %s (%s)", idea.ID, idea.Title, idea.Status.Label())
	}
	return strings.Join(parts, ", ")
}

// HasTag reports whether tags contains t, ignoring case.
func HasTag(tags []string, t string) bool {
	return slices.ContainsFunc(tags, func(s string) bool { return strings.EqualFold(s, t) })
}

// ConversationFacts are the figures of one conversation that response
// metrics are computed from.
type ConversationFacts struct {
	ID        ConversationID
	Status    Status
	Assignee  StaffID
	CreatedAt time.Time
	ClosedAt  time.Time // zero unless closed
	// FirstReplyAt and FirstReplyBy describe the first staff reply; zero
	// when nobody has answered yet.
	FirstReplyAt time.Time
	FirstReplyBy string
	Reopens      int
}

// Delivery priorities (see Delivery.Priority).
const (
	PriorityNormal = 0
	PriorityBulk   = -1
)

// DeliveryLane returns the lane d is ordered in: d.Lane when set, else one
// lane per conversation and side.
func DeliveryLane(d Delivery) string {
	if d.Lane != "" {
		return d.Lane
	}
	return fmt.Sprintf("c%d:%s", int64(d.ConversationID), d.Side)
}

// SLAClockID identifies an SLA clock; unique in the database.
type SLAClockID int64

// SLAKind says which response an SLA clock times.
type SLAKind string

// SLA clock kinds.
const (
	FirstResponse SLAKind = "first" // the conversation's first staff reply
	NextResponse  SLAKind = "next"  // the reply to a customer message after a staff reply
)

// SLAClock times one wait for a staff reply against a target counted in
// the desk's business hours. It runs from the customer message that
// started the wait until a reply, a close or a snooze stops it.
type SLAClock struct {
	ID           SLAClockID
	Conversation ConversationID
	Desk         Place // the desk's channel (Thread empty)
	Kind         SLAKind
	Priority     int
	StartedAt    time.Time
	WarnAt       time.Time // when the thread is warned
	DueAt        time.Time // the target: a reply later is a breach
	StoppedAt    time.Time // zero while running
	StopReason   string    // "reply", "close", "snooze"
	Warned       bool
	Breached     bool
}

// Met reports whether the clock stopped by a reply in time; a clock still
// running, or stopped by a close or snooze, has no verdict (ok false)
// unless it already breached.
func (c SLAClock) Met() (met, ok bool) {
	if c.Breached || (!c.StoppedAt.IsZero() && c.StoppedAt.After(c.DueAt)) {
		return false, true
	}
	if c.StopReason == "reply" {
		return true, true
	}
	return false, false
}

// SurveyID identifies a satisfaction survey; unique in the database.
type SurveyID int64

// Survey is a satisfaction survey sent when a conversation closed: a
// rating from 1 to 5 given with one tap, and an optional comment.
type Survey struct {
	ID           SurveyID
	Conversation ConversationID
	Contact      ContactID
	Desk         Place   // the desk's channel (Thread empty)
	Staff        StaffID // who it rates: the last to reply, else the assignee
	SentAt       time.Time
	Rating       int // 0 until rated
	RatedAt      time.Time
	Comment      string
	CommentedAt  time.Time
}
