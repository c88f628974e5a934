package relay

import (
	"context"
	"fmt"
	"time"

	"cornershop/core"
)

// handledWindow is how long the identity of a command or button acted on
// is remembered (core.Tx.MarkHandled): past Slack's and Discord's
// five-minute signature windows, after which a replayed request is refused
// for its timestamp, and Telegram's 24 hours of keeping an update it could
// not deliver.
const handledWindow = 24 * time.Hour

// pruneEvery is how often at most one process forgets the identities older
// than handledWindow, in the transaction of an action.
const pruneEvery = time.Minute

// action is one invocation of a command or button on its way through Act.
// Its transactions run through do, the first of which records its
// identity (ActionEvent.ID): a replayed or redelivered request finds it
// recorded, and nothing is done twice — the record commits with the
// action or not at all, on any replica.
type action struct {
	core.ActionEvent
	s      *Service
	marked bool // a committed transaction recorded the identity
	repeat bool // the identity was recorded before: nothing is done
}

// do runs fn in a transaction of the relay's group commit. The first one
// records the action's identity, and when it was recorded before runs
// nothing and sets repeat; after that do runs nothing at all.
func (a *action) do(ctx context.Context, fn func(tx core.Tx) error) error {
	switch {
	case a.repeat:
		return nil
	case a.marked || a.ID == "":
		return a.s.commit.do(ctx, fn)
	}
	var repeat bool
	err := a.s.commit.do(ctx, func(tx core.Tx) error {
		first, err := a.s.markHandled(tx, a.ActionEvent)
		if err != nil {
			return err
		}
		if repeat = !first; repeat {
			return nil
		}
		return fn(tx)
	})
	if err == nil {
		a.marked, a.repeat = true, repeat
	}
	return err
}

// markHandled records e's identity — its platform id within its chat, as
// Telegram's message ids are per chat — and reports whether it is new,
// forgetting those older than handledWindow at most once a pruneEvery.
func (s *Service) markHandled(tx core.Tx, e core.ActionEvent) (bool, error) {
	now := s.now()
	first, err := tx.MarkHandled(e.Place.Platform, e.Place.Chat+"/"+e.ID, now)
	if err != nil {
		return false, fmt.Errorf("mark handled: %w", err)
	}
	last := s.pruned.Load()
	if now.UnixNano()-last >= int64(pruneEvery) && s.pruned.CompareAndSwap(last, now.UnixNano()) {
		if _, err := tx.PruneHandled(now.Add(-handledWindow)); err != nil {
			return false, fmt.Errorf("prune handled: %w", err)
		}
	}
	return first, nil
}
