package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"cornershop/core"
)

// WebhookEndpoint is one receiver of webhook events.
type WebhookEndpoint struct {
	// Name identifies the endpoint in deliveries, logs and metrics.
	Name string
	// Events are the event types it receives, exact or glob ("idea.*");
	// empty means all.
	Events []string
	// IncludeNotes sends internal notes as message.created too.
	IncludeNotes bool
	// MaxAttempts, MinBackoff and MaxBackoff are its retry schedule:
	// attempts before giving up, the first retry delay, doubled up to
	// the cap. Zero takes 12, 1m and 6h (about 20 hours in all).
	MaxAttempts int
	MinBackoff  time.Duration
	MaxBackoff  time.Duration
}

func (e WebhookEndpoint) withDefaults() WebhookEndpoint {
	if e.MaxAttempts <= 0 {
		e.MaxAttempts = 12
	}
	if e.MinBackoff <= 0 {
		e.MinBackoff = time.Minute
	}
	if e.MaxBackoff <= 0 {
		e.MaxBackoff = 6 * time.Hour
	}
	return e
}

// wants reports whether the endpoint receives ev.
func (e WebhookEndpoint) wants(t core.EventType, note bool) bool {
	if note && !e.IncludeNotes {
		return false
	}
	if len(e.Events) == 0 {
		return true
	}
	for _, p := range e.Events {
		if t.Matches(p) {
			return true
		}
	}
	return false
}

// Webhooks configures outbound webhook events.
type Webhooks struct {
	Endpoints []WebhookEndpoint
	// Sender posts the events (the webhooks adapter); required when
	// Endpoints is not empty.
	Sender core.WebhookSender
}

// eventStore is the store as the relay sees it when webhooks are on: every
// transaction's changes record their webhook events in it (eventTx).
type eventStore struct {
	core.Store
	rec *recorder
}

// InTx implements core.Store.
func (s eventStore) InTx(ctx context.Context, fn func(tx core.Tx) error) error {
	return s.Store.InTx(ctx, func(tx core.Tx) error { return fn(eventTx{Tx: tx, rec: s.rec}) })
}

// recorder records webhook events and queues one delivery per endpoint
// that wants each.
type recorder struct {
	endpoints []WebhookEndpoint
	now       func() time.Time
}

