package core

import "context"

// ContactPatch changes some of a contact's record; nil means keep.
type ContactPatch struct {
	// Tags replaces the contact's tags.
	Tags *[]string
	// Fields sets profile fields; an empty value removes the field.
	Fields []Field
}

// Operator is what staff do in a desk, for clients outside the chat (the
// API): each method runs the same relay code as the desk command or
// message it stands for, with the same notices, outbox deliveries and
// audit entries. staff is a staff directory id and must be known
// (ErrInvalid otherwise); actor names who asked, for the audit ("api:<token
// name>"). Errors: ErrNotFound for an unknown record, ErrForbidden when
// staff lack the role the desk command needs, ErrInvalid for input that
// can never be accepted, ErrUnsupported when the platform forbids it (the
// error says why). Safe for concurrent use.
type Operator interface {
	// Reply sends text to the conversation's customer as if staff had
	// typed it in its desk thread (in their voice, or the team's when
	// they chose it), shows it in the desk thread and returns the
	// recorded reply.
	Reply(ctx context.Context, conv ConversationID, staff StaffID, actor, text string) (Message, error)
	// Reach writes to a contact first, at the place they last wrote from:
	// in that conversation while it is not closed, else in a new one (with
	// its desk thread). ErrUnsupported where the platform does not let a
	// bot start a chat there.
	Reach(ctx context.Context, contact ContactID, staff StaffID, actor, text string) (Conversation, Message, error)
	// SetIdeaStatus does "!idea <id> status <status> [message]": the idea
	// card, the followers' notices and the audit; staff must be a
	// moderator. It returns what the desk would have been told.
	SetIdeaStatus(ctx context.Context, idea IdeaID, staff StaffID, actor string, to IdeaStatus, message string) (string, error)
	// UpdateContact applies p to a contact and audits it, as "!profile"
	// and tags do.
	UpdateContact(ctx context.Context, contact ContactID, actor string, p ContactPatch) error
}
