package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"cornershop/core"
)

// isUnique reports whether err is a unique-key violation from any driver
// this package can run on.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == "23505" // unique_violation
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true
		}
	}
	// mattn/go-sqlite3 (benchmarks only) and anything else that wraps
	// SQLite's own message.
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// mapErr turns driver errors into core's sentinels and wraps the result
// with what.
func mapErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, core.ErrNotFound)
	case isUnique(err):
		return fmt.Errorf("%s: %w: %w", what, core.ErrDuplicate, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// gormLog bridges gorm's logger to slog. It never logs bound values (they
// carry customer text and tokens): ParamsFilter drops them, so a logged
// statement shows its placeholders only. Not-found and unique violations
// are answers, not faults, and are not logged.
type gormLog struct {
	log  *slog.Logger
	slow time.Duration
}

var _ gormlogger.Interface = gormLog{}

func (l gormLog) LogMode(gormlogger.LogLevel) gormlogger.Interface { return l }

func (l gormLog) Info(context.Context, string, ...any) {}

func (l gormLog) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, "gorm warning", gormDetail(msg, args)...)
}

func (l gormLog) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, "gorm error", gormDetail(msg, args)...)
}

// formatVerb is a printf verb in one of gorm's log messages.
var formatVerb = regexp.MustCompile(`,?\s*(got error\s*)?%[-+# 0-9.]*[a-zA-Z]`)

// gormDetail is gorm's printf-style message as attributes: the text without
// its verbs ("failed to initialize database") and the errors among its
// arguments; other arguments (values, statements) are left out.
func gormDetail(msg string, args []any) []any {
	attrs := []any{"detail", strings.TrimSpace(formatVerb.ReplaceAllString(msg, ""))}
	for _, a := range args {
		if err, ok := a.(error); ok {
			attrs = append(attrs, "err", err)
		}
	}
	return attrs
}

func (l gormLog) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	took := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !isUnique(err) && !errors.Is(err, context.Canceled):
		sql, _ := fc()
		l.log.WarnContext(ctx, "database statement failed", "err", err, "sql", sql, "took", took)
	case l.slow > 0 && took > l.slow:
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow database statement", "sql", sql, "rows", rows, "took", took)
	}
}

// ParamsFilter implements gorm.ParamsFilter: bound values are never logged.
func (l gormLog) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}