// record inserts an event about subject and queues its deliveries, in tx.
func (r *recorder) record(tx core.Tx, t core.EventType, subject string, contact core.ContactID, note bool, data any) error {
	var targets []WebhookEndpoint
	for _, e := range r.endpoints {
		if e.wants(t, note) {
			targets = append(targets, e)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", t, err)
	}
	ev := core.WebhookEvent{Type: t, Subject: subject, Contact: contact, Data: raw, CreatedAt: r.now().UTC()}
	if err := tx.RecordWebhookEvent(&ev); err != nil {
		return fmt.Errorf("record %s event: %w", t, err)
	}
	for _, e := range targets {
		d := core.Delivery{
			Key: fmt.Sprintf("webhook:%s:%d", e.Name, ev.ID), Op: core.OpWebhook, Event: ev.ID, Endpoint: e.Name,
			// Its own lane per endpoint and subject: ordered per
			// conversation (idea, contact), never behind a reply to a
			// customer nor holding one up.
			Lane:  "wh:" + e.Name + ":" + subject,
			State: core.DeliveryPending, CreatedAt: ev.CreatedAt, NextAttemptAt: ev.CreatedAt,
		}
		if err := tx.Enqueue(&d); err != nil {
			return fmt.Errorf("queue %s event for %s: %w", t, e.Name, err)
		}
	}
	return nil
}

// eventTx is a transaction that records, beside each change webhooks
// report, the event describing it: same transaction, so an event exists
// exactly when its change does.
type eventTx struct {
	core.Tx
	rec *recorder
}

func (t eventTx) wrapped() core.Tx { return t.Tx }

func contactSubject(id core.ContactID) string { return fmt.Sprintf("contact:%d", int64(id)) }
func conversationSubject(id core.ConversationID) string {
	return fmt.Sprintf("conversation:%d", int64(id))
}
func ideaSubject(id core.IdeaID) string { return fmt.Sprintf("idea:%d", int64(id)) }
func answerSubject(id core.AnswerID) string {
	return fmt.Sprintf("answer:%d", int64(id))
}

func contactData(c core.Contact) core.ContactData {
	d := core.ContactData{ContactID: int64(c.ID), Name: c.Name}
	for _, id := range c.Identities {
		d.Identities = append(d.Identities, core.IdentityData{Platform: id.Platform, UserID: id.UserID, Handle: id.Handle, Name: id.Name})
	}
	return d
}

func conversationData(c core.Conversation) core.ConversationData {
	return core.ConversationData{ConversationID: int64(c.ID), ContactID: int64(c.ContactID), Platform: c.Customer.Platform,
		Chat: c.Customer.Chat, Thread: c.Customer.Thread, Status: c.Status, Assignee: string(c.Assignee)}
}

func ideaData(i core.Idea) core.IdeaData {
	return core.IdeaData{IdeaID: int64(i.ID), Title: i.Title, Body: i.Body, Status: i.Status, AuthorID: int64(i.Author),
		Platform: i.Origin.Platform, Votes: i.Votes}
}

// CreateContact records contact.created.
func (t eventTx) CreateContact(c *core.Contact) error {
	if err := t.Tx.CreateContact(c); err != nil {
		return err
	}
	return t.rec.record(t.Tx, core.EventContactCreated, contactSubject(c.ID), c.ID, false, contactData(*c))
}

// MergeContacts records contact.merged, about the contact that remains.
func (t eventTx) MergeContacts(from, into core.ContactID, actor string, at time.Time) error {
	if err := t.Tx.MergeContacts(from, into, actor, at); err != nil {
		return err
	}
	c, err := t.Tx.Contact(into)
	if err != nil {
		return fmt.Errorf("load merged contact: %w", err)
	}
	d := contactData(c)
	d.MergedFrom, d.Actor = int64(from), actor
	return t.rec.record(t.Tx, core.EventContactMerged, contactSubject(into), into, false, d)
}

// CreateConversation records conversation.opened.
func (t eventTx) CreateConversation(c *core.Conversation) error {
	if err := t.Tx.CreateConversation(c); err != nil {
		return err
	}
	return t.rec.record(t.Tx, core.EventConversationOpened, conversationSubject(c.ID), c.ContactID, false, conversationData(*c))
}

// UpdateConversation records conversation.assigned, .closed and .reopened
// when the patch makes those changes.
func (t eventTx) UpdateConversation(id core.ConversationID, p core.ConversationPatch, now time.Time) error {
	if p.Status == nil && p.Assignee == nil {
		return t.Tx.UpdateConversation(id, p, now)
	}
	before, err := t.Tx.Conversation(id)
	if err != nil {
		return err
	}
	if err := t.Tx.UpdateConversation(id, p, now); err != nil {
		return err
	}
	after, err := t.Tx.Conversation(id)
	if err != nil {
		return fmt.Errorf("load updated conversation: %w", err)
	}
	subject := conversationSubject(id)
	if after.Assignee != before.Assignee {
		d := conversationData(after)
		d.PreviousAssignee = string(before.Assignee)
		if err := t.rec.record(t.Tx, core.EventConversationAssigned, subject, after.ContactID, false, d); err != nil {
			return err
		}
	}
	var change core.EventType
	switch {
	case before.Status != core.StatusClosed && after.Status == core.StatusClosed:
		change = core.EventConversationClosed
	case before.Status == core.StatusClosed && after.Status != core.StatusClosed:
		change = core.EventConversationReopened
	default:
		return nil
	}
	d := conversationData(after)
	d.PreviousStatus = before.Status
	return t.rec.record(t.Tx, change, subject, after.ContactID, false, d)
}

// CreateMessage records message.created for customer messages, replies
// and (for endpoints that ask) internal notes.
func (t eventTx) CreateMessage(m *core.Message) error {
	if err := t.Tx.CreateMessage(m); err != nil {
		return err
	}
	if m.Direction != core.Inbound && m.Direction != core.Reply && m.Direction != core.Note {
		return nil
	}
	conv, err := t.Tx.Conversation(m.ConversationID)
	if err != nil {
		return fmt.Errorf("load message conversation: %w", err)
	}
	d := core.MessageData{
		MessageID: int64(m.ID), ConversationID: int64(m.ConversationID), ContactID: int64(conv.ContactID),
		Platform: conv.Customer.Platform, Direction: m.Direction, Author: m.Author, AuthorName: m.AuthorName,
		AsTeam: m.AsTeam, Text: m.Text, CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339Nano),
	}
	if id, ok := strings.CutPrefix(m.Author, "staff:"); ok {
		d.Staff = id
	}
	for _, a := range m.Attachments {
		d.Attachments = append(d.Attachments, core.AttachmentData{Kind: a.Kind, Name: a.Name, ContentType: a.ContentType, Size: a.Size})
	}
	return t.rec.record(t.Tx, core.EventMessageCreated, conversationSubject(m.ConversationID), conv.ContactID, m.Direction == core.Note, d)
}

// CreateIdea records idea.created.
func (t eventTx) CreateIdea(i *core.Idea) error {
	if err := t.Tx.CreateIdea(i); err != nil {
		return err
	}
	return t.rec.record(t.Tx, core.EventIdeaCreated, ideaSubject(i.ID), i.Author, false, ideaData(*i))
}

