package slack

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"cornershop/bots/bottest"
	"cornershop/bots/slack/slackfake"
)

// TestAnyCardFitsSlack: contact cards and idea cards of random sizes,
// counts and characters (emoji, combining marks, mrkdwn, "<!channel>",
// very long words) render within Block Kit's documented limits, checked
// here without the adapter's code, and the emulator accepts each of them
// over the wire (chat.postMessage, then chat.update with another card;
// one card in five, the rendering check sees them all).
func TestAnyCardFitsSlack(t *testing.T) {
	fake, err := slackfake.Start("127.0.0.1:0", slackfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	desk, _, _, _, _ := fake.SeedDemo()
	api := slackapi.New(fake.BotToken(), slackapi.OptionAPIURL(fake.APIURL()))
	ctx := context.Background()
	r := rand.New(rand.NewPCG(26, 2026))
	for i := range bottest.CardSeeds {
		card := bottest.RandomCard(r)
		blocks, text := cardBlocks(card)
		problems := blockProblems(blocks)
		if n := utf8.RuneCountInString(text); n > maxFallbackText || strings.TrimSpace(text) == "" {
			problems = append(problems, "fallback text")
		}
		iblocks, itext := ideaBlocks(bottest.RandomIdea(r))
		problems = append(problems, blockProblems(iblocks)...)
		if utf8.RuneCountInString(itext) > maxFallbackText {
			problems = append(problems, "idea fallback text")
		}
		if len(problems) > 0 {
			t.Fatalf("card %d: %v", i, problems)
		}
		if i%5 != 0 {
			continue // the emulator sees one in five: enough, and fast
		}
		_, ts, err := api.PostMessageContext(ctx, desk.ID, slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(blocks...))
		if err != nil {
			t.Fatalf("card %d: the emulator refused it: %v", i, err)
		}
		again, againText := cardBlocks(bottest.RandomCard(r))
		if _, _, _, err := api.UpdateMessageContext(ctx, desk.ID, ts, slackapi.MsgOptionText(againText, false), slackapi.MsgOptionBlocks(again...)); err != nil {
			t.Fatalf("card %d: the emulator refused its update: %v", i, err)
		}
		if _, _, err := api.PostMessageContext(ctx, desk.ID, slackapi.MsgOptionText(itext, false), slackapi.MsgOptionBlocks(iblocks...)); err != nil {
			t.Fatalf("idea card %d: the emulator refused it: %v", i, err)
		}
	}
}
