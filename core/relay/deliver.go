package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"cornershop/core"
)

// plan is everything a delivery needs, loaded in one read.
type plan struct {
	conv    core.Conversation
	contact core.Contact
	msg     core.Message
	refs    []core.Ref // the message's refs on the delivery's side
	card    core.ContactCard
	// buttons go under a suggestion (a system message to the customer).
	buttons []core.Button
	// postedBefore is, for a send that may have landed, the newest post
	// recorded on its side (see core.Outgoing.PostedBefore).
	postedBefore string
}

func (s *Service) load(ctx context.Context, d core.Delivery) (plan, error) {
	var p plan
	// Reads share the group commit's transactions: on SQLite every
	// transaction takes the one write connection.
	key := core.LoadKey{Conversation: d.ConversationID, Message: d.MessageID, Side: d.Side}
	err := s.commit.doJob(ctx, &job{load: &key, fn: func(tx core.Tx) error {
		p = plan{}
		var err error
		if p.conv, err = tx.Conversation(d.ConversationID); err != nil {
			return fmt.Errorf("load conversation: %w", err)
		}
		if p.contact, err = tx.Contact(p.conv.ContactID); err != nil {
			return fmt.Errorf("load contact: %w", err)
		}
		if d.MessageID != 0 {
			if p.msg, err = tx.Message(d.MessageID); err != nil {
				return fmt.Errorf("load message: %w", err)
			}
			if p.refs, err = tx.Refs(d.MessageID, d.Side); err != nil {
				return fmt.Errorf("load refs: %w", err)
			}
		}
		if p.msg.Direction == core.System && d.Side == core.CustomerSide {
			if p.buttons, err = suggestionControls(tx, p.msg.ID); err != nil {
				return err
			}
		}
		if d.MaybeSent && d.Op == core.OpSend {
			last, err := tx.LatestPost(d.ConversationID, d.Side)
			if err != nil && !errors.Is(err, core.ErrNotFound) {
				return fmt.Errorf("load latest post: %w", err)
			}
			p.postedBefore = last.PlatformID
		}
		// A desk copy with no thread to go to tries to open it (noThread).
		if d.Op == core.OpOpenThread || d.Op == core.OpUpdateCard || (d.Op == core.OpSend && d.Side == core.DeskSide && p.conv.Desk.Thread == "") {
			if p.card, err = s.fullCard(tx, p.conv, p.contact); err != nil {
				return err
			}
			p.card = visibleCard(p.card) // a desk's card, thread or topic name
		}
		return nil
	}})
	return p, err
}

// fullCard is the contact card with everything staff see on it.
func (s *Service) fullCard(tx core.Tx, conv core.Conversation, c core.Contact) (core.ContactCard, error) {
	n, err := tx.CountConversations(c.ID)
	if err != nil {
		return core.ContactCard{}, fmt.Errorf("count conversations: %w", err)
	}
	card := s.card(conv, c, n-1)
	if card.Profile, err = tx.ContactFields(c.ID); err != nil {
		return core.ContactCard{}, fmt.Errorf("load profile: %w", err)
	}
	if card.LastSeen, err = tx.LastSeen(c.ID); err != nil {
		return core.ContactCard{}, fmt.Errorf("load last seen: %w", err)
	}
	if card.Ideas, err = tx.IdeasOf(c.ID, 5); err != nil {
		return core.ContactCard{}, fmt.Errorf("load ideas: %w", err)
	}
	switch clock, err := tx.RunningClock(conv.ID); {
	case err == nil:
		card.Due = dueLine(clock, s.zoneOf(conv))
	case !errors.Is(err, core.ErrNotFound):
		return core.ContactCard{}, fmt.Errorf("load sla clock: %w", err)
	}
	switch f, ok, err := incidentOnCard(tx, conv.ID); {
	case err != nil:
		return core.ContactCard{}, err
	case ok:
		card.Profile = append([]core.Field{f}, card.Profile...)
	}
	switch sv, err := tx.ConversationSurvey(conv.ID); {
	case err == nil:
		card.Satisfaction = satisfaction(sv)
	case !errors.Is(err, core.ErrNotFound):
		return core.ContactCard{}, fmt.Errorf("load survey: %w", err)
	}
	return card, nil
}

