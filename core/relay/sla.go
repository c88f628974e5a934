package relay

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"cornershop/core"
)

// SLA is a desk's response-time targets, counted in business hours. A
// zero target is none.
type SLA struct {
	// FirstResponse is the target for a conversation's first staff reply;
	// NextResponse for the reply to a customer message after a staff reply.
	FirstResponse, NextResponse time.Duration
	// WarnAt is the share of a target at which the thread is warned
	// (0 = 0.8).
	WarnAt float64
	// OnDuty is who a warning mentions when nobody is assigned: on Slack a
	// user group (S…) or user id, on Discord a role id ("user:ID" for a
	// user), on Telegram a user id or @username.
	OnDuty string
	// ByPriority overrides targets per conversation priority; a zero
	// field keeps the desk's.
	ByPriority map[int]Target
}

// Target is one priority's first- and next-response targets.
type Target struct{ FirstResponse, NextResponse time.Duration }

// target is the clock's target for kind at priority (0: none).
func (s SLA) target(kind core.SLAKind, priority int) time.Duration {
	t := Target{s.FirstResponse, s.NextResponse}
	if o, ok := s.ByPriority[priority]; ok {
		if o.FirstResponse > 0 {
			t.FirstResponse = o.FirstResponse
		}
		if o.NextResponse > 0 {
			t.NextResponse = o.NextResponse
		}
	}
	if kind == core.FirstResponse {
		return t.FirstResponse
	}
	return t.NextResponse
}

func (s SLA) share() float64 {
	if s.WarnAt <= 0 || s.WarnAt >= 1 {
		return 0.8
	}
	return s.WarnAt
}

// slaLane keeps a clock's warning and breach off the conversation's
// lanes, which they must not hold up while they wait to come due.
func slaLane(id core.SLAClockID) string { return fmt.Sprintf("sla%d", int64(id)) }

// startClock starts an SLA clock when a customer message waits for an
// answer and none runs: a first-response clock until the conversation has
// a staff reply, a next-response clock after. Its warning and breach are
// queued as deliveries due then (the outbox is the scheduler); they check
// the clock when they come due (slaCheck).
func (s *Service) startClock(tx core.Tx, conv core.Conversation, isNew bool) error {
	desk, ok := s.deskAt(conv.Desk)
	if !ok || (desk.SLA.FirstResponse == 0 && desk.SLA.NextResponse == 0 && len(desk.SLA.ByPriority) == 0) {
		return nil
	}
	switch _, err := tx.RunningClock(conv.ID); {
	case err == nil:
		return nil // the wait already being timed goes on
	case !errors.Is(err, core.ErrNotFound):
		return fmt.Errorf("running sla clock: %w", err)
	}
	kind := core.FirstResponse
	if !isNew {
		answered, err := tx.Answered(conv.ID)
		if err != nil {
			return fmt.Errorf("answered: %w", err)
		}
		if answered {
			kind = core.NextResponse
		}
	}
	target := desk.SLA.target(kind, conv.Priority)
	if target <= 0 {
		return nil
	}
	now := s.now()
	c := core.SLAClock{Conversation: conv.ID, Desk: desk.Place, Kind: kind, Priority: conv.Priority, StartedAt: now,
		WarnAt: desk.Hours.Add(now, time.Duration(float64(target)*desk.SLA.share())), DueAt: desk.Hours.Add(now, target)}
	if c.DueAt.IsZero() || c.WarnAt.IsZero() {
		return nil // the desk never opens: nothing can be due
	}
	if err := tx.StartClock(&c); err != nil {
		return fmt.Errorf("start sla clock: %w", err)
	}
	for _, d := range []core.Delivery{
		{Key: fmt.Sprintf("sla:warn:%d", c.ID), Op: core.OpSLAWarn, NextAttemptAt: c.WarnAt},
		{Key: fmt.Sprintf("sla:breach:%d", c.ID), Op: core.OpSLABreach, NextAttemptAt: c.DueAt},
	} {
		d.ConversationID, d.Side, d.Platform, d.Lane = conv.ID, core.DeskSide, conv.Desk.Platform, slaLane(c.ID)
		if err := s.enqueueAt(tx, d); err != nil {
			return err
		}
	}
	return s.cardUpdate(tx, conv)
}

