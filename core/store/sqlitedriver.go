package store

import (
	"os"

	moderncsqlite "modernc.org/sqlite"
)

// The gorm dialect for SQLite is github.com/libtnb/sqlite, gorm's own
// (gorm.io/driver/sqlite) ported to modernc.org/sqlite: gorm's imports
// github.com/mattn/go-sqlite3, which would link a cgo driver the product
// never uses into the binary. libtnb's init also switches modernc.org/sqlite
// process-wide to fdatasync, OFD locks and strict _pragma values; this init
// (which runs after it) puts modernc's defaults back, so the change of
// dialect changes nothing on disk. MODERNC_SQLITE_OFD_LOCK still chooses
// the locks when set.
func init() {
	moderncsqlite.StrictPragmas(false)
	if _, ok := os.LookupEnv("MODERNC_SQLITE_OFD_LOCK"); !ok {
		_, _ = moderncsqlite.OFDLocking(false) // an error: not Linux, nothing to undo
	}
	_, _ = moderncsqlite.Fdatasync(false) // an error: fdatasync unavailable, already off
}