func (s *Service) card(conv core.Conversation, c core.Contact, previous int) core.ContactCard {
	card := core.ContactCard{
		Conversation: conv.ID, Contact: c.ID, Name: c.Name, Identities: c.Identities,
		Customer: conv.Customer, Status: conv.Status, Tags: conv.Tags, Priority: conv.Priority, Previous: max(previous, 0),
		Since: c.CreatedAt, Retention: s.retentionPolicy(),
	}
	if c.Name == "" && len(c.Identities) == 0 {
		card.Name = "(erased)" // nothing left of the person (privacy.go)
	}
	if conv.Assignee != "" {
		card.Assignee = string(conv.Assignee)
		if st, ok := s.staff.byID[conv.Assignee]; ok {
			card.Assignee = st.Voice.Name
		}
	}
	return card
}

// Perform carries out one delivery against its platform. On success it
// returns how to record the result (nil: nothing to record), which the
// outbox runs in the transaction that marks the delivery done; errors are
// classified for the outbox (core.Classify).
func (s *Service) Perform(ctx context.Context, d core.Delivery) (func(core.Tx) error, error) {
	if d.Op == core.OpWebhook {
		return s.performWebhook(ctx, d)
	}
	if d.IdeaID != 0 {
		return s.performIdea(ctx, d)
	}
	if d.Op == core.OpScrub {
		return nil, s.scrub(ctx, d)
	}
	if d.Op == core.OpRetention {
		return s.retain(ctx)
	}
	if d.Op == core.OpSignalCard {
		return s.performSignal(ctx, d)
	}
	if d.Incident != 0 {
		return s.performIncident(ctx, d)
	}
	p, err := s.load(ctx, d)
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Permanent(err)
	}
	if err != nil {
		return nil, err
	}
	if d.Op == core.OpWake {
		return s.wake(p.conv), nil
	}
	if d.Op == core.OpSLAWarn || d.Op == core.OpSLABreach {
		return s.slaCheck(d), nil
	}
	target := placeOn(p.conv, d.Side)
	plat, ok := s.platforms[target.Platform]
	if !ok {
		return nil, core.Permanent(fmt.Errorf("platform %s is not running", target.Platform))
	}
	switch d.Op {
	case core.OpOpenThread:
		if p.conv.Desk.Thread != "" {
			return nil, nil // opened by an earlier attempt that was recorded
		}
		opener, ok := plat.(core.ThreadOpener)
		if !ok {
			return nil, core.Permanent(fmt.Errorf("open desk thread on %s: %w", target.Platform, core.ErrUnsupported))
		}
		th, err := opener.OpenThread(ctx, target.Channel(), p.card)
		if err != nil {
			return nil, err
		}
		return func(tx core.Tx) error {
			return tx.UpdateConversation(p.conv.ID, core.ConversationPatch{Desk: &th.Place, DeskCard: &th.CardID}, s.now())
		}, nil
	case core.OpUpdateCard:
		up, ok := plat.(core.CardUpdater)
		if !ok || p.conv.Desk.Thread == "" {
			return nil, nil // nothing to refresh: the thread opens with the current card
		}
		return nil, up.UpdateCard(ctx, core.Thread{Place: p.conv.Desk, CardID: p.conv.DeskCard}, p.card)
	case core.OpSend:
		return s.send(ctx, plat, d, p, target)
	case core.OpEdit, core.OpDelete, core.OpReact:
		return nil, s.change(ctx, plat, d, p, target)
	}
	return nil, core.Permanent(fmt.Errorf("unknown operation %q: %w", d.Op, core.ErrInvalid))
}

func (s *Service) send(ctx context.Context, plat core.Platform, d core.Delivery, p plan, target core.Place) (func(core.Tx) error, error) {
	if len(p.refs) > 0 {
		return nil, nil // sent by an earlier attempt that was recorded
	}
	if d.Side == core.DeskSide && target.Thread == "" {
		return s.noThread(ctx, plat, d, p, target)
	}
	out := s.outgoing(ctx, d, p, target)
	rc, err := plat.Send(ctx, out)
	if err != nil {
		return nil, err
	}
	return s.recordSent(d, p, target, rc), nil
}

// recordSent records where a send landed: its refs, the customer's place
// when it moved, and the receipt to queue.
func (s *Service) recordSent(d core.Delivery, p plan, target core.Place, rc core.Receipt) func(core.Tx) error {
	landed := target
	if !rc.Place.IsZero() {
		landed = rc.Place
	}
	return func(tx core.Tx) error {
		for i, id := range rc.IDs {
			err := tx.AddRef(core.Ref{MessageID: p.msg.ID, Side: d.Side, Platform: landed.Platform, Chat: landed.Chat, PlatformID: id, Part: i})
			if err != nil && !errors.Is(err, core.ErrDuplicate) {
				return fmt.Errorf("record delivered ref: %w", err)
			}
		}
		if d.Side == core.CustomerSide && landed != p.conv.Customer {
			if err := tx.UpdateConversation(p.conv.ID, core.ConversationPatch{Customer: &landed}, s.now()); err != nil {
				return fmt.Errorf("record customer thread: %w", err)
			}
		}
		if err := s.sentLine(tx, p.conv, p.msg); err != nil {
			return err
		}
		return s.receipt(tx, d, p)
	}
}

