package slack

import (
	"context"
	"errors"

	"cornershop/core"
)

var _ core.IncidentBoard = (*Bot)(nil)

// OpenIncident implements core.IncidentBoard: the card is posted at the
// desk channel's root (paced and escaped like any post) and the thread
// hangs under it.
func (b *Bot) OpenIncident(ctx context.Context, desk core.Place, card core.IncidentCard) (core.Thread, error) {
	rc, err := b.Send(ctx, core.Outgoing{Key: card.ID.String(), Place: core.Place{Platform: core.Slack, Chat: desk.Chat}, Kind: core.KindSystem, Text: card.Text()})
	if err != nil {
		return core.Thread{}, err
	}
	if len(rc.IDs) == 0 {
		return core.Thread{}, core.Permanent(errors.New("slack: chat.postMessage returned no ts"))
	}
	ts := rc.IDs[0]
	return core.Thread{Place: core.Place{Platform: core.Slack, Chat: desk.Chat, Thread: ts}, CardID: ts}, nil
}

// UpdateIncident implements core.IncidentBoard: the card is edited in
// place.
func (b *Bot) UpdateIncident(ctx context.Context, t core.Thread, card core.IncidentCard) error {
	return b.Edit(ctx, core.Place{Platform: core.Slack, Chat: t.Place.Chat}, []string{t.CardID}, core.Outgoing{Kind: core.KindSystem, Text: card.Text()})
}
