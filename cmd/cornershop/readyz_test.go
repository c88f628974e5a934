package main

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/config"
	"cornershop/core"
)

// TestReadyzFollowsWrites makes the database refuse writes — its audit
// table renamed away behind the service's back, so every write of it
// fails as a full disk's would — and checks /readyz: 200 while writes
// succeed, 503 once one failed, 200 again after the next succeeds; and the
// 503's body names no part of the DSN.
func TestReadyzFollowsWrites(t *testing.T) {
	tests := []struct {
		name   string
		driver config.Driver
		dsn    func(t *testing.T) string
		open   func(t *testing.T, dsn string) *sql.DB
	}{
		{"sqlite", config.SQLite, func(t *testing.T) string { return filepath.Join(t.TempDir(), "ready.db") },
			func(t *testing.T, dsn string) *sql.DB {
				return openDB(t, "sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)")
			}},
		{"postgres", config.Postgres, func(t *testing.T) string { return bottest.PostgresSchema(t) },
			func(t *testing.T, dsn string) *sql.DB { return openDB(t, "pgx", dsn) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := tc.dsn(t)
			cfg := config.Default()
			cfg.Database.Driver, cfg.Database.DSN = tc.driver, config.NewSecret(dsn)
			a, err := newApp(ctx, cfg, slog.New(slog.DiscardHandler), nil)
			if err != nil {
				t.Fatalf("new app: %v", err)
			}
			t.Cleanup(func() { a.store.Close() })
			routes, _ := a.routes()
			srv := httptest.NewServer(routes)
			t.Cleanup(srv.Close)
			write := func() error {
				return a.store.InTx(ctx, func(tx core.Tx) error {
					return tx.Audit(core.AuditEntry{Actor: "system", Action: "probe", Object: "test", At: time.Now()})
				})
			}
			side := tc.open(t, dsn)
			rename := func(from, to string) {
				t.Helper()
				if _, err := side.Exec("ALTER TABLE " + from + " RENAME TO " + to); err != nil {
					t.Fatalf("rename %s: %v", from, err)
				}
			}

			if err := write(); err != nil {
				t.Fatalf("write: %v", err)
			}
			if code, body := get(t, srv.URL+"/readyz"); code != 200 {
				t.Fatalf("readyz with writes succeeding = %d %q, want 200", code, body)
			}
			rename("audit_entries", "audit_entries_away")
			if err := write(); err == nil {
				t.Fatal("a write succeeded without its table")
			}
			code, body := get(t, srv.URL+"/readyz")
			if code != 503 || !strings.Contains(body, "database unavailable") {
				t.Errorf("readyz after a failed write = %d %q, want 503 database unavailable", code, body)
			}
			for _, part := range dsnParts(dsn) {
				if strings.Contains(body, part) {
					t.Errorf("readyz's body %q shows %q, part of the DSN", body, part)
				}
			}
			rename("audit_entries_away", "audit_entries")
			if err := write(); err != nil {
				t.Fatalf("write after the table is back: %v", err)
			}
			if code, body := get(t, srv.URL+"/readyz"); code != 200 {
				t.Errorf("readyz after writes succeed again = %d %q, want 200", code, body)
			}
		})
	}
}

// dsnParts are the pieces of a DSN a message must not show: a file's path
// and name, or a URL's user, host, port, database and options.
func dsnParts(dsn string) []string {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return []string{dsn, filepath.Base(dsn)}
	}
	parts := []string{u.User.Username(), u.Hostname(), u.Port(), strings.TrimPrefix(u.Path, "/")}
	for _, vs := range u.Query() {
		parts = append(parts, vs...)
	}
	out := parts[:0]
	for _, p := range parts {
		if len(p) > 2 { // "ready" shares letters with anything short
			out = append(out, p)
		}
	}
	return out
}

func openDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