// SentEmoji marks, on a staff member's own message in the desk, that their
// reply reached the customer.
const SentEmoji = "✅"

// receipt queues the "sent" mark for a reply that left, when the desk's
// platform can react.
func (s *Service) receipt(tx core.Tx, d core.Delivery, p plan) error {
	if d.Side != core.CustomerSide || p.msg.Direction != core.Reply {
		return nil
	}
	if _, ok := s.platforms[p.conv.Desk.Platform].(core.Reactor); !ok {
		return nil
	}
	refs, err := tx.Refs(p.msg.ID, core.DeskSide)
	if err != nil {
		return fmt.Errorf("load desk refs: %w", err)
	}
	if len(refs) == 0 || !refs[0].Source {
		return nil // sent by a command or button: there is no message to mark
	}
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("receipt:%d", p.msg.ID), ConversationID: p.conv.ID, MessageID: p.msg.ID,
		Op: core.OpReact, Side: core.DeskSide, Platform: p.conv.Desk.Platform, Emoji: SentEmoji,
	})
}

func (s *Service) outgoing(ctx context.Context, d core.Delivery, p plan, target core.Place) core.Outgoing {
	out := core.Outgoing{Key: d.Key, Place: target, Text: p.msg.Text, Edited: p.msg.Edited(), Deleted: p.msg.Deleted(),
		MaybeSent: d.MaybeSent, PostedBefore: p.postedBefore}
	switch p.msg.Direction {
	case core.Inbound:
		out.Kind = core.KindCustomerCopy
		out.From = core.Identity{Name: p.msg.AuthorName}
		for _, id := range p.contact.Identities {
			if id.Platform == p.conv.Customer.Platform {
				out.From = id
				break
			}
		}
	case core.Reply:
		out.Kind = core.KindReply
		out.Anchor = p.conv.Anchor
		out.Voice = s.voiceOf(ctx, p.msg.Author)
		if p.msg.AsTeam || out.Voice.Name == "" {
			out.Voice = s.cfg.Team
			out.Voice.Team = true
		}
	case core.Note:
		out.Kind = core.KindNoteEcho
		out.Voice = s.voiceOf(ctx, p.msg.Author)
	case core.System:
		out.Kind = core.KindSystem
		if p.msg.Author == slaAuthor && d.Side == core.DeskSide {
			out.Mention = s.slaMention(p.conv)
		}
		if d.Side == core.DeskSide {
			out.Buttons = incidentButtons(p.msg.Author)
		}
		switch {
		case d.Side == core.CustomerSide && len(p.buttons) > 0:
			// An answer suggestion: cornershop's own post, in the
			// team's name, with its buttons.
			out.Voice = s.cfg.Team
			out.Voice.Team = true
			out.Buttons = p.buttons
		case d.Side == core.CustomerSide:
			// cornershop speaking to a customer (away message,
			// acknowledgement, survey) speaks as the team.
			out.Kind, out.Voice, out.Anchor = core.KindReply, s.cfg.Team, p.conv.Anchor
			out.Voice.Team = true
			if p.msg.Author == surveyAuthor {
				out.Buttons = surveyButtons(p.conv.ID)
			}
		}
	default:
		out.Kind = core.KindSystem
	}
	for _, a := range p.msg.Attachments {
		if a.Platform == exportPlatform {
			if d.Op == core.OpSend {
				f, link := s.exportDelivery(ctx, target, a)
				if link != "" {
					out.Text += "\n" + link
				} else {
					out.Files = append(out.Files, f)
				}
			}
			continue
		}
		out.Files = append(out.Files, core.File{Attachment: a, Open: s.openFile(a)})
		if a.Missing != "" && a.Stored == "" && d.Side == core.DeskSide {
			out.Text += fmt.Sprintf("\n📎 %s could not be fetched from %s: %s", a.Name, a.Platform, a.Missing)
		}
	}
	if d.Side == core.DeskSide {
		out = s.deskCopy(out, d.Op, p.msg.ID)
	}
	return out
}

