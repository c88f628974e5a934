package relay

import (
	"context"
	"errors"
	"fmt"

	"cornershop/core"
)

// A desk never loses a customer to a card. A conversation's desk thread
// opens with its own delivery (open:<conversation>), ahead of the
// customer's first message in the same lane, and lanes are worked in
// order: so a desk copy that finds no thread comes after an opening that
// failed. Each such copy first tries to open the thread once more (a
// permission or channel fixed since heals the conversation at its next
// message, and the thread is recorded at once); when that fails for good
// too, the copy is posted in the desk channel itself, outside any thread,
// saying whose message it is and why it is there. Later messages of the
// conversation do the same until a thread opens. Staff cannot answer
// there (answers are read in threads only); the heading says so.

// noThread delivers a desk copy of conversation p.conv, which has no desk
// thread, as described above.
func (s *Service) noThread(ctx context.Context, plat core.Platform, d core.Delivery, p plan, target core.Place) (func(core.Tx) error, error) {
	if target.Chat == "" {
		return nil, core.Transient(errors.New("the desk thread is not open yet"))
	}
	cause := fmt.Errorf("open desk thread on %s: %w", target.Platform, core.ErrUnsupported)
	if opener, ok := plat.(core.ThreadOpener); ok {
		th, err := opener.OpenThread(ctx, target.Channel(), p.card)
		if class, _ := core.Classify(err); err != nil && class != core.ClassPermanent {
			return nil, err
		}
		if err == nil {
			if err := s.commit.quiet(ctx, func(tx core.Tx) error {
				return tx.UpdateConversation(p.conv.ID, core.ConversationPatch{Desk: &th.Place, DeskCard: &th.CardID}, s.now())
			}); err != nil {
				return nil, fmt.Errorf("record desk thread: %w", err)
			}
			p.conv.Desk = th.Place
			return s.send(ctx, plat, d, p, th.Place)
		}
		cause = err
	}
	s.log.Warn("desk thread could not be opened; the message goes to the desk channel",
		"conversation", p.conv.ID, "message", p.msg.ID, "platform", target.Platform, "desk", target.Chat, "err", cause)
	out := s.outgoing(ctx, d, p, target)
	out.Text = fallbackHeading(p, cause) + "\n" + out.Text
	rc, err := plat.Send(ctx, out)
	if err != nil {
		return nil, err
	}
	if s.cfg.DeskFallback != nil {
		s.cfg.DeskFallback(target.Platform)
	}
	return s.recordSent(d, p, target, rc), nil
}

// fallbackHeading opens a desk copy posted outside a thread: whose it is,
// which conversation, why it is here.
func fallbackHeading(p plan, cause error) string {
	who := firstNonEmpty(p.contact.Name, p.msg.AuthorName, "A customer")
	return fmt.Sprintf("⚠️ %s (conversation #%d on %s) — no desk thread could be opened (%s), so this is posted here; answers cannot be sent from this channel.",
		who, p.conv.ID, p.conv.Customer.Platform, reason(cause))
}
