package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

//go:embed migrations
var migrationFS embed.FS

// migration is one embedded SQL file, migrations/<dialect>/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the dialect's migrations in version order.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations for %s: %w", dialect, err)
	}
	var ms []migration
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %s/%s: name must start with a positive version number", dir, e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("store: migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text    NOT NULL,
	applied_at text    NOT NULL
)`

// Migrate applies the pending migrations, each in its own transaction, and
// records them in schema_migrations. On PostgreSQL each transaction first
// takes an advisory lock scoped to the current schema, so replicas starting
// together migrate once; the others wait, then find the work done. It is
// safe to call on an up-to-date database.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := migrations(s.driver)
	if err != nil {
		return err
	}
	for _, m := range ms {
		applied := false
		err := s.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
			if s.driver == DriverPostgres {
				if err := g.Exec("SELECT pg_advisory_xact_lock(hashtext('cornershop migrate ' || current_schema()))").Error; err != nil {
					return fmt.Errorf("lock: %w", err)
				}
			}
			if err := g.Exec(createSchemaMigrations).Error; err != nil {
				return fmt.Errorf("create schema_migrations: %w", err)
			}
			var n int64
			if err := g.Raw("SELECT count(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n).Error; err != nil {
				return fmt.Errorf("read schema_migrations: %w", err)
			}
			if n > 0 {
				return nil
			}
			// The raw connection, so gorm does not read "?" in the SQL as a
			// placeholder; without arguments pgx sends several statements.
			if _, err := g.Statement.ConnPool.ExecContext(g.Statement.Context, m.sql); err != nil {
				return err
			}
			applied = true
			return g.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, dbTime(s.o.Now()).Format("2006-01-02T15:04:05.999999Z07:00")).Error
		})
		if err != nil {
			return fmt.Errorf("store: migrate to %d (%s): %w", m.version, m.name, err)
		}
		if applied {
			s.o.Logger.InfoContext(ctx, "database migrated", "version", m.version, "name", m.name)
		}
	}
	return nil
}

// SchemaVersion returns the database's schema version (0 for an empty
// database) and the version this binary needs.
func (s *Store) SchemaVersion(ctx context.Context) (have, want int, err error) {
	ms, err := migrations(s.driver)
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		want = ms[len(ms)-1].version
	}
	db := s.db.WithContext(ctx)
	if !db.Migrator().HasTable("schema_migrations") {
		return 0, want, nil
	}
	var v *int
	if err := db.Raw("SELECT max(version) FROM schema_migrations").Scan(&v).Error; err != nil {
		return 0, want, fmt.Errorf("store: read schema version: %w", err)
	}
	if v != nil {
		have = *v
	}
	return have, want, nil
}

func (s *Store) checkSchema(ctx context.Context) error {
	have, want, err := s.SchemaVersion(ctx)
	switch {
	case err != nil:
		return err
	case have < want:
		return fmt.Errorf("store: database schema is at version %d, this binary needs %d: run `cornershop migrate`", have, want)
	case have > want:
		return fmt.Errorf("store: database schema is at version %d, newer than this binary's %d: upgrade cornershop", have, want)
	}
	return nil
}
