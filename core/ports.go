package core

import (
	"context"
	"io"
	"time"
)

// Inbox receives platform events from adapters.
type Inbox interface {
	// Handle records e durably and returns nil only once it is committed at
	// the configured durability level; only then may the adapter acknowledge
	// the platform. The same event handed in twice is recorded once and the
	// second call returns nil. An error wrapping ErrInvalid means the event
	// can never be recorded (acknowledge and drop it); any other error means
	// try again later and do not acknowledge. Safe for concurrent use.
	Handle(ctx context.Context, e Event) error
}

// ActionInbox is the part of the Inbox that answers native commands and
// buttons, which platforms expect a reply to within seconds.
type ActionInbox interface {
	// Act records and performs a, returning what to show its invoker.
	// Errors are as for Inbox.Handle.
	Act(ctx context.Context, a ActionEvent) (ActionResult, error)
}

// Platform is an adapter: it connects to one platform, hands what it hears
// to an Inbox and sends what the outbox owes.
type Platform interface {
	// Name returns the platform this adapter speaks to.
	Name() PlatformName
	// Run connects, receives and reconnects until ctx ends; it returns
	// ctx.Err() then, or an error that stops the adapter for good (bad
	// credentials).
	Run(ctx context.Context, in Inbox) error
	// Send posts one message and returns the ids the platform gave it.
	// Errors are classified with RetryAfter, Transient and Permanent.
	Send(ctx context.Context, m Outgoing) (Receipt, error)
}

// ThreadOpener is a Platform that can open a desk thread for a conversation.
type ThreadOpener interface {
	// OpenThread opens a thread in desk whose first message is the card and
	// returns the thread's place and the card's message id.
	OpenThread(ctx context.Context, desk Place, card ContactCard) (Thread, error)
}

// CardUpdater is a Platform that can refresh a desk thread's contact card
// and status (a title emoji, a forum tag, a closed topic).
type CardUpdater interface {
	// UpdateCard renders card again in thread; cardID is the card message.
	UpdateCard(ctx context.Context, t Thread, card ContactCard) error
}

// Editor is a Platform that can change a message it posted.
type Editor interface {
	// Edit replaces the text of the messages ids at place with m's text,
	// rendered in m's voice.
	Edit(ctx context.Context, place Place, ids []string, m Outgoing) error
}

// Deleter is a Platform that can delete a message it posted.
type Deleter interface {
	// Delete removes the messages ids at place.
	Delete(ctx context.Context, place Place, ids []string) error
}

// Downloader is a Platform that can fetch an attachment it reported.
type Downloader interface {
	// Download opens the attachment a; the caller closes it.
	Download(ctx context.Context, a Attachment) (io.ReadCloser, error)
}

// UploadLimiter is a Platform that says the largest file it uploads.
type UploadLimiter interface {
	// UploadLimit is the largest file, in bytes, Send uploads; a larger
	// one becomes a note saying it is too large.
	UploadLimit() int64
}

// StaffLookup is a Platform that can tell whether a user is a member of a
// desk and what their profile says, for desks that take staff from
// membership.
type StaffLookup interface {
	// Member reports whether userID belongs to the desk and, if so, their
	// profile as a Voice.
	Member(ctx context.Context, desk Place, userID string) (Voice, bool, error)
}

// Thread is an open desk thread: where it is and which message is its card.
type Thread struct {
	Place  Place
	CardID string
}

// Receipt is what a platform returned for a sent message.
type Receipt struct {
	// IDs are the platform message ids, several when the text was split.
	IDs []string
	// Place is where the message landed when it differs from the request
	// (e.g. a Discord thread created under a community message).
	Place Place
}

// Kind says how an outgoing message should be presented.
type Kind string

// Outgoing kinds.
const (
	KindCustomerCopy Kind = "customer_copy" // a customer's message shown in the desk
	KindReply        Kind = "reply"         // a staff reply shown to the customer
	KindSystem       Kind = "system"        // cornershop speaking
	KindNoteEcho     Kind = "note"          // an internal note shown in the desk
)

