package core

import (
	"fmt"
	"strings"
)

// PlatformName names a chat platform cornershop speaks to.
type PlatformName string

// The platforms cornershop has adapters for.
const (
	Telegram PlatformName = "telegram"
	Slack    PlatformName = "slack"
	Discord  PlatformName = "discord"
)

// Valid reports whether p is a known platform.
func (p PlatformName) Valid() bool {
	switch p {
	case Telegram, Slack, Discord:
		return true
	}
	return false
}

// String returns the platform's lower-case name.
func (p PlatformName) String() string { return string(p) }

// Place is where a message lives on a platform: a chat or channel, and
// optionally a thread or topic inside it. Each adapter owns the meaning of
// Chat and Thread for its platform (a Slack channel id and root ts, a Discord
// channel id and thread id, a Telegram chat id and message_thread_id).
type Place struct {
	Platform PlatformName
	Chat     string
	Thread   string
}

// IsZero reports whether p names no place.
func (p Place) IsZero() bool { return p == Place{} }

// Channel returns p without its thread.
func (p Place) Channel() Place { return Place{Platform: p.Platform, Chat: p.Chat} }

// String renders p for logs, e.g. "slack:C123/1700000000.000100".
func (p Place) String() string {
	var b strings.Builder
	b.WriteString(string(p.Platform))
	b.WriteByte(':')
	b.WriteString(p.Chat)
	if p.Thread != "" {
		b.WriteByte('/')
		b.WriteString(p.Thread)
	}
	return b.String()
}

// ContactID identifies a contact; unique in one database.
type ContactID int64

// ConversationID identifies a conversation; unique in one database.
type ConversationID int64

// MessageID identifies a recorded message; unique in one database.
type MessageID int64

// DeliveryID identifies an outbox row; unique in one database.
type DeliveryID int64

// IdeaID identifies an idea; unique in one database.
type IdeaID int64

// StaffID is the id a staff member has in the staff directory (config).
type StaffID string

// String implements fmt.Stringer.
func (id ContactID) String() string { return fmt.Sprintf("contact#%d", int64(id)) }

// String implements fmt.Stringer.
func (id ConversationID) String() string { return fmt.Sprintf("conversation#%d", int64(id)) }
