package relay

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cornershop/core"
)

// signalAction runs a signal card's button (or the typed "signal <verb>
// <id>"), by staff only: "dismiss" marks the signal dismissed, once.
func (s *Service) signalAction(ctx context.Context, st core.Staff, a *action) (core.ActionResult, error) {
	verb, id, ok := "", core.SignalID(0), len(a.Args) == 2
	if ok {
		verb = strings.ToLower(a.Args[0])
		n, err := strconv.ParseInt(a.Args[1], 10, 64)
		id, ok = core.SignalID(n), err == nil && n > 0
	}
	if !ok || verb != "dismiss" {
		return core.ActionResult{Text: "Usage: signal dismiss <id>"}, nil
	}
	var (
		out  string
		done *core.Signal
	)
	err := a.do(ctx, func(tx core.Tx) error {
		out, done = "", nil
		sig, err := tx.Signal(id)
		if errors.Is(err, core.ErrNotFound) {
			out = fmt.Sprintf("There is no signal %d.", int64(id))
			return nil
		}
		if err != nil {
			return fmt.Errorf("load signal: %w", err)
		}
		if sig.Desk.Platform != a.Place.Platform || sig.Desk.Chat != a.Place.Chat {
			out = "That signal belongs to another desk."
			return nil
		}
		now := s.now()
		first, err := tx.HandleSignal(id, core.SignalDismissed, "dismiss", "staff:"+string(st.ID), now)
		if err != nil {
			return fmt.Errorf("dismiss signal: %w", err)
		}
		if !first {
			out = "Someone acted on this signal already."
			return nil
		}
		if err := tx.Audit(core.AuditEntry{At: now, Actor: "staff:" + string(st.ID), Action: "signal.dismiss", Object: id.String()}); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		sig.State, sig.HandledAt = core.SignalDismissed, now
		done = &sig
		out = "Signal dismissed."
		return s.queueSignalCard(tx, id, "dismiss")
	})
	if err == nil && done != nil && s.cfg.Listening.Observer != nil {
		s.cfg.Listening.Observer.SignalDone(done.Rule, done.State, max(0, done.HandledAt.Sub(done.FirstAt)))
	}
	return core.ActionResult{Text: out}, err
}
