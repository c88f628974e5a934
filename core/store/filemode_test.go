package store_test

import (
	"context"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/store"
)

// TestSQLiteFilesArePrivate: a store opened on a path that does not exist
// yet creates the database, its -wal and its -shm readable by their owner
// only (0600), though the process umask would let SQLite make them 0644 —
// for a plain path and for a "file:" URI alike. A database that already
// exists keeps the mode the operator gave it.
func TestSQLiteFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, whatever the test runner's
	t.Cleanup(func() { syscall.Umask(old) })
	cases := []struct {
		name string
		dsn  func(path string) string
	}{
		{"path", func(p string) string { return p }},
		{"file URI", func(p string) string { return "file:" + (&url.URL{Path: p}).EscapedPath() + "?cache=private" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a b.db") // a space, escaped in the URI
			s := openWritten(t, tc.dsn(path))
			defer s.Close()
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				if got := mode(t, f); got != 0o600 {
					t.Errorf("%s has mode %v, want 0600", filepath.Base(f), got)
				}
			}
		})
	}
	t.Run("existing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.db")
		if err := os.WriteFile(path, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		s := openWritten(t, path)
		defer s.Close()
		if got := mode(t, path); got != 0o640 {
			t.Errorf("the existing database has mode %v, want 0640 as it was", got)
		}
	})
}

// openWritten opens a store on dsn and commits one contact.
func openWritten(t testing.TB, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{Driver: store.DriverSQLite, DSN: dsn, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	err = s.InTx(context.Background(), func(tx core.Tx) error {
		return tx.CreateContact(&core.Contact{Name: "Ada", CreatedAt: time.Now()})
	})
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	return s
}

func mode(t testing.TB, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
