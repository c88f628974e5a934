package discord

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

var _ core.DirectOpener = (*Bot)(nil)

// DirectPlace implements core.DirectOpener: the DM channel with userID,
// opened (or found again) with POST /users/@me/channels.
func (b *Bot) DirectPlace(ctx context.Context, userID string) (core.Place, error) {
	ch, err := b.s.UserChannelCreate(userID, discordgo.WithContext(ctx))
	if err != nil {
		return core.Place{}, b.classify("open DM", err)
	}
	if ch == nil || ch.ID == "" {
		return core.Place{}, core.Transient(fmt.Errorf("discord: open DM: no channel in the answer"))
	}
	return core.Place{Platform: core.Discord, Chat: ch.ID}, nil
}
