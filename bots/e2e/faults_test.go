package e2e_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/internal/emu"
	"cornershop/core"
	"cornershop/core/outbox"
)

// Faults test scale: messages per customer and staff replies per
// conversation.
const (
	faultMessages = 8
	faultReplies  = 3
)

// TestEverythingArrivesThroughFaults runs the real service against the
// three emulators with their published rate limits enforced while they
// fail 20 % of calls with a 5xx, answer 10 % with 429 and a retry-after,
// answer 5 % late, and drop every WebSocket (Slack Socket Mode, the
// Discord gateway) and Telegram long poll every two seconds. Customers on
// all three platforms write and staff answer from a Discord and a Slack
// desk. Everything must arrive exactly once, in order per conversation,
// with no call inside a retry-after window (the emulators count them) and
// no 429 from the emulators' own enforcement of the published limits (the
// pacers keep within them).
func TestEverythingArrivesThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("a minute of injected faults; skipped with -short")
	}
	began := time.Now()
	c := newCrowd(t)
	chaos := func(retryAfter time.Duration) emu.Chaos {
		return emu.Chaos{Fail: 0.20, RateLimit: 0.10, RetryAfter: retryAfter, Spike: 0.05, SpikeDelay: 300 * time.Millisecond}
	}
	c.tg.SetChaos(chaos(time.Second)) // Telegram's retry_after is whole seconds
	c.sl.SetChaos(chaos(time.Second)) // so is Slack's Retry-After
	c.dc.SetChaos(chaos(300 * time.Millisecond))
	// At 20 % failures, Start's five attempts would give up on about one
	// delivery in 3,000: allow many more, as production does (12).
	s := bottest.StartWith(t, c.config(), outbox.Options{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		Poll: 50 * time.Millisecond, MaxAttempts: 40}, c.platforms()...)

	// Customers write once the service is connected: a Discord DM written
	// before the bot's first session is never seen by it (there is no
	// place to read back yet), as with a bot that was never started.
	bottest.Eventually(t, 20*time.Second, "the service connected to all three platforms", func() bool {
		return c.tgBot.Ready() && c.slBot.Ready() && c.dcBot.Ready()
	})
	ctx, stop := context.WithCancel(context.Background())
	var drops sync.WaitGroup
	drops.Go(func() {
		tick := time.NewTicker(2 * time.Second) // load, not synchronisation
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				c.sl.Disconnect()
				c.dc.DropGateway()
				c.tg.DropPolls()
			}
		}
	})
	defer func() { stop(); drops.Wait() }()

	// Customers write; staff answer each conversation as soon as its
	// thread is open, faultReplies times, between customer messages.
	threads := map[int]core.Place{}
	for round := range faultMessages {
		for _, tk := range c.convs {
			c.write(t, tk)
			if tk.replied >= faultReplies || round < 2 {
				continue
			}
			th, ok := threads[tk.n]
			if !ok {
				if conv, found := s.Conversation(t, tk.platform, c.userOf(tk), core.Place{Platform: tk.platform, Chat: tk.chat}); found && conv.Desk.Thread != "" {
					th, ok = conv.Desk, true
					threads[tk.n] = th
				}
			}
			if ok {
				c.answer(t, tk, th)
			}
		}
	}
	// Conversations whose threads opened late get their replies now.
	bottest.Eventually(t, 90*time.Second, "every desk thread", func() bool {
		for _, tk := range c.convs {
			if _, ok := threads[tk.n]; ok {
				continue
			}
			conv, found := s.Conversation(t, tk.platform, c.userOf(tk), core.Place{Platform: tk.platform, Chat: tk.chat})
			if !found || conv.Desk.Thread == "" {
				return false
			}
			threads[tk.n] = conv.Desk
		}
		return true
	})
	for _, tk := range c.convs {
		for tk.replied < faultReplies {
			c.answer(t, tk, threads[tk.n])
		}
	}
	sent, replies := len(c.convs)*faultMessages, len(c.convs)*faultReplies

	var got arrived
	done := func() bool {
		got = c.arrived()
		n := 0
		for _, seqs := range got.desk {
			n += len(seqs)
		}
		for _, seqs := range got.cust {
			n += len(seqs)
		}
		return n >= sent+replies && pending(t, s) == 0
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !done() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	drops.Wait()

	f := c.figures(t, s, got)
	t.Logf("figures: %d customer messages and %d staff replies sent; recorded %d and %d; delivered %d distinct, %d duplicates, %d order violations; "+
		"%d retry-after violations (telegram %d, slack %d, discord %d); 429s from enforced limits: %d; chaos: telegram %+v, slack %+v, discord %+v; took %s",
		sent, replies, f.recorded, f.recordedReplies, f.delivered, f.dups, f.order,
		f.violations[core.Telegram]+f.violations[core.Slack]+f.violations[core.Discord],
		f.violations[core.Telegram], f.violations[core.Slack], f.violations[core.Discord], f.enforced,
		c.tg.ChaosCounts(), c.sl.ChaosCounts(), c.dc.ChaosCounts(), time.Since(began).Round(time.Millisecond))
	if f.recorded != sent || f.recordedReplies != replies {
		t.Errorf("recorded %d customer messages (%v) and %d replies, want each of %d and %d exactly once", f.recorded, f.byPlatform, f.recordedReplies, sent, replies)
	}
	if f.delivered != sent+replies || f.dups != 0 {
		t.Errorf("delivered %d distinct messages with %d duplicates, want all %d exactly once", f.delivered, f.dups, sent+replies)
	}
	if f.order != 0 {
		t.Errorf("%d per-conversation order violations", f.order)
	}
	for p, n := range f.violations {
		if n != 0 {
			t.Errorf("%d calls to %s inside a retry-after window", n, p)
		}
	}
	if f.violations[core.Discord] != 0 {
		t.Logf("Discord violations by bucket: %v", countOf(c.dc.ViolationLog()))
	}
	if f.violations[core.Telegram] != 0 {
		t.Logf("Telegram violations: %+v", c.tg.ViolationLog())
	}
	if f.enforced != 0 {
		t.Errorf("%d calls over a platform's published limits (429s from the emulators' enforcement; Discord by bucket: %v; 429s by call: %v)", f.enforced, countOf(c.dc.RateLimitedLog()), tooMany(c))
	}
	if n := pending(t, s); n != 0 {
		t.Errorf("%d deliveries still pending", n)
	}
	if st, _ := s.Store.OutboxStats(context.Background(), time.Now()); st.ByState[core.DeliveryFailed] != 0 {
		t.Errorf("%d deliveries failed for good", st.ByState[core.DeliveryFailed])
	}
}

