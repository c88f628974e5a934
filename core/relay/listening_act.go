package relay

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cornershop/core"
)

// signalUsage answers a malformed signal action.
const signalUsage = "Usage: signal reply|conversation|dismiss <id>, or signal idea <id> <idea id>"

// signalAction runs a signal card's button (or the typed "signal <verb>
// <id>"), by staff of the signal's desk only. The first action wins:
//   - "reply" opens a conversation thread whose replies go to the
//     original message's place, threaded under it (Reply in place);
//   - "conversation" opens a conversation thread whose replies go to the
//     author's direct messages (Open a conversation);
//   - "idea" files its first message as a comment on an idea (Feedback
//     for idea #N), whose author then follows the idea;
//   - "dismiss" marks the signal dismissed.
func (s *Service) signalAction(ctx context.Context, st core.Staff, a *action) (core.ActionResult, error) {
	verb, id, idea, ok := "", core.SignalID(0), core.IdeaID(0), len(a.Args) >= 2
	if ok {
		verb = strings.ToLower(a.Args[0])
		n, err := strconv.ParseInt(a.Args[1], 10, 64)
		id, ok = core.SignalID(n), err == nil && n > 0
	}
	switch {
	case ok && verb == "idea" && len(a.Args) == 3:
		n, err := strconv.ParseInt(strings.TrimPrefix(a.Args[2], "#"), 10, 64)
		idea, ok = core.IdeaID(n), err == nil && n > 0
	case ok && len(a.Args) == 2 && (verb == "dismiss" || verb == "reply" || verb == "conversation"):
	default:
		ok = false
	}
	if !ok {
		return core.ActionResult{Text: signalUsage}, nil
	}
	// A direct chat is found (or opened) on the platform before the
	// transaction: the call is idempotent, and a failure changes nothing.
	var direct core.Place
	if verb == "conversation" {
		var msg string
		var err error
		if direct, msg, err = s.directFor(ctx, id); msg != "" || err != nil {
			return core.ActionResult{Text: msg}, err
		}
	}
	var (
		out  string
		done *core.Signal
	)
	err := a.do(ctx, func(tx core.Tx) error {
		out, done = "", nil
		sig, err := tx.Signal(id)
		if errors.Is(err, core.ErrNotFound) {
			out = fmt.Sprintf("There is no signal %d.", int64(id))
			return nil
		}
		if err != nil {
			return fmt.Errorf("load signal: %w", err)
		}
		if sig.Desk.Platform != a.Place.Platform || sig.Desk.Chat != a.Place.Chat {
			out = "That signal belongs to another desk."
			return nil
		}
		state := core.SignalHandled
		if verb == "dismiss" {
			state = core.SignalDismissed
		}
		if verb != "dismiss" {
			if _, err := tx.SignalMessage(sig.First); errors.Is(err, core.ErrNotFound) {
				out = "The signal's message was erased: nothing to act on."
				return nil
			} else if err != nil {
				return fmt.Errorf("load signal message: %w", err)
			}
		}
		if verb == "idea" {
			if _, err := tx.Idea(idea); errors.Is(err, core.ErrNotFound) {
				out = fmt.Sprintf("There is no idea #%d.", int64(idea))
				return nil
			} else if err != nil {
				return fmt.Errorf("load idea: %w", err)
			}
		}
		now := s.now()
		actor := "staff:" + string(st.ID)
		first, err := tx.HandleSignal(id, state, verb, actor, now)
		if err != nil {
			return fmt.Errorf("act on signal: %w", err)
		}
		if !first {
			out = "Someone acted on this signal already."
			return nil
		}
		if err := tx.Audit(core.AuditEntry{At: now, Actor: actor, Action: "signal." + verb, Object: id.String()}); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		switch verb {
		case "dismiss":
			out = "Signal dismissed."
		case "reply":
			out, err = s.signalConversation(tx, sig, core.Place{}, actor)
		case "conversation":
			out, err = s.signalConversation(tx, sig, direct, actor)
		case "idea":
			out, err = s.signalFeedback(tx, sig, idea)
		}
		if err != nil {
			return err
		}
		sig.State, sig.HandledAt = state, now
		done = &sig
		return s.queueSignalCard(tx, id, verb)
	})
	if err == nil && done != nil && s.cfg.Listening.Observer != nil {
		s.cfg.Listening.Observer.SignalDone(done.Rule, done.State, max(0, done.HandledAt.Sub(done.FirstAt)))
	}
	return core.ActionResult{Text: out}, err
}

