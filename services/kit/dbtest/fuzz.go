package dbtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TagConnections names this process's database connections (their
// application_name), for DropFirst. A fuzz target calls it before it starts
// its services.
func TagConnections(f *testing.F) string {
	tag := fmt.Sprintf("nextstep-fuzz-%d", os.Getpid())
	u, err := url.Parse(AdminURL())
	if err != nil {
		f.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", tag)
	u.RawQuery = q.Encode()
	f.Setenv("NEXTSTEP_TEST_DATABASE_URL", u.String())
	return tag
}

// DropFirst drops the test databases this process's connections tagged
// with tag are using, all at once, before the kit's own cleanups run (they
// then find nothing to drop). Fuzzing gives a worker process a second to
// stop before it kills it: too little for the kit's cleanups, which drop one
// database after another, each DROP DATABASE waiting for a checkpoint, so
// every stopped worker would leave its databases behind. A DROP that has
// been sent completes even if the process is killed while it waits.
func DropFirst(f *testing.F, tag string) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		f.Fatal(err)
	}
	rows, _ := admin.Query(ctx, `SELECT DISTINCT datname FROM pg_stat_activity WHERE application_name = $1 AND datname LIKE 'nextstep\_test\_%'`, tag)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	admin.Close(ctx)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		var wg sync.WaitGroup
		for _, name := range names {
			wg.Go(func() {
				conn, err := pgx.Connect(ctx, AdminURL())
				if err != nil {
					return // the kit's cleanup drops it
				}
				defer conn.Close(ctx)
				_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			})
		}
		wg.Wait()
	})
}