func (c *crowd) userOf(tk *talk) string {
	switch tk.platform {
	case core.Telegram:
		return tk.chat
	case core.Slack:
		return tk.slUser.ID
	}
	return tk.dcUser.ID
}

func pending(t *testing.T, s *bottest.Stack) int {
	t.Helper()
	st, err := s.Store.OutboxStats(context.Background(), time.Now())
	if err != nil {
		return -1
	}
	return st.ByState[core.DeliveryPending]
}

// faultFigures are what TestEverythingArrivesThroughFaults measured.
type faultFigures struct {
	recorded, recordedReplies int
	delivered, dups, order    int
	violations                map[core.PlatformName]int
	enforced                  int // 429s the emulators' limits (not chaos) answered
	byPlatform                map[core.PlatformName]int
}

func countOf(keys []string) map[string]int {
	out := map[string]int{}
	for _, k := range keys {
		out[k]++
	}
	return out
}

func (c *crowd) figures(t *testing.T, s *bottest.Stack, got arrived) faultFigures {
	t.Helper()
	f := faultFigures{byPlatform: map[core.PlatformName]int{}, violations: map[core.PlatformName]int{
		core.Telegram: c.tg.Violations(), core.Slack: c.sl.Violations(), core.Discord: c.dc.Violations(),
	}}
	seen := map[[3]int]int{}
	for side, m := range []map[int][]int{got.desk, got.cust} {
		for conv, seqs := range m {
			for i, seq := range seqs {
				seen[[3]int{side, conv, seq}]++
				if i > 0 && seq < seqs[i-1] {
					f.order++
				}
			}
		}
	}
	f.delivered = len(seen)
	for _, n := range seen {
		f.dups += n - 1
	}
	for _, tk := range c.convs {
		conv, ok := s.Conversation(t, tk.platform, c.userOf(tk), core.Place{Platform: tk.platform, Chat: tk.chat})
		if !ok {
			continue
		}
		if err := s.Store.InTx(context.Background(), func(tx core.Tx) error {
			msgs, err := tx.Messages(conv.ID)
			texts := map[string]bool{}
			for _, m := range msgs {
				if texts[m.Text] {
					continue // recorded twice: not counted, so the total falls short
				}
				texts[m.Text] = true
				switch m.Direction {
				case core.Inbound:
					f.recorded++
					f.byPlatform[tk.platform]++
				case core.Reply:
					f.recordedReplies++
				}
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	f.enforced = c.dc.RateLimited() + enforced429s(c)
	return f
}

// tooMany lists the Telegram and Slack calls answered 429, by method and
// chat, chaos's included.
func tooMany(c *crowd) map[string]int {
	out := map[string]int{}
	for _, call := range c.tg.Calls() {
		if call.Status == 429 {
			out["telegram "+call.Method+" "+call.Params["chat_id"]]++
		}
	}
	for _, call := range c.sl.Calls() {
		if call.Error == "ratelimited" {
			out["slack "+call.Method+" "+call.Params.Get("channel")]++
		}
	}
	return out
}

// enforced429s counts the 429s Telegram and Slack answered beyond those
// chaos drew and those answering a violation.
func enforced429s(c *crowd) int {
	n := 0
	for _, call := range c.tg.Calls() {
		if call.Status == 429 {
			n++
		}
	}
	n -= c.tg.ChaosCounts().RateLimited + c.tg.Violations()
	m := 0
	for _, call := range c.sl.Calls() {
		if call.Error == "ratelimited" {
			m++
		}
	}
	m -= c.sl.ChaosCounts().RateLimited + c.sl.Violations()
	return max(n, 0) + max(m, 0)
}
