package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" database/sql driver, for schema set-up

	"cornershop/core"
	"cornershop/core/store"
	"cornershop/core/store/storetest"
)

const pgEnv = "CORNERSHOP_TEST_POSTGRES_DSN"

// openSQLite opens a migrated store on a new file in a temporary directory.
func openSQLite(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), store.Options{
		Driver: store.DriverSQLite, DSN: filepath.Join(tb.TempDir(), "cornershop.db"), AutoMigrate: true,
	})
	if err != nil {
		tb.Fatalf("open sqlite store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// pgDSN returns the PostgreSQL DSN from the environment, or skips.
func pgDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(pgEnv)
	if dsn == "" {
		tb.Skip(pgEnv + " not set; PostgreSQL store tests skipped")
	}
	return dsn
}

// pgSchema creates a fresh schema, dropped at cleanup, and returns the DSN
// with search_path pointing at it.
func pgSchema(tb testing.TB) string {
	tb.Helper()
	base := pgDSN(tb)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { admin.Close() })
	schema := "t_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withParam(tb, base, "search_path", schema)
}

func withParam(tb testing.TB, dsn, k, v string) string {
	tb.Helper()
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatalf("parse %s: %v", pgEnv, err)
		}
		q := u.Query()
		q.Set(k, v)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return fmt.Sprintf("%s %s=%s", dsn, k, v)
}

func openPostgres(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), store.Options{Driver: store.DriverPostgres, DSN: pgSchema(tb), AutoMigrate: true})
	if err != nil {
		tb.Fatalf("open postgres store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestSQLite(t *testing.T) {
	storetest.Test(t, func(t *testing.T) core.Store { return openSQLite(t) })
}

func TestPostgres(t *testing.T) {
	pgDSN(t)
	storetest.Test(t, func(t *testing.T) core.Store { return openPostgres(t) })
}

func TestOutboxStats(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "stats.db"), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err = st.InTx(ctx, func(tx core.Tx) error {
		c := core.Contact{Name: "c", Identities: []core.Identity{{Platform: core.Telegram, UserID: "1"}}}
		if err := tx.CreateContact(&c); err != nil {
			return err
		}
		conv := core.Conversation{ContactID: c.ID, Customer: core.Place{Platform: core.Telegram, Chat: "1"}, Status: core.StatusOpen}
		if err := tx.CreateConversation(&conv); err != nil {
			return err
		}
		for i := range 3 {
			d := core.Delivery{Key: fmt.Sprint(i), ConversationID: conv.ID, Op: core.OpSend, Side: core.DeskSide, Platform: core.Slack, NextAttemptAt: t0.Add(time.Duration(i) * time.Minute)}
			if err := tx.Enqueue(&d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.OutboxStats(ctx, t0.Add(90*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got.ByState[core.DeliveryPending] != 3 || got.Lag != 90*time.Second {
		t.Errorf("OutboxStats = %+v, want 3 pending and 90s lag", got)
	}
}
