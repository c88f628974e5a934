package core

// The "data" objects of webhook events. Field names are part of the public
// contract documented in docs/webhooks.md: add fields, never rename them.

// ContactData is the data of contact.created and contact.merged.
type ContactData struct {
	ContactID  int64          `json:"contact_id"`
	Name       string         `json:"name"`
	Identities []IdentityData `json:"identities,omitempty"`
	MergedFrom int64          `json:"merged_contact_id,omitempty"` // contact.merged: the contact merged into this one
	Actor      string         `json:"actor,omitempty"`             // contact.merged: "staff:<id>" or "contact:<id>"
}

// IdentityData is a contact's account on one platform.
type IdentityData struct {
	Platform PlatformName `json:"platform"`
	UserID   string       `json:"user_id"`
	Handle   string       `json:"handle,omitempty"`
	Name     string       `json:"name,omitempty"`
}

// ConversationData is the data of the conversation.* events.
type ConversationData struct {
	ConversationID   int64        `json:"conversation_id"`
	ContactID        int64        `json:"contact_id"`
	Platform         PlatformName `json:"platform"`
	Chat             string       `json:"chat"`
	Thread           string       `json:"thread,omitempty"`
	Status           Status       `json:"status"`
	PreviousStatus   Status       `json:"previous_status,omitempty"`
	Assignee         string       `json:"assignee,omitempty"`          // staff id
	PreviousAssignee string       `json:"previous_assignee,omitempty"` // staff id
}

// MessageData is the data of message.created.
type MessageData struct {
	MessageID      int64            `json:"message_id"`
	ConversationID int64            `json:"conversation_id"`
	ContactID      int64            `json:"contact_id"`
	Platform       PlatformName     `json:"platform"` // the customer's platform
	Direction      Direction        `json:"direction"`
	Author         string           `json:"author"` // "contact:<id>" or "staff:<id>"
	AuthorName     string           `json:"author_name,omitempty"`
	Staff          string           `json:"staff,omitempty"` // staff id of a reply or note
	AsTeam         bool             `json:"as_team,omitempty"`
	Text           string           `json:"text"`
	Attachments    []AttachmentData `json:"attachments,omitempty"`
	CreatedAt      string           `json:"created_at"`
}

// AttachmentData describes an attachment of a message (not its bytes).
type AttachmentData struct {
	Kind        AttachmentKind `json:"kind"`
	Name        string         `json:"name,omitempty"`
	ContentType string         `json:"content_type,omitempty"`
	Size        int64          `json:"size,omitempty"`
}

// IdeaData is the data of the idea.* events.
type IdeaData struct {
	IdeaID         int64        `json:"idea_id"`
	Title          string       `json:"title"`
	Body           string       `json:"body,omitempty"`
	Status         IdeaStatus   `json:"status"`
	PreviousStatus IdeaStatus   `json:"previous_status,omitempty"`
	AuthorID       int64        `json:"author_contact_id"`
	Platform       PlatformName `json:"platform,omitempty"`
	Votes          int          `json:"votes"`
	// Voter and Withdrawn describe the vote of idea.voted.
	Voter     *VoterData `json:"voter,omitempty"`
	Withdrawn bool       `json:"withdrawn,omitempty"`
}

// VoterData is who voted.
type VoterData struct {
	ContactID int64        `json:"contact_id"`
	Platform  PlatformName `json:"platform"`
	UserID    string       `json:"user_id"`
}
