package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cornershop/core"
)

// deskMessage is flow 2: someone wrote in a desk. Only messages inside a
// conversation's thread count; the rest of the desk channel is the team's.
func (s *Service) deskMessage(ctx context.Context, desk Desk, e core.MessageEvent) error {
	if e.Place.Thread == "" {
		return nil
	}
	staff, isStaff, err := s.resolveStaff(ctx, desk, e.Sender)
	if err != nil {
		return err
	}
	return s.commit.do(ctx, func(tx core.Tx) error {
		if dup, err := seen(tx, e.Place, e.ID); err != nil || dup {
			return err
		}
		conv, err := tx.ConversationByDesk(e.Place)
		if errors.Is(err, core.ErrNotFound) {
			return s.incidentThread(tx, staff, isStaff, e)
		}
		if err != nil {
			return fmt.Errorf("find conversation by desk thread: %w", err)
		}
		if !isStaff {
			return s.rejected(tx, conv, e)
		}
		text := strings.TrimSpace(e.Text)
		if rest, ok := cutPrefix(text, s.cfg.NotePrefix); ok {
			return s.note(tx, conv, staff, e, rest)
		}
		if rest, ok := cutPrefix(text, s.cfg.CommandPrefix); ok && rest != "" {
			_, err := s.command(tx, conv, staff, e, rest)
			return err
		}
		if desk.NoteMode {
			return s.note(tx, conv, staff, e, text)
		}
		return s.reply(tx, conv, staff, e, text, false)
	})
}

func (s *Service) at(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}

// record stores a desk message and its source ref.
func (s *Service) record(tx core.Tx, conv core.Conversation, e core.MessageEvent, m core.Message) (core.Message, error) {
	m.ConversationID = conv.ID
	m.CreatedAt = s.at(e.At)
	if m.Attachments == nil {
		m.Attachments = e.Attachments
	}
	if err := tx.CreateMessage(&m); err != nil {
		return m, fmt.Errorf("record desk message: %w", err)
	}
	if e.ID != "" {
		ref := core.Ref{MessageID: m.ID, Side: core.DeskSide, Source: true, Platform: e.Place.Platform, Chat: e.Place.Chat, PlatformID: e.ID}
		if err := tx.AddRef(ref); err != nil {
			return m, fmt.Errorf("record desk message ref: %w", err)
		}
	}
	return m, nil
}

// rejected records a message from someone who is not staff and tells the
// thread it went nowhere.
func (s *Service) rejected(tx core.Tx, conv core.Conversation, e core.MessageEvent) error {
	name := senderName(e.Sender)
	if _, err := s.record(tx, conv, e, core.Message{Direction: core.Rejected, Author: string(e.Place.Platform) + ":" + e.Sender.UserID, AuthorName: name, Text: e.Text}); err != nil {
		return err
	}
	if e.Sender.Bot {
		return nil // never argue with another bot
	}
	return s.systemNote(tx, conv, fmt.Sprintf("⛔ Not delivered: %s is not on the staff list, so this message stays in the desk.", name))
}

func (s *Service) note(tx core.Tx, conv core.Conversation, st core.Staff, e core.MessageEvent, text string) error {
	_, err := s.record(tx, conv, e, core.Message{Direction: core.Note, Author: "staff:" + string(st.ID), AuthorName: st.Voice.Name, Text: text})
	return err
}

// reply records a staff answer and queues it for the customer.
func (s *Service) reply(tx core.Tx, conv core.Conversation, st core.Staff, e core.MessageEvent, text string, asTeam bool) error {
	_, err := s.replyMessage(tx, conv, st, e, text, asTeam)
	return err
}

// replyMessage is reply, returning the recorded reply (zero when there was
// nothing to send).
func (s *Service) replyMessage(tx core.Tx, conv core.Conversation, st core.Staff, e core.MessageEvent, text string, asTeam bool) (core.Message, error) {
	if strings.TrimSpace(text) == "" && len(e.Attachments) == 0 {
		return core.Message{}, nil
	}
	if !asTeam {
		pref, err := tx.StaffPrefersTeam(st.ID)
		if err != nil {
			return core.Message{}, fmt.Errorf("staff voice preference: %w", err)
		}
		asTeam = pref
	}
	m, err := s.record(tx, conv, e, core.Message{Direction: core.Reply, Author: "staff:" + string(st.ID), AuthorName: st.Voice.Name, Text: text, AsTeam: asTeam})
	if err != nil {
		return core.Message{}, err
	}
	d := core.Delivery{
		Key: fmt.Sprintf("send:customer:%d", m.ID), ConversationID: conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.CustomerSide, Platform: conv.Customer.Platform,
	}
	if s.cfg.UndoWindow > 0 {
		// Held in the outbox until the window closes; !undo cancels it and
		// an edit before then simply changes what leaves.
		d.NextAttemptAt = s.now().Add(s.cfg.UndoWindow)
		if err := s.systemNote(tx, conv, fmt.Sprintf("⏳ Sending in %s — %sundo to take it back.", s.cfg.UndoWindow, s.cfg.CommandPrefix)); err != nil {
			return core.Message{}, err
		}
	}
	if err := s.enqueueAt(tx, d); err != nil {
		return core.Message{}, err
	}
	if err := s.stopClock(tx, conv.ID, "reply"); err != nil {
		return core.Message{}, err
	}
	if conv.Status == core.StatusWaiting {
		return m, nil
	}
	waiting := core.StatusWaiting
	if err := tx.UpdateConversation(conv.ID, core.ConversationPatch{Status: &waiting}, s.now()); err != nil {
		return core.Message{}, fmt.Errorf("mark waiting: %w", err)
	}
	conv.Status = waiting
	return m, s.cardUpdate(tx, conv)
}
