package discord_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/discord"
	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
)

// TestCatchUpAfterAFreshSession: Discord sends gateway events once, to the
// session connected at the time. A new process (a restart, or another
// replica taking the connection over) starts a fresh session, so the
// adapter fetches from the channels' history what was written while
// nobody listened — customer DMs, staff answers in desk threads, messages
// in a DM the service never saw before (caught up when that customer
// writes again) — recording each once and in order.
func TestCatchUpAfterAFreshSession(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, store.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "test.db"), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sender := w.bot(t, "thread") // delivers; receives only in the first session
	var ob *outbox.Worker
	cfg := relayConfig(w, w.desk.ID)
	cfg.Wake = func() { ob.Notify() }
	rs, err := relay.New(st, cfg, []core.Platform{sender}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ob = outbox.New(st, rs, outbox.Options{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Poll: 50 * time.Millisecond})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { _ = ob.Run(ctx) })
	run := func(b *discord.Bot) (stop func()) {
		rctx, rcancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := b.Run(rctx, rs); err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("run: %v", err)
			}
		}()
		return func() { rcancel(); <-done }
	}
	texts := func(userID string) []string {
		var out []string
		_ = st.InTx(ctx, func(tx core.Tx) error {
			c, err := tx.ContactByIdentity(core.Discord, userID)
			if err != nil {
				return nil
			}
			convs, _ := tx.Conversations(c.ID, 10)
			for _, cv := range convs {
				ms, _ := tx.Messages(cv.ID)
				for _, m := range ms {
					if m.Direction == core.Inbound {
						out = append(out, m.Text)
					}
				}
			}
			return nil
		})
		return out
	}
	stop := run(sender)
	w.connected(t)
	dm := w.fake.DMChannel(w.customer)
	if _, err := w.fake.Send(dm.ID, w.customer, "m1"); err != nil {
		t.Fatal(err)
	}
	s := &bottest.Stack{Store: st, Relay: rs, Outbox: ob}
	c := conv(t, s, w, core.Place{Platform: core.Discord, Chat: dm.ID})
	bottest.Eventually(t, wait, "the copy in the desk", func() bool { return len(w.fake.BotMessages(c.Desk.Thread)) == 1 })
	stop()
	bottest.Eventually(t, wait, "the session gone", func() bool { return w.fake.Sessions() == 0 })

	// Nobody listens: a customer writes twice, staff answers, and someone
	// new opens a DM.
	newcomer := w.fake.AddUser("nina", "Nina New")
	newDM := w.fake.DMChannel(newcomer)
	for _, step := range []struct{ ch, text string }{{dm.ID, "m2"}, {dm.ID, "m3"}, {newDM.ID, "n1"}} {
		u := w.customer
		if step.ch == newDM.ID {
			u = newcomer
		}
		if _, err := w.fake.Send(step.ch, u, step.text); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.fake.Send(c.Desk.Thread, w.alice, "answer written while nobody listened"); err != nil {
		t.Fatal(err)
	}

	next := w.bot(t, "thread")
	stop = run(next)
	defer stop()
	w.connected(t)
	if _, err := w.fake.Send(dm.ID, w.customer, "m4"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.fake.Send(newDM.ID, newcomer, "n2"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "every customer message recorded", func() bool {
		return len(texts(w.customer.ID)) >= 4 && len(texts(newcomer.ID)) >= 2
	})
	if got := texts(w.customer.ID); !slices.Equal(got, []string{"m1", "m2", "m3", "m4"}) {
		t.Errorf("customer's messages recorded = %q, want m1…m4 once each in order", got)
	}
	if got := texts(newcomer.ID); !slices.Equal(got, []string{"n1", "n2"}) {
		t.Errorf("newcomer's messages recorded = %q, want n1, n2", got)
	}
	bottest.Eventually(t, wait, "the staff answer in the DM", func() bool {
		for _, m := range w.fake.BotMessages(dm.ID) {
			if len(m.Embeds) == 1 && m.Embeds[0].Description == "answer written while nobody listened" {
				return true
			}
		}
		return false
	})
	bottest.Eventually(t, wait, "four copies in the desk", func() bool { return len(w.fake.BotMessages(c.Desk.Thread)) >= 4 })
	if n := len(w.fake.BotMessages(c.Desk.Thread)); n != 4 {
		t.Errorf("%d copies in the desk thread, want m1…m4 once each", n)
	}
}

// TestSendTwiceShowsOnce: a delivery performed again (its receipt was lost
// in a crash) carries the same nonce with enforce_nonce, so Discord returns
// the message it already made; webhook posts cannot carry one.
func TestSendTwiceShowsOnce(t *testing.T) {
	w := newWorld(t)
	b := w.bot(t, "thread")
	dm := w.fake.DMChannel(w.customer)
	m := core.Outgoing{Key: "send:customer:42", Place: core.Place{Platform: core.Discord, Chat: dm.ID}, Kind: core.KindReply,
		Text: "Your order shipped.", Voice: core.Voice{Name: "Alice Martin"}}
	first, err := b.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first.IDs, again.IDs) || len(w.fake.BotMessages(dm.ID)) != 1 {
		t.Errorf("sent twice: ids %v then %v, %d messages in the DM", first.IDs, again.IDs, len(w.fake.BotMessages(dm.ID)))
	}
	m.Key = "send:customer:43"
	if _, err := b.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if n := len(w.fake.BotMessages(dm.ID)); n != 2 {
		t.Errorf("another delivery: %d messages, want 2", n)
	}
}
