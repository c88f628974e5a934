//go:build cgo

package store

import (
	"testing"

	_ "github.com/mattn/go-sqlite3" // "sqlite3", for the driver comparison only
)

// BenchmarkSQLiteDriver compares modernc.org/sqlite (pure Go, the default)
// with mattn/go-sqlite3 (cgo) on the same rows through the same store code.
// It needs cgo; the store itself does not.
func BenchmarkSQLiteDriver(b *testing.B) {
	for _, driver := range []string{"sqlite", "sqlite3"} {
		name := map[string]string{"sqlite": "modernc", "sqlite3": "mattn"}[driver]
		b.Run(name+"/Tx", func(b *testing.B) { benchTxInsert(b, benchSQLite(b, driver)) })
		b.Run(name+"/Raw", func(b *testing.B) { benchRawInsert(b, benchSQLite(b, driver)) })
	}
}
