package relay

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/store"
	"cornershop/webhooks"
)

// TestPreloadFindsTheStoreThroughTheWrappers: with an observer and webhook
// endpoints configured (as cmd/cornershop runs: /metrics always, webhooks
// often), the relay's transactions are the store's wrapped twice; the group
// commit's read-ahead must still reach the store's Preload. It did not once:
// the optional method was looked up on the wrapper, and every batch on
// PostgreSQL went back to one round trip per read.
func TestPreloadFindsTheStoreThroughTheWrappers(t *testing.T) {
	ctx := context.Background()
	st := openInternalStore(t, store.DriverSQLite)
	sender, err := webhooks.New([]webhooks.Endpoint{{Name: "crm", URL: "http://127.0.0.1:1/hook", Secret: []byte("s")}}, nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
	}{
		{"plain", Config{}},
		{"observer", Config{Observer: nopObserver{}}},
		{"webhooks", Config{Webhooks: Webhooks{Endpoints: []WebhookEndpoint{{Name: "crm"}}, Sender: sender}}},
		{"observer and webhooks", Config{Observer: nopObserver{}, Webhooks: Webhooks{Endpoints: []WebhookEndpoint{{Name: "crm"}}, Sender: sender}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(st, tc.cfg, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = s.store.InTx(ctx, func(tx core.Tx) error {
				if _, ok := storeTx(tx).(preloader); !ok {
					t.Errorf("under %T the relay finds %T, which cannot preload", tx, storeTx(tx))
				}
				return preload(tx, []*job{{key: &core.InboundKey{Place: core.Place{Platform: core.Telegram, Chat: "1"}, ID: "1", UserID: "1"}}})
			})
			if err != nil {
				t.Fatalf("preload through %s: %v", tc.name, err)
			}
		})
	}
}

// nopObserver hears nothing.
type nopObserver struct{}

// NopObserver is nopObserver for the external tests: the benchmarks run the
// relay as cmd/cornershop does, with an observer (its /metrics), whose
// wrapping of every transaction once hid the store's read-ahead.
type NopObserver = nopObserver

func (nopObserver) FirstResponse(string, time.Duration)           {}
func (nopObserver) Resolved(string, time.Duration)                {}
func (nopObserver) Reopened(string)                               {}
func (nopObserver) SLAVerdict(string, string, core.SLAKind, bool) {}
func (nopObserver) Rated(string, int)                             {}
func (nopObserver) Suggested()                                    {}
func (nopObserver) Decided(core.SuggestionOutcome)                {}
func (nopObserver) Missed()                                       {}
func (nopObserver) IncidentOpened()                               {}
func (nopObserver) IncidentLinked()                               {}
func (nopObserver) IncidentFirstUpdate(time.Duration)             {}

// TestCommitterLanes: every job runs once in a committed transaction and
// returns; at most lanes transactions run at once, and with more than one
// lane they do overlap (PostgreSQL; SQLite keeps one, as its single writer
// would serialise them anyway).
func TestCommitterLanes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		driver string
		lanes  int
	}{{store.DriverSQLite, 1}, {store.DriverPostgres, 1}, {store.DriverPostgres, 2}, {store.DriverPostgres, 3}} {
		t.Run(fmt.Sprintf("%s/lanes=%d", tc.driver, tc.lanes), func(t *testing.T) {
			c := &committer{store: openInternalStore(t, tc.driver), max: 4, lanes: tc.lanes}
			var (
				mu              sync.Mutex
				inTx, peak, ran int
			)
			const jobs = 120
			errs := make(chan error, jobs)
			var wg sync.WaitGroup
			for range jobs {
				wg.Go(func() {
					errs <- c.do(ctx, func(tx core.Tx) error {
						mu.Lock()
						inTx++
						ran++
						peak = max(peak, inTx)
						mu.Unlock()
						time.Sleep(2 * time.Millisecond) // hold the transaction a moment
						mu.Lock()
						inTx--
						mu.Unlock()
						return nil
					})
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if ran != jobs {
				t.Errorf("%d job runs, want %d (each once)", ran, jobs)
			}
			if peak > tc.lanes {
				t.Errorf("%d transactions at once, want at most %d", peak, tc.lanes)
			}
			if tc.lanes > 1 && peak < 2 {
				t.Errorf("batches never overlapped with %d lanes", tc.lanes)
			}
			if c.leaders != 0 || len(c.queue) != 0 {
				t.Errorf("after the jobs: %d leaders, %d queued; want none", c.leaders, len(c.queue))
			}
		})
	}
}

// openInternalStore opens a fresh store: SQLite in a temporary directory,
// or PostgreSQL in a fresh schema (skipped without
// CORNERSHOP_TEST_POSTGRES_DSN).
func openInternalStore(t *testing.T, driver string) *store.Store {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "db.sqlite")
	if driver == store.DriverPostgres {
		base := os.Getenv("CORNERSHOP_TEST_POSTGRES_DSN")
		if base == "" {
			t.Skip("CORNERSHOP_TEST_POSTGRES_DSN not set; PostgreSQL committer test skipped")
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Close() })
		schema := fmt.Sprintf("commit_%d", rand.Int64N(1<<40))
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		dsn = base + sep + "search_path=" + schema
	}
	st, err := store.Open(context.Background(), store.Options{Driver: driver, DSN: dsn, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
