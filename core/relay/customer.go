package relay

import (
	"errors"
	"fmt"
	"strings"

	"cornershop/core"
)

// customerMessage is flow 1: a customer wrote at a customer place.
func (s *Service) customerMessage(tx core.Tx, e core.MessageEvent) error {
	if dup, err := seen(tx, e.Place, e.ID); err != nil || dup {
		return err
	}
	contact, err := s.contactFor(tx, e.Place.Platform, e.Sender)
	if err != nil {
		return err
	}
	if taken, err := s.surveyComment(tx, contact, e); err != nil || taken {
		return err
	}
	conv, isNew, err := s.conversationFor(tx, contact, e)
	if err != nil {
		return err
	}
	m := core.Message{
		ConversationID: conv.ID, Direction: core.Inbound,
		Author: fmt.Sprintf("contact:%d", contact.ID), AuthorName: senderName(e.Sender),
		Text: e.Text, Attachments: e.Attachments, CreatedAt: s.at(e.At),
	}
	if err := tx.CreateMessage(&m); err != nil {
		return fmt.Errorf("record message: %w", err)
	}
	if err := tx.AddRef(core.Ref{MessageID: m.ID, Side: core.CustomerSide, Source: true, Platform: e.Place.Platform, Chat: e.Place.Chat, PlatformID: e.ID}); err != nil {
		return fmt.Errorf("record message ref: %w", err)
	}
	if contact.Blocked {
		return nil // recorded for the record, never shown in the desk
	}
	if isNew {
		if err := s.enqueue(tx, core.Delivery{Key: fmt.Sprintf("open:%d", conv.ID), ConversationID: conv.ID, Op: core.OpOpenThread, Side: core.DeskSide, Platform: conv.Desk.Platform}); err != nil {
			return err
		}
	}
	if err := s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("send:desk:%d", m.ID), ConversationID: conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.DeskSide, Platform: conv.Desk.Platform,
	}); err != nil {
		return err
	}
	if isNew {
		if err := s.welcome(tx, s.deskFor(e.Place), conv); err != nil {
			return err
		}
		if err := s.suggest(tx, conv, e.Text); err != nil {
			return err
		}
		if err := s.suggestIncident(tx, conv, e.Text); err != nil {
			return err
		}
	}
	return s.startClock(tx, conv, isNew)
}

func senderName(s core.Sender) string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Handle != "":
		return s.Handle
	}
	return s.UserID
}

// contactFor finds or creates the contact behind a platform user, keeping
// the identity's profile current.
func (s *Service) contactFor(tx core.Tx, p core.PlatformName, sender core.Sender) (core.Contact, error) {
	id := core.Identity{Platform: p, UserID: sender.UserID, Handle: sender.Handle, Name: sender.Name, AvatarURL: sender.AvatarURL}
	c, err := tx.ContactByIdentity(p, sender.UserID)
	switch {
	case errors.Is(err, core.ErrNotFound):
		c = core.Contact{Name: senderName(sender), Identities: []core.Identity{id}, CreatedAt: s.now()}
		if err := tx.CreateContact(&c); err != nil {
			return core.Contact{}, fmt.Errorf("create contact: %w", err)
		}
		return c, nil
	case err != nil:
		return core.Contact{}, fmt.Errorf("find contact: %w", err)
	}
	for _, have := range c.Identities {
		if have.Platform == p && have.UserID == sender.UserID && have != id && sender.Name != "" {
			if err := tx.SaveIdentity(c.ID, id); err != nil {
				return core.Contact{}, fmt.Errorf("update identity: %w", err)
			}
		}
	}
	return c, nil
}

// conversationFor continues the contact's conversation at the place, reopens
// it within the reopen window, or starts a new one.
func (s *Service) conversationFor(tx core.Tx, c core.Contact, e core.MessageEvent) (core.Conversation, bool, error) {
	return s.conversationAt(tx, c, e, false)
}

// conversationAt is conversationFor; before starting a conversation it
// locks the contact and looks again (locked), so two replicas recording
// the same customer's messages at once start one conversation between
// them.
func (s *Service) conversationAt(tx core.Tx, c core.Contact, e core.MessageEvent, locked bool) (core.Conversation, bool, error) {
	now := s.now()
	conv, err := tx.LatestConversation(c.ID, e.Place)
	switch {
	case errors.Is(err, core.ErrNotFound):
	case err != nil:
		return core.Conversation{}, false, fmt.Errorf("find conversation: %w", err)
	case conv.Status == core.StatusClosed && now.Sub(conv.ClosedAt) > s.cfg.ReopenWindow:
	case conv.Status == core.StatusClosed:
		open := core.StatusOpen
		if err := tx.UpdateConversation(conv.ID, core.ConversationPatch{Status: &open}, now); err != nil {
			return core.Conversation{}, false, fmt.Errorf("reopen conversation: %w", err)
		}
		conv.Status = open
		if err := tx.Audit(core.AuditEntry{At: now, Actor: fmt.Sprintf("contact:%d", c.ID), Action: "reopen", Object: conv.ID.String(), Detail: "customer wrote again"}); err != nil {
			return core.Conversation{}, false, fmt.Errorf("audit: %w", err)
		}
		if err := s.systemNote(tx, conv, "↩️ Reopened: the customer wrote again."); err != nil {
			return core.Conversation{}, false, err
		}
		return conv, false, s.cardUpdate(tx, conv)
	case conv.Status == core.StatusWaiting:
		open := core.StatusOpen
		if err := tx.UpdateConversation(conv.ID, core.ConversationPatch{Status: &open}, now); err != nil {
			return core.Conversation{}, false, fmt.Errorf("update conversation: %w", err)
		}
		conv.Status = open
		return conv, false, s.cardUpdate(tx, conv)
	default:
		return conv, false, nil
	}
	if !locked {
		if err := tx.LockContact(c.ID); err != nil {
			return core.Conversation{}, false, fmt.Errorf("lock contact: %w", err)
		}
		return s.conversationAt(tx, c, e, true)
	}
	desk := s.deskFor(e.Place)
	conv = core.Conversation{
		ContactID: c.ID, Customer: customerPlace(e), Anchor: e.ID,
		Desk: desk.Place, Status: core.StatusOpen, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateConversation(&conv); err != nil {
		return core.Conversation{}, false, fmt.Errorf("create conversation: %w", err)
	}
	return conv, true, nil
}

// customerPlace is where replies go: the chat, and the thread the customer
// wrote in when they wrote in one.
func customerPlace(e core.MessageEvent) core.Place {
	return core.Place{Platform: e.Place.Platform, Chat: e.Place.Chat, Thread: strings.TrimSpace(e.Place.Thread)}
}
