package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"cornershop/core"
)

// performIdea carries out an idea's delivery: its card or a notice batch.
func (s *Service) performIdea(ctx context.Context, d core.Delivery) (func(core.Tx) error, error) {
	switch d.Op {
	case core.OpIdeaCard:
		return s.ideaCard(ctx, d)
	case core.OpNotify:
		return nil, s.sendNotices(ctx, d)
	}
	return nil, core.Permanent(fmt.Errorf("idea delivery with operation %q: %w", d.Op, core.ErrInvalid))
}

// ideaCard posts the idea's card where it was proposed, or renders it again
// where it is. Each render reads the idea afresh, so when another render
// waits behind this one in the idea's lane this one is skipped: the last
// shows the latest state.
func (s *Service) ideaCard(ctx context.Context, d core.Delivery) (func(core.Tx) error, error) {
	var (
		i     core.Idea
		later bool
	)
	err := s.commit.quiet(ctx, func(tx core.Tx) error {
		var err error
		if i, err = tx.Idea(d.IdeaID); err != nil {
			return err
		}
		later, err = tx.PendingBehind(d)
		return err
	})
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Permanent(err)
	}
	if err != nil {
		return nil, fmt.Errorf("load idea: %w", err)
	}
	board, ok := s.platforms[i.Origin.Platform].(core.IdeaBoard)
	if !ok {
		return nil, nil // a platform without cards: the idea lives on the roadmap page
	}
	if i.CardID != "" {
		if later {
			return nil, nil // a render queued behind this one shows the same and newer: a vote storm costs one edit
		}
		return nil, board.UpdateIdea(ctx, core.Thread{Place: i.Card, CardID: i.CardID}, i)
	}
	if !i.Visible() {
		return nil, nil // its card is posted once it is approved or shown
	}
	th, err := board.PostIdea(ctx, i.Origin, i)
	if err != nil {
		return nil, err
	}
	return func(tx core.Tx) error {
		return tx.UpdateIdea(i.ID, core.IdeaPatch{Card: &th.Place, CardID: &th.CardID}, s.now())
	}, nil
}

// muteHint ends every notice: how to stop them, with muteCommand.
const (
	muteCommand = "/ideas mute"
	muteHint    = "(Send " + muteCommand + " to stop news about ideas.)"
)

// sendNotices sends one notice batch to its follower: a single notice in the
// voice of the moderator who made the change, or a digest in the team's.
func (s *Service) sendNotices(ctx context.Context, d core.Delivery) error {
	var ns []core.Notice
	err := s.commit.quiet(ctx, func(tx core.Tx) error {
		var err error
		ns, err = tx.Notices(d.Key)
		return err
	})
	if err != nil {
		return fmt.Errorf("load notices: %w", err)
	}
	if len(ns) == 0 {
		return nil
	}
	to := ns[0].To
	plat, ok := s.platforms[to.Platform]
	if !ok {
		return core.Permanent(fmt.Errorf("platform %s is not running", to.Platform))
	}
	place := core.Place{Platform: to.Platform, Chat: to.Chat}
	if place.Chat == "" {
		opener, ok := plat.(core.DirectOpener)
		if !ok {
			return core.Permanent(fmt.Errorf("direct message on %s: %w", to.Platform, core.ErrUnsupported))
		}
		if place, err = opener.DirectPlace(ctx, to.UserID); err != nil {
			return err
		}
	}
	out := core.Outgoing{Key: d.Key, Place: place, Kind: core.KindReply, Voice: s.voiceOf(ctx, "staff:"+string(ns[0].Actor)),
		Commands: []string{muteCommand}}
	if len(ns) == 1 {
		out.Text = ns[0].Text + "\n\n" + muteHint
	} else {
		var b strings.Builder
		b.WriteString("Here is what moved on ideas you back:")
		for _, n := range ns {
			b.WriteString("\n• " + n.Text)
			if n.Actor != ns[0].Actor {
				out.Voice = core.Voice{}
			}
		}
		b.WriteString("\n\n" + muteHint)
		out.Text = b.String()
	}
	if out.Voice.Name == "" {
		out.Voice = s.cfg.Team
		out.Voice.Team = true
	}
	_, err = plat.Send(ctx, out)
	return err
}
