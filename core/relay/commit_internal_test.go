package relay

import (
	"context"
	"path/filepath"
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
	st, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "db.sqlite"), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
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
