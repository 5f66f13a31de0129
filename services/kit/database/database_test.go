package database_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/database"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
)

var migrations = fstest.MapFS{
	"00001_things.sql": {Data: []byte("-- +goose Up\nCREATE TABLE dbt.things (id int PRIMARY KEY);\n-- +goose Down\nDROP TABLE dbt.things;\n")},
}

func TestEachTestHasItsOwnDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := dbtest.NewPool(t, "dbt", migrations)
	b := dbtest.NewPool(t, "dbt", migrations)
	if _, err := a.Exec(ctx, `INSERT INTO dbt.things VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRow(ctx, `SELECT count(*) FROM dbt.things`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a row written in one test database is visible in another")
	}
}

// Replicas starting together migrate once: concurrent Migrate calls wait on
// the advisory lock and then find nothing to do.
func TestMigrateConcurrentlyAndAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.NewDatabase(t, "dbt", fstest.MapFS{})
	pool, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() {
			p, err := pgxpool.New(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer p.Close()
			errs <- database.Migrate(ctx, p, "dbt", migrations, logger)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Migrate: %v", err)
		}
	}
	if err := database.Migrate(ctx, pool, "dbt", migrations, logger); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	var version int64
	if err := pool.QueryRow(ctx, `SELECT max(version_id) FROM dbt.goose_db_version`).Scan(&version); err != nil || version != 1 {
		t.Errorf("version = %d, %v; want 1", version, err)
	}
}

func TestOpenRefusesBadURLWithoutEchoingIt(t *testing.T) {
	_, err := database.Open(context.Background(), "postgres://user:s3cret@[bad")
	if err == nil {
		t.Fatal("Open accepted a malformed URL")
	}
	if got := err.Error(); strings.Contains(got, "s3cret") {
		t.Errorf("error echoes the password: %s", got)
	}
}
