package relay

import (
	"fmt"
	"math"
	"time"

	"cornershop/core"
	"cornershop/core/hours"
)

// ackWindow is how far back the acknowledgement's median first response
// looks, and ackMinimum how many answered conversations it needs before
// it states one (fewer, and the estimate is left out rather than made up).
const (
	ackWindow  = 7 * 24 * time.Hour
	ackMinimum = 5
)

// welcome answers a new conversation's first message in the team's voice:
// outside the desk's hours with the away message (once per conversation:
// only a new conversation gets one), inside them with the acknowledgement
// when the desk asks for it.
func (s *Service) welcome(tx core.Tx, desk Desk, conv core.Conversation) error {
	now := s.now()
	if !desk.Hours.Open(now) {
		back := desk.Hours.NextOpen(now)
		text := fmt.Sprintf("Thanks for your message! Our team is away right now and back %s; we'll answer then.", desk.Hours.When(now, back))
		if back.IsZero() {
			text = "Thanks for your message! Our team is away right now; we'll answer as soon as we're back."
		}
		if err := s.customerNote(tx, conv, "away", text); err != nil {
			return err
		}
		return s.systemNote(tx, conv, "🌙 Outside business hours: the customer got the away message.")
	}
	if !desk.Acknowledge {
		return nil
	}
	text := "Got it — someone from the team will answer here."
	typical, n, err := medianFirstResponse(tx, desk, now)
	if err != nil {
		return err
	}
	if n >= ackMinimum {
		text = fmt.Sprintf("Got it — someone from the team will answer here; usually within %s.", aboutDuration(typical))
	}
	return s.customerNote(tx, conv, "ack", text)
}

// customerNote records a message by cornershop to the customer and queues
// it for the customer's side, where it shows in the team's voice (see
// outgoing). kind keys it so it is queued once per conversation.
func (s *Service) customerNote(tx core.Tx, conv core.Conversation, kind, text string) error {
	m := core.Message{ConversationID: conv.ID, Direction: core.System, Author: "system:" + kind, Text: text, CreatedAt: s.now()}
	if err := tx.CreateMessage(&m); err != nil {
		return fmt.Errorf("record %s message: %w", kind, err)
	}
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("%s:%d", kind, conv.ID), ConversationID: conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.CustomerSide, Platform: conv.Customer.Platform,
	})
}

// medianFirstResponse is the desk's median first response, in business
// time, over the conversations answered among those started in the last
// ackWindow, and how many there were.
func medianFirstResponse(tx core.Tx, desk Desk, now time.Time) (time.Duration, int, error) {
	facts, err := tx.DeskFacts(desk.Place, now.Add(-ackWindow))
	if err != nil {
		return 0, 0, fmt.Errorf("desk facts: %w", err)
	}
	var ds []time.Duration
	for _, f := range facts {
		if !f.FirstReplyAt.IsZero() {
			ds = append(ds, businessTime(desk.Hours, f.CreatedAt, f.FirstReplyAt))
		}
	}
	return median(ds), len(ds), nil
}

// businessTime is the business time between from and to.
func businessTime(h hours.Schedule, from, to time.Time) time.Duration { return h.Elapsed(from, to) }

// aboutDuration rounds for a customer: "5 minutes", "2 hours".
func aboutDuration(d time.Duration) string {
	mins := int(math.Round(d.Minutes()))
	switch {
	case mins <= 1:
		return "a minute"
	case mins < 120:
		return fmt.Sprintf("%d minutes", mins)
	}
	return fmt.Sprintf("%d hours", int(math.Round(d.Hours())))
}
