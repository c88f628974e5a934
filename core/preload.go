package core

// InboundKey names what recording one customer message reads before it
// writes: whether its platform id at Place is recorded already, the
// contact behind Place.Platform's UserID, that contact's latest
// conversation at Place, and the contact's latest survey. A transaction
// that records many messages (group commit) can read these for all of them
// at once (see the store's Preload).
type InboundKey struct {
	Place  Place
	ID     string // the message's platform id
	UserID string // the sender's user id on Place.Platform
}

// LoadKey names what loading a delivery for its attempt reads: its
// conversation, the conversation's contact, its message (0: none) and the
// message's refs on Side. The outbox's loads share transactions (group
// commit) and can be read for all of them at once (the store's Preload).
type LoadKey struct {
	Conversation ConversationID
	Message      MessageID
	Side         Side
}
