package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cornershop/core"
)

// Observer hears of the desk's response figures as they happen, so a
// caller can count them (cmd/cornershop makes Prometheus counters and
// histograms of them) without reading the database. Each figure is
// reported once, after the transaction that recorded it committed, by the
// process that recorded it: a transaction rolled back or run again
// reports nothing twice. desk is the configured desk's name ("" when the
// conversation's desk is no longer configured). Methods must not block.
type Observer interface {
	// FirstResponse: a conversation got its first staff reply, took
	// after it started (wall time, as in !stats).
	FirstResponse(desk string, took time.Duration)
	// Resolved: a conversation was closed, took after it started.
	Resolved(desk string, took time.Duration)
	// Reopened: a conversation was reopened, by the customer writing
	// again after a close or by !reopen (the reopens !stats counts).
	Reopened(desk string)
	// SLAVerdict: an SLA clock of kind at priority (PriorityName) was met
	// (stopped by a reply in time) or missed (ran past its target).
	SLAVerdict(desk, priority string, kind core.SLAKind, met bool)
	// Rated: a customer rated a conversation (1-5).
	Rated(desk string, rating int)
	// Suggested: a conversation was offered self-help answers.
	Suggested()
	// Decided: the customer chose o (solved or person) on a suggestion.
	Decided(o core.SuggestionOutcome)
	// Missed: a self-help search found no answer.
	Missed()
	// IncidentOpened: an incident was opened.
	IncidentOpened()
	// IncidentLinked: a conversation was linked to an incident (a
	// customer affected).
	IncidentLinked()
	// IncidentFirstUpdate: an incident's first update was written, took
	// after the first message of its linked conversations.
	IncidentFirstUpdate(took time.Duration)
}

// observedStore is the store as the relay sees it when an Observer is
// configured: each transaction notes the figures its changes make
// (observedTx) and hands them to the Observer once it has committed.
type observedStore struct {
	core.Store
	obs  Observer
	desk func(core.Place) string
}

// InTx implements core.Store.
func (s observedStore) InTx(ctx context.Context, fn func(tx core.Tx) error) error {
	var seen []func()
	err := s.Store.InTx(ctx, func(tx core.Tx) error {
		seen = seen[:0] // the store may run fn again: only the last run counts
		return fn(&observedTx{Tx: tx, s: s, seen: &seen})
	})
	if err != nil {
		return err
	}
	for _, f := range seen {
		f()
	}
	return nil
}

// observedTx notes figures beside the changes that make them. It reads
// only what a figure needs: the conversation on a first reply, a close or
// a reopen; clocks and surveys come from the reads the relay made just
// before (RunningClock, ConversationSurvey, LatestSurvey).
type observedTx struct {
	core.Tx
	s       observedStore
	seen    *[]func()
	clocks  map[core.SLAClockID]core.SLAClock
	surveys map[core.SurveyID]core.Survey
}

func (t *observedTx) note(f func()) { *t.seen = append(*t.seen, f) }

func (t *observedTx) wrapped() core.Tx { return t.Tx }

// conversation loads the conversation a figure is about.
func (t *observedTx) conversation(id core.ConversationID) (core.Conversation, error) {
	c, err := t.Tx.Conversation(id)
	if err != nil {
		return c, fmt.Errorf("observe: load conversation: %w", err)
	}
	return c, nil
}

// CreateMessage notes a conversation's first reply.
func (t *observedTx) CreateMessage(m *core.Message) error {
	if m.Direction != core.Reply || m.CreatedAt.IsZero() {
		return t.Tx.CreateMessage(m)
	}
	answered, err := t.Tx.Answered(m.ConversationID)
	if err != nil {
		return fmt.Errorf("observe: answered: %w", err)
	}
	if err := t.Tx.CreateMessage(m); err != nil || answered {
		return err
	}
	c, err := t.conversation(m.ConversationID)
	if err != nil {
		return err
	}
	desk, took := t.s.desk(c.Desk), m.CreatedAt.Sub(c.CreatedAt)
	t.note(func() { t.s.obs.FirstResponse(desk, took) })
	return nil
}

// deskNamer names the desk of a desk channel among desks ("" for none).
func deskNamer(desks []Desk) func(core.Place) string {
	return func(p core.Place) string {
		for _, d := range desks {
			if d.Place.Platform == p.Platform && d.Place.Chat == p.Chat {
				return d.Name
			}
		}
		return ""
	}
}

// UpdateConversation notes a close.
func (t *observedTx) UpdateConversation(id core.ConversationID, p core.ConversationPatch, now time.Time) error {
	if p.Status == nil || *p.Status != core.StatusClosed {
		return t.Tx.UpdateConversation(id, p, now)
	}
	c, err := t.conversation(id)
	if err != nil {
		return err
	}
	if err := t.Tx.UpdateConversation(id, p, now); err != nil || c.Status == core.StatusClosed {
		return err
	}
	at := now
	if p.ClosedAt != nil {
		at = *p.ClosedAt
	}
	desk, took := t.s.desk(c.Desk), at.Sub(c.CreatedAt)
	t.note(func() { t.s.obs.Resolved(desk, took) })
	return nil
}

