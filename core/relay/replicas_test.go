package relay_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", to make the test's schema

	"cornershop/core"
	"cornershop/core/relay"
	"cornershop/core/store"
)

// TestReplicasStartOneConversation: two relays on one PostgreSQL schema
// (two replicas receiving stateless HTTP pushes) record a known customer's
// messages at once; they start one conversation between them, not one
// each (found by this test: two conversations, two desk threads).
func TestReplicasStartOneConversation(t *testing.T) {
	dsn := os.Getenv("CORNERSHOP_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CORNERSHOP_TEST_POSTGRES_DSN not set; PostgreSQL relay test skipped")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("relay_%d", rand.Int64N(1<<40))
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	ctx := context.Background()
	cfg := relay.Config{Team: core.Voice{Name: "Acme", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Desks: []relay.Desk{{Name: "main", Place: deskChannel}}}
	var svcs []*relay.Service
	var first *store.Store
	for range 2 {
		st, err := store.Open(ctx, store.Options{Driver: store.DriverPostgres, DSN: dsn + sep + "search_path=" + schema, AutoMigrate: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if first == nil {
			first = st
		}
		svc, err := relay.New(st, cfg, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, svc)
	}
	var contact core.Contact
	if err := first.InTx(ctx, func(tx core.Tx) error {
		contact = core.Contact{Name: "Carla", Identities: []core.Identity{{Platform: core.Telegram, UserID: "u1", Name: "Carla"}}, CreatedAt: time.Now()}
		return tx.CreateContact(&contact)
	}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			ev := core.MessageEvent{Place: customerDM, ID: fmt.Sprint(i), Sender: core.Sender{UserID: "u1", Name: "Carla"}, Text: fmt.Sprint("m", i), Direct: true}
			for attempt := 0; ; attempt++ { // as a platform retries what was not acknowledged
				err := svcs[i%2].Handle(ctx, ev)
				if err == nil {
					return
				}
				if attempt == 10 {
					t.Errorf("message %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	var convs []core.Conversation
	if err := first.InTx(ctx, func(tx core.Tx) error {
		var err error
		convs, err = tx.Conversations(contact.ID, 10)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(convs) != 1 {
		t.Errorf("%d conversations for one customer, want 1", len(convs))
	}
}
