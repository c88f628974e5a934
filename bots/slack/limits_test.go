package slack

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"
)

func TestFitBlocks(t *testing.T) {
	md := func(n int) *slackapi.TextBlockObject {
		return slackapi.NewTextBlockObject(slackapi.MarkdownType, strings.Repeat("m", n), false, false)
	}
	section := func(text int, fields ...*slackapi.TextBlockObject) slackapi.Block {
		return slackapi.NewSectionBlock(md(text), fields, nil)
	}
	many := func(n int, b func() slackapi.Block) []slackapi.Block {
		out := make([]slackapi.Block, n)
		for i := range out {
			out[i] = b()
		}
		return out
	}
	var fields, contexts []*slackapi.TextBlockObject
	var buttons []slackapi.BlockElement
	for range 30 {
		fields = append(fields, md(2500))
		contexts = append(contexts, md(4000))
		buttons = append(buttons, slackapi.NewButtonBlockElement("a", "v", slackapi.NewTextBlockObject(slackapi.PlainTextType, strings.Repeat("b", 100), false, false)))
	}
	mixed := make([]slackapi.MixedElement, len(contexts))
	for i, c := range contexts {
		mixed[i] = c
	}
	tests := []struct {
		name   string
		blocks []slackapi.Block
		count  int
	}{
		{"small stays whole", []slackapi.Block{section(10)}, 1},
		{"60 blocks", many(60, func() slackapi.Block { return section(1) }), 50},
		{"long section text", []slackapi.Block{section(5000)}, 1},
		{"30 long fields", []slackapi.Block{section(1, fields...)}, 1},
		{"30 long context elements", []slackapi.Block{slackapi.NewContextBlock("", mixed...)}, 1},
		{"30 long buttons", []slackapi.Block{slackapi.NewActionBlock("", buttons...)}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fitBlocks(tc.blocks)
			if problems := blockProblems(got); len(problems) > 0 {
				t.Errorf("still over Slack's limits: %v", problems)
			}
			if len(got) != tc.count {
				t.Errorf("%d blocks, want %d", len(got), tc.count)
			}
		})
	}
}

// blockProblems checks blocks against Block Kit's documented limits,
// counting characters on its own.
func blockProblems(blocks []slackapi.Block) []string {
	var out []string
	text := func(what string, t *slackapi.TextBlockObject, limit int) {
		if t == nil {
			return
		}
		if n := utf8.RuneCountInString(t.Text); n > limit || n == 0 || !utf8.ValidString(t.Text) {
			out = append(out, fmt.Sprintf("%s of %d characters (limit %d)", what, n, limit))
		}
	}
	if len(blocks) > 50 {
		out = append(out, fmt.Sprintf("%d blocks, over 50", len(blocks)))
	}
	for _, b := range blocks {
		switch b := b.(type) {
		case *slackapi.SectionBlock:
			text("section text", b.Text, 3000)
			if len(b.Fields) > 10 {
				out = append(out, fmt.Sprintf("%d fields, over 10", len(b.Fields)))
			}
			for _, f := range b.Fields {
				text("field", f, 2000)
			}
		case *slackapi.ContextBlock:
			if len(b.ContextElements.Elements) > 10 {
				out = append(out, fmt.Sprintf("%d context elements, over 10", len(b.ContextElements.Elements)))
			}
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slackapi.TextBlockObject); ok {
					text("context text", t, 3000)
				}
			}
		case *slackapi.ActionBlock:
			if len(b.Elements.ElementSet) > 25 {
				out = append(out, fmt.Sprintf("%d actions, over 25", len(b.Elements.ElementSet)))
			}
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slackapi.ButtonBlockElement); ok {
					text("button text", btn.Text, 75)
				}
			}
		}
	}
	return out
}
