package relay

import (
	"errors"
	"fmt"

	"cornershop/core"
)

// sourceMessage finds the recorded message a platform event refers to, if
// it was written there (not a copy we posted).
func sourceMessage(tx core.Tx, p core.Place, id string) (core.Ref, core.Message, bool, error) {
	ref, err := tx.RefByPlatformID(p.Platform, p.Chat, id)
	if errors.Is(err, core.ErrNotFound) {
		return ref, core.Message{}, false, nil
	}
	if err != nil {
		return ref, core.Message{}, false, fmt.Errorf("find message ref: %w", err)
	}
	m, err := tx.Message(ref.MessageID)
	if err != nil {
		return ref, m, false, fmt.Errorf("load message: %w", err)
	}
	return ref, m, true, nil
}

// mirrorSide is where a message's copy lives: customer messages are copied
// to the desk, replies to the customer. Notes and the rest have no copy.
func mirrorSide(m core.Message) (core.Side, bool) {
	switch m.Direction {
	case core.Inbound:
		return core.DeskSide, true
	case core.Reply:
		return core.CustomerSide, true
	}
	return "", false
}

// edit is flow 3 for edits: record the new text and mirror it.
func (s *Service) edit(tx core.Tx, e core.EditEvent) error {
	ref, m, ok, err := sourceMessage(tx, e.Place, e.ID)
	if err != nil || !ok || !ref.Source || m.Deleted() || m.Text == e.Text {
		return err
	}
	now := s.at(e.At)
	if err := tx.UpdateMessage(m.ID, core.MessagePatch{Text: &e.Text, EditedAt: &now}); err != nil {
		return fmt.Errorf("record edit: %w", err)
	}
	side, ok := mirrorSide(m)
	if !ok {
		return nil
	}
	conv, err := tx.Conversation(m.ConversationID)
	if err != nil {
		return fmt.Errorf("load conversation: %w", err)
	}
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("edit:%s:%d:%d", side, m.ID, now.UnixNano()), ConversationID: m.ConversationID, MessageID: m.ID,
		Op: core.OpEdit, Side: side, Platform: placeOn(conv, side).Platform,
	})
}

// remove is flow 3 for deletes: a withdrawn reply is deleted at the
// customer; a withdrawn customer message is marked in the desk, where staff
// still need to know what was said.
func (s *Service) remove(tx core.Tx, e core.DeleteEvent) error {
	ref, m, ok, err := sourceMessage(tx, e.Place, e.ID)
	if err != nil || !ok || !ref.Source || m.Deleted() {
		return err
	}
	now := s.at(e.At)
	if err := tx.UpdateMessage(m.ID, core.MessagePatch{DeletedAt: &now}); err != nil {
		return fmt.Errorf("record delete: %w", err)
	}
	side, ok := mirrorSide(m)
	if !ok {
		return nil
	}
	conv, err := tx.Conversation(m.ConversationID)
	if err != nil {
		return fmt.Errorf("load conversation: %w", err)
	}
	op := core.OpDelete
	if side == core.DeskSide {
		op = core.OpEdit
	}
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("delete:%s:%d", side, m.ID), ConversationID: m.ConversationID, MessageID: m.ID,
		Op: op, Side: side, Platform: placeOn(conv, side).Platform,
	})
}

// react mirrors a reaction on a relayed message to its other side.
func (s *Service) react(tx core.Tx, e core.ReactionEvent) error {
	if e.Removed || e.Emoji == "" {
		return nil
	}
	ref, m, ok, err := sourceMessage(tx, e.Place, e.ID)
	if err != nil || !ok {
		return err
	}
	// A reaction on the source shows on the copy and the other way round.
	side := core.CustomerSide
	if ref.Side == core.CustomerSide {
		side = core.DeskSide
	}
	conv, err := tx.Conversation(m.ConversationID)
	if err != nil {
		return fmt.Errorf("load conversation: %w", err)
	}
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("react:%s:%d:%s:%s", side, m.ID, e.Sender.UserID, e.Emoji), ConversationID: m.ConversationID, MessageID: m.ID,
		Op: core.OpReact, Side: side, Platform: placeOn(conv, side).Platform, Emoji: e.Emoji,
	})
}

func placeOn(c core.Conversation, side core.Side) core.Place {
	if side == core.DeskSide {
		return c.Desk
	}
	return c.Customer
}
