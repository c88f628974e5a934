package relay

import (
	"context"
	"fmt"
	"strings"

	"cornershop/core"
)

var _ core.Operator = (*Service)(nil)

// staffByID returns a directory staff member; ErrInvalid when unknown.
func (s *Service) staffByID(id core.StaffID) (core.Staff, error) {
	st, ok := s.staff.byID[id]
	if !ok {
		return core.Staff{}, fmt.Errorf("%w: no staff member has the id %q", core.ErrInvalid, id)
	}
	return st, nil
}

// Reply implements core.Operator: the desk's reply path (voice, undo
// window, outbox, status), plus a copy in the desk thread, since nobody
// typed it there.
func (s *Service) Reply(ctx context.Context, id core.ConversationID, staff core.StaffID, actor, text string) (core.Message, error) {
	st, err := s.staffByID(staff)
	if err != nil {
		return core.Message{}, err
	}
	if strings.TrimSpace(text) == "" {
		return core.Message{}, fmt.Errorf("%w: the reply is empty", core.ErrInvalid)
	}
	var m core.Message
	err = s.commit.do(ctx, func(tx core.Tx) error {
		conv, err := tx.Conversation(id)
		if err != nil {
			return fmt.Errorf("conversation %d: %w", id, err)
		}
		m, err = s.remoteReply(tx, conv, st, actor, text)
		return err
	})
	return m, err
}

// remoteReply records a reply asked for outside the desk, shows it in the
// desk thread and audits who asked.
func (s *Service) remoteReply(tx core.Tx, conv core.Conversation, st core.Staff, actor, text string) (core.Message, error) {
	m, err := s.replyMessage(tx, conv, st, core.MessageEvent{Place: conv.Desk, At: s.now()}, text, false)
	if err != nil {
		return core.Message{}, err
	}
	if err := s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("send:desk:%d", m.ID), ConversationID: conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.DeskSide, Platform: conv.Desk.Platform,
	}); err != nil {
		return core.Message{}, err
	}
	if err := tx.Audit(core.AuditEntry{At: s.now(), Actor: "staff:" + string(st.ID), Action: "reply", Object: conv.ID.String(),
		Detail: fmt.Sprintf("message#%d via %s", m.ID, actor)}); err != nil {
		return core.Message{}, fmt.Errorf("audit: %w", err)
	}
	return m, nil
}

// Reach implements core.Operator.
func (s *Service) Reach(ctx context.Context, id core.ContactID, staff core.StaffID, actor, text string) (core.Conversation, core.Message, error) {
	st, err := s.staffByID(staff)
	if err != nil {
		return core.Conversation{}, core.Message{}, err
	}
	if strings.TrimSpace(text) == "" {
		return core.Conversation{}, core.Message{}, fmt.Errorf("%w: the message is empty", core.ErrInvalid)
	}
	var conv core.Conversation
	var m core.Message
	err = s.commit.do(ctx, func(tx core.Tx) error {
		if err := tx.LockContact(id); err != nil {
			return fmt.Errorf("contact %d: %w", id, err)
		}
		c, err := tx.Contact(id)
		if err != nil {
			return fmt.Errorf("contact %d: %w", id, err)
		}
		if c.Blocked {
			return fmt.Errorf("%w: contact %d is blocked", core.ErrForbidden, id)
		}
		latest, err := tx.Conversations(id, 1)
		if err != nil {
			return fmt.Errorf("latest conversation: %w", err)
		}
		if len(latest) == 0 {
			return fmt.Errorf("%w: contact %d never wrote to us, and no platform lets a bot start a chat with a stranger (Telegram: only users who started the bot; Discord: only users who share a server and allow DMs)", core.ErrUnsupported, id)
		}
		last := latest[0]
		if err := mayStart(c, last.Customer); err != nil {
			return err
		}
		conv = last
		if conv.Status == core.StatusClosed {
			if conv, err = s.openOutreach(tx, c, last.Customer, actor, st); err != nil {
				return err
			}
		}
		m, err = s.remoteReply(tx, conv, st, actor, text)
		if err != nil {
			return err
		}
		conv, err = tx.Conversation(conv.ID)
		return err
	})
	return conv, m, err
}

