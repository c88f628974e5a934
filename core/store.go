package core

import (
	"context"
	"time"
)

// Store is the persistence port. core/store implements it with gorm on
// SQLite or PostgreSQL; the store contract suite in core/store/storetest
// checks any implementation.
type Store interface {
	// InTx runs fn in one transaction bound to ctx and commits when fn
	// returns nil, at the store's configured durability. fn must not keep
	// tx after it returns, nor call the Store itself. After a Tx method
	// fails with anything but ErrDuplicate or ErrNotFound the transaction
	// may be unusable (PostgreSQL aborts it): return the error.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// Claim leases up to limit pending deliveries due at now to owner until
	// now+lease, highest Delivery.Priority first, then oldest first, never two of the same conversation and side at
	// once, and never one whose earlier sibling (same conversation and side)
	// is still pending. Several processes may claim concurrently.
	Claim(ctx context.Context, owner string, now time.Time, limit int, lease time.Duration) ([]Delivery, error)
	// NextDue returns when Claim could next return something: the earliest
	// due time (or lease expiry) among deliveries at the head of their
	// (conversation, side) queue; ErrNotFound when none is pending.
	NextDue(ctx context.Context) (time.Time, error)
	// Ping checks the database is reachable.
	Ping(ctx context.Context) error
}

