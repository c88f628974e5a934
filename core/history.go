package core

import (
	"context"
	"time"
)

// Mark is how far the record of one place goes: the newest message
// received there that is recorded.
type Mark struct {
	// Place is where the message was received; Thread is set for a thread
	// or topic.
	Place Place
	// ID is that message's platform id; empty for a desk thread where
	// nothing was received yet.
	ID string
	// At is when it was recorded as written.
	At time.Time
}

// HistoryInbox is the part of the Inbox an adapter asks, after connecting
// afresh (a restart, or another replica taking the connection over), how
// far the record of each place goes, so it can fetch from the platform's
// history what was written while nobody listened and hand it to Handle.
// Handing in a message already recorded is harmless: Handle drops it.
// Adapters whose platform redelivers what was not acknowledged (Telegram
// offsets, Slack envelopes) do not need it.
type HistoryInbox interface {
	// Marks returns the newest message received and recorded at each place
	// of platform (customer places and desk threads alike) among the places
	// where something was recorded at or after since, the most recently
	// active place first, then the desk threads of conversations active
	// since then where nothing was received yet (ID empty). Safe for
	// concurrent use.
	Marks(ctx context.Context, platform PlatformName, since time.Time) ([]Mark, error)
}
