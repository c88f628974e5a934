package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cornershop/core"
)

// scrubber is the store's ability to make erased data gone from disk
// (store.Store.Scrub); a store without it has nothing more to do.
type scrubber interface {
	Scrub(ctx context.Context) error
}

// eraseKey prefixes the keys of the deliveries an erase queues, so a
// refusal is listed in the desk thread (GiveUp) and an erase asked twice
// queues nothing twice.
const eraseKey = "erase:"

// erase erases contact (only convs of it when convs is not empty) in tx and
// queues, in the same transaction, what it owes the platforms: every desk
// copy deleted (or edited to the tombstone, see eraseByEdit), each conversation's card and the changed
// ideas' cards rendered again, and a scrub of the database after them. It
// is whole or nothing, and what it queued survives a crash.
func (s *Service) erase(tx core.Tx, contact core.ContactID, actor string, now time.Time, convs []core.ConversationID) (core.EraseReport, error) {
	var heard []core.SignalMessage // a whole erase takes what listening kept
	if len(convs) == 0 {
		var err error
		if heard, err = tx.ContactSignalMessages(contact); err != nil {
			return core.EraseReport{}, fmt.Errorf("erase: %w", err)
		}
	}
	rep, err := tx.EraseContact(contact, core.Erasure{Tombstone: core.Tombstone(now), Actor: actor, At: now, Conversations: convs})
	if err != nil {
		return rep, fmt.Errorf("erase: %w", err)
	}
	// Signal cards quoting them are rendered again, without the quote.
	redrawn := map[core.SignalID]bool{}
	for _, m := range heard {
		if !redrawn[m.Signal] {
			redrawn[m.Signal] = true
			if err := s.queueSignalCard(tx, m.Signal, "erase:"+nonce()); err != nil {
				return rep, err
			}
		}
	}
	for _, id := range rep.DeskCopies {
		m, err := tx.Message(id)
		if err != nil {
			return rep, fmt.Errorf("erase: load message: %w", err)
		}
		conv, err := tx.Conversation(m.ConversationID)
		if err != nil {
			return rep, fmt.Errorf("erase: load conversation: %w", err)
		}
		if err := s.enqueue(tx, core.Delivery{Key: fmt.Sprintf("%sdelete:%d", eraseKey, id), ConversationID: conv.ID, MessageID: id,
			Op: core.OpDelete, Side: core.DeskSide, Platform: conv.Desk.Platform}); err != nil {
			return rep, err
		}
	}
	var last core.Conversation
	for _, id := range rep.Conversations {
		conv, err := tx.Conversation(id)
		if err != nil {
			return rep, fmt.Errorf("erase: load conversation: %w", err)
		}
		if conv.Desk.Platform != "" {
			if err := s.enqueue(tx, core.Delivery{Key: fmt.Sprintf("%scard:%d:%s", eraseKey, int64(conv.ID), nonce()), ConversationID: conv.ID,
				Op: core.OpUpdateCard, Side: core.DeskSide, Platform: conv.Desk.Platform}); err != nil {
				return rep, err
			}
			last = conv
		}
	}
	for _, id := range rep.Ideas {
		i, err := tx.Idea(id)
		if err != nil {
			return rep, fmt.Errorf("erase: load idea: %w", err)
		}
		if err := s.refreshIdea(tx, i); err != nil {
			return rep, err
		}
	}
	for _, key := range rep.Files {
		if err := s.enqueue(tx, core.Delivery{Key: eraseFileKey + key, Op: core.OpScrub, Side: core.DeskSide,
			Lane: fmt.Sprintf("erase%d", int64(contact))}); err != nil {
			return rep, err
		}
	}
	// The scrub goes last in a conversation's desk lane, after the edits;
	// with no desk it has a lane of its own.
	d := core.Delivery{Key: fmt.Sprintf("%sscrub:%d:%d", eraseKey, int64(contact), now.UnixNano()), Op: core.OpScrub, Side: core.DeskSide}
	if last.ID != 0 {
		d.ConversationID, d.Platform = last.ID, last.Desk.Platform
	} else {
		d.Lane = fmt.Sprintf("erase%d", int64(contact))
	}
	return rep, s.enqueue(tx, d)
}

// eraseByEdit finishes an erase's delete of a desk copy that failed for
// good (delerr; nil when it worked): a platform that will not delete it
// (Telegram's 48-hour rule, no delete ability) may still let cornershop
// edit it to the tombstone. What neither allows is returned, so GiveUp
// lists it in the thread. A delete is tried first because an edit keeps
// what a platform shows beside the text, such as the name a Slack or
// Discord copy was posted under.
func (s *Service) eraseByEdit(ctx context.Context, plat core.Platform, at core.Place, ids []string, d core.Delivery, p plan, target core.Place, delerr error) error {
	if delerr == nil {
		return nil
	}
	if class, _ := core.Classify(delerr); class != core.ClassPermanent {
		return delerr
	}
	ed, ok := plat.(core.Editor)
	if !ok {
		return delerr
	}
	if err := ed.Edit(ctx, at, ids, s.outgoing(ctx, d, p, target)); err != nil {
		return fmt.Errorf("%w (and an edit failed too: %v)", delerr, err)
	}
	return nil
}