// Audit notes a reopen: every reopen, by staff or by the customer writing
// again, is audited as one (the same record !stats counts).
func (t *observedTx) Audit(e core.AuditEntry) error {
	if err := t.Tx.Audit(e); err != nil || e.Action != "reopen" {
		return err
	}
	var id int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(e.Object, "conversation#"), "%d", &id); err != nil {
		return nil // not a conversation's: nothing to count
	}
	c, err := t.conversation(core.ConversationID(id))
	if err != nil {
		return err
	}
	desk := t.s.desk(c.Desk)
	t.note(func() { t.s.obs.Reopened(desk) })
	return nil
}

// RunningClock remembers the clock for StopClock and MarkClock.
func (t *observedTx) RunningClock(conv core.ConversationID) (core.SLAClock, error) {
	c, err := t.Tx.RunningClock(conv)
	if err == nil {
		if t.clocks == nil {
			t.clocks = map[core.SLAClockID]core.SLAClock{}
		}
		t.clocks[c.ID] = c
	}
	return c, err
}

// StopClock notes a clock met, or missed when the reply came after its
// target before the breach was marked.
func (t *observedTx) StopClock(id core.SLAClockID, at time.Time, reason string) error {
	if err := t.Tx.StopClock(id, at, reason); err != nil {
		return err
	}
	c, ok := t.clocks[id]
	if !ok || c.Breached || reason != "reply" {
		return nil // a breach was counted when marked; a close or snooze has no verdict
	}
	t.verdict(c, !at.After(c.DueAt))
	return nil
}

// MarkClock notes a breach, once per clock.
func (t *observedTx) MarkClock(id core.SLAClockID, breached bool) (bool, error) {
	first, err := t.Tx.MarkClock(id, breached)
	if c, ok := t.clocks[id]; err == nil && first && breached && ok {
		t.verdict(c, false)
	}
	return first, err
}

func (t *observedTx) verdict(c core.SLAClock, met bool) {
	desk, prio := t.s.desk(c.Desk), PriorityName(c.Priority)
	t.note(func() { t.s.obs.SLAVerdict(desk, prio, c.Kind, met) })
}

// ConversationSurvey remembers the survey for RateSurvey.
func (t *observedTx) ConversationSurvey(conv core.ConversationID) (core.Survey, error) {
	return t.survey(t.Tx.ConversationSurvey(conv))
}

// LatestSurvey remembers the survey for RateSurvey.
func (t *observedTx) LatestSurvey(contact core.ContactID) (core.Survey, error) {
	return t.survey(t.Tx.LatestSurvey(contact))
}

func (t *observedTx) survey(sv core.Survey, err error) (core.Survey, error) {
	if err == nil {
		if t.surveys == nil {
			t.surveys = map[core.SurveyID]core.Survey{}
		}
		t.surveys[sv.ID] = sv
	}
	return sv, err
}

// RateSurvey notes a rating, the first one only.
func (t *observedTx) RateSurvey(id core.SurveyID, rating int, at time.Time) (bool, error) {
	first, err := t.Tx.RateSurvey(id, rating, at)
	if sv, ok := t.surveys[id]; err == nil && first && ok {
		desk := t.s.desk(sv.Desk)
		t.note(func() { t.s.obs.Rated(desk, rating) })
	}
	return first, err
}

// CreateSuggestion notes an offer of answers.
func (t *observedTx) CreateSuggestion(sg *core.Suggestion) error {
	err := t.Tx.CreateSuggestion(sg)
	if err == nil {
		t.note(t.s.obs.Suggested)
	}
	return err
}

// DecideSuggestion notes the customer's choice, the first one only.
func (t *observedTx) DecideSuggestion(id int64, o core.SuggestionOutcome, at time.Time) (bool, error) {
	first, err := t.Tx.DecideSuggestion(id, o, at)
	if err == nil && first {
		t.note(func() { t.s.obs.Decided(o) })
	}
	return first, err
}

// RecordMiss notes a search that found nothing.
func (t *observedTx) RecordMiss(query string, at time.Time) error {
	err := t.Tx.RecordMiss(query, at)
	if err == nil {
		t.note(t.s.obs.Missed)
	}
	return err
}

// CreateIncident notes an incident opened.
func (t *observedTx) CreateIncident(i *core.Incident) error {
	if err := t.Tx.CreateIncident(i); err != nil {
		return err
	}
	t.note(t.s.obs.IncidentOpened)
	return nil
}

// LinkIncident notes a customer affected.
func (t *observedTx) LinkIncident(l core.IncidentLink) error {
	if err := t.Tx.LinkIncident(l); err != nil {
		return err
	}
	t.note(t.s.obs.IncidentLinked)
	return nil
}

// CreateIncidentUpdate notes the time to an incident's first update.
func (t *observedTx) CreateIncidentUpdate(u *core.IncidentUpdate) error {
	_, before := t.Tx.LatestIncidentUpdate(u.Incident)
	if err := t.Tx.CreateIncidentUpdate(u); err != nil {
		return err
	}
	if !errors.Is(before, core.ErrNotFound) {
		return nil // not the first (or unknown: nothing to count)
	}
	first, err := t.Tx.FirstLinkedMessageAt(u.Incident)
	if errors.Is(err, core.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	took := max(0, u.CreatedAt.Sub(first))
	t.note(func() { t.s.obs.IncidentFirstUpdate(took) })
	return nil
}