// Tx is one database transaction. Lookups return ErrNotFound when nothing
// matches; inserts return ErrDuplicate when a unique key is taken.
type Tx interface {
	IdeaTx
	SignalTx
	WebhookTx
	AnswerTx
	SearchTx
	PrivacyTx
	IncidentTx

	// ContactByIdentity returns the contact owning (platform, userID).
	ContactByIdentity(platform PlatformName, userID string) (Contact, error)
	// Contact returns one contact with its identities.
	Contact(id ContactID) (Contact, error)
	// CreateContact inserts c and its identities and sets c.ID.
	CreateContact(c *Contact) error
	// SaveIdentity updates the profile fields of an existing identity.
	SaveIdentity(contact ContactID, id Identity) error
	// LockContact holds the contact until the transaction ends, so that
	// concurrent transactions (on other replicas) deciding something about
	// the same contact, such as starting its conversation, take turns; the
	// second sees what the first committed. ErrNotFound for an unknown
	// contact.
	LockContact(id ContactID) error
	// SetContactTags replaces a contact's tags; ErrNotFound for an
	// unknown contact.
	SetContactTags(id ContactID, tags []string, at time.Time) error
	// SetContactBlocked blocks or unblocks a contact.
	SetContactBlocked(id ContactID, blocked bool) error
	// MergeContacts moves every identity and conversation of from to
	// into, remembering what moved so UnmergeContact can undo it.
	// ErrInvalid when from == into; ErrNotFound for an unknown contact.
	MergeContacts(from, into ContactID, actor string, at time.Time) error
	// UnmergeContact undoes from's latest merge, moving back what moved,
	// and returns the contact it had been merged into; ErrNotFound when
	// from has no merge to undo.
	UnmergeContact(from ContactID, at time.Time) (ContactID, error)
	// MergedInto lists the contacts currently merged into into.
	MergedInto(into ContactID) ([]ContactID, error)
	// SaveLinkCode stores a one-time code that links another account to
	// contact until expires; ErrDuplicate when the code is taken.
	SaveLinkCode(contact ContactID, code string, expires time.Time) error
	// TakeLinkCode consumes a code and returns its contact; ErrNotFound
	// when it is unknown, used or expired.
	TakeLinkCode(code string, now time.Time) (ContactID, error)

	// LatestConversation returns the newest conversation of contact at the
	// customer place's platform and chat (threads ignored).
	LatestConversation(contact ContactID, place Place) (Conversation, error)
	// ConversationByDesk returns the conversation whose desk thread is desk.
	ConversationByDesk(desk Place) (Conversation, error)
	// Conversation returns one conversation.
	Conversation(id ConversationID) (Conversation, error)
	// CreateConversation inserts c and sets c.ID.
	CreateConversation(c *Conversation) error
	// UpdateConversation applies p to conversation id at time now.
	UpdateConversation(id ConversationID, p ConversationPatch, now time.Time) error
	// CountConversations counts the contact's conversations.
	CountConversations(contact ContactID) (int, error)
	// LastSeen is when the contact last wrote (zero if never).
	LastSeen(contact ContactID) (time.Time, error)
	// Conversations lists the contact's conversations, newest first, at
	// most limit.
	Conversations(contact ContactID, limit int) ([]Conversation, error)

	// DeskFacts returns the facts of the conversations of a desk channel
	// (desk.Thread ignored) created at or after since, oldest first.
	DeskFacts(desk Place, since time.Time) ([]ConversationFacts, error)

	// CreateMessage inserts m and sets m.ID.
	CreateMessage(m *Message) error
	// Message returns one message.
	Message(id MessageID) (Message, error)
	// Messages lists a conversation's messages, oldest first.
	Messages(conv ConversationID) ([]Message, error)
	// UpdateMessage applies p to message id.
	UpdateMessage(id MessageID, p MessagePatch) error
	// AddRef records a platform id of a message; ErrDuplicate when
	// (Platform, Chat, PlatformID) is already recorded. The ref of a
	// delivered copy (Source false) may be written later in the
	// transaction (a PostgreSQL group commit writes a batch's together,
	// before any other statement reads them); a duplicate is then dropped
	// without an error, which is all a delivered copy's caller does with it.
	AddRef(r Ref) error
	// RefByPlatformID finds the ref of a platform message.
	RefByPlatformID(platform PlatformName, chat, id string) (Ref, error)
	// Refs lists a message's refs on one side, ordered by part.
	Refs(m MessageID, side Side) ([]Ref, error)
	// LatestPost returns the newest ref of a message cornershop posted (not
	// heard) on side of conversation; ErrNotFound when there is none.
	LatestPost(conv ConversationID, side Side) (Ref, error)
	// Cursors returns, for each conversation side on platform with a
	// message created since since, the place and the platform id of the
	// newest ref recorded there, and each desk thread there of a
	// conversation updated since since with no ref yet, with its card's id
	// (see Backlog).
	Cursors(platform PlatformName, since time.Time) ([]Cursor, error)

	// Enqueue inserts a pending delivery and sets d.ID; ErrDuplicate when
	// d.Key is taken.
	Enqueue(d *Delivery) error
	// Deliveries lists the deliveries of a message, oldest first.
	Deliveries(m MessageID) ([]Delivery, error)
	// Delivery returns one delivery.
	Delivery(id DeliveryID) (Delivery, error)
	// PendingBehind reports whether a later delivery of d's lane is still
	// pending, so a render that the later one repeats can be skipped.
	PendingBehind(d Delivery) (bool, error)
	// FinishDelivery sets a delivery's final state.
	FinishDelivery(id DeliveryID, state DeliveryState, lastErr string, at time.Time) error
	// RetryDelivery counts an attempt and schedules the next one at next.
	RetryDelivery(id DeliveryID, attempts int, next time.Time, lastErr string) error

	// ContactFields lists a contact's profile fields by key.
	ContactFields(id ContactID) ([]Field, error)
	// SetContactField sets a profile field; an empty value removes it.
	SetContactField(id ContactID, f Field, at time.Time) error

	// Snippets returns the snippets saved from the chat, by name.
	Snippets() (map[string]string, error)
	// SaveSnippet stores a snippet; an empty text removes it.
	SaveSnippet(name, text, author string, at time.Time) error

	// StaffPrefersTeam reports whether a staff member chose to answer in
	// the team's voice by default (false when they never chose).
	StaffPrefersTeam(id StaffID) (bool, error)
	// SetStaffPrefersTeam records that choice.
	SetStaffPrefersTeam(id StaffID, asTeam bool, at time.Time) error

	// MarkHandled records that the request key (a command's or button's
	// identity, see ActionEvent.ID) was acted on at at, and reports whether
	// this is the first time: false when key is already recorded for
	// platform, by this transaction or one committed before it on any
	// replica. When two transactions mark the same key at once, the second
	// waits for the first and gets false if it commits (true if it rolls
	// back), so act on a request only in the transaction that marked it.
	MarkHandled(platform PlatformName, key string, at time.Time) (bool, error)
	// PruneHandled forgets the requests marked before before and returns
	// how many it forgot.
	PruneHandled(before time.Time) (int64, error)

	// StartClock records a running SLA clock and sets c.ID.
	StartClock(c *SLAClock) error
	// RunningClock returns the conversation's running SLA clock;
	// ErrNotFound when none runs.
	RunningClock(conv ConversationID) (SLAClock, error)
	// StopClock stops a running clock at at for reason ("reply", "close",
	// "snooze"); stopping a stopped clock changes nothing.
	StopClock(id SLAClockID, at time.Time, reason string) error
	// MarkClock records that a clock's warning (breached false) or breach
	// (true) was given; it reports false when it already was, so each is
	// given once even when two replicas perform it.
	MarkClock(id SLAClockID, breached bool) (bool, error)
	// DeskClocks lists the clocks of conversations at desk (Thread
	// ignored) started at or after since, oldest first.
	DeskClocks(desk Place, since time.Time) ([]SLAClock, error)
	// Answered reports whether the conversation has a staff reply.
	Answered(conv ConversationID) (bool, error)

	// CreateSurvey records a survey sent and sets s.ID.
	CreateSurvey(s *Survey) error
	// LatestSurvey returns the contact's newest survey; ErrNotFound when
	// none.
	LatestSurvey(contact ContactID) (Survey, error)
	// ConversationSurvey returns the conversation's newest survey;
	// ErrNotFound when none.
	ConversationSurvey(conv ConversationID) (Survey, error)
	// RateSurvey records a rating once: it reports false, changing
	// nothing, when the survey was rated already.
	RateSurvey(id SurveyID, rating int, at time.Time) (bool, error)
	// CommentSurvey records a survey's comment.
	CommentSurvey(id SurveyID, comment string, at time.Time) error
	// DeskSurveys lists the surveys of desk (Thread ignored) sent at or
	// after since, oldest first.
	DeskSurveys(desk Place, since time.Time) ([]Survey, error)

	// Audit appends an audit entry.
	Audit(e AuditEntry) error
	// AuditEntries lists the newest entries about object (e.g.
	// "conversation#12"), at most limit, oldest first.
	AuditEntries(object string, limit int) ([]AuditEntry, error)
}

// MessagePatch changes some fields of a message; nil means keep.
type MessagePatch struct {
	Text      *string
	EditedAt  *time.Time
	DeletedAt *time.Time
}
