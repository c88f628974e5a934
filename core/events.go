package core

import "time"

// Event is something that happened on a platform, handed to the Inbox by an
// adapter. The concrete types are MessageEvent, EditEvent, DeleteEvent,
// ReactionEvent and ActionEvent.
type Event interface {
	// Where returns the place the event happened.
	Where() Place
}

// Sender is who wrote or did something on a platform.
type Sender struct {
	UserID    string
	Handle    string
	Name      string
	AvatarURL string
	// Bot is set for bots and webhooks other than our own.
	Bot bool
}

// MessageEvent is a new message at a customer place or in a desk.
type MessageEvent struct {
	Place Place
	// ID is the platform's message id, unique within Place.Chat. The same
	// (Platform, Chat, ID) handed in twice is recorded once.
	ID          string
	Sender      Sender
	Text        string // neutral text: platform markup already removed
	Attachments []Attachment
	At          time.Time
	// Direct marks a one-to-one chat with the bot (DM / private chat).
	Direct bool
	// Subject is the title of the thread this message starts, when it
	// starts one (a Discord forum post's name).
	Subject string
	// ReplyTo is the platform id of the message this one answers, when the
	// platform says (a Telegram reply).
	ReplyTo string
}

// Where implements Event.
func (e MessageEvent) Where() Place { return e.Place }

// EditEvent is a change to a message already handed in.
type EditEvent struct {
	Place  Place
	ID     string
	Sender Sender
	Text   string
	At     time.Time
}

// Where implements Event.
func (e EditEvent) Where() Place { return e.Place }

// DeleteEvent is the removal of a message already handed in.
type DeleteEvent struct {
	Place Place
	ID    string
	At    time.Time
}

// Where implements Event.
func (e DeleteEvent) Where() Place { return e.Place }

// ReactionEvent is a reaction added to or removed from a message.
type ReactionEvent struct {
	Place   Place
	ID      string // the message reacted to
	Sender  Sender
	Emoji   string
	Removed bool
	At      time.Time
}

// Where implements Event.
func (e ReactionEvent) Where() Place { return e.Place }

// ActionEvent is a native command or a button: a slash command, a message
// shortcut, an inline keyboard button. Name is the action ("close",
// "vote"); Args its arguments; Ref the message it was invoked on, if any
// (a button's message; a command that is itself a message, as on Telegram).
type ActionEvent struct {
	Place  Place
	Sender Sender
	Name   string
	Args   []string
	Ref    string
	At     time.Time
	// ID is the platform's id of the invocation, unique within Place.Chat
	// (a Discord interaction id, a Slack trigger_id, a Telegram callback
	// query id or command message id), or "" when it has none. The same
	// (Platform, Chat, ID) acted on again within a day does nothing (see
	// ActionResult.Repeat), on any replica.
	ID string
}

// Where implements Event.
func (e ActionEvent) Where() Place { return e.Place }

// ActionResult is what the Inbox answers to an ActionEvent: a short text the
// adapter shows to whoever invoked it (ephemeral where the platform can).
type ActionResult struct {
	Text string
	// Buttons are native controls to show with Text (see Button).
	Buttons []Button
	// Message says Text is content to show in the chat (an answer's body),
	// not a short acknowledgement: an adapter whose button answers are
	// brief notices (Telegram's callback answer) posts it as a message.
	Message bool
	// Repeat says the invocation (the same Place.Chat and ID) was acted on
	// before: a replayed or redelivered request. Nothing was done, Text is
	// empty, and the adapter answers the platform without acting again —
	// no second reply, no second answer to a callback already answered.
	Repeat bool
}
