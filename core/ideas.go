package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// IdeaStatus is where an idea is on the way from proposal to done.
type IdeaStatus string

// Idea statuses, in the order ideas move through them; declined and
// duplicate end an idea without doing it.
const (
	IdeaNew         IdeaStatus = "new"
	IdeaUnderReview IdeaStatus = "under_review"
	IdeaPlanned     IdeaStatus = "planned"
	IdeaInProgress  IdeaStatus = "in_progress"
	IdeaDone        IdeaStatus = "done"
	IdeaDeclined    IdeaStatus = "declined"
	IdeaDuplicate   IdeaStatus = "duplicate"
)

// IdeaStatuses lists every status in display order.
var IdeaStatuses = []IdeaStatus{IdeaNew, IdeaUnderReview, IdeaPlanned, IdeaInProgress, IdeaDone, IdeaDeclined, IdeaDuplicate}

// Valid reports whether s is a known status.
func (s IdeaStatus) Valid() bool {
	for _, k := range IdeaStatuses {
		if s == k {
			return true
		}
	}
	return false
}

// String implements fmt.Stringer.
func (s IdeaStatus) String() string { return string(s) }

// MarshalText implements encoding.TextMarshaler.
func (s IdeaStatus) MarshalText() ([]byte, error) { return marshalEnum(s) }

// Label is the status as people read it: "Under review".
func (s IdeaStatus) Label() string {
	l := strings.ReplaceAll(string(s), "_", " ")
	if l == "" {
		return ""
	}
	return strings.ToUpper(l[:1]) + l[1:]
}

// Emoji is a small sign of the status for cards and lists.
func (s IdeaStatus) Emoji() string {
	switch s {
	case IdeaUnderReview:
		return "🔍"
	case IdeaPlanned:
		return "🗓️"
	case IdeaInProgress:
		return "🚧"
	case IdeaDone:
		return "✅"
	case IdeaDeclined:
		return "🚫"
	case IdeaDuplicate:
		return "🔁"
	}
	return "💡"
}

// ParseIdeaStatus reads a status the way people type it: "planned",
// "in progress", "in-progress", "Under review".
func ParseIdeaStatus(s string) (IdeaStatus, bool) {
	k := IdeaStatus(strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s))))
	if k == "review" {
		k = IdeaUnderReview
	}
	return k, k.Valid()
}

