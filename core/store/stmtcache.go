package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements on SQLite's single write connection.
// modernc.org/sqlite compiles every unprepared statement from its text
// (about a third of an insert's cost), and gorm's own PrepareStmt re-prepares
// inside every transaction, so the store prepares each statement text it
// sees once, on the pool, after the transaction that first ran it has
// committed (inside it the one connection is taken); later transactions
// bind the pool statement to themselves, which database/sql does without
// preparing again because the connection is the same.
type stmtCache struct {
	db *sql.DB

	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
	closed bool
}

// maxCachedStmts bounds the cache; statements past it run unprepared.
const maxCachedStmts = 256

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// get returns the prepared statement for query, or nil after noting that
// query is wanted.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts)+len(c.wanted) < maxCachedStmts {
		c.wanted[query] = true
	}
	return nil
}

// prepare prepares the wanted statements. Call it with no transaction of
// this goroutine open. A statement that fails to prepare is not retried.
func (c *stmtCache) prepare(ctx context.Context) {
	c.mu.Lock()
	if len(c.wanted) == 0 || c.closed {
		c.mu.Unlock()
		return
	}
	wanted := c.wanted
	c.wanted = map[string]bool{}
	c.mu.Unlock()
	for q := range wanted {
		st, err := c.db.PrepareContext(ctx, q)
		c.mu.Lock()
		switch {
		case err != nil:
		case c.closed || c.stmts[q] != nil:
			st.Close()
		default:
			c.stmts[q] = st
		}
		c.mu.Unlock()
	}
}

// close closes the cached statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}

// cachedTx is the gorm connection pool of one SQLite transaction: it runs
// statements through the cache when it can.
type cachedTx struct {
	*sql.Tx
	c *stmtCache
}

func (t cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.c.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.c.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.c.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}
