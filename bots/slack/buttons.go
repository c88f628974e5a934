package slack

import (
	"strconv"
	"strings"

	slackapi "github.com/slack-go/slack"

	"cornershop/core"
)

// buttonBlocks renders text (already escaped mrkdwn) and buttons as Block
// Kit: a section, then an actions block. Each button's action_id is
// "cornershop:<action>#<n>" (action ids must differ within a block; the
// "#n" is dropped when read) and its value the action's arguments; a press
// comes back as block_actions (see onInteraction). Button text is
// plain_text, so nothing in a label can mention anyone or hide a link.
func buttonBlocks(text string, bs []core.Button) []slackapi.Block {
	var els []slackapi.BlockElement
	for i, b := range bs {
		if i == maxActionElements {
			break
		}
		btn := slackapi.NewButtonBlockElement("cornershop:"+b.Action+"#"+strconv.Itoa(i), strings.Join(b.Args, " "),
			slackapi.NewTextBlockObject(slackapi.PlainTextType, clip(b.Label, maxButtonText), true, false))
		switch b.Action {
		case "solved":
			btn.Style = slackapi.StylePrimary
		}
		els = append(els, btn)
	}
	blocks := []slackapi.Block{slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, clip(text, maxSectionText), false, false), nil, nil)}
	if len(els) > 0 {
		blocks = append(blocks, slackapi.NewActionBlock("cornershop-buttons", els...))
	}
	return blocks
}

// slashAnswer is the ephemeral answer to a slash command, with the
// result's buttons as blocks.
func slashAnswer(text string, bs []core.Button) map[string]any {
	answer := map[string]any{"response_type": "ephemeral", "text": text}
	if len(bs) > 0 {
		answer["blocks"] = buttonBlocks(escape(text), bs)
	}
	return answer
}
