package store

import (
	"database/sql"
	"fmt"
)

// Driver returns the store's dialect: DriverSQLite or DriverPostgres.
func (s *Store) Driver() string { return s.driver }

// SQL returns the database/sql pool the store writes through (SQLite's one
// write connection, PostgreSQL's pool), for tools that write rows in bulk
// outside the domain: `cornershop bench` seeds a large store with it and
// measures the raw insert rate of the relay's rows through it. Writes made
// through it bypass every invariant the store keeps, and while one of its
// transactions is open on SQLite, InTx waits. The service never uses it.
func (s *Store) SQL() (*sql.DB, error) {
	if s.writer != nil {
		return s.writer, nil
	}
	db, err := s.db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: sql: %w", err)
	}
	return db, nil
}
