package slack

import (
	"fmt"
	"strings"

	slackapi "github.com/slack-go/slack"

	"cornershop/core"
)

// buttonBlocks renders a post's text and buttons as Block Kit: a section
// with the (already escaped) text and an actions block. Each button's
// action_id is "cornershop:<action>:<i>" (unique in the block, as Slack
// requires) and its value the action's args; a press reaches the relay as
// the action with those args (see the block_actions handling). nil for no
// buttons.
func buttonBlocks(text string, buttons []core.Button) []slackapi.Block {
	if len(buttons) == 0 {
		return nil
	}
	var els []slackapi.BlockElement
	for i, bt := range buttons {
		els = append(els, slackapi.NewButtonBlockElement(fmt.Sprintf("cornershop:%s:%d", bt.Action, i),
			strings.Join(bt.Args, " "), slackapi.NewTextBlockObject(slackapi.PlainTextType, bt.Label, true, false)))
	}
	return []slackapi.Block{
		slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, false), nil, nil),
		slackapi.NewActionBlock("cornershop-buttons", els...),
	}
}
