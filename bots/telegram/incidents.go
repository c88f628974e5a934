package telegram

import (
	"context"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/internal/chunk"
	"cornershop/core"
)

var _ core.IncidentBoard = (*Bot)(nil)

// incidentHTML renders an incident's card: its heading in bold, then its
// lines, escaped, within Telegram's 4,096.
func incidentHTML(card core.IncidentCard) string {
	lines := []string{"<b>" + text(card.Heading(), cardName) + "</b>"}
	for _, l := range card.Lines {
		lines = append(lines, text(l, cardValue))
	}
	return strings.Join(lines, "\n")
}

func incidentTopic(card core.IncidentCard) string {
	return chunk.Clip(card.Heading(), maxTopicName, chunk.UTF16)
}

// OpenIncident implements core.IncidentBoard: a forum topic named after
// the incident, opened by its card.
func (b *Bot) OpenIncident(ctx context.Context, desk core.Place, card core.IncidentCard) (core.Thread, error) {
	return b.openTopic(ctx, desk, incidentTopic(card), incidentHTML(card))
}

// UpdateIncident implements core.IncidentBoard: the topic's name shows
// the state and the card is edited; a resolved incident's topic closes.
func (b *Bot) UpdateIncident(ctx context.Context, t core.Thread, card core.IncidentCard) error {
	p := target(t.Place)
	p["name"] = incidentTopic(card)
	if _, err := b.call(ctx, "editForumTopic", p); err != nil && !notModified(err) {
		return err
	}
	edit := tgbotapi.Params{"chat_id": t.Place.Chat, "message_id": t.CardID, "text": incidentHTML(card), "parse_mode": "HTML"}
	if _, err := b.call(ctx, "editMessageText", edit); err != nil && !notModified(err) {
		return err
	}
	if card.State == core.IncidentResolved {
		if _, err := b.call(ctx, "closeForumTopic", target(t.Place)); err != nil && !notModified(err) {
			return err
		}
	}
	return nil
}
