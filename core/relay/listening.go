package relay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cornershop/core"
	"cornershop/core/listen"
)

// Listening configures listening (docs/listening.md): community places
// where cornershop reads every message, and the rules that turn a match
// into a signal in a desk.
type Listening struct {
	// Places are the listening channels and groups; a message there is
	// matched against Rules and forgotten unless a rule matches.
	Places []ListeningPlace
	// Rules are the compiled listening rules (nil: none).
	Rules *listen.Matcher
	// Scorer scores the sentiment of matched messages; New builds one
	// when there are rules and it is nil.
	Scorer *listen.Scorer
	// Window folds the matches of one rule in one place into one signal
	// while each comes within Window of the one before [5m].
	Window time.Duration
	// Observer is told of matches and of signals acted on, after they
	// commit (metrics); nil for none.
	Observer ListeningObserver
}

// ListeningPlace is a listening channel or group and the name staff know it
// by ("#general").
type ListeningPlace struct {
	Place core.Place // platform and chat; Thread empty (its threads are heard too)
	Name  string
}

// ListeningObserver is told what listening did, once it is committed. Its
// methods must not block. Rule and place names come from the
// configuration, so their number is bounded.
type ListeningObserver interface {
	// Matched counts a message that matched rule at place.
	Matched(rule, place string, negative bool)
	// SignalDone counts a signal of rule handled or dismissed, took after
	// its first message.
	SignalDone(rule string, state core.SignalState, took time.Duration)
}

const defaultListeningWindow = 5 * time.Minute

func (l Listening) withDefaults() Listening {
	if l.Window <= 0 {
		l.Window = defaultListeningWindow
	}
	if l.Scorer == nil && l.Rules != nil {
		l.Scorer = listen.NewScorer()
	}
	return l
}

// checkListening reports a rule whose desk does not exist.
func (s *Service) checkListening() error {
	for _, r := range s.cfg.Listening.Rules.Rules() {
		if _, ok := s.deskNamed(r.Desk); !ok {
			return fmt.Errorf("relay: listening rule %q: no desk named %q: %w", r.Name, r.Desk, core.ErrInvalid)
		}
	}
	return nil
}

func (s *Service) deskNamed(name string) (Desk, bool) {
	for _, d := range s.cfg.Desks {
		if d.Name == name {
			return d, true
		}
	}
	return Desk{}, false
}

// listeningAt returns the listening place of place's chat.
func (s *Service) listeningAt(place core.Place) (ListeningPlace, bool) {
	for _, l := range s.cfg.Listening.Places {
		if l.Place.Platform == place.Platform && l.Place.Chat == place.Chat {
			return l, true
		}
	}
	return ListeningPlace{}, false
}

// listeningOnly reports an edit, delete or reaction at a listening place:
// listening keeps what matched when it was written, and nothing more.
func (s *Service) listeningOnly(e core.Event) bool {
	switch e.(type) {
	case core.EditEvent, core.DeleteEvent, core.ReactionEvent:
		_, ok := s.listeningAt(e.Where())
		return ok
	}
	return false
}

// matched is one rule's match of a message, kept for the observer.
type matched struct {
	rule     string
	negative bool
}

