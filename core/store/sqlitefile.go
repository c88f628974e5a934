package store

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// createPrivate creates the SQLite database file dsn names, empty and
// readable by its owner only (0600), when it does not exist yet. SQLite
// would create it with the process umask (0644 under the usual 022), and it
// gives the -wal and -shm files it creates beside a database the database
// file's permissions, so all three stay private. An existing file keeps its
// mode: the operator may have chosen it. In-memory and read-only databases
// are left alone. The directory must exist; cornershop does not create it.
func createPrivate(dsn string) error {
	path, ok := sqliteFilePath(dsn)
	if !ok {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("store: create sqlite database: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: create sqlite database: %w", err)
	}
	return nil
}

// sqliteFilePath is the file a DSN opens through modernc.org/sqlite, and
// false for an in-memory, temporary or read-only database. A plain name
// loses its query (the driver removes it); a "file:" URI is read as SQLite
// reads it: an optional empty or "localhost" authority, %-escapes, and the
// mode and immutable parameters.
func sqliteFilePath(dsn string) (string, bool) {
	name, query, _ := strings.Cut(dsn, "?")
	rest, uri := strings.CutPrefix(name, "file:")
	if uri {
		q, err := url.ParseQuery(query)
		if err != nil {
			return "", false // SQLite reports its own error
		}
		if m := q.Get("mode"); m == "ro" || m == "memory" || q.Get("immutable") == "1" {
			return "", false
		}
		if auth, ok := strings.CutPrefix(rest, "//"); ok {
			host, path, _ := strings.Cut(auth, "/")
			if host != "" && host != "localhost" {
				return "", false
			}
			rest = "/" + path
		}
		if rest, err = url.PathUnescape(rest); err != nil {
			return "", false
		}
		name = rest
	}
	if name == "" || name == ":memory:" {
		return "", false
	}
	return name, true
}
