package relay_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
)

// observed records what a relay.Observer hears, one line per figure.
type observed struct {
	mu    sync.Mutex
	lines []string
}

func (o *observed) add(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lines = append(o.lines, fmt.Sprintf(format, args...))
}

func (o *observed) FirstResponse(desk string, took time.Duration) { o.add("first %s %s", desk, took) }
func (o *observed) Resolved(desk string, took time.Duration)      { o.add("resolved %s %s", desk, took) }
func (o *observed) Reopened(desk string)                          { o.add("reopened %s", desk) }
func (o *observed) SLAVerdict(desk, prio string, k core.SLAKind, met bool) {
	o.add("sla %s %s %s met=%v", desk, prio, k, met)
}
func (o *observed) Rated(desk string, rating int)      { o.add("rated %s %d", desk, rating) }
func (o *observed) Suggested()                         { o.add("suggested") }
func (o *observed) Decided(out core.SuggestionOutcome) { o.add("decided %s", out) }
func (o *observed) Missed()                            { o.add("missed") }
func (o *observed) IncidentOpened()                    { o.add("incident opened") }
func (o *observed) IncidentLinked()                    { o.add("incident linked") }
func (o *observed) IncidentFirstUpdate(took time.Duration) {
	o.add("incident first update %s", took)
}

// take returns what was heard since the last take.
func (o *observed) take() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.lines
	o.lines = nil
	return out
}

// relayCommitted is the store with its transactions run through the
// relay's group commit, as cmd/cornershop gives the outbox.
type relayCommitted struct {
	*store.Store
	svc *relay.Service
}

func (r relayCommitted) InTx(ctx context.Context, fn func(core.Tx) error) error {
	return r.svc.InTx(ctx, fn)
}

func withObserver(o relay.Observer) func(*relay.Config) {
	return func(c *relay.Config) { c.Observer = o }
}

// TestObserverHearsResponseFigures: the observer hears each first
// response, close, reopen, SLA verdict, rating and self-help choice once,
// when it happens, with its desk and durations as !stats counts them.
func TestObserverHearsResponseFigures(t *testing.T) {
	obs := &observed{}
	e := newEnv(t, withObserver(obs), withSuggestions, withDesk(func(d *relay.Desk) {
		d.SLA = relay.SLA{FirstResponse: 10 * time.Minute, NextResponse: time.Hour}
		d.Survey = relay.Survey{Enabled: true, Period: 7 * 24 * time.Hour}
	}))
	// As cmd/cornershop wires it: the outbox records outcomes (and SLA
	// breaches) through the relay's group commit.
	e.worker = outbox.New(relayCommitted{Store: e.store, svc: e.svc}, e.svc, outbox.Options{Now: e.clock.Now, Jitter: func(d time.Duration) time.Duration { return d }, MaxAttempts: 3})
	e.inTx(func(tx core.Tx) error {
		return tx.CreateAnswer(&core.Answer{Slug: "refunds", Title: "Refunds", Body: "Press Refund in Orders."})
	})
	step := func(name string, do func(), want ...string) {
		t.Helper()
		do()
		e.drain()
		if got := obs.take(); !slices.Equal(got, want) {
			t.Errorf("%s: observer heard %q, want %q", name, got, want)
		}
	}

	conv := e.customerAt("u1", "Where is my parcel?")
	e.drain()
	thread := e.thread(conv).Desk
	obs.take()
	step("first reply after 5m", func() { e.clock.Add(5 * time.Minute); e.staff(thread, "U-ALICE", "Looking") },
		"first main 5m0s", "sla main normal first met=true")
	step("a second reply is no first response", func() { e.staff(thread, "U-ALICE", "Found it") })
	step("close after 20m", func() { e.clock.Add(15 * time.Minute); e.staff(thread, "U-BOB", "!close") },
		"resolved main 20m0s")
	step("a rating, once", func() {
		for _, stars := range []string{"4", "2"} {
			e.actResult(conv.Customer, "u1", "csat", strconv.FormatInt(int64(conv.ID), 10), stars)
		}
	}, "rated main 4")
	step("the customer writes again after the comment window: reopened", func() {
		e.clock.Add(15 * time.Minute)
		e.customerAt("u1", "It is broken")
	}, "reopened main")
	step("a next response late: missed once, at the breach", func() { e.clock.Add(2 * time.Hour) },
		"sla main normal next met=false")
	step("the late reply adds nothing", func() { e.staff(thread, "U-ALICE", "Sorry!") })

	// Self-help: a suggestion, the customer's choice once, a search
	// that finds nothing.
	var other core.Conversation
	step("a suggestion", func() { other = e.customerAt("u2", "I want a refund") }, "suggested")
	sg, ok := suggestionPost(t, e, other)
	if !ok {
		t.Fatal("no suggestion")
	}
	step("solved, once", func() {
		e.actResult(other.Customer, "u2", "solved", sg.Buttons[1].Args...)
		e.actResult(other.Customer, "u2", "solved", sg.Buttons[1].Args...)
	}, "decided solved", "resolved main 0s")
	step("a miss", func() { e.actResult(other.Customer, "u2", "help", "gift", "cards") }, "missed")
}

