package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"cornershop/core"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" database/sql driver
)

// Drivers Open accepts.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Options configure Open. Zero values take the defaults in brackets.
type Options struct {
	// Driver is "sqlite" or "postgres" ["sqlite"].
	Driver string
	// DSN is, for SQLite, a file path or a "file:" URI ["cornershop.db"];
	// the store adds its own pragmas to it. For PostgreSQL it is a pgx
	// connection string (URL or key=value); runtime parameters such as
	// search_path may be given in it.
	DSN string
	// Synchronous is SQLite's durability level, "normal" or "full"
	// ["normal"]. Both run in WAL mode. NORMAL survives a killed or crashed
	// process but may lose the last transactions on power loss or an OS
	// crash; FULL also survives those, at roughly 0.4x the commit rate on
	// this class of machine. A platform may only be acknowledged (a Telegram
	// offset moved, a Slack event answered) after InTx returns, so this
	// setting is the durability of that acknowledgement. PostgreSQL ignores
	// it (its durability is the server's synchronous_commit).
	Synchronous string
	// MaxOpenConns bounds the connection pool: PostgreSQL's pool [10], or
	// SQLite's read-only pool [4] (SQLite writes always use one connection).
	MaxOpenConns int
	// SearchLanguage is the language of full-text search ["english"]:
	// PostgreSQL's text search configuration (english, simple, german, …);
	// on SQLite "english" stems words (FTS5's porter tokenizer) and any other
	// value indexes them unstemmed, accents removed.
	SearchLanguage string
	// BusyTimeout is how long SQLite waits for another process's write
	// lock before failing [5s].
	BusyTimeout time.Duration
	// AutoMigrate makes Open apply pending migrations, as `serve` and tests
	// want. Without it Open fails when the schema is behind this binary.
	AutoMigrate bool
	// ApplicationName names this process's PostgreSQL sessions
	// (application_name). A process that claims deliveries as owner X
	// names its sessions X, so ReleaseOrphans can tell a live owner from a
	// dead one. Ignored by SQLite.
	ApplicationName string
	// Logger receives warnings (failed and slow statements, without their
	// values) [discard].
	Logger *slog.Logger
	// SlowQuery is the duration above which a statement is logged [200ms];
	// negative disables it.
	SlowQuery time.Duration
	// Now is the clock, used for the migration log [time.Now]. Record
	// times come from the caller.
	Now func() time.Time

	// sqliteDriver is the database/sql driver name for SQLite ["sqlite",
	// modernc]; the driver benchmark sets "sqlite3" (mattn, cgo).
	sqliteDriver string
}

// Store is a core.Store on SQLite or PostgreSQL. Create it with Open; it is
// safe for concurrent use.
type Store struct {
	driver  string
	db      *gorm.DB // writes and transactions
	read    *gorm.DB // reads outside a transaction; == db on PostgreSQL
	closers []*sql.DB
	o       Options
	// SQLite only: the write pool and its statement cache.
	writer      *sql.DB
	stmts       *stmtCache
	checkpoints *checkpointer // nil for PostgreSQL and in-memory SQLite
	q           queries       // hand-written hot-path statements
	budgetCalls atomic.Uint64 // Reserve calls, to prune rate_budgets now and then
	writes      writes        // how the last write transaction ended (writes.go)
}

var _ core.Store = (*Store)(nil)

