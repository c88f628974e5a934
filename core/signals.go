package core

import (
	"fmt"
	"time"
)

// SignalID numbers a signal; unique in one database.
type SignalID int64

// String names the signal for logs and audit entries: "signal#12".
func (id SignalID) String() string { return fmt.Sprintf("signal#%d", int64(id)) }

// SignalState is where a signal stands with the team.
type SignalState string

// Signal states: open (nobody acted yet), handled (someone replied in
// place, opened a conversation or filed it as feedback) and dismissed.
const (
	SignalOpen      SignalState = "open"
	SignalHandled   SignalState = "handled"
	SignalDismissed SignalState = "dismissed"
)

// Valid reports whether s is a known state.
func (s SignalState) Valid() bool {
	return s == SignalOpen || s == SignalHandled || s == SignalDismissed
}

// String implements fmt.Stringer.
func (s SignalState) String() string { return string(s) }

// MarshalText implements encoding.TextMarshaler.
func (s SignalState) MarshalText() ([]byte, error) { return marshalEnum(s) }

// Signal is something the community said in a listening place that matched
// a listening rule, shown to the rule's desk. A burst of matches of one rule
// in one place within the burst window is one signal: its first message is
// the one shown, Count says how many matched since.
type Signal struct {
	ID SignalID
	// Rule is the name of the listening rule that matched.
	Rule string
	// Desk is the desk channel the signal is shown in (Thread empty).
	Desk Place
	// Place is where the community said it: the listening channel or
	// group (Chat); Thread is empty (a burst spans the place's threads).
	Place Place
	// First is the first matched message, the one the card shows and
	// "Reply in place" answers.
	First SignalMessageID
	// Count is how many matched messages the signal holds; Negative how
	// many of them scored negative.
	Count    int
	Negative int
	FirstAt  time.Time
	LastAt   time.Time
	State    SignalState
	// Card is where the signal's card is in the desk and CardID its
	// platform message id ("" until posted). Staff act on it with its
	// buttons and write replies in the thread under it.
	Card   Place
	CardID string
	// Action says what was done ("reply", "conversation", "idea",
	// "dismiss"), HandledBy who ("staff:<id>") and HandledAt when: the
	// first action on it.
	Action    string
	HandledBy string
	HandledAt time.Time
}

// SignalPatch changes some fields of a signal; nil means keep.
type SignalPatch struct {
	First     *SignalMessageID
	Count     *int
	Negative  *int
	LastAt    *time.Time
	Card      *Place
	CardID    *string
	State     *SignalState
	Action    *string
	HandledBy *string
	HandledAt *time.Time
}

// SignalMessageID numbers a matched community message.
type SignalMessageID int64

// SignalMessage is one matched community message, kept because it matched
// (community messages matching no rule are never stored). It is personal
// data of its author's contact, exported and erased with it.
type SignalMessage struct {
	ID      SignalMessageID
	Signal  SignalID
	Contact ContactID
	// Rule is the signal's rule.
	Rule string
	// Place is where it was said (Thread set inside a thread) and
	// PlatformID its id there; (Platform, Chat, PlatformID, Rule) is
	// unique.
	Place      Place
	PlatformID string
	AuthorName string
	Text       string
	// Link opens the original message ("" when the platform gives none).
	Link string
	// Term is the rule's word or phrase that matched.
	Term string
	// Sentiment is the lexicon's compound score in [-1, 1].
	Sentiment float64
	At        time.Time
}

// ListeningStats are the listening figures since a time.
type ListeningStats struct {
	// Matches counts matched messages per rule and place, most first.
	Matches []ListeningCount
	// Total and Negative count all matched messages and the negative ones.
	Total    int
	Negative int
	// Signals counts the signals opened; Handled and Dismissed those acted
	// on so.
	Signals   int
	Handled   int
	Dismissed int
	// MedianHandle is the median time from a signal's first message to
	// its first action, over handled and dismissed signals (0: none).
	MedianHandle time.Duration
}

// ListeningCount is how many messages matched a rule in one place.
type ListeningCount struct {
	Rule     string
	Place    Place
	Count    int
	Negative int
}

// SignalTx is the part of a transaction that keeps signals. Lookups return
// ErrNotFound when nothing matches.
type SignalTx interface {
	// CreateSignal inserts s and sets s.ID.
	CreateSignal(s *Signal) error
	// Signal returns one signal.
	Signal(id SignalID) (Signal, error)
	// BurstSignal returns the newest open signal of rule at place (Chat;
	// Thread ignored) whose last message is at or after since: the one a
	// new match there folds into.
	BurstSignal(rule string, place Place, since time.Time) (Signal, error)
	// SignalByCard returns the signal whose card is message cardID in the
	// desk channel desk (Thread ignored).
	SignalByCard(desk Place, cardID string) (Signal, error)
	// UpdateSignal applies p.
	UpdateSignal(id SignalID, p SignalPatch) error
	// HandleSignal records the first action on an open signal: it sets
	// state, action, actor and time and reports true, or changes nothing
	// and reports false when the signal was acted on before.
	HandleSignal(id SignalID, state SignalState, action, actor string, at time.Time) (bool, error)
	// AddSignalMessage records a matched message and sets m.ID;
	// ErrDuplicate when (Platform, Chat, PlatformID, Rule) is already
	// recorded.
	AddSignalMessage(m *SignalMessage) error
	// SignalMessageHeard reports whether a platform message is recorded
	// for any rule.
	SignalMessageHeard(platform PlatformName, chat, id string) (bool, error)
	// SignalMessage returns one matched message.
	SignalMessage(id SignalMessageID) (SignalMessage, error)
	// SignalMessages lists a signal's messages, oldest first, at most
	// limit (0: all).
	SignalMessages(id SignalID, limit int) ([]SignalMessage, error)
	// ContactSignalMessages lists the matched messages a contact wrote,
	// oldest first (for export).
	ContactSignalMessages(contact ContactID) ([]SignalMessage, error)
	// EraseContactSignalMessages deletes the matched messages a contact
	// wrote and returns how many.
	EraseContactSignalMessages(contact ContactID) (int64, error)
	// ListeningStats returns the figures of signals first seen at or after
	// since, with at most top rule and place counts.
	ListeningStats(since time.Time, top int) (ListeningStats, error)
}

// MessageLinkWriter is a Platform that can write a link to a message it
// reported, so a signal can point staff at the original. It does not
// block; "" when it cannot link there (yet).
type MessageLinkWriter interface {
	// MessageLink returns an address that opens message id at place.
	MessageLink(place Place, id string) string
}