// BenchmarkStaffReply measures a staff reply in a desk thread recorded
// (with its delivery) with and without an Observer: what counting the
// first response costs (one more indexed read per reply). Replies/s.
func BenchmarkStaffReply(b *testing.B) {
	for _, observe := range []bool{false, true} {
		b.Run(fmt.Sprintf("observer=%v", observe), func(b *testing.B) {
			ctx := context.Background()
			st, err := store.Open(ctx, store.Options{Driver: "sqlite", DSN: filepath.Join(b.TempDir(), "bench.db"), AutoMigrate: true})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			desk, cust := bottest.NewMemory(core.Slack, deskChannel.Chat), bottest.NewMemory(core.Telegram, "-")
			cfg := relay.Config{Staff: []core.Staff{alice}, Desks: []relay.Desk{{Name: "main", Place: deskChannel}}, ReopenWindow: time.Hour}
			if observe {
				cfg.Observer = &observed{}
			}
			svc, err := relay.New(st, cfg, []core.Platform{desk, cust}, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			worker := outbox.New(st, svc, outbox.Options{})
			const convs = 100
			threads := make([]core.Place, convs)
			for i := range convs {
				user := fmt.Sprintf("u%d", i)
				if err := svc.Handle(ctx, core.MessageEvent{Place: core.Place{Platform: core.Telegram, Chat: user}, ID: user,
					Sender: core.Sender{UserID: user, Name: user}, Text: "Hello", Direct: true}); err != nil {
					b.Fatal(err)
				}
			}
			for {
				n, err := worker.RunOnce(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					break
				}
			}
			if err := st.InTx(ctx, func(tx core.Tx) error {
				for i := range convs {
					c, err := tx.ContactByIdentity(core.Telegram, fmt.Sprintf("u%d", i))
					if err != nil {
						return err
					}
					conv, err := tx.LatestConversation(c.ID, core.Place{Platform: core.Telegram, Chat: fmt.Sprintf("u%d", i)})
					if err != nil {
						return err
					}
					threads[i] = conv.Desk
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				if err := svc.Handle(ctx, core.MessageEvent{Place: threads[i%convs], ID: fmt.Sprintf("r%d", i),
					Sender: core.Sender{UserID: "U-ALICE", Name: "Alice"}, Text: "On its way."}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "replies/s")
		})
	}
}

// TestObserverHearsIncidentFigures: the observer hears an incident opened,
// each customer linked, and the time to its first update once (not again
// for the second update).
func TestObserverHearsIncidentFigures(t *testing.T) {
	o := &observed{}
	e := newEnv(t, withObserver(o))
	for n := 1; n <= 2; n++ {
		e.crowdWrites(n, "payment failed again")
	}
	e.drain()
	o.take()
	e.clock.Add(3 * time.Minute)
	e.staff(e.crowdConv(1).Desk, "U-ALICE", "!incident new Payments down")
	e.staff(e.crowdConv(2).Desk, "U-ALICE", "!incident 1")
	e.drain()
	inc := e.incident(1)
	e.clock.Add(2 * time.Minute)
	e.handle(core.MessageEvent{Place: inc.Desk, ID: "upd-1", Sender: core.Sender{UserID: "U-ALICE"}, Text: "We are on it."})
	e.handle(core.MessageEvent{Place: inc.Desk, ID: "upd-2", Sender: core.Sender{UserID: "U-ALICE"}, Text: "Fixed soon."})
	e.drain()
	var incident []string
	for _, l := range o.take() {
		if strings.HasPrefix(l, "incident") {
			incident = append(incident, l)
		}
	}
	want := []string{"incident opened", "incident linked", "incident linked", "incident first update 5m0s"}
	if !slices.Equal(incident, want) {
		t.Errorf("heard %q, want %q", incident, want)
	}
}
