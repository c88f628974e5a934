// Package store is cornershop's persistence: it implements core.Store with
// gorm on SQLite (the embedded default, pure Go through modernc.org/sqlite,
// so the binary builds with CGO_ENABLED=0) or on PostgreSQL (through pgx),
// and owns the schema as versioned SQL migrations embedded in the binary.
//
// gorm rows never leave the package: every value crosses through a named
// converter (toMessageRow, toCoreMessage, …), and driver errors become
// core.ErrNotFound and core.ErrDuplicate. Bound values are never logged.
//
// Concurrency: on SQLite every write goes through one connection (SQLite
// has one writer anyway), transactions begin IMMEDIATE and wait on a busy
// timeout, so concurrent InTx calls queue instead of failing with
// SQLITE_BUSY; reads that need no transaction use a separate read-only pool.
// On PostgreSQL the pool is shared and Claim uses FOR UPDATE SKIP LOCKED, so
// several replicas can share one database.
//
// The contract every core.Store must keep is checked by package storetest,
// which store_test.go runs on SQLite always and on PostgreSQL when
// CORNERSHOP_TEST_POSTGRES_DSN is set.
package store