func (s *Service) change(ctx context.Context, plat core.Platform, d core.Delivery, p plan, target core.Place) error {
	if len(p.refs) == 0 {
		return nil // the copy never went out, so there is nothing to change
	}
	ids := make([]string, len(p.refs))
	for i, r := range p.refs {
		ids[i] = r.PlatformID
	}
	at := core.Place{Platform: p.refs[0].Platform, Chat: p.refs[0].Chat, Thread: target.Thread}
	switch d.Op {
	case core.OpEdit:
		ed, ok := plat.(core.Editor)
		if !ok {
			return core.Permanent(fmt.Errorf("edit on %s: %w", target.Platform, core.ErrUnsupported))
		}
		return ed.Edit(ctx, at, ids, s.outgoing(ctx, d, p, target))
	case core.OpDelete:
		del, ok := plat.(core.Deleter)
		var err error
		if ok {
			err = del.Delete(ctx, at, ids)
		} else {
			err = core.Permanent(fmt.Errorf("delete on %s: %w", target.Platform, core.ErrUnsupported))
		}
		if isErase(d) {
			return s.eraseByEdit(ctx, plat, at, ids, d, p, target, err)
		}
		return err
	default:
		r, ok := plat.(core.Reactor)
		if !ok {
			return core.Permanent(fmt.Errorf("react on %s: %w", target.Platform, core.ErrUnsupported))
		}
		return r.React(ctx, at, ids[0], d.Emoji)
	}
}

// GiveUp records, in the transaction that marks d failed, a note in the
// desk thread saying what could not be done and why, so a failure is never
// silent. Failures of cornershop's own notes are only logged.
func (s *Service) GiveUp(tx core.Tx, d core.Delivery, cause error) error {
	if d.Op == core.OpWebhook {
		return s.giveUpWebhook(tx, d, cause)
	}
	if d.Op == core.OpScrub {
		return tx.Audit(core.AuditEntry{At: s.now(), Actor: "system", Action: "privacy.scrub.failed", Detail: reason(cause)})
	}
	if d.IdeaID != 0 {
		return tx.Audit(core.AuditEntry{At: s.now(), Actor: "system", Action: "idea.undelivered", Object: d.IdeaID.String(),
			Detail: fmt.Sprintf("%s on %s: %s", d.Op, d.Platform, reason(cause))})
	}
	if d.Incident != 0 {
		return tx.Audit(core.AuditEntry{At: s.now(), Actor: "system", Action: "incident.undelivered", Object: d.Incident.String(),
			Detail: fmt.Sprintf("%s on %s: %s", d.Op, d.Platform, reason(cause))})
	}
	if d.Side == core.DeskSide && d.Op != core.OpSend && !isErase(d) {
		return nil
	}
	if d.Side == core.DeskSide {
		m, err := tx.Message(d.MessageID)
		if err != nil || m.Direction == core.System {
			return nil
		}
	}
	conv, err := tx.Conversation(d.ConversationID)
	if err != nil {
		return fmt.Errorf("load conversation: %w", err)
	}
	what := map[core.Op]string{core.OpSend: "delivered", core.OpEdit: "edited", core.OpDelete: "deleted", core.OpReact: "reacted to"}[d.Op]
	where := "the customer"
	if d.Side == core.DeskSide {
		where = "this desk"
	}
	return s.systemNote(tx, conv, fmt.Sprintf("⚠️ Not %s at %s on %s: %s", what, where, placeOn(conv, d.Side).Platform, reason(cause)))
}

// reason shortens an adapter error to what staff need to read.
func reason(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "permanent: ")
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}

// wake ends a snooze: a conversation still waiting comes back open with a
// note. One closed or answered by the customer in the meantime stays as it
// is.
func (s *Service) wake(conv core.Conversation) func(core.Tx) error {
	return func(tx core.Tx) error {
		cur, err := tx.Conversation(conv.ID)
		if err != nil {
			return fmt.Errorf("load conversation: %w", err)
		}
		if cur.Status != core.StatusWaiting {
			return nil
		}
		open := core.StatusOpen
		if err := tx.UpdateConversation(cur.ID, core.ConversationPatch{Status: &open}, s.now()); err != nil {
			return fmt.Errorf("wake conversation: %w", err)
		}
		cur.Status = open
		if err := s.systemNote(tx, cur, "⏰ Snooze over: this conversation is back in the queue."); err != nil {
			return err
		}
		return s.cardUpdate(tx, cur)
	}
}
