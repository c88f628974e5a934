package discord

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

var _ core.IncidentBoard = (*Bot)(nil)

// incidentContent renders an incident's card as a message, escaped.
func incidentContent(card core.IncidentCard) string {
	return clip(contents(core.Outgoing{Kind: core.KindSystem, Text: card.Text()})[0], maxContent)
}

// OpenIncident implements core.IncidentBoard: a thread started from the
// card in a desk channel, or a forum post whose first message is the card.
func (b *Bot) OpenIncident(ctx context.Context, desk core.Place, card core.IncidentCard) (core.Thread, error) {
	start := &discordgo.ThreadStart{Name: clip(card.Heading(), maxThreadName), AutoArchiveDuration: 10080}
	if b.o.DeskKind == "forum" {
		th, err := b.s.ForumThreadStartComplex(desk.Chat, start, &discordgo.MessageSend{Content: incidentContent(card), AllowedMentions: noPings()}, discordgo.WithContext(ctx))
		if err != nil {
			return core.Thread{}, b.classify("start forum post", err)
		}
		b.remember(th)
		return core.Thread{Place: core.Place{Platform: core.Discord, Chat: desk.Chat, Thread: th.ID}, CardID: th.ID}, nil
	}
	id, err := b.sendBot(ctx, core.Place{Platform: core.Discord, Chat: desk.Chat}, incidentContent(card), nil, nil, noPings())
	if err != nil {
		return core.Thread{}, err
	}
	th, err := b.s.MessageThreadStartComplex(desk.Chat, id, start, discordgo.WithContext(ctx))
	if err != nil {
		return core.Thread{}, b.classify("start thread", err)
	}
	b.remember(th)
	return core.Thread{Place: core.Place{Platform: core.Discord, Chat: desk.Chat, Thread: th.ID}, CardID: id}, nil
}

// UpdateIncident implements core.IncidentBoard: the card is edited (a
// forum post's card lives inside the post).
func (b *Bot) UpdateIncident(ctx context.Context, t core.Thread, card core.IncidentCard) error {
	channel := t.Place.Chat
	if b.o.DeskKind == "forum" {
		channel = t.Place.Thread
	}
	content := incidentContent(card)
	_, err := b.s.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: t.CardID, Channel: channel, Content: &content, AllowedMentions: noPings()}, discordgo.WithContext(ctx))
	if err != nil {
		return b.classify("edit incident card", err)
	}
	return nil
}