// Open connects to the database o describes and checks its schema version.
// When the schema is behind this binary it fails with an error telling the
// operator to run `cornershop migrate`, unless o.AutoMigrate is set, in
// which case it migrates first. The caller must Close the store.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Driver == "" {
		o.Driver = DriverSQLite
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SearchLanguage == "" {
		o.SearchLanguage = "english"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.SlowQuery == 0 {
		o.SlowQuery = 200 * time.Millisecond
	}
	if o.sqliteDriver == "" {
		o.sqliteDriver = "sqlite"
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	cfg := func() *gorm.Config {
		return &gorm.Config{
			Logger:                 gormLog{log: o.Logger, slow: max(o.SlowQuery, 0)},
			NowFunc:                func() time.Time { return dbTime(o.Now()) },
			SkipDefaultTransaction: true,
			TranslateError:         false,
		}
	}
	s := &Store{driver: o.Driver, o: o, q: newQueries(o.Driver)}
	var err error
	switch o.Driver {
	case DriverSQLite:
		err = s.openSQLite(cfg)
	case DriverPostgres:
		err = s.openPostgres(cfg)
	default:
		return nil, fmt.Errorf("store: unknown driver %q (want %q or %q)", o.Driver, DriverSQLite, DriverPostgres)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if o.AutoMigrate {
		err = s.Migrate(ctx)
	} else {
		err = s.checkSchema(ctx)
	}
	if err == nil {
		err = s.prepareSearch(ctx)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) openSQLite(cfg func() *gorm.Config) error {
	sync := strings.ToUpper(s.o.Synchronous)
	switch sync {
	case "":
		sync = "NORMAL"
	case "NORMAL", "FULL":
	default:
		return fmt.Errorf("store: sqlite synchronous %q: want \"normal\" or \"full\"", s.o.Synchronous)
	}
	dsn := s.o.DSN
	if dsn == "" {
		dsn = "cornershop.db"
	}
	if err := createPrivate(dsn); err != nil {
		return err
	}
	params := url.Values{}
	params.Set("_journal_mode", "WAL")
	params.Set("_synchronous", sync)
	params.Set("_foreign_keys", "1")
	params.Set("_busy_timeout", fmt.Sprint(s.o.BusyTimeout.Milliseconds()))
	params.Set("_time_format", "sqlite")
	params.Add("_pragma", fmt.Sprintf("journal_size_limit=%d", journalSizeLimit))
	// Deleted and overwritten content is zeroed, so an erase leaves no copy
	// in freed pages (docs/privacy.md).
	params.Add("_pragma", "secure_delete=on")
	wparams := url.Values{}
	wparams.Set("_txlock", "immediate")
	w, err := openSQLiteDB(s.o.sqliteDriver, dsn, params.Encode()+"&"+wparams.Encode(), 1)
	if err != nil {
		return err
	}
	s.closers = append(s.closers, w)
	// The write connection does the hot path's indexed reads too (inside
	// each transaction): SQLite's default 2 MB page cache is small against
	// a large store's indexes. With 32 MB the benchmark's burst into a
	// store of a million messages went from 83–85 % of the empty store's
	// rate to 88–90 %, for ≈ 8 MB more resident memory.
	if _, err := w.Exec("PRAGMA cache_size=-32768"); err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	s.writer, s.stmts = w, newStmtCache(w)
	if s.db, err = gorm.Open(sqlite.New(sqlite.Config{DriverName: s.o.sqliteDriver, Conn: w}), cfg()); err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	s.read = s.db
	if strings.Contains(dsn, ":memory:") || strings.Contains(dsn, "mode=memory") {
		return nil // a second pool would see another database
	}
	// Checkpoints happen beside the writer, not inside its commits.
	if _, err := w.Exec("PRAGMA wal_autocheckpoint=0"); err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	c, err := openSQLiteDB(s.o.sqliteDriver, dsn, params.Encode(), 1)
	if err != nil {
		return err
	}
	s.closers = append(s.closers, c)
	if s.checkpoints, err = startCheckpoints(context.Background(), c, w, s.o.BusyTimeout, s.o.Logger); err != nil {
		return err
	}
	rparams := url.Values{}
	rparams.Set("_query_only", "1")
	r, err := openSQLiteDB(s.o.sqliteDriver, dsn, params.Encode()+"&"+rparams.Encode(), max(s.o.MaxOpenConns, 0))
	if err != nil {
		return err
	}
	s.closers = append(s.closers, r)
	if s.read, err = gorm.Open(sqlite.New(sqlite.Config{DriverName: s.o.sqliteDriver, Conn: r}), cfg()); err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	return nil
}

// openSQLiteDB opens a pool of driver on dsn with query appended. conns is
// the pool size (0: 4).
func openSQLiteDB(driver, dsn, query string, conns int) (*sql.DB, error) {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	db, err := sql.Open(driver, dsn+sep+query)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	if conns <= 0 {
		conns = 4
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	return db, nil
}

func (s *Store) openPostgres(cfg func() *gorm.Config) error {
	if s.o.DSN == "" {
		return errors.New("store: postgres needs a DSN")
	}
	pc, err := pgx.ParseConfig(s.o.DSN)
	if err != nil {
		return fmt.Errorf("store: open postgres: %w", err)
	}
	if s.o.ApplicationName != "" {
		pc.RuntimeParams["application_name"] = s.o.ApplicationName
	}
	db, err := gorm.Open(postgres.New(postgres.Config{Conn: stdlib.OpenDB(*pc)}), cfg())
	if err != nil {
		return fmt.Errorf("store: open postgres: %w", err)
	}
	s.db, s.read = db, db
	if err := registerReadAheadDrop(db); err != nil {
		return err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("store: open postgres: %w", err)
	}
	s.closers = append(s.closers, sqlDB)
	conns := s.o.MaxOpenConns
	if conns <= 0 {
		conns = 10
	}
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return nil
}

// Close closes the database pools. Transactions in flight fail.
func (s *Store) Close() error {
	if s.checkpoints != nil {
		s.checkpoints.stop()
		s.checkpoints = nil
	}
	if s.stmts != nil {
		s.stmts.close()
	}
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c.Close())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// InTx runs fn in one transaction and commits when fn returns nil; any
// error (or panic) from fn rolls everything back. On SQLite transactions
// are serialised (one writer); on PostgreSQL they run at READ COMMITTED.
// fn must not keep tx, and must not call the Store itself (on SQLite that
// would wait forever for the one write connection). Errors from tx are
// core.ErrNotFound / core.ErrDuplicate where the contract says so. On
// PostgreSQL a failed statement other than the duplicate inserts the
// contract names (AddRef, Enqueue, CreateContact) aborts the transaction,
// so fn should return such errors rather than carry on.
func (s *Store) InTx(ctx context.Context, fn func(tx core.Tx) error) error {
	err := s.inTx(ctx, fn)
	s.noteWrite(err)
	return err
}

// inTx is InTx without noting the outcome.
func (s *Store) inTx(ctx context.Context, fn func(tx core.Tx) error) error {
	if s.stmts != nil {
		return s.inSQLiteTx(ctx, fn)
	}
	var fnErr error
	ra := &readAhead{}
	err := s.db.WithContext(context.WithValue(ctx, readAheadKey{}, ra)).Transaction(func(g *gorm.DB) error {
		if fnErr = fn(&tx{db: g, s: s, ra: ra}); fnErr != nil {
			return fnErr
		}
		fnErr = ra.flush(g.Statement.Context, g.Statement.ConnPool) // a message held back (writeback.go)
		return fnErr
	})
	switch {
	case fnErr != nil:
		return fnErr // rolled back; the caller's error, unchanged
	case err != nil:
		return fmt.Errorf("store: transaction: %w: %w", errTxEnd, err)
	}
	return nil
}

// inSQLiteTx is InTx on SQLite: the transaction runs on the one write
// connection through the statement cache.
func (s *Store) inSQLiteTx(ctx context.Context, fn func(tx core.Tx) error) (err error) {
	sqlTx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w: %w", errTxEnd, err)
	}
	done := false
	defer func() {
		if !done { // fn failed or panicked
			sqlTx.Rollback()
		}
	}()
	g := s.db.Session(&gorm.Session{Context: ctx, NewDB: true})
	g.Statement.ConnPool = cachedTx{Tx: sqlTx, c: s.stmts}
	if err := fn(&tx{db: g, s: s}); err != nil {
		return err // the caller's error, unchanged
	}
	if err := indexNewMessages(ctx, g.Statement.ConnPool); err != nil {
		return fmt.Errorf("store: %w", mapErr("commit", err))
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w: %w", errTxEnd, err)
	}
	s.stmts.prepare(context.WithoutCancel(ctx))
	return nil
}