// eraseFileKey prefixes the key of the delivery that deletes one erased
// file from the file store (the rest of the key is the file's).
const eraseFileKey = eraseKey + "file:"

// scrub performs an OpScrub delivery: one file's deletion, or the
// database's scrub.
func (s *Service) scrub(ctx context.Context, d core.Delivery) error {
	if key, ok := strings.CutPrefix(d.Key, eraseFileKey); ok {
		if s.cfg.Files == nil {
			return core.Permanent(errors.New("no file store to delete an erased file from"))
		}
		return s.cfg.Files.Delete(ctx, key)
	}
	if s.scrubber == nil {
		return nil
	}
	return s.scrubber.Scrub(ctx)
}

// isErase reports whether d was queued by an erase.
func isErase(d core.Delivery) bool { return strings.HasPrefix(d.Key, eraseKey) }

// cmdPrivacy is `!privacy erase [contact number]` and `!privacy export`.
// An erase is asked for first without the number, which says what it will
// do; writing the contact's number confirms it.
func cmdPrivacy(c *invocation) (string, error) {
	verb, rest, _ := strings.Cut(strings.TrimSpace(c.args), " ")
	switch strings.ToLower(verb) {
	case "erase":
		return cmdErase(c, strings.TrimSpace(rest))
	case "export":
		return cmdExport(c)
	}
	return "", errUsage
}

func cmdErase(c *invocation, confirm string) (string, error) {
	me := c.conv.ContactID
	if confirm == "" {
		n, err := c.tx.CountConversations(me)
		if err != nil {
			return "", fmt.Errorf("count conversations: %w", err)
		}
		msg := fmt.Sprintf("⚠️ This erases contact %d for good: the text of their %d conversation(s) becomes a tombstone here and in the database, "+
			"their name, accounts, profile, votes and comments go, and the same account writing again starts a new contact. "+
			"To confirm, write %sprivacy erase %d", me, n, c.s.cfg.CommandPrefix, me)
		return msg, c.s.systemNote(c.tx, c.conv, msg)
	}
	other, ok := parseContact(confirm)
	if !ok || other != me {
		msg := fmt.Sprintf("Not erased: to confirm, write %sprivacy erase %d (this thread's contact).", c.s.cfg.CommandPrefix, me)
		return msg, c.s.systemNote(c.tx, c.conv, msg)
	}
	rep, err := c.s.erase(c.tx, me, c.actor(), c.now, nil)
	if err != nil {
		return "", err
	}
	msg := fmt.Sprintf("🧹 %s erased contact %d: %d conversation(s), %d desk cop(ies) being deleted (edited to the tombstone where a platform will not delete them). Anything a platform refuses is listed here.",
		c.staff.Voice.Name, me, len(rep.Conversations), len(rep.DeskCopies))
	return msg, c.s.systemNote(c.tx, c.conv, msg)
}

// EraseContact erases a contact at an API's request (actor names the
// caller): the same erase as the desk command. ErrNotFound for an unknown
// contact.
func (s *Service) EraseContact(ctx context.Context, id core.ContactID, actor string) (core.EraseReport, error) {
	var rep core.EraseReport
	err := s.store.InTx(ctx, func(tx core.Tx) error {
		var err error
		rep, err = s.erase(tx, id, actor, s.now(), nil)
		return err
	})
	if err == nil {
		s.wakeWorker()
	}
	return rep, err
}

// Privacy configures the contact's own /forget and retention.
type Privacy struct {
	// SelfService is what a customer's /forget does: "off" (the
	// default: it tells them to ask the team), "request" (a note asks
	// the desk to erase them) or "erase" (they are erased at once).
	SelfService string
	// Retention erases conversations closed longer than this (0: never),
	// checked every RetentionEvery.
	Retention time.Duration
	// RetentionEvery is how often retention looks [1h].
	RetentionEvery time.Duration
	// ExportLinkTTL is how long a one-time export download link works
	// [1h].
	ExportLinkTTL time.Duration
}

// Self-service modes.
const (
	SelfServiceOff     = "off"
	SelfServiceRequest = "request"
	SelfServiceErase   = "erase"
)