// stopClock stops the conversation's running SLA clock, if any, for
// reason: "reply", "close" or "snooze". The caller refreshes the card.
func (s *Service) stopClock(tx core.Tx, conv core.ConversationID, reason string) error {
	c, err := tx.RunningClock(conv)
	switch {
	case errors.Is(err, core.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("running sla clock: %w", err)
	}
	if err := tx.StopClock(c.ID, s.now(), reason); err != nil {
		return fmt.Errorf("stop sla clock: %w", err)
	}
	return nil
}

// slaCheck performs a clock's warning or breach when it comes due: only
// when a clock still runs and is past that point (a reply, close or
// snooze since stopped it: nothing is said), and once per clock.
func (s *Service) slaCheck(d core.Delivery) func(core.Tx) error {
	breach := d.Op == core.OpSLABreach
	return func(tx core.Tx) error {
		c, err := tx.RunningClock(d.ConversationID)
		switch {
		case errors.Is(err, core.ErrNotFound):
			return nil
		case err != nil:
			return fmt.Errorf("running sla clock: %w", err)
		}
		now := s.now()
		if (breach && now.Before(c.DueAt)) || (!breach && now.Before(c.WarnAt)) {
			return nil // an earlier clock's; this one has its own
		}
		if first, err := tx.MarkClock(c.ID, breach); err != nil || !first {
			return err
		}
		conv, err := tx.Conversation(c.Conversation)
		if err != nil {
			return fmt.Errorf("load conversation: %w", err)
		}
		if err := s.slaNote(tx, conv, slaText(c, breach, s.zoneOf(conv))); err != nil {
			return err
		}
		return s.cardUpdate(tx, conv)
	}
}

// slaNote records an SLA note in the desk thread; it is delivered with
// the mention slaMention picks when it leaves.
func (s *Service) slaNote(tx core.Tx, conv core.Conversation, text string) error {
	m := core.Message{ConversationID: conv.ID, Direction: core.System, Author: slaAuthor, Text: text, CreatedAt: s.now()}
	if err := tx.CreateMessage(&m); err != nil {
		return fmt.Errorf("record sla note: %w", err)
	}
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("send:desk:%d", m.ID), ConversationID: conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.DeskSide, Platform: conv.Desk.Platform,
	})
}

// slaAuthor marks the system notes that mention someone.
const slaAuthor = "system:sla"

func (s *Service) zoneOf(conv core.Conversation) *time.Location {
	if desk, ok := s.deskAt(conv.Desk); ok {
		return desk.Hours.Location()
	}
	return time.UTC
}

func kindLabel(k core.SLAKind) string {
	if k == core.FirstResponse {
		return "First response"
	}
	return "Next response"
}

func slaText(c core.SLAClock, breach bool, loc *time.Location) string {
	due := c.DueAt.In(loc).Format("Mon 2 Jan 15:04 MST")
	if breach {
		return fmt.Sprintf("🚨 %s target missed: it was due %s.", kindLabel(c.Kind), due)
	}
	return fmt.Sprintf("⏳ %s due %s: most of the target is used.", kindLabel(c.Kind), due)
}

// dueLine is the card's line for a running clock ("" for none).
func dueLine(c core.SLAClock, loc *time.Location) string {
	due := c.DueAt.In(loc).Format("Mon 2 Jan 15:04 MST")
	if c.Breached {
		return fmt.Sprintf("%s overdue (was due %s)", kindLabel(c.Kind), due)
	}
	return fmt.Sprintf("%s due %s", kindLabel(c.Kind), due)
}

// slaMention is whom an SLA note pings: the assignee's identity on the
// desk's platform, else the desk's on-duty group or user.
func (s *Service) slaMention(conv core.Conversation) core.Mention {
	if st, ok := s.staff.byID[conv.Assignee]; ok && conv.Assignee != "" {
		if id := st.Identities[conv.Desk.Platform]; id != "" {
			return core.Mention{User: id, Name: st.Voice.Name}
		}
	}
	desk, ok := s.deskAt(conv.Desk)
	if !ok || desk.SLA.OnDuty == "" {
		return core.Mention{}
	}
	return onDuty(conv.Desk.Platform, desk.SLA.OnDuty)
}

// onDuty reads a desk's on-duty setting for its platform.
func onDuty(p core.PlatformName, v string) core.Mention {
	switch p {
	case core.Slack:
		if strings.HasPrefix(v, "S") {
			return core.Mention{Group: v}
		}
		return core.Mention{User: v}
	case core.Discord:
		if id, ok := strings.CutPrefix(v, "user:"); ok {
			return core.Mention{User: id}
		}
		return core.Mention{Group: strings.TrimPrefix(v, "role:")}
	}
	return core.Mention{User: v, Name: "on duty"}
}
