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

// PostgresSchema returns the DSN of a fresh schema of the PostgreSQL
// database in CORNERSHOP_TEST_POSTGRES_DSN (search_path set), dropped when
// the test ends; it skips the test when the variable is not set.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		t.Skip(PostgresEnv + " not set; this test needs PostgreSQL and runs where it is set (CI)")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("t_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// Postgres opens a migrated store on PostgresSchema, closed when the test
// ends (before its schema is dropped).
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	st := OpenPostgres(t)
	t.Cleanup(func() { st.Close() })
	return st
}

// OpenPostgres opens a migrated store on PostgresSchema that the caller
// closes (StartStore does) before the test ends.
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	dsn := PostgresSchema(t)
	st, err := store.Open(context.Background(), store.Options{Driver: store.DriverPostgres, DSN: dsn, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	return st
}
