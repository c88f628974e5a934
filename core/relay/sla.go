package relay

import "time"

// SLA is a desk's response-time targets, counted in business hours. A
// zero target is none.
type SLA struct {
	// FirstResponse is the target for a conversation's first staff reply;
	// NextResponse for the reply to a customer message after a staff reply.
	FirstResponse, NextResponse time.Duration
	// WarnAt is the share of a target at which the thread is warned
	// (0 = 0.8).
	WarnAt float64
	// OnDuty is who a warning mentions when nobody is assigned: a platform
	// user group or role id (Slack S…, Discord role id) or a Telegram user.
	OnDuty string
	// ByPriority overrides targets per conversation priority; a zero
	// field keeps the desk's.
	ByPriority map[int]Target
}

// Target is one priority's first- and next-response targets.
type Target struct{ FirstResponse, NextResponse time.Duration }
