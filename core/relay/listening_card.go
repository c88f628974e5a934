package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cornershop/core"
	"cornershop/core/listen"
)

// performSignal carries out a signal's delivery: its card.
func (s *Service) performSignal(ctx context.Context, d core.Delivery) (func(core.Tx) error, error) {
	id, ok := signalOfLane(d.Lane)
	if !ok {
		return nil, core.Permanent(fmt.Errorf("signal card in lane %q: %w", d.Lane, core.ErrInvalid))
	}
	var (
		sig   core.Signal
		first core.SignalMessage
		ideas []core.Idea
		later bool
	)
	err := s.commit.quiet(ctx, func(tx core.Tx) error {
		var err error
		if sig, err = tx.Signal(id); err != nil {
			return err
		}
		first, err = tx.SignalMessage(sig.First)
		if errors.Is(err, core.ErrNotFound) {
			first, err = core.SignalMessage{AuthorName: "(erased)"}, nil
		}
		if err != nil {
			return err
		}
		if sig.State == core.SignalOpen && first.ID != 0 {
			if ideas, err = relatedIdeas(tx, first.Text, maxFeedbackButtons); err != nil {
				return err
			}
		}
		later, err = tx.PendingBehind(d)
		return err
	})
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Permanent(err)
	}
	if err != nil {
		return nil, fmt.Errorf("load signal: %w", err)
	}
	plat, ok := s.platforms[sig.Desk.Platform]
	if !ok {
		return nil, core.Permanent(fmt.Errorf("platform %s is not running", sig.Desk.Platform))
	}
	out := core.Outgoing{Key: d.Key, Place: sig.Desk, Kind: core.KindSystem, Text: s.signalText(sig, first), MaybeSent: d.MaybeSent}
	if sig.State == core.SignalOpen {
		out.Buttons = signalButtons(sig.ID, ideas)
	}
	if sig.CardID != "" {
		if later {
			return nil, nil // a render queued behind this one shows the same and newer: a storm costs a few edits
		}
		ed, ok := plat.(core.Editor)
		if !ok {
			return nil, nil // the card stays as first posted
		}
		out.Place = sig.Card
		return nil, ed.Edit(ctx, sig.Card, []string{sig.CardID}, out)
	}
	rc, err := plat.Send(ctx, out)
	if err != nil {
		return nil, err
	}
	if len(rc.IDs) == 0 {
		return nil, nil
	}
	card := sig.Desk
	if !rc.Place.IsZero() {
		card = rc.Place
	}
	return func(tx core.Tx) error {
		return tx.UpdateSignal(sig.ID, core.SignalPatch{Card: &card, CardID: &rc.IDs[0]})
	}, nil
}

// signalButtons are the actions on an open signal's card: Reply in place,
// Open a conversation, Feedback for each related idea, Dismiss.
func signalButtons(id core.SignalID, ideas []core.Idea) []core.Button {
	n := fmt.Sprint(int64(id))
	bs := []core.Button{
		{Label: "Reply in place", Action: "signal", Args: []string{"reply", n}},
		{Label: "Open a conversation", Action: "signal", Args: []string{"conversation", n}},
	}
	for _, i := range ideas {
		bs = append(bs, core.Button{Label: fmt.Sprintf("Feedback for idea #%d", int64(i.ID)), Action: "signal",
			Args: []string{"idea", n, fmt.Sprint(int64(i.ID))}})
	}
	return append(bs, core.Button{Label: "Dismiss", Action: "signal", Args: []string{"dismiss", n}})
}

// placeName is what staff call a listening place.
func (s *Service) placeName(p core.Place) string {
	if lp, ok := s.listeningAt(p); ok && lp.Name != "" {
		return lp.Name
	}
	return p.Chat
}

// signalText renders a signal's card: the rule and sentiment, who said
// what where with a link, and how many messages the burst holds. The
// community's words are quoted as they were written; adapters escape them
// like any customer text.
func (s *Service) signalText(sig core.Signal, first core.SignalMessage) string {
	var b strings.Builder
	where := s.placeName(sig.Place)
	fmt.Fprintf(&b, "👂 Listening — rule “%s” in %s (%s)\n", sig.Rule, where, sig.Place.Platform)
	fmt.Fprintf(&b, "%s (%s %+.2f): %s", first.AuthorName, listen.Sentiment(first.Sentiment).Label(), first.Sentiment, quote(first.Text))
	if first.Link != "" {
		b.WriteString("\n" + first.Link)
	}
	if sig.Count > 1 {
		fmt.Fprintf(&b, "\n%d messages in %s in %s", sig.Count, where, burstSpan(sig.LastAt.Sub(sig.FirstAt)))
		if sig.Negative > 0 {
			fmt.Fprintf(&b, " (%d negative)", sig.Negative)
		}
	}
	switch sig.State {
	case core.SignalDismissed:
		fmt.Fprintf(&b, "\nDismissed by %s.", s.actorName(sig.HandledBy))
	case core.SignalHandled:
		fmt.Fprintf(&b, "\nHandled by %s: %s.", s.actorName(sig.HandledBy), actionWords[sig.Action])
	}
	return b.String()
}

// actionWords say what an action on a signal did.
var actionWords = map[string]string{
	"reply":        "replying in place (see the new conversation thread)",
	"conversation": "a direct conversation (see the new conversation thread)",
	"idea":         "feedback on an idea",
}

// quote shortens a message for a card.
func quote(text string) string {
	r := []rune(strings.Join(strings.Fields(text), " "))
	if len(r) > 300 {
		r = append(r[:299], '…')
	}
	return "“" + string(r) + "”"
}

// burstSpan writes a burst's length in whole minutes ("under a minute").
func burstSpan(d time.Duration) string {
	switch m := int(d / time.Minute); {
	case m < 1:
		return "under a minute"
	case m == 1:
		return "1 minute"
	default:
		return fmt.Sprintf("%d minutes", m)
	}
}

// actorName names "staff:<id>" by their voice.
func (s *Service) actorName(actor string) string {
	id, ok := strings.CutPrefix(actor, "staff:")
	if !ok {
		return actor
	}
	if st, ok := s.staff.byID[core.StaffID(id)]; ok && st.Voice.Name != "" {
		return st.Voice.Name
	}
	return id
}
