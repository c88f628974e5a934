package relay_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" database/sql driver, for schema set-up

	"cornershop/core"
	"cornershop/core/store"
)

// stores opens each store a hostile-text test runs on: SQLite, and
// PostgreSQL in a fresh schema when CORNERSHOP_TEST_POSTGRES_DSN is set.
func stores(t *testing.T) map[string]func(*testing.T) *store.Store {
	out := map[string]func(*testing.T) *store.Store{
		"sqlite": func(t *testing.T) *store.Store {
			st, err := store.Open(context.Background(), store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "relay.db"), AutoMigrate: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
	dsn := os.Getenv("CORNERSHOP_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Log("CORNERSHOP_TEST_POSTGRES_DSN not set; hostile text runs on SQLite only")
		return out
	}
	out["postgres"] = func(t *testing.T) *store.Store {
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Close() })
		schema := "t_" + strings.ToLower(rand.Text()[:12])
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
		sdsn := dsn + " search_path=" + schema
		if strings.Contains(dsn, "://") {
			u, _ := url.Parse(dsn)
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			sdsn = u.String()
		}
		st, err := store.Open(context.Background(), store.Options{Driver: store.DriverPostgres, DSN: sdsn, AutoMigrate: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	return out
}

// TestHostileTextIsRecordedAndRelayed: text no database or platform takes
// as it is (NUL, invalid UTF-8) and text that merely looks dangerous is
// recorded, shown in the desk and answered, on every store. On PostgreSQL a
// NUL used to fail the transaction, so the platform sent the event again
// forever (on Telegram, holding back every later update).
func TestHostileTextIsRecordedAndRelayed(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			e := newEnvOn(t, open(t))
			in := []string{"nul\x00byte", "bad \xff\xfe utf8 \xc3", "ctl \a\x1b[31m\x7f", "rtl \u202egnp.exe zw\u200b", "<!channel> @everyone <b>x</b>", strings.Repeat("😀", 10000)}
			for _, text := range in {
				e.handle(core.MessageEvent{Place: customerDM, ID: e.id(), Sender: core.Sender{UserID: "u1", Name: "Car\x00la \xff"}, Text: text, Direct: true})
			}
			e.drain()
			conv := e.conversation()
			desk := strings.Join(texts(e.desk.Posts(conv.Desk)), "\n")
			// The desk shows invisible and direction-changing characters as
			// markers and the first 4,000 characters of a long text.
			for _, want := range []string{"nul\uFFFDbyte", "bad \uFFFD utf8 \uFFFD", "ctl [U+0007][U+001B][31m[U+007F]", "rtl [U+202E]gnp.exe zw[U+200B]",
				"<!channel> @everyone <b>x</b>", strings.Repeat("😀", 4000) + "\n\n… 6,000 more characters: the whole message is attached as message-"} {
				if !strings.Contains(desk, want) {
					t.Errorf("the desk lacks %.40q", want)
				}
			}
			if strings.ContainsAny(desk, "\u202e\u200b\a\x1b") || strings.Contains(desk, strings.Repeat("😀", 4001)) {
				t.Errorf("the desk shows a raw control, bidi or zero-width character, or more than 4,000 characters of one message")
			}
			// The record keeps every text as sent (made storable).
			var recorded []string
			if err := e.store.InTx(t.Context(), func(tx core.Tx) error {
				ms, err := tx.Messages(conv.ID)
				for _, m := range ms {
					recorded = append(recorded, m.Text)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"ctl \a\x1b[31m\x7f", "rtl \u202egnp.exe zw\u200b", strings.Repeat("😀", 10000)} {
				if !slices.Contains(recorded, want) {
					t.Errorf("the record lacks %.40q", want)
				}
			}
			e.staff(conv.Desk, "U-ALICE", "answer with nul\x00 and \xff")
			e.drain()
			if got := strings.Join(texts(e.cust.Posts(customerDM)), "\n"); !strings.Contains(got, "answer with nul\uFFFD and \uFFFD") {
				t.Errorf("the customer got %q", got)
			}
		})
	}
}