// UpdateIdea records idea.status_changed when the status moves.
func (t eventTx) UpdateIdea(id core.IdeaID, p core.IdeaPatch, now time.Time) error {
	if p.Status == nil {
		return t.Tx.UpdateIdea(id, p, now)
	}
	before, err := t.Tx.Idea(id)
	if err != nil {
		return err
	}
	if err := t.Tx.UpdateIdea(id, p, now); err != nil {
		return err
	}
	if before.Status == *p.Status {
		return nil
	}
	after, err := t.Tx.Idea(id)
	if err != nil {
		return fmt.Errorf("load updated idea: %w", err)
	}
	d := ideaData(after)
	d.PreviousStatus = before.Status
	return t.rec.record(t.Tx, core.EventIdeaStatusChanged, ideaSubject(id), after.Author, false, d)
}

// ToggleVote records idea.voted for a vote counted or withdrawn.
func (t eventTx) ToggleVote(idea core.IdeaID, v core.Voter) (core.VoteResult, error) {
	res, err := t.Tx.ToggleVote(idea, v)
	if err != nil || (res != core.Voted && res != core.Unvoted) {
		return res, err
	}
	i, err := t.Tx.Idea(idea)
	if err != nil {
		return res, fmt.Errorf("load voted idea: %w", err)
	}
	d := ideaData(i)
	d.Voter = &core.VoterData{ContactID: int64(v.Contact), Platform: v.Platform, UserID: v.UserID}
	d.Withdrawn = res == core.Unvoted
	return res, t.rec.record(t.Tx, core.EventIdeaVoted, ideaSubject(idea), i.Author, false, d)
}

func answerData(a core.Answer) core.AnswerData {
	return core.AnswerData{AnswerID: int64(a.ID), Slug: a.Slug, Title: a.Title, Body: a.Body, Tags: a.Tags,
		Author: a.Author, AuthorName: a.AuthorName, CreditID: int64(a.Credit), CreditName: a.CreditName,
		Shown: a.Shown, Helped: a.Helped, NotHelped: a.NotHelped}
}

// recordAnswer records t about answer a; the contact it concerns is the
// one credited, when any.
func (t eventTx) recordAnswer(typ core.EventType, a core.Answer, d core.AnswerData) error {
	return t.rec.record(t.Tx, typ, answerSubject(a.ID), a.Credit, false, d)
}

// CreateAnswer records answer.created.
func (t eventTx) CreateAnswer(a *core.Answer) error {
	if err := t.Tx.CreateAnswer(a); err != nil {
		return err
	}
	after, err := t.Tx.Answer(a.ID)
	if err != nil {
		return fmt.Errorf("load created answer: %w", err)
	}
	return t.recordAnswer(core.EventAnswerCreated, after, answerData(after))
}

// UpdateAnswer records answer.updated, naming the fields that changed,
// when any did.
func (t eventTx) UpdateAnswer(id core.AnswerID, p core.AnswerPatch, now time.Time) error {
	before, err := t.Tx.Answer(id)
	if err != nil {
		return err
	}
	if err := t.Tx.UpdateAnswer(id, p, now); err != nil {
		return err
	}
	after, err := t.Tx.Answer(id)
	if err != nil {
		return fmt.Errorf("load updated answer: %w", err)
	}
	d := answerData(after)
	if after.Title != before.Title {
		d.Changed = append(d.Changed, "title")
	}
	if after.Body != before.Body {
		d.Changed = append(d.Changed, "body")
	}
	if !slices.Equal(after.Tags, before.Tags) {
		d.Changed = append(d.Changed, "tags")
	}
	if len(d.Changed) == 0 {
		return nil
	}
	return t.recordAnswer(core.EventAnswerUpdated, after, d)
}

// DeleteAnswer records answer.removed, with the answer as it was.
func (t eventTx) DeleteAnswer(id core.AnswerID) error {
	before, err := t.Tx.Answer(id)
	if err != nil {
		return err
	}
	if err := t.Tx.DeleteAnswer(id); err != nil {
		return err
	}
	return t.recordAnswer(core.EventAnswerRemoved, before, answerData(before))
}

// CountAnswer records answer.helped when a customer says an answer helped
// or did not; being shown is not an event (it happens on every search).
func (t eventTx) CountAnswer(id core.AnswerID, c core.AnswerCounter) error {
	if err := t.Tx.CountAnswer(id, c); err != nil || (c != core.AnswerHelped && c != core.AnswerNotHelped) {
		return err
	}
	after, err := t.Tx.Answer(id)
	if err != nil {
		return fmt.Errorf("load counted answer: %w", err)
	}
	d := answerData(after)
	d.Vote = c
	return t.recordAnswer(core.EventAnswerHelped, after, d)
}
