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
