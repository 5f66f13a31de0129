// Package database opens a service's PostgreSQL pool and migrates its
// schema. Each service keeps its tables in a PostgreSQL schema of its own
// name (pupil, placement, tracking), so the three can share one database in a
// small installation or have one each at scale, and never read each other's
// tables by accident.
//
// Ids are strings in Go (UUIDs in lower case, as the services write them).
// A query taking a list of them declares it text[] and casts it,
// (@ids::text[])::uuid[]: pgx encodes a []string as text[] at once, while
// for a uuid[] parameter it first tries the binary format, fails and
// formats an error over the whole array before falling back to text, which
// cost the reconciler's reads of 200 ids a tenth of their CPU.
package database

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Open connects a pool to url and checks that the server answers.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return OpenInSchema(ctx, url, "")
}

// OpenInSchema is Open with schema first on every connection's search
// path, for code that names its tables without a schema (the console's
// session store). Empty leaves the search path as the server has it.
func OpenInSchema(ctx context.Context, url, schema string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors can echo the URL, password included.
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL connection string")
	}
	if schema != "" {
		if !schemaName.MatchString(schema) {
			return nil, fmt.Errorf("schema name %q is not a plain lower-case identifier", schema)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

var schemaName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Migrate applies the service's embedded migrations (numbered .sql files in
// goose's format at the root of migrations) to schema, after kit: the
// migrations of the kit's own tables in that schema (audit.Migrations),
// which keep a version table of their own so their numbering never meets
// the service's. It holds a PostgreSQL advisory lock keyed by the schema
// while it runs, so replicas starting together migrate once.
func Migrate(ctx context.Context, pool *pgxpool.Pool, schema string, migrations fs.FS, logger *slog.Logger, kit ...*goose.Migration) error {
	if !schemaName.MatchString(schema) {
		return fmt.Errorf("schema name %q is not a plain lower-case identifier", schema)
	}
	if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("create schema %s: %w", schema, err)
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID(schema)))
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	var providers []*goose.Provider
	if len(kit) > 0 {
		p, err := goose.NewProvider(goose.DialectPostgres, db, nil,
			goose.WithSessionLocker(locker),
			goose.WithTableName(schema+".kit_goose_db_version"),
			goose.WithDisableGlobalRegistry(true),
			goose.WithGoMigrations(kit...),
		)
		if err != nil {
			return fmt.Errorf("load kit migrations: %w", err)
		}
		providers = append(providers, p)
	}
	svc, err := goose.NewProvider(goose.DialectPostgres, db, migrations,
		goose.WithSessionLocker(locker),
		goose.WithTableName(schema+".goose_db_version"),
		goose.WithDisableGlobalRegistry(true),
	)
	switch {
	case errors.Is(err, goose.ErrNoMigrations):
		// A service with no tables of its own yet.
	case err != nil:
		return fmt.Errorf("load migrations: %w", err)
	default:
		providers = append(providers, svc)
	}
	for _, p := range providers {
		results, err := p.Up(ctx)
		if err != nil {
			return fmt.Errorf("migrate schema %s: %w", schema, err)
		}
		for _, r := range results {
			logger.InfoContext(ctx, "migration applied", "schema", schema, "version", r.Source.Version, "duration", r.Duration)
		}
	}
	return nil
}

// lockID derives the advisory lock from the schema, so services sharing a
// database do not wait on each other's migrations.
func lockID(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("nextstep.migrate." + schema))
	return int64(h.Sum64() >> 1)
}

// DB is a pool, a connection or a transaction: the handle a service's store
// functions take, so the same query runs on the pool or inside a
// transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
