// Package dbtest gives each test a fresh, migrated PostgreSQL database of its
// own. The first test in a run migrates a template database named by a hash
// of the migrations; every test then clones it with CREATE DATABASE ...
// TEMPLATE, which takes milliseconds, and drops its clone when it ends. Tests
// can therefore run in parallel and never see each other's rows.
//
// The server is the one NEXTSTEP_TEST_DATABASE_URL names, by default the
// local one on 127.0.0.1:5432 (make test starts it with hack/ensure-postgres).
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/database"
)

// DefaultURL is the server used when NEXTSTEP_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURL is the connection string of the server tests create databases on.
func AdminURL() string {
	if u := os.Getenv("NEXTSTEP_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

var templates sync.Map // template name -> *sync.Once-guarded result

type templateResult struct {
	once sync.Once
	err  error
}

// NewPool returns a pool on a new database holding schema migrated with
// migrations. The database is dropped when the test ends.
func NewPool(t testing.TB, schema string, migrations fs.FS) *pgxpool.Pool {
	t.Helper()
	url := NewDatabase(t, schema, migrations)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("dbtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// NewDatabase is NewPool's first half: it returns the connection string of
// the new database, for tests that start a whole service on it.
func NewDatabase(t testing.TB, schema string, migrations fs.FS) string {
	t.Helper()
	ctx := context.Background()
	tmpl, err := template(ctx, schema, migrations)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("dbtest: connect to %s: %v (is PostgreSQL running? make test starts it with hack/ensure-postgres)", AdminURL(), err)
	}
	defer admin.Close(ctx)

	name := "nextstep_test_" + randomSuffix()
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{tmpl}.Sanitize())); err != nil {
		t.Fatalf("dbtest: clone %s: %v", tmpl, err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		admin, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			t.Logf("dbtest: drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("dbtest: drop %s: %v", name, err)
		}
	})
	u, err := databaseURL(name)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return u
}

// databaseURL is AdminURL with its database replaced by name. AdminURL must
// be in URL form (postgres://...).
func databaseURL(name string) (string, error) {
	u, err := url.Parse(AdminURL())
	if err != nil || u.Scheme == "" {
		return "", errors.New("NEXTSTEP_TEST_DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

// template makes sure the migrated template for these migrations exists,
// once per process; an advisory lock makes test binaries of other packages
// running at the same time wait rather than race.
func template(ctx context.Context, schema string, migrations fs.FS) (string, error) {
	sum, err := hashFS(migrations)
	if err == nil {
		// The kit's own migrations (the audit tables) are Go code, not
		// files: their versions are part of what the template holds.
		for _, m := range audit.Migrations(schema) {
			sum = fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprintf("%s kit:%d", sum, m.Version))))
		}
	}
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	name := "nextstep_tpl_" + schema + "_" + sum[:12]
	v, _ := templates.LoadOrStore(name, &templateResult{})
	r := v.(*templateResult)
	r.once.Do(func() { r.err = createTemplate(ctx, name, schema, migrations) })
	return name, r.err
}

func createTemplate(ctx context.Context, name, schema string, migrations fs.FS) error {
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return fmt.Errorf("connect to %s: %w (is PostgreSQL running? make test starts it with hack/ensure-postgres)", AdminURL(), err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", name); err != nil {
		return err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(hashtext($1))", name) //nolint:errcheck // released with the connection anyway

	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	ident := pgx.Identifier{name}.Sanitize()
	// A template left half-made by an interrupted run is not marked as one.
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	u, err := databaseURL(name)
	if err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, u)
	if err != nil {
		return err
	}
	err = database.Migrate(ctx, pool, schema, migrations, slog.New(slog.NewTextHandler(io.Discard, nil)), audit.Migrations(schema)...)
	pool.Close()
	if err != nil {
		return err
	}
	_, err = admin.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE true")
	return err
}

func hashFS(fsys fs.FS) (string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func randomSuffix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
