package relay_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
)

// BenchmarkInbound measures flow 1 end to end inside the service: a customer
// message handed to the Inbox until it is committed with its desk delivery
// (and, for the first message of each of the 200 contacts, the new contact,
// conversation and open-thread delivery). Concurrent callers, as adapters
// are, let the relay group-commit. Reported as messages/s.
//
// It runs on SQLite, and on PostgreSQL when CORNERSHOP_TEST_POSTGRES_DSN is
// set (a fresh schema per run).
func BenchmarkInbound(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		for _, parallel := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/callers=%d", db, parallel), func(b *testing.B) { benchInbound(b, db, parallel) })
		}
	}
}

func benchInbound(b *testing.B, db string, parallel int) {
	ctx := context.Background()
	st := benchStore(b, db)
	desk := bottest.NewMemory(core.Slack, "C-DESK")
	svc, err := relay.New(st, relay.Config{Desks: []relay.Desk{{Name: "main", Place: core.Place{Platform: core.Slack, Chat: "C-DESK"}}}, ReopenWindow: time.Hour,
		Observer: relay.NopObserver{}}, []core.Platform{desk}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.SetParallelism(parallel)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			user := fmt.Sprintf("u%d", i%200)
			e := core.MessageEvent{
				Place: core.Place{Platform: core.Telegram, Chat: user}, ID: fmt.Sprint(i),
				Sender: core.Sender{UserID: user, Name: "Customer " + user}, Text: "Hello, where is my order? It was due on Monday.",
			}
			if err := svc.Handle(ctx, e); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// benchStore opens a fresh store on db ("sqlite" or "postgres", which
// skips without CORNERSHOP_TEST_POSTGRES_DSN), closed when b ends.
func benchStore(b *testing.B, db string) *store.Store {
	b.Helper()
	if db == "postgres" {
		return bottest.Postgres(b)
	}
	st, err := store.Open(context.Background(), store.Options{Driver: "sqlite", DSN: filepath.Join(b.TempDir(), "bench.db"), AutoMigrate: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkDeliver measures the outbox side: b.N customer messages over
// 200 conversations are recorded first (not timed), then 64 workers
// deliver every desk copy (and each conversation's card) to an in-memory
// desk — claims, loads, sends and outcomes, which share transactions as
// the relay's loads and outcomes do. Reported as deliveries/s.
func BenchmarkDeliver(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			ctx := context.Background()
			st := benchStore(b, db)
			desk := bottest.NewMemory(core.Slack, "C-DESK")
			var w *outbox.Worker
			cfg := relay.Config{Desks: []relay.Desk{{Name: "main", Place: core.Place{Platform: core.Slack, Chat: "C-DESK"}}}, ReopenWindow: time.Hour,
				Observer: relay.NopObserver{},
				Wake: func() {
					if w != nil {
						w.Notify()
					}
				}}
			svc, err := relay.New(st, cfg, []core.Platform{desk}, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			for i := range b.N {
				user := fmt.Sprintf("u%d", i%200)
				e := core.MessageEvent{Place: core.Place{Platform: core.Telegram, Chat: user}, ID: fmt.Sprint(i),
					Sender: core.Sender{UserID: user, Name: "Customer " + user}, Text: "Hello, where is my order?"}
				if err := svc.Handle(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
			w = outbox.New(st, svc, outbox.Options{Workers: 64, Poll: 10 * time.Millisecond})
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			b.ResetTimer()
			start := time.Now()
			go func() { done <- w.Run(runCtx) }()
			var delivered int
			for {
				stats, err := st.OutboxStats(ctx, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				if stats.ByState[core.DeliveryPending] == 0 {
					delivered = stats.ByState[core.DeliveryDone]
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			stop()
			<-done
			b.ReportMetric(float64(delivered)/elapsed.Seconds(), "deliveries/s")
		})
	}
}
