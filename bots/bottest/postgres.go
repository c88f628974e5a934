package bottest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", for the test's schema

	"cornershop/core/store"
)

// PostgresEnv names the DSN of the PostgreSQL server tests may use.
const PostgresEnv = "CORNERSHOP_TEST_POSTGRES_DSN"

// Postgres opens a store on a fresh schema of the PostgreSQL database in
// CORNERSHOP_TEST_POSTGRES_DSN, migrated, closed and dropped when the
// test ends; it skips the test when the variable is not set.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		t.Skip(PostgresEnv + " not set; this test needs PostgreSQL (CI sets it)")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("bots_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	st, err := store.Open(context.Background(), store.Options{Driver: store.DriverPostgres, DSN: dsn + sep + "search_path=" + schema, AutoMigrate: true})
	if err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	return st
}
