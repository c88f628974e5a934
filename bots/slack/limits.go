package slack

import (
	"fmt"

	slackapi "github.com/slack-go/slack"

	"cornershop/bots/internal/chunk"
)

// Slack's Block Kit limits, in characters (docs.slack.dev/reference/
// block-kit/blocks and …/composition-objects): a message holds 50 blocks;
// a section's text 3,000 characters and up to 10 fields of 2,000; a
// context block 10 elements; an actions block 25 elements; a button's
// text 75. chat.postMessage cuts a text over 40,000.
const (
	maxBlocks          = 50
	maxSectionText     = 3000
	maxSectionFields   = 10
	maxFieldText       = 2000
	maxContextElements = 10
	maxContextText     = 3000
	maxActionElements  = 25
	maxButtonText      = 75
	maxFallbackText    = 40000
)

// chars counts as Slack does.
func chars(s string) int { return chunk.Runes(s) }

// escapedLen is the length Slack counts for customer text once escaped.
func escapedLen(s string) int { return chars(escape(s)) }

// text escapes customer text and cuts it, before escaping (so no "&amp;"
// is cut in half), to fit in n characters once escaped.
func text(s string, n int) string { return escape(chunk.Clip(s, n, escapedLen)) }

// clip cuts text to n characters.
func clip(s string, n int) string { return chunk.Clip(s, n, chars) }

// fitBlocks makes blocks acceptable to Slack whatever their text: every
// text and count within its limit, at most 50 blocks (the last saying how
// many were left out). Text is cut with an ellipsis; elements past a
// block's count are left out.
func fitBlocks(blocks []slackapi.Block) []slackapi.Block {
	if len(blocks) > maxBlocks {
		left := len(blocks) - (maxBlocks - 1)
		blocks = append(blocks[:maxBlocks-1:maxBlocks-1], slackapi.NewContextBlock("more",
			slackapi.NewTextBlockObject(slackapi.MarkdownType, fmt.Sprintf("… %d more blocks", left), false, false)))
	}
	for _, b := range blocks {
		switch b := b.(type) {
		case *slackapi.SectionBlock:
			clipText(b.Text, maxSectionText)
			if len(b.Fields) > maxSectionFields {
				b.Fields = b.Fields[:maxSectionFields]
			}
			for _, f := range b.Fields {
				clipText(f, maxFieldText)
			}
		case *slackapi.ContextBlock:
			els := b.ContextElements.Elements
			if len(els) > maxContextElements {
				b.ContextElements.Elements = els[:maxContextElements]
			}
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slackapi.TextBlockObject); ok {
					clipText(t, maxContextText)
				}
			}
		case *slackapi.ActionBlock:
			if b.Elements == nil {
				continue
			}
			if els := b.Elements.ElementSet; len(els) > maxActionElements {
				b.Elements.ElementSet = els[:maxActionElements]
			}
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slackapi.ButtonBlockElement); ok {
					clipText(btn.Text, maxButtonText)
				}
			}
		}
	}
	return blocks
}

func clipText(t *slackapi.TextBlockObject, n int) {
	if t != nil {
		t.Text = clip(t.Text, n)
	}
}