// customerForget answers a customer's /forget as Privacy.SelfService says.
func (s *Service) customerForget(ctx context.Context, a *action) (core.ActionResult, error) {
	mode := s.cfg.Privacy.SelfService
	if mode != SelfServiceRequest && mode != SelfServiceErase {
		return core.ActionResult{Text: "To have everything we hold about you erased, write to us here and ask: a person from our team will do it."}, nil
	}
	var out string
	err := a.do(ctx, func(tx core.Tx) error {
		me, err := tx.ContactByIdentity(a.Place.Platform, a.Sender.UserID)
		if errors.Is(err, core.ErrNotFound) {
			out = "We hold nothing about you."
			return nil
		}
		if err != nil {
			return fmt.Errorf("load contact: %w", err)
		}
		if mode == SelfServiceErase {
			if _, err := s.erase(tx, me.ID, fmt.Sprintf("contact:%d", me.ID), s.now(), nil); err != nil {
				return err
			}
			out = "Done: everything we held about you is erased, here and in our team's desk. If you write again, we start afresh."
			return nil
		}
		convs, err := tx.Conversations(me.ID, 1)
		if err != nil {
			return fmt.Errorf("load conversations: %w", err)
		}
		if len(convs) == 0 || convs[0].Desk.Platform == "" {
			out = "Write to us here and ask: a person from our team will erase what we hold about you."
			return nil
		}
		note := fmt.Sprintf("🧹 The customer asks to be forgotten (/forget). An admin can erase them with %sprivacy erase %d", s.cfg.CommandPrefix, me.ID)
		if err := tx.Audit(core.AuditEntry{At: s.now(), Actor: fmt.Sprintf("contact:%d", me.ID), Action: "privacy.request", Object: me.ID.String()}); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		out = "Thank you: we asked our team to erase everything we hold about you. They will confirm here."
		return s.systemNote(tx, convs[0], note)
	})
	return core.ActionResult{Text: out}, err
}

// retentionLane orders the retention runs.
const retentionLane = "retention"

// StartRetention queues the next retention run when Privacy.Retention is
// set. Each run queues the one after it, so the schedule lives in the
// outbox and survives restarts; a run's key is its time slot, so replicas
// starting together queue it once. Call it once at start.
func (s *Service) StartRetention(ctx context.Context) error {
	if s.cfg.Privacy.Retention <= 0 {
		return nil
	}
	return s.store.InTx(ctx, func(tx core.Tx) error { return s.queueRetention(tx, s.now()) })
}

// wakeWorker tells the outbox worker that deliveries were queued outside the
// group commit (which wakes it itself).
func (s *Service) wakeWorker() {
	if s.cfg.Wake != nil {
		s.cfg.Wake()
	}
}

func (s *Service) queueRetention(tx core.Tx, after time.Time) error {
	every := s.cfg.Privacy.RetentionEvery
	if every <= 0 {
		every = time.Hour
	}
	next := after.Truncate(every).Add(every)
	return s.enqueueAt(tx, core.Delivery{Key: fmt.Sprintf("retention:%d", next.Unix()), Op: core.OpRetention, Side: core.DeskSide,
		Lane: retentionLane, NextAttemptAt: next})
}

// retentionBatch caps the conversations one retention transaction erases.
const retentionBatch = 50

// retain performs a retention run: it erases, a batch per transaction,
// the conversations closed before now minus Privacy.Retention, then
// queues the next run (in the last transaction, so a crash repeats the
// run rather than losing the schedule).
func (s *Service) retain(ctx context.Context) (func(core.Tx) error, error) {
	now := s.now()
	before := now.Add(-s.cfg.Privacy.Retention)
	for {
		n := 0
		err := s.store.InTx(ctx, func(tx core.Tx) error {
			convs, err := tx.ClosedBefore(before, retentionBatch)
			if err != nil {
				return fmt.Errorf("retention: %w", err)
			}
			n = len(convs)
			for _, c := range convs {
				if _, err := s.erase(tx, c.ContactID, "retention", now, []core.ConversationID{c.ID}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if n > 0 {
			s.wakeWorker()
		}
		if n < retentionBatch {
			break
		}
	}
	if s.cfg.Privacy.Retention <= 0 {
		return nil, nil // turned off since: the schedule ends
	}
	return func(tx core.Tx) error { return s.queueRetention(tx, now) }, nil
}

// retentionPolicy is what a contact card says of the retention policy
// ("" when there is none).
func (s *Service) retentionPolicy() string {
	r := s.cfg.Privacy.Retention
	if r <= 0 {
		return ""
	}
	if days := int(r.Hours() / 24); days != 1 {
		return fmt.Sprintf("Closed conversations are erased after %d days.", days)
	}
	return "Closed conversations are erased after 1 day."
}

// retentionLine is what !stats says of the retention policy ("" when
// there is none).
func (s *Service) retentionLine() string {
	r := s.cfg.Privacy.Retention
	if r <= 0 {
		return ""
	}
	return fmt.Sprintf("\nRetention: conversations closed more than %d days ago are erased.", int(r.Hours()/24))
}
