package relay

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"cornershop/core"
)

// progressEvery is how often an incident's card is rendered again while
// an update is on its way, so staff watch the delivery count move.
const progressEvery = 5 * time.Second

// incidentView is what an incident delivery needs, read in one go.
type incidentView struct {
	inc     core.Incident
	card    core.IncidentCard
	pending bool // an update's copies are still on their way
	later   bool // a render waits behind this one
	post    core.IncidentPost
}

// performIncident carries out an incident thread's delivery: opening the
// thread with its card, rendering the card again, or a line in it.
func (s *Service) performIncident(ctx context.Context, d core.Delivery) (func(core.Tx) error, error) {
	if d.Op == core.OpBroadcast {
		return s.performBroadcast(ctx, d)
	}
	var v incidentView
	err := s.commit.quiet(ctx, func(tx core.Tx) error {
		v = incidentView{}
		var err error
		if v.inc, err = tx.Incident(d.Incident); err != nil {
			return err
		}
		if d.Op == core.OpSend {
			v.post, err = tx.IncidentPost(d.Key)
			return err
		}
		if v.card, v.pending, err = s.incidentCardOf(tx, v.inc); err != nil {
			return err
		}
		if !isTick(d) {
			v.later, err = tx.PendingBehind(d)
		}
		return err
	})
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Permanent(err)
	}
	if err != nil {
		return nil, fmt.Errorf("load incident: %w", err)
	}
	plat, ok := s.platforms[v.inc.Desk.Platform]
	if !ok {
		return nil, core.Permanent(fmt.Errorf("platform %s is not running", v.inc.Desk.Platform))
	}
	board, canBoard := plat.(core.IncidentBoard)
	switch d.Op {
	case core.OpOpenThread:
		if v.inc.Desk.Thread != "" {
			return nil, nil // opened by an earlier attempt that was recorded
		}
		if !canBoard {
			return nil, core.Permanent(fmt.Errorf("incident thread on %s: %w", v.inc.Desk.Platform, core.ErrUnsupported))
		}
		th, err := board.OpenIncident(ctx, v.inc.Desk, v.card)
		if err != nil {
			return nil, err
		}
		return func(tx core.Tx) error {
			if err := tx.UpdateIncident(v.inc.ID, core.IncidentPatch{Desk: &th.Place, Card: &th.CardID}, s.now()); err != nil {
				return fmt.Errorf("record incident thread: %w", err)
			}
			return s.tick(tx, v)
		}, nil
	case core.OpUpdateCard:
		if !canBoard || v.later {
			return nil, nil // no card to render, or a later render shows the same and newer
		}
		if v.inc.Desk.Thread == "" {
			// Renders have their own lane: the thread may still be on its
			// way. Try again (with backoff) rather than miss a change.
			return nil, fmt.Errorf("incident #%d: thread not open yet", v.inc.ID)
		}
		err := board.UpdateIncident(ctx, core.Thread{Place: v.inc.Desk, CardID: v.inc.Card}, v.card)
		if err != nil {
			return nil, err
		}
		return func(tx core.Tx) error { return s.tick(tx, v) }, nil
	case core.OpSend:
		if v.inc.Desk.Thread == "" {
			return nil, core.Permanent(fmt.Errorf("incident #%d has no thread", v.inc.ID))
		}
		_, err := plat.Send(ctx, core.Outgoing{Key: d.Key, Place: v.inc.Desk, Kind: core.KindSystem, Text: v.post.Text, MaybeSent: d.MaybeSent})
		return nil, err
	}
	return nil, core.Permanent(fmt.Errorf("incident delivery with operation %q: %w", d.Op, core.ErrInvalid))
}

// isTick reports whether d is a progress render (see tick).
func isTick(d core.Delivery) bool { return strings.Contains(d.Key, ":tick:") }

// tick queues the card's next render while an update is on its way. The
// outbox is the timer; the key (one per period) keeps a single chain
// however many renders ask, and its own lane keeps the thread's lines from
// waiting for it.
func (s *Service) tick(tx core.Tx, v incidentView) error {
	if !v.pending || v.inc.Desk.Thread == "" {
		return nil
	}
	at := s.now().Add(progressEvery).Truncate(progressEvery)
	return s.enqueueAt(tx, core.Delivery{
		Key: fmt.Sprintf("incident:%d:tick:%d", v.inc.ID, at.Unix()), Incident: v.inc.ID, Op: core.OpUpdateCard,
		Side: core.DeskSide, Platform: v.inc.Desk.Platform, Lane: incidentLane(v.inc.ID) + ":tick", NextAttemptAt: at,
	})
}

