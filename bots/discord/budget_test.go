package discord_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/discord"
	"cornershop/core"
	"cornershop/core/store"
)

// TestReplicasShareTheGlobalLimit: two adapters (two replicas) send DMs as
// fast as they may while Discord enforces its 50 requests a second per
// bot. Each alone paces to 48 a second, so together they would make about
// 96; with the budget shared through PostgreSQL they keep it between them
// and Discord answers no 429.
func TestReplicasShareTheGlobalLimit(t *testing.T) {
	st := bottest.Postgres(t)
	w := newWorld(t)
	w.fake.SetRateLimits(true)
	ctx := context.Background()
	const each = 30
	var wg sync.WaitGroup
	for r := range 2 {
		bot, err := discord.New(discord.Options{Token: w.fake.Token(), ApplicationID: w.fake.ApplicationID(), APIURL: w.fake.URL(),
			DeskChannels: []string{w.desk.ID}})
		if err != nil {
			t.Fatal(err)
		}
		bot.ShareBudget(st)
		var dms []string
		for i := range each {
			u := w.fake.AddUser(fmt.Sprintf("r%dc%d", r, i), "Customer")
			dms = append(dms, w.fake.DMChannel(u).ID) // one each: no channel's own bucket binds
		}
		wg.Go(func() {
			for i, dm := range dms {
				for {
					_, err := bot.Send(ctx, core.Outgoing{Place: core.Place{Platform: core.Discord, Chat: dm}, Kind: core.KindSystem,
						Text: fmt.Sprintf("replica %d, message %d", r, i)})
					if err == nil {
						break
					}
					class, after := core.Classify(err)
					if class != core.ClassRetryAfter {
						t.Errorf("replica %d message %d: %v", r, i, err)
						return
					}
					time.Sleep(after) // as the outbox would
				}
			}
		})
	}
	wg.Wait()
	if n := w.fake.RateLimited(); n != 0 {
		t.Errorf("Discord answered %d 429s (%v): the replicas did not share the bot's budget", n, w.fake.RateLimitedLog())
	}
}

// TestSharedBudgetUnavailable: when the shared budget cannot be asked
// (SQLite shares none), the adapter paces alone, every message still goes,
// and the log says so once rather than once a request.
func TestSharedBudgetUnavailable(t *testing.T) {
	w := newWorld(t)
	st, err := store.Open(context.Background(), store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "c.db"), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs syncBuffer
	bot, err := discord.New(discord.Options{Token: w.fake.Token(), ApplicationID: w.fake.ApplicationID(), APIURL: w.fake.URL(),
		DeskChannels: []string{w.desk.ID}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	bot.ShareBudget(st)
	dm := w.fake.DMChannel(w.customer)
	for i := range 3 {
		if _, err := bot.Send(context.Background(), core.Outgoing{Place: core.Place{Platform: core.Discord, Chat: dm.ID}, Kind: core.KindSystem,
			Text: fmt.Sprintf("message %d", i)}); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if got := len(w.fake.BotMessages(dm.ID)); got != 3 {
		t.Errorf("%d messages in the DM, want 3", got)
	}
	if n := strings.Count(logs.String(), "shared pacing budget unavailable"); n != 1 {
		t.Errorf("the unavailable budget logged %d times, want once:\n%s", n, logs.String())
	}
}