// openOutreach starts a conversation cornershop opens itself, with its
// desk thread.
func (s *Service) openOutreach(tx core.Tx, c core.Contact, place core.Place, actor string, st core.Staff) (core.Conversation, error) {
	now := s.now()
	conv := core.Conversation{
		ContactID: c.ID, Customer: place, Desk: s.deskFor(place).Place,
		Status: core.StatusOpen, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateConversation(&conv); err != nil {
		return core.Conversation{}, fmt.Errorf("create conversation: %w", err)
	}
	if err := s.enqueue(tx, core.Delivery{Key: fmt.Sprintf("open:%d", conv.ID), ConversationID: conv.ID, Op: core.OpOpenThread, Side: core.DeskSide, Platform: conv.Desk.Platform}); err != nil {
		return core.Conversation{}, err
	}
	if err := tx.Audit(core.AuditEntry{At: now, Actor: "staff:" + string(st.ID), Action: "outreach", Object: conv.ID.String(), Detail: "via " + actor}); err != nil {
		return core.Conversation{}, fmt.Errorf("audit: %w", err)
	}
	return conv, nil
}

// mayStart says whether a bot may write first to c at place, from what
// each platform documents:
//   - Telegram: a bot can write only to users who started it (a private
//     chat, whose id is the user's), or in a group it is a member of.
//   - Discord: a bot can DM only users who share a server with it (and
//     allow DMs from its members) or already have a DM with it; a channel
//     the contact wrote in is one the bot reads, so both hold where the
//     contact wrote to us before.
//   - Slack: a bot can open a DM with anyone in its workspace
//     (conversations.open) and post in any channel it is in, Slack Connect
//     channels included.
func mayStart(c core.Contact, place core.Place) error {
	switch place.Platform {
	case core.Telegram:
		for _, id := range c.Identities {
			if id.Platform == core.Telegram && id.UserID == place.Chat {
				return nil // their private chat with the bot: they started it
			}
		}
		if strings.HasPrefix(place.Chat, "-") {
			return nil // a group the bot is in
		}
		return fmt.Errorf("%w: Telegram bots may only write to users who started a chat with the bot", core.ErrUnsupported)
	case core.Discord, core.Slack:
		return nil
	}
	return fmt.Errorf("%w: cornershop cannot write first on %q", core.ErrUnsupported, place.Platform)
}

// SetIdeaStatus implements core.Operator with the moderation "!idea <id>
// status" runs.
func (s *Service) SetIdeaStatus(ctx context.Context, id core.IdeaID, staff core.StaffID, actor string, to core.IdeaStatus, message string) (string, error) {
	st, err := s.staffByID(staff)
	if err != nil {
		return "", err
	}
	if !to.Valid() || to == core.IdeaDuplicate {
		return "", fmt.Errorf("%w: status %q (a duplicate is marked by merging)", core.ErrInvalid, to)
	}
	if !st.Can(core.RoleModerator) {
		return "", fmt.Errorf("%w: moderating ideas needs the moderator role", core.ErrForbidden)
	}
	var out string
	err = s.commit.do(ctx, func(tx core.Tx) error {
		i, err := tx.Idea(id)
		if err != nil {
			return fmt.Errorf("idea %d: %w", id, err)
		}
		out, err = moderation{s: s, tx: tx, st: st, idea: i, now: s.now(), via: actor}.setStatus(to, message)
		return err
	})
	return out, err
}

// UpdateContact implements core.Operator as "!profile <field> <value>"
// does: fields are lower-cased, each change audited ("profile", and
// "contact.tags" for tags), noted in the desk thread of the contact's
// conversations that are not closed, whose cards are refreshed.
func (s *Service) UpdateContact(ctx context.Context, id core.ContactID, actor string, p core.ContactPatch) error {
	for i, f := range p.Fields {
		key := strings.ToLower(strings.TrimSpace(f.Key))
		if key == "" || len(key) > maxFieldKey || len(f.Value) > maxFieldValue {
			return fmt.Errorf("%w: a profile field is 1 to %d bytes named, its value at most %d", core.ErrInvalid, maxFieldKey, maxFieldValue)
		}
		p.Fields[i].Key = key
	}
	return s.commit.do(ctx, func(tx core.Tx) error {
		now := s.now()
		if _, err := tx.Contact(id); err != nil {
			return fmt.Errorf("contact %d: %w", id, err)
		}
		var said []string
		audit := func(action, detail string) error {
			if err := tx.Audit(core.AuditEntry{At: now, Actor: actor, Action: action, Object: id.String(), Detail: detail}); err != nil {
				return fmt.Errorf("audit: %w", err)
			}
			return nil
		}
		for _, f := range p.Fields {
			if err := tx.SetContactField(id, f, now); err != nil {
				return fmt.Errorf("set field: %w", err)
			}
			if err := audit("profile", f.Key); err != nil {
				return err
			}
			if f.Value == "" {
				said = append(said, "removed "+f.Key)
			} else {
				said = append(said, fmt.Sprintf("set %s: %s", f.Key, f.Value))
			}
		}
		if p.Tags != nil {
			if err := tx.SetContactTags(id, *p.Tags, now); err != nil {
				return fmt.Errorf("set tags: %w", err)
			}
			if err := audit("contact.tags", strings.Join(*p.Tags, " ")); err != nil {
				return err
			}
			said = append(said, "tags: "+orNone(*p.Tags))
		}
		if len(said) == 0 {
			return nil
		}
		convs, err := tx.Conversations(id, 5)
		if err != nil {
			return fmt.Errorf("conversations: %w", err)
		}
		for _, cv := range convs {
			if cv.Status == core.StatusClosed || cv.Desk.IsZero() {
				continue
			}
			if err := s.systemNote(tx, cv, fmt.Sprintf("📇 %s %s", actor, strings.Join(said, "; "))); err != nil {
				return err
			}
			if err := s.cardUpdate(tx, cv); err != nil {
				return err
			}
		}
		return nil
	})
}

// Bounds of a profile field, as "!profile" has them.
const (
	maxFieldKey   = 40
	maxFieldValue = 500
)