// incidentCardOf renders an incident's card from the database: links per
// platform, the latest update and its delivery progress (a query over the
// copies' deliveries). pending reports copies still on their way.
func (s *Service) incidentCardOf(tx core.Tx, inc core.Incident) (core.IncidentCard, bool, error) {
	card := core.IncidentCard{ID: inc.ID, Title: inc.Title, State: inc.State}
	links, err := tx.IncidentLinks(inc.ID)
	if err != nil {
		return card, false, fmt.Errorf("incident links: %w", err)
	}
	per := map[core.PlatformName]int{}
	for _, l := range links {
		per[l.Platform]++
	}
	var parts []string
	for _, p := range slices.Sorted(maps.Keys(per)) {
		parts = append(parts, fmt.Sprintf("%s on %s", thousands(per[p]), p))
	}
	linked := "none yet"
	if len(parts) > 0 {
		linked = fmt.Sprintf("%s customer(s): %s", thousands(len(links)), strings.Join(parts, ", "))
	}
	card.Lines = append(card.Lines, "Linked: "+linked)
	var pending bool
	switch u, err := tx.LatestIncidentUpdate(inc.ID); {
	case errors.Is(err, core.ErrNotFound):
		card.Lines = append(card.Lines, "Last update: none yet")
	case err != nil:
		return card, false, fmt.Errorf("latest incident update: %w", err)
	default:
		card.Lines = append(card.Lines, fmt.Sprintf("Last update: %q by %s, %s", clip(u.Text, 200), u.AuthorName, u.CreatedAt.UTC().Format("2 Jan 15:04 MST")))
		p, err := tx.IncidentProgress(u.ID)
		if err != nil {
			return card, false, fmt.Errorf("incident progress: %w", err)
		}
		pending = p.Pending > 0
		line := fmt.Sprintf("Delivery: %s / %s delivered", thousands(p.Delivered), thousands(p.Copies-p.Cancelled))
		if p.Failed > 0 {
			line += fmt.Sprintf(", %s failed — %sincident %d failures", thousands(p.Failed), s.cfg.CommandPrefix, inc.ID)
		}
		card.Lines = append(card.Lines, line)
	}
	if len(inc.Keywords) > 0 {
		card.Lines = append(card.Lines, "Keywords: "+strings.Join(inc.Keywords, ", "))
	}
	if inc.State != core.IncidentResolved {
		p := s.cfg.CommandPrefix
		card.Lines = append(card.Lines, fmt.Sprintf("Write here to update every linked customer · %s for a note · %sundo · %sstate identified|monitoring · %sresolve [final message]",
			s.cfg.NotePrefix, p, p, p))
	}
	return card, pending, nil
}

// incidentOnCard is the conversation card's line about its incident, ""
// when it is linked to none.
func incidentOnCard(tx core.Tx, conv core.ConversationID) (core.Field, bool, error) {
	l, err := tx.IncidentOf(conv)
	if errors.Is(err, core.ErrNotFound) {
		return core.Field{}, false, nil
	}
	if err != nil {
		return core.Field{}, false, fmt.Errorf("incident of conversation: %w", err)
	}
	inc, err := tx.Incident(l.Incident)
	if err != nil {
		return core.Field{}, false, fmt.Errorf("load incident: %w", err)
	}
	return core.Field{Key: "Incident", Value: fmt.Sprintf("#%d %s (%s)", inc.ID, clip(inc.Title, 80), inc.State)}, true, nil
}

// IncidentStatsText is the !stats line about incidents ("" when none was
// opened in the period).
func IncidentStatsText(st core.IncidentStats) string {
	if st.Opened == 0 {
		return ""
	}
	line := fmt.Sprintf("\n🚨 Incidents: %d opened, %d customers affected", st.Opened, st.Affected)
	if len(st.FirstUpdate) > 0 {
		line += fmt.Sprintf(", first update a median %s after the first linked message", round(median(st.FirstUpdate)))
	}
	return line + "."
}
