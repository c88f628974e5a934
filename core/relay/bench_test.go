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
	var st *store.Store
	if db == "postgres" {
		st = bottest.Postgres(b)
	} else {
		var err error
		st, err = store.Open(ctx, store.Options{Driver: "sqlite", DSN: filepath.Join(b.TempDir(), "bench.db"), AutoMigrate: true})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
	}
	desk := bottest.NewMemory(core.Slack, "C-DESK")
	svc, err := relay.New(st, relay.Config{Desks: []relay.Desk{{Name: "main", Place: core.Place{Platform: core.Slack, Chat: "C-DESK"}}}, ReopenWindow: time.Hour}, []core.Platform{desk}, nil, nil)
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
