package core

import "fmt"

// Status is the state of a conversation.
type Status string

// Conversation states: open (the team owes an answer), waiting (the team
// answered and waits for the customer) and closed.
const (
	StatusOpen    Status = "open"
	StatusWaiting Status = "waiting"
	StatusClosed  Status = "closed"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusOpen || s == StatusWaiting || s == StatusClosed }

// String implements fmt.Stringer.
func (s Status) String() string { return string(s) }

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return marshalEnum(s) }

// Direction says which way a message went and who may see it.
type Direction string

// Message directions.
const (
	Inbound  Direction = "inbound" // from a customer
	Reply    Direction = "reply"   // from staff to the customer
	Note     Direction = "note"    // internal, never delivered to the customer
	System   Direction = "system"  // written by cornershop itself
	Rejected Direction = "rejected"
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool {
	switch d {
	case Inbound, Reply, Note, System, Rejected:
		return true
	}
	return false
}

// String implements fmt.Stringer.
func (d Direction) String() string { return string(d) }

// MarshalText implements encoding.TextMarshaler.
func (d Direction) MarshalText() ([]byte, error) { return marshalEnum(d) }

// Role is a staff permission level.
type Role string

// Staff roles. Admin implies moderator implies agent.
const (
	RoleAgent     Role = "agent"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAgent || r == RoleModerator || r == RoleAdmin }

// String implements fmt.Stringer.
func (r Role) String() string { return string(r) }

// MarshalText implements encoding.TextMarshaler.
func (r Role) MarshalText() ([]byte, error) { return marshalEnum(r) }

// Side says which side of a conversation a platform message is on.
type Side string

// The two sides: where the customer is, and the staff desk.
const (
	CustomerSide Side = "customer"
	DeskSide     Side = "desk"
)

// Valid reports whether s is a known side.
func (s Side) Valid() bool { return s == CustomerSide || s == DeskSide }

// String implements fmt.Stringer.
func (s Side) String() string { return string(s) }

// MarshalText implements encoding.TextMarshaler.
func (s Side) MarshalText() ([]byte, error) { return marshalEnum(s) }

// Op is the operation an outbox delivery asks a platform to perform.
type Op string

// Delivery operations.
const (
	OpSend       Op = "send"        // post a message
	OpEdit       Op = "edit"        // change a message we posted
	OpDelete     Op = "delete"      // remove a message we posted
	OpOpenThread Op = "open_thread" // open a desk thread with a contact card
	OpUpdateCard Op = "update_card" // refresh the contact card / thread status
	OpReact      Op = "react"       // add a reaction
	OpWake       Op = "wake"        // a snoozed conversation's time is up (no platform call)
	OpIdeaCard   Op = "idea_card"   // post or refresh an idea's card
	OpNotify     Op = "notify"      // tell an idea's follower what moved (a Notice batch)
	OpWebhook    Op = "webhook"     // post a webhook event to an endpoint
	OpSLAWarn    Op = "sla_warn"    // an SLA clock reached its warning share (no platform call)
	OpSLABreach  Op = "sla_breach"  // an SLA clock reached its target (no platform call)
	OpScrub      Op = "scrub"       // after an erase: make what it removed gone from disk (no platform call)
	OpRetention  Op = "retention"   // erase the conversations past the retention period (no platform call)
	OpSignalCard Op = "signal_card" // post or refresh a listening signal's card in its desk
	OpBroadcast  Op = "broadcast"   // post or refresh an incident's public status post
)

// Valid reports whether o is a known operation.
func (o Op) Valid() bool {
	switch o {
	case OpSend, OpEdit, OpDelete, OpOpenThread, OpUpdateCard, OpReact, OpWake, OpIdeaCard, OpNotify, OpWebhook, OpSLAWarn, OpSLABreach, OpScrub, OpRetention, OpSignalCard, OpBroadcast:
		return true
	}
	return false
}

// String implements fmt.Stringer.
func (o Op) String() string { return string(o) }

// MarshalText implements encoding.TextMarshaler.
func (o Op) MarshalText() ([]byte, error) { return marshalEnum(o) }

// DeliveryState is where an outbox row is in its life.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDone      DeliveryState = "done"
	DeliveryFailed    DeliveryState = "failed"
	DeliveryCancelled DeliveryState = "cancelled"
)

// Valid reports whether s is a known state.
func (s DeliveryState) Valid() bool {
	switch s {
	case DeliveryPending, DeliveryDone, DeliveryFailed, DeliveryCancelled:
		return true
	}
	return false
}

// String implements fmt.Stringer.
func (s DeliveryState) String() string { return string(s) }

// MarshalText implements encoding.TextMarshaler.
func (s DeliveryState) MarshalText() ([]byte, error) { return marshalEnum(s) }

type validator interface {
	Valid() bool
	~string
}

func marshalEnum[T validator](v T) ([]byte, error) {
	if !v.Valid() {
		return nil, fmt.Errorf("invalid value %q", string(v))
	}
	return []byte(v), nil
}
