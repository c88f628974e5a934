package slack_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/slack"
	"cornershop/bots/slack/slackfake"
	"cornershop/core"
)

// TestReplicasShareTheChannelLimit: two adapters (two replicas) post into
// one channel while Slack enforces its limit (about one a second, bursts
// of 4). Each alone paces to it with bursts of 3, so together they would
// send 6 at once; with their budgets shared through PostgreSQL they keep
// one limit between them, and Slack answers no 429.
func TestReplicasShareTheChannelLimit(t *testing.T) {
	st := bottest.Postgres(t)
	ctx := context.Background()

	var limited atomic.Int32
	fake, err := slackfake.Start("127.0.0.1:0", slackfake.Options{RateLimits: true, Observe: func(c slackfake.Call) {
		if c.Error == "ratelimited" {
			limited.Add(1)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	desk, _, _, _, _ := fake.SeedDemo()
	const each = 3
	var wg sync.WaitGroup
	for r := range 2 {
		bot, err := slack.New(slack.Options{BotToken: fake.BotToken(), AppToken: fake.AppToken(), APIURL: fake.APIURL(), DeskChannels: []string{desk.ID}})
		if err != nil {
			t.Fatal(err)
		}
		bot.ShareBudget(st)
		wg.Go(func() {
			for i := range each {
				for {
					_, err := bot.Send(ctx, core.Outgoing{Place: core.Place{Platform: core.Slack, Chat: desk.ID}, Kind: core.KindSystem,
						Text: fmt.Sprintf("replica %d, post %d", r, i)})
					if err == nil {
						break
					}
					class, after := core.Classify(err)
					if class != core.ClassRetryAfter {
						t.Errorf("replica %d post %d: %v", r, i, err)
						return
					}
					time.Sleep(after) // as the outbox would
				}
			}
		})
	}
	wg.Wait()
	if got := len(fake.BotMessages(desk.ID, "")); got != 2*each {
		t.Errorf("%d posts in the channel, want %d", got, 2*each)
	}
	if n := limited.Load(); n != 0 || fake.Violations() != 0 {
		t.Errorf("Slack answered %d 429s (%d calls inside a window): the replicas did not share the channel's budget", n, fake.Violations())
	}
}
