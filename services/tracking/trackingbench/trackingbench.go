// Package trackingbench builds the million-task tracking database the
// benchmarks of the queue read: the tracking store's own, and the console's
// queue page, which serves it through the real tracking service. It is
// built once per migrations and seed (a database named by their hash,
// marked as a template when complete, so a half-built one is rebuilt) on
// the test server (NEXTSTEP_TEST_DATABASE_URL).
package trackingbench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/database"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// Today is the date the seed's due dates are set around: what "overdue"
// is measured against.
var Today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// benchSeed fills a region of 10 local authorities (330-339), 400 schools
// and 1,500 cohorts with a million tasks: 30% active (open, assigned, in
// progress), the rest history (closed, resolved, dismissed), four reasons,
// four priorities, due dates over a year and 50 caseworkers.
const benchSeed = `
INSERT INTO tracking.cohorts (cohort_key, school_urn, la_code)
SELECT 'ns' || c % 10 || '/cohort-' || c, (100000 + c % 400)::text, (330 + c % 400 % 10)::text
FROM generate_series(0, 1499) AS c;

INSERT INTO tracking.tasks (cohort_key, school_urn, la_code, pupil_id, reason_code, priority, due_date, summary,
                            status, assignee, snooze_until)
SELECT 'ns' || c % 10 || '/cohort-' || c, (100000 + c % 400)::text, (330 + c % 400 % 10)::text,
       md5(i::text)::uuid,
       (ARRAY['BEHIND_TRAJECTORY', 'DESTINATION_UNKNOWN', 'AT_RISK_OF_NEET', 'ATTENDANCE_LOW'])[1 + i / 3 % 4],
       1 + (i / 7) % 4, DATE '2026-06-01' + i % 365, 'evidence', s.status,
       CASE WHEN s.status IN ('assigned', 'in_progress') THEN 'caseworker-' || i % 50 ELSE '' END,
       CASE WHEN s.status = 'dismissed' THEN DATE '2027-01-01' END
FROM generate_series(1, 1000000) AS i,
     LATERAL (SELECT i % 1500 AS c) AS k,
     LATERAL (SELECT CASE WHEN i / 10 % 10 < 3 THEN (ARRAY['open', 'assigned', 'in_progress'])[1 + i / 100 % 3]
                          ELSE (ARRAY['closed', 'resolved', 'dismissed'])[1 + i / 100 % 3] END AS status) AS s;
`

var (
	once     sync.Once
	builtURL string
	buildErr error
)

// Database returns the connection string of the million-task database,
// building it the first time (about a minute). It is a template: read it,
// or clone it (CREATE DATABASE ... TEMPLATE) to write.
func Database(ctx context.Context) (string, error) {
	once.Do(func() { builtURL, buildErr = build(ctx) })
	return builtURL, buildErr
}

// Name is the database's name: a hash of the migrations (the service's,
// and the versions of the kit's audit tables) and the seed.
func Name() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(migrations.FS, path)
		fmt.Fprintf(h, "%s\x00%s\x00", path, data)
		return err
	})
	if err != nil {
		return "", err
	}
	for _, m := range audit.Migrations("tracking") {
		fmt.Fprintf(h, "kit:%d\x00", m.Version)
	}
	h.Write([]byte(benchSeed))
	return "nextstep_bench_tracking_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

func build(ctx context.Context) (string, error) {
	name, err := Name()
	if err != nil {
		return "", err
	}
	u, err := url.Parse(dbtest.AdminURL())
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	dbURL := u.String()

	admin, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", name); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(hashtext($1))", name) //nolint:errcheck // released with the connection anyway
	var ready bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready); err != nil || ready {
		return dbURL, err
	}
	// Databases built for earlier migrations or seeds are a gigabyte each
	// and never used again.
	if err := dropBenchDatabases(ctx, admin); err != nil {
		return "", err
	}
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", err
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	if err := database.Migrate(ctx, pool, "tracking", migrations.FS, slog.New(slog.NewTextHandler(io.Discard, nil)), audit.Migrations("tracking")...); err != nil {
		return "", err
	}
	if _, err := pool.Exec(ctx, benchSeed); err != nil {
		return "", fmt.Errorf("seed: %w", err)
	}
	// As autovacuum would leave a table that has settled: statistics, and a
	// visibility map that lets index-only scans skip the heap.
	if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) tracking.tasks"); err != nil {
		return "", fmt.Errorf("vacuum: %w", err)
	}
	pool.Close()
	_, err = admin.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE true")
	return dbURL, err
}

func dropBenchDatabases(ctx context.Context, admin *pgx.Conn) error {
	rows, err := admin.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'nextstep\\_bench\\_tracking\\_%'")
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, n := range names {
		ident := pgx.Identifier{n}.Sanitize()
		if _, err := admin.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE false"); err != nil {
			return err
		}
		if _, err := admin.Exec(ctx, "DROP DATABASE "+ident+" WITH (FORCE)"); err != nil {
			return err
		}
	}
	return nil
}