// Idea is a customer's proposal that others vote for.
type Idea struct {
	ID     IdeaID
	Title  string
	Body   string
	Status IdeaStatus
	// Author is the contact who proposed it; AuthorName their name then.
	Author     ContactID
	AuthorName string
	// Origin is where it was proposed; its card is posted there. SourceID
	// is the proposing message's platform id there, unique in its chat.
	Origin   Place
	SourceID string
	// Card is where the card was posted and CardID its message, once it was.
	Card   Place
	CardID string
	// MergedInto is the idea this one was merged into (Status duplicate).
	MergedInto IdeaID
	Hidden     bool
	HideReason string
	Pinned     bool
	Tags       []string
	// Message is the latest public word on it from a moderator.
	Message string
	// Queued ideas wait for a moderator before anyone else sees them.
	Queued bool
	// Votes counts distinct contacts (linked accounts once); Comments the
	// comments. Both are computed when the idea is read.
	Votes     int
	Comments  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Visible reports whether the public may see the idea.
func (i Idea) Visible() bool { return !i.Hidden && !i.Queued }

// String names the idea for logs and audit entries: "idea#12".
func (id IdeaID) String() string { return fmt.Sprintf("idea#%d", int64(id)) }

// IdeaPatch changes some fields of an idea; nil means keep.
type IdeaPatch struct {
	Title      *string
	Status     *IdeaStatus
	Message    *string
	Hidden     *bool
	HideReason *string
	Pinned     *bool
	Tags       *[]string
	MergedInto *IdeaID
	Queued     *bool
	Card       *Place
	CardID     *string
}

// IdeaOrder is how a list of ideas is sorted.
type IdeaOrder string

// Idea list orders.
const (
	IdeasTop IdeaOrder = "top" // pinned first, then most votes
	IdeasNew IdeaOrder = "new" // newest first
)

// IdeaFilter selects ideas for a list; the zero value lists every visible
// idea that was not merged away, top first.
type IdeaFilter struct {
	Statuses []IdeaStatus // empty: any
	Order    IdeaOrder
	// Hidden and Queued include those ideas too.
	Hidden bool
	Queued bool
	Limit  int // 0: no limit
}

// Voter is one identity's vote (or, for the author, proposal) on an idea.
type Voter struct {
	Contact ContactID
	// Platform and UserID are the account that voted; Chat the direct chat
	// with the bot there when known ("" to open one when writing).
	Platform PlatformName
	UserID   string
	Chat     string
	At       time.Time
}

// VoteResult is what a press of a vote control did.
type VoteResult int

// Vote results.
const (
	Voted          VoteResult = iota + 1 // a new vote counts
	Unvoted                              // the person's vote is withdrawn
	AlreadyCounted                       // a linked account voted already
)

// IdeaComment is a message someone wrote about an idea in its thread.
type IdeaComment struct {
	ID         int64
	Idea       IdeaID
	Author     string // "contact:<id>" or "staff:<id>"
	AuthorName string
	// UserID is the author's account on Platform.
	UserID string
	Text   string
	// Platform, Chat and PlatformID identify the message; unique.
	Platform   PlatformName
	Chat       string
	PlatformID string
	At         time.Time
}

// Notice is one line owed to a follower of an idea: a status change or a
// merge, said by a moderator. Notices with the same Batch leave together in
// one message (a digest when there are several).
type Notice struct {
	ID    int64
	Batch string // the key of the delivery that carries it
	To    Voter
	Idea  IdeaID
	Text  string
	// Actor is the staff member whose voice it is said in.
	Actor     StaffID
	Digest    bool
	CreatedAt time.Time
}

// IdeaBoard is a Platform that can post idea cards with a vote control.
type IdeaBoard interface {
	// PostIdea posts idea's card at place with a vote button that invokes
	// the action "vote" with the idea's number, and returns where it landed.
	// Where the platform threads replies under a message, the card goes in
	// the thread of the proposing message (idea.SourceID) when place has no
	// thread of its own.
	PostIdea(ctx context.Context, place Place, idea Idea) (Thread, error)
	// UpdateIdea renders the card at t again (votes, status, title, a
	// pointer to the idea it was merged into) and, where the platform has
	// one, the status as a tag.
	UpdateIdea(ctx context.Context, t Thread, idea Idea) error
}

// DirectOpener is a Platform that can find or open the direct chat between
// the bot and a user, for notices to people who voted elsewhere.
type DirectOpener interface {
	// DirectPlace returns the one-to-one chat with userID.
	DirectPlace(ctx context.Context, userID string) (Place, error)
}

// IdeaTx is the part of a transaction that keeps ideas. Lookups return
// ErrNotFound when nothing matches.
type IdeaTx interface {
	// CreateIdea inserts i and sets i.ID; ErrDuplicate when an idea with
	// the same origin chat and SourceID exists.
	CreateIdea(i *Idea) error
	// Idea returns one idea with its vote and comment counts.
	Idea(id IdeaID) (Idea, error)
	// IdeaAt returns the idea whose origin or card thread is place (a
	// forum post, a card's thread, the thread under the proposing message),
	// or, with place.Thread empty, whose card message is msgID there.
	IdeaAt(place Place, msgID string) (Idea, error)
	// IdeaCardInFlight reports whether an idea proposed on board (its
	// chat; any thread of it) has its first card on the way: a card
	// delivery being performed (claimed) and no card recorded. A reply to
	// that card may arrive before the card's id is recorded; one merely
	// queued cannot be answered yet.
	IdeaCardInFlight(board Place) (bool, error)
	// IdeasOf lists the ideas contact proposed or voted for (with any
	// linked account), newest first, at most limit.
	IdeasOf(contact ContactID, limit int) ([]Idea, error)
	// UpdateIdea applies p at time now, which becomes the idea's UpdatedAt
	// unless p only says where its card is.
	UpdateIdea(id IdeaID, p IdeaPatch, now time.Time) error
	// Ideas lists ideas by f.
	Ideas(f IdeaFilter) ([]Idea, error)
	// ToggleVote adds v's vote on idea; when v's own account voted
	// already it removes the contact's vote instead, and when another of
	// the contact's linked accounts did, it changes nothing (one vote per
	// person).
	ToggleVote(idea IdeaID, v Voter) (VoteResult, error)
	// Followers lists, one per contact, the people to tell when idea moves:
	// its author and everyone who voted or commented, each at the account
	// they last used for it.
	Followers(idea IdeaID) ([]Voter, error)
	// MergeIdeas moves from's votes (one per contact), comments and
	// followers into into.
	MergeIdeas(from, into IdeaID) error
	// AddComment records a comment; ErrDuplicate when its platform message
	// is already recorded.
	AddComment(c *IdeaComment) error
	// SetMuted records whether a contact wants idea notices.
	SetMuted(contact ContactID, muted bool, at time.Time) error
	// Muted reports whether a contact (any linked account) muted notices.
	Muted(contact ContactID) (bool, error)
	// AddNotice records n and sets n.ID.
	AddNotice(n *Notice) error
	// Notices lists the notices of one batch, oldest first.
	Notices(batch string) ([]Notice, error)
	// NoticesSince counts the notices for contact created at or after since.
	NoticesSince(contact ContactID, since time.Time) (int, error)
	// OpenDigest returns the batch of contact's digest that has not left
	// yet; ErrNotFound when there is none.
	OpenDigest(contact ContactID) (string, error)
}
