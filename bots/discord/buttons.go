package discord

import (
	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

// buttonRow renders buttons as one action row of message components
// whose custom_ids are "cornershop:<action>:<args…>" (see
// parseCustomID); nil for no buttons. Discord allows five buttons a row.
func buttonRow(buttons []core.Button) []discordgo.MessageComponent {
	if len(buttons) == 0 {
		return nil
	}
	row := discordgo.ActionsRow{}
	for _, bt := range buttons[:min(len(buttons), 5)] {
		row.Components = append(row.Components, discordgo.Button{Label: bt.Label, Style: discordgo.SecondaryButton, CustomID: customID(bt.Action, bt.Args...)})
	}
	return []discordgo.MessageComponent{row}
}