// Outgoing is a message the outbox asks a platform to post.
type Outgoing struct {
	// Key is the delivery's idempotency key; adapters that can attach it to
	// the request (Discord nonce) should.
	Key   string
	Place Place
	Kind  Kind
	// Text is neutral text; the adapter escapes and renders it.
	Text string
	// Voice is who speaks: a staff member, the team, or (zero) the bot.
	Voice Voice
	// From names the customer for KindCustomerCopy.
	From Identity
	// Anchor is the customer message a reply belongs under, when any.
	Anchor string
	Files  []File
	// Commands are bot commands the text offers its reader ("/ideas
	// mute"), written by cornershop: an adapter whose platform makes them
	// tappable leaves these so, while defusing any other in the text.
	Commands []string
	// Edited and Deleted mark re-renders of an edited or deleted message.
	Edited  bool
	Deleted bool
	// Buttons are one-tap choices under the post (a satisfaction survey's
	// faces, answer results and suggestions), rendered as the platform's
	// native control: Telegram inline buttons, Discord components, Slack
	// Block Kit buttons. A press comes back as an ActionEvent named
	// Button.Action with Button.Args. An adapter that cannot show them
	// lists their labels instead.
	Buttons []Button
	// Mention is whom a post by cornershop pings on purpose (SLA
	// warnings); zero for none. Adapters render their platform's real
	// mention before the text and permit exactly that one, while text stays
	// neutralised.
	Mention Mention
	// MaybeSent says an earlier attempt may have landed (Delivery.MaybeSent).
	// An adapter that can read the place back should look for its own post
	// of this message newer than PostedBefore and return that post's ids
	// instead of posting again.
	MaybeSent bool
	// PostedBefore is the platform id of the newest message cornershop had
	// recorded posting on this side of the conversation when the delivery
	// was claimed ("" for none): with per-conversation order, an earlier
	// attempt of this delivery can only have landed after it.
	PostedBefore string
}

// Mention is one user or one group (Slack user group, Discord role) on
// the platform an Outgoing goes to. User is a platform user id (Telegram
// also "@username"); Group a group id; Name what to show where the
// platform needs text (Telegram text mentions).
type Mention struct {
	User  string
	Group string
	Name  string
}

// Button is a native control on a message cornershop sends (an inline
// keyboard button, a Discord component, a Slack Block Kit button): its
// label and the action a press sends back, invoked like a typed command
// (Action "csat", Args {"12", "5"}; Action "answer", Args {"7"}). Args
// hold no ":" or spaces.
type Button struct {
	Label  string
	Action string
	Args   []string
}

// IsZero reports whether m pings nobody.
func (m Mention) IsZero() bool { return m.User == "" && m.Group == "" }

// File is an attachment on its way to a platform.
type File struct {
	Attachment
	// Open returns the file's bytes; nil when the source cannot be fetched,
	// in which case the adapter posts a note naming the file instead.
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// Reactor is a Platform that can add a reaction to a message.
type Reactor interface {
	// React adds emoji to message id at place as the bot.
	React(ctx context.Context, place Place, id string, emoji string) error
}

// RateBudget is a send budget kept where every replica sees it — the
// database they share — so that replicas together keep a platform's
// published limit (a Slack channel's one message a second, Discord's 50
// requests a second) instead of each keeping it alone.
type RateBudget interface {
	// Reserve takes one send from key's budget of one every every, with
	// bursts of burst, if its turn comes within maxWait: ok, and how long
	// to wait for the turn. Otherwise it takes nothing and returns not ok
	// with how long until the turn would come. Safe for concurrent use.
	Reserve(ctx context.Context, key string, every time.Duration, burst int, maxWait time.Duration) (wait time.Duration, ok bool, err error)
	// Hold closes key's budget (of one every every, bursts of burst) for
	// d from now: the platform answered a 429 with that retry-after, and
	// no replica may send there before it ends.
	Hold(ctx context.Context, key string, every time.Duration, burst int, d time.Duration) error
}

// Backlog is the part of the Inbox that lets an adapter read back what its
// platform will not send again. Discord, for one, replays missed events
// only to a resumed gateway session: after a restart (a new session) what
// was written while the process was down, or received but not yet
// recorded when it died, is only in the channels' history.
type Backlog interface {
	// Cursors lists every place on platform where a message was recorded
	// since since, each with the newest platform message id recorded there
	// (heard or posted by cornershop), and every desk thread there of a
	// conversation active since then where nothing is recorded yet, with
	// the id of the card that opened it ("" if none: read it from the
	// start). Safe for concurrent use; errors are the store's.
	Cursors(ctx context.Context, platform PlatformName, since time.Time) ([]Cursor, error)
}

// Cursor is how far cornershop has recorded one place: the place (its
// Thread set for a thread) and the newest platform message id there.
type Cursor struct {
	Place Place
	Last  string
}

// ThreadLinker is a Platform that can write a link to a desk thread, so a
// desk command's answer ("!search") can point at another conversation. It
// does not block.
type ThreadLinker interface {
	// ThreadLink returns an address (or the platform's link markup) that
	// opens thread t; "" when it cannot link there.
	ThreadLink(t Place) string
}