// listenMessage is a message in a listening place: matched against the
// rules before anything touches the database, and recorded only when a
// rule keeps it. Each kept match joins its rule's open signal at the place
// when the last one came within the window, or opens a new signal; either
// way the signal's card is (re)rendered through the outbox.
func (s *Service) listenMessage(ctx context.Context, lp ListeningPlace, e core.MessageEvent) error {
	l := s.cfg.Listening
	ms := l.Rules.Match(e.Text)
	if len(ms) == 0 || e.Sender.Bot {
		return nil // not stored: never seen by anyone
	}
	sent := l.Scorer.Score(e.Text)
	kept := ms[:0]
	for _, m := range ms {
		if !m.Rule.Negative || sent.Negative() {
			kept = append(kept, m)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	var done []matched
	err := s.commit.do(ctx, func(tx core.Tx) error {
		done = done[:0]
		heard, err := tx.SignalMessageHeard(e.Place.Platform, e.Place.Chat, e.ID)
		if err != nil || heard {
			return err
		}
		contact, err := s.contactFor(tx, e.Place.Platform, e.Sender)
		if err != nil {
			return err
		}
		if contact.Blocked {
			return nil
		}
		for _, m := range kept {
			if err := s.signalMatch(tx, lp, e, contact.ID, m, sent); err != nil {
				return err
			}
			done = append(done, matched{rule: m.Rule.Name, negative: sent.Negative()})
		}
		return nil
	})
	if err == nil && l.Observer != nil {
		for _, d := range done {
			l.Observer.Matched(d.rule, lp.Name, d.negative)
		}
	}
	return err
}

// signalMatch records one rule's match of e in its signal.
func (s *Service) signalMatch(tx core.Tx, lp ListeningPlace, e core.MessageEvent, contact core.ContactID, m listen.Match, sent listen.Sentiment) error {
	desk, _ := s.deskNamed(m.Rule.Desk) // checked in New
	at := s.at(e.At)
	where := core.Place{Platform: e.Place.Platform, Chat: e.Place.Chat}
	sig, err := tx.BurstSignal(m.Rule.Name, where, at.Add(-s.cfg.Listening.Window))
	fresh := errors.Is(err, core.ErrNotFound)
	switch {
	case fresh:
		sig = core.Signal{Rule: m.Rule.Name, Desk: desk.Place.Channel(), Place: where, FirstAt: at, LastAt: at, State: core.SignalOpen}
		if err := tx.CreateSignal(&sig); err != nil {
			return fmt.Errorf("create signal: %w", err)
		}
	case err != nil:
		return fmt.Errorf("find burst signal: %w", err)
	}
	sm := core.SignalMessage{
		Signal: sig.ID, Contact: contact, Rule: m.Rule.Name, Place: e.Place, PlatformID: e.ID,
		AuthorName: senderName(e.Sender), Text: e.Text, Link: s.messageLink(e.Place, e.ID), Term: m.Term,
		Sentiment: float64(sent), At: at,
	}
	if err := tx.AddSignalMessage(&sm); err != nil {
		// A duplicate means another replica recorded it concurrently:
		// fail, so this transaction (and any signal it opened) rolls back
		// and the retry finds the message heard.
		return fmt.Errorf("record matched message: %w", err)
	}
	p := core.SignalPatch{}
	if fresh {
		p.First = &sm.ID
	}
	count, neg := sig.Count+1, sig.Negative
	if sent.Negative() {
		neg++
	}
	last := sig.LastAt
	if at.After(last) {
		last = at
	}
	p.Count, p.Negative, p.LastAt = &count, &neg, &last
	if err := tx.UpdateSignal(sig.ID, p); err != nil {
		return fmt.Errorf("update signal: %w", err)
	}
	return s.queueSignalCard(tx, sig.ID, fmt.Sprintf("m%d", sm.ID))
}

// queueSignalCard queues a render of a signal's card; why makes its key
// unique.
func (s *Service) queueSignalCard(tx core.Tx, id core.SignalID, why string) error {
	sig, err := tx.Signal(id)
	if err != nil {
		return fmt.Errorf("load signal: %w", err)
	}
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("signal:%d:%s", int64(id), why), Lane: signalLane(id),
		Op: core.OpSignalCard, Side: core.DeskSide, Platform: sig.Desk.Platform,
	})
}

// signalLane orders the renders of one signal's card.
func signalLane(id core.SignalID) string { return fmt.Sprintf("signal:%d", int64(id)) }

// signalOfLane reads the signal a card delivery renders.
func signalOfLane(lane string) (core.SignalID, bool) {
	var id int64
	if _, err := fmt.Sscanf(lane, "signal:%d", &id); err != nil || id <= 0 {
		return 0, false
	}
	return core.SignalID(id), true
}

// messageLink asks the place's platform for a link to message id.
func (s *Service) messageLink(place core.Place, id string) string {
	if w, ok := s.platforms[place.Platform].(core.MessageLinkWriter); ok {
		return w.MessageLink(place, id)
	}
	return ""
}
