package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"cornershop/core"
)

// writeFaultFor is how long a write transaction that failed on the
// database's side keeps WriteFault reporting it when no write transaction
// succeeded since: long enough to span the seconds between writes under
// light traffic, short enough that an idle store is not held unready by a
// fault long over.
const writeFaultFor = 30 * time.Second

// writes remembers how the last write transaction ended.
type writes struct {
	mu    sync.Mutex
	fault error // the last transaction's failure, nil after a success
	at    time.Time
}

// noteWrite records a transaction's outcome: a success clears the fault,
// a failure of the database's own (not an answer such as a duplicate, not
// the caller's cancellation, not the caller's own error) sets it.
func (s *Store) noteWrite(err error) {
	switch {
	case err == nil:
		s.writes.mu.Lock()
		s.writes.fault = nil
		s.writes.mu.Unlock()
	case databaseFault(err):
		s.writes.mu.Lock()
		s.writes.fault, s.writes.at = err, s.o.Now()
		s.writes.mu.Unlock()
	}
}

// WriteFault returns the error of the last write transaction when it
// failed on the database's side (a full disk, a read-only or unreachable
// database, a missing table) within the last 30 seconds, and nil when it
// succeeded or is older. It never blocks and makes no database call.
func (s *Store) WriteFault() error {
	s.writes.mu.Lock()
	defer s.writes.mu.Unlock()
	if s.writes.fault == nil || s.o.Now().Sub(s.writes.at) > writeFaultFor {
		return nil
	}
	return fmt.Errorf("store: last write failed %s ago: %w", s.o.Now().Sub(s.writes.at).Round(time.Millisecond), s.writes.fault)
}

// databaseFault reports whether err is the database failing rather than
// answering: driver and connection errors other than constraint
// violations, serialisation failures and cancellations.
func databaseFault(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || isUnique(err) ||
		errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrDuplicate) || errors.Is(err, core.ErrInvalid) {
		return false
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pe.Code[:2] {
		case "23", "40": // integrity constraints; serialisation and deadlocks (retried)
			return false
		}
		return true
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		return se.Code()&0xff != sqlite3.SQLITE_CONSTRAINT && se.Code()&0xff != sqlite3.SQLITE_BUSY
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, errTxEnd)
}

// sqliteBusy reports whether err is SQLite's SQLITE_BUSY.
func sqliteBusy(err error) bool {
	se, ok := errors.AsType[*sqlite.Error](err)
	return ok && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// errTxEnd marks a transaction that could not begin or commit: whatever
// the driver said, the database failed.
var errTxEnd = errors.New("transaction could not begin or commit")
