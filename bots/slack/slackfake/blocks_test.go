package slackfake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"cornershop/bots/slack/slackfake"
)

// TestBlockLimits: the emulator refuses blocks over Block Kit's limits
// with invalid_blocks, as Slack does, on chat.postMessage and on
// chat.update, and accepts blocks right at each limit.
func TestBlockLimits(t *testing.T) {
	s, api := start(t, slackfake.Options{})
	desk, _, _, _, _ := s.SeedDemo()
	md := func(text string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
	}
	section := func(text string, fields ...*slack.TextBlockObject) slack.Block {
		return slack.NewSectionBlock(md(text), fields, nil)
	}
	button := func(text string) slack.BlockElement {
		return slack.NewButtonBlockElement("a", "v", slack.NewTextBlockObject(slack.PlainTextType, text, false, false))
	}
	repeat := func(n int, b slack.Block) []slack.Block {
		out := make([]slack.Block, n)
		for i := range out {
			out[i] = b
		}
		return out
	}
	fields := func(n, size int) []*slack.TextBlockObject {
		out := make([]*slack.TextBlockObject, n)
		for i := range out {
			out[i] = md(strings.Repeat("f", size))
		}
		return out
	}
	buttons := func(n int) []slack.BlockElement {
		out := make([]slack.BlockElement, n)
		for i := range out {
			out[i] = button("b")
		}
		return out
	}
	contexts := func(n, size int) slack.Block {
		els := make([]slack.MixedElement, n)
		for i := range els {
			els[i] = md(strings.Repeat("c", size))
		}
		return slack.NewContextBlock("", els...)
	}
	tests := []struct {
		name   string
		blocks []slack.Block
		ok     bool
	}{
		{"50 blocks", repeat(50, section("x")), true},
		{"51 blocks", repeat(51, section("x")), false},
		{"section text 3000", []slack.Block{section(strings.Repeat("é", 3000))}, true},
		{"section text 3001", []slack.Block{section(strings.Repeat("é", 3001))}, false},
		{"10 fields of 2000", []slack.Block{section("x", fields(10, 2000)...)}, true},
		{"11 fields", []slack.Block{section("x", fields(11, 1)...)}, false},
		{"a field of 2001", []slack.Block{section("x", fields(1, 2001)...)}, false},
		{"empty section text", []slack.Block{section("")}, false},
		{"10 context elements of 3000", []slack.Block{contexts(10, 3000)}, true},
		{"11 context elements", []slack.Block{contexts(11, 1)}, false},
		{"context text of 3001", []slack.Block{contexts(1, 3001)}, false},
		{"25 buttons", []slack.Block{slack.NewActionBlock("", buttons(25)...)}, true},
		{"26 buttons", []slack.Block{slack.NewActionBlock("", buttons(26)...)}, false},
		{"button text 75", []slack.Block{slack.NewActionBlock("", button(strings.Repeat("b", 75)))}, true},
		{"button text 76", []slack.Block{slack.NewActionBlock("", button(strings.Repeat("b", 76)))}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ts, err := api.PostMessage(desk.ID, slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(tc.blocks...))
			checkBlocksAnswer(t, "chat.postMessage", err, tc.ok)
			if ts == "" {
				if _, ts, err = api.PostMessage(desk.ID, slack.MsgOptionText("fallback", false)); err != nil {
					t.Fatal(err)
				}
			}
			_, _, _, err = api.UpdateMessage(desk.ID, ts, slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(tc.blocks...))
			checkBlocksAnswer(t, "chat.update", err, tc.ok)
		})
	}
}

func checkBlocksAnswer(t *testing.T, method string, err error, ok bool) {
	t.Helper()
	var se slack.SlackErrorResponse
	switch {
	case ok && err != nil:
		t.Errorf("%s refused blocks within the limits: %v", method, err)
	case !ok && !(errors.As(err, &se) && se.Err == "invalid_blocks" && len(se.ResponseMetadata.Messages) > 0):
		t.Errorf("%s = %v, want invalid_blocks with the reason", method, err)
	}
}
