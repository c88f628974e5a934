package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"cornershop/core"
	"cornershop/core/store"
)

func TestOpenChecksSchemaVersion(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "c.db")
	_, err := store.Open(ctx, store.Options{DSN: dsn})
	if err == nil || !strings.Contains(err.Error(), "database schema is at version 0, this binary needs") {
		t.Fatalf("Open on an empty database: %v, want the migrate hint", err)
	}
	s, err := store.Open(ctx, store.Options{DSN: dsn, AutoMigrate: true})
	if err != nil {
		t.Fatalf("Open with AutoMigrate: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Errorf("Migrate on an up-to-date database: %v", err)
	}
	have, want, err := s.SchemaVersion(ctx)
	if err != nil || have != want || want < 1 {
		t.Errorf("SchemaVersion = %d, %d, %v; want equal and at least 1", have, want, err)
	}
	s.Close()
	s, err = store.Open(ctx, store.Options{DSN: dsn})
	if err != nil {
		t.Fatalf("Open on a migrated database: %v", err)
	}
	s.Close()
}

func TestOpenRejectsBadOptions(t *testing.T) {
	cases := []struct {
		name string
		o    store.Options
		want string
	}{
		{"driver", store.Options{Driver: "mysql"}, `unknown driver "mysql"`},
		{"synchronous", store.Options{Synchronous: "off"}, `synchronous "off"`},
		{"postgres without dsn", store.Options{Driver: store.DriverPostgres}, "needs a DSN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.o.DSN == "" && tc.o.Driver != store.DriverPostgres {
				tc.o.DSN = filepath.Join(t.TempDir(), "c.db")
			}
			_, err := store.Open(context.Background(), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open(%+v) = %v, want an error with %q", tc.o, err, tc.want)
			}
		})
	}
}

func TestSynchronousFull(t *testing.T) {
	s, err := store.Open(context.Background(), store.Options{DSN: filepath.Join(t.TempDir(), "c.db"), Synchronous: "full", AutoMigrate: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if err := s.InTx(context.Background(), func(tx core.Tx) error {
		return tx.Audit(core.AuditEntry{Action: "test"})
	}); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// TestPostgresReplicasMigrateTogether starts several stores on one empty
// schema at once: the advisory lock lets exactly one migrate.
func TestPostgresReplicasMigrateTogether(t *testing.T) {
	dsn := pgSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := store.Open(context.Background(), store.Options{Driver: store.DriverPostgres, DSN: dsn, AutoMigrate: true})
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("replicas migrating together: %v", err)
	}
}

// TestInTxReturnsCallerError checks fn's error comes back unwrapped.
func TestInTxReturnsCallerError(t *testing.T) {
	s := openSQLite(t)
	sentinel := errors.New("mine")
	if err := s.InTx(context.Background(), func(core.Tx) error { return sentinel }); err != sentinel {
		t.Fatalf("InTx = %v, want the caller's error itself", err)
	}
}
