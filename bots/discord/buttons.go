package discord

import (
	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

// components renders buttons (survey faces, answer results, suggestions)
// as action rows of Discord buttons whose custom_ids are
// "cornershop:<action>:<args…>"; a press comes back as an interaction
// whose custom_id parseCustomID reads.
// Labels are plain text (Discord renders no markdown or mentions in
// them). A button whose custom_id would not fit is left out.
func components(bs []core.Button) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	var row discordgo.ActionsRow
	for _, b := range bs {
		id := customID(b.Action, b.Args...)
		if len(id) > maxCustomID {
			continue
		}
		style := discordgo.SecondaryButton
		switch b.Action {
		case "solved":
			style = discordgo.SuccessButton
		case "person":
			style = discordgo.PrimaryButton
		}
		row.Components = append(row.Components, discordgo.Button{Label: clipLabel(b.Label), Style: style, CustomID: id})
		if len(row.Components) == maxRowButtons {
			rows, row = append(rows, row), discordgo.ActionsRow{}
		}
	}
	if len(row.Components) > 0 {
		rows = append(rows, row)
	}
	if len(rows) > maxRows {
		rows = rows[:maxRows]
	}
	return rows
}

func clipLabel(s string) string {
	if r := []rune(s); len(r) > maxLabel {
		return string(r[:maxLabel-1]) + "…"
	}
	return s
}