// directFor finds the direct chat with the author of a signal's first
// message; msg says why there is none.
func (s *Service) directFor(ctx context.Context, id core.SignalID) (core.Place, string, error) {
	var first core.SignalMessage
	var contact core.Contact
	err := s.commit.quiet(ctx, func(tx core.Tx) error {
		sig, err := tx.Signal(id)
		if err != nil {
			return err
		}
		if first, err = tx.SignalMessage(sig.First); err != nil {
			return err
		}
		contact, err = tx.Contact(first.Contact)
		return err
	})
	if errors.Is(err, core.ErrNotFound) {
		return core.Place{}, fmt.Sprintf("Signal %d is unknown, or its message was erased: nothing to act on.", int64(id)), nil
	}
	if err != nil {
		return core.Place{}, "", fmt.Errorf("load signal: %w", err)
	}
	var userID string
	for _, idt := range contact.Identities {
		if idt.Platform == first.Place.Platform {
			userID = idt.UserID
		}
	}
	opener, ok := s.platforms[first.Place.Platform].(core.DirectOpener)
	if !ok || userID == "" {
		return core.Place{}, fmt.Sprintf("cornershop cannot start a direct conversation on %s.", first.Place.Platform), nil
	}
	place, err := opener.DirectPlace(ctx, userID)
	if err != nil {
		if errors.Is(err, core.ErrInvalid) || errors.Is(err, core.ErrUnsupported) {
			return core.Place{}, fmt.Sprintf("%s does not let the bot write to %s first.", first.Place.Platform, first.AuthorName), nil
		}
		return core.Place{}, "", fmt.Errorf("open direct chat: %w", err)
	}
	return place, "", nil
}

// signalConversation opens a conversation with the author of a signal's
// first message, in the signal's desk: at direct when it is set (Open a
// conversation), else at the original message's place with replies
// threaded under it (Reply in place). The original message is its first
// message, so the desk thread opens with who said what.
func (s *Service) signalConversation(tx core.Tx, sig core.Signal, direct core.Place, actor string) (string, error) {
	first, err := tx.SignalMessage(sig.First)
	if errors.Is(err, core.ErrNotFound) {
		return "The signal's message was erased: nothing to answer.", nil
	}
	if err != nil {
		return "", fmt.Errorf("load signal message: %w", err)
	}
	now := s.now()
	conv := core.Conversation{ContactID: first.Contact, Customer: first.Place, Anchor: first.PlatformID,
		Desk: sig.Desk.Channel(), Status: core.StatusOpen, CreatedAt: now, UpdatedAt: now}
	if !direct.IsZero() {
		conv.Customer, conv.Anchor = direct, ""
	}
	if err := tx.CreateConversation(&conv); err != nil {
		return "", fmt.Errorf("create conversation: %w", err)
	}
	m := core.Message{ConversationID: conv.ID, Direction: core.Inbound, Author: fmt.Sprintf("contact:%d", first.Contact),
		AuthorName: first.AuthorName, Text: first.Text, CreatedAt: first.At}
	if err := tx.CreateMessage(&m); err != nil {
		return "", fmt.Errorf("record message: %w", err)
	}
	if direct.IsZero() {
		// The original is now this conversation's message: its ref lets
		// replies thread under it and its edits be recognised.
		ref := core.Ref{MessageID: m.ID, Side: core.CustomerSide, Source: true, Platform: first.Place.Platform, Chat: first.Place.Chat, PlatformID: first.PlatformID}
		if err := tx.AddRef(ref); err != nil && !errors.Is(err, core.ErrDuplicate) {
			return "", fmt.Errorf("record message ref: %w", err)
		}
	}
	if err := s.enqueue(tx, core.Delivery{Key: fmt.Sprintf("open:%d", conv.ID), ConversationID: conv.ID, Op: core.OpOpenThread, Side: core.DeskSide, Platform: conv.Desk.Platform}); err != nil {
		return "", err
	}
	if err := s.enqueue(tx, core.Delivery{Key: fmt.Sprintf("send:desk:%d", m.ID), ConversationID: conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.DeskSide, Platform: conv.Desk.Platform}); err != nil {
		return "", err
	}
	where := s.placeName(sig.Place)
	note := fmt.Sprintf("👂 From %s (rule “%s”), opened by %s. Replies here go to %s", where, sig.Rule, s.actorName(actor), first.AuthorName)
	if direct.IsZero() {
		note += " in " + where + ", under their message."
	} else {
		note += " as a direct message."
	}
	if first.Link != "" {
		note += "\n" + first.Link
	}
	if err := s.systemNote(tx, conv, note); err != nil {
		return "", err
	}
	if direct.IsZero() {
		return fmt.Sprintf("Conversation %d opened: write in its thread to reply in %s.", int64(conv.ID), where), nil
	}
	return fmt.Sprintf("Conversation %d opened: write in its thread to message %s directly.", int64(conv.ID), first.AuthorName), nil
}
