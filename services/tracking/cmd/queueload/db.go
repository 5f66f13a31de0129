package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/tracking/trackingbench"
)

// dbPrefix is what every database this command creates or drops is named
// with, so a typo can never drop another.
const dbPrefix = "nextstep_bench_queueload"

// runDB makes a fresh copy of trackingbench's million-task database (built
// first if need be) for a load to write to, or drops one: the service
// writes an audit row for every read and the load adds notes and
// assignments, none of which may land in the template. The server is the
// tests' (NEXTSTEP_TEST_DATABASE_URL, default 127.0.0.1:5432).
func runDB(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("queueload db", flag.ContinueOnError)
	clone := fs.String("clone", "", "create this database ("+dbPrefix+"...) as a copy of the million-task database, replacing any, and print its URL")
	drop := fs.String("drop", "", "drop this database ("+dbPrefix+"...)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	name := *clone + *drop
	switch {
	case (*clone == "") == (*drop == ""):
		return errors.New("give one of -clone or -drop")
	case !strings.HasPrefix(name, dbPrefix):
		return fmt.Errorf("%q: only databases named %s... are created or dropped here", name, dbPrefix)
	}
	if *clone != "" {
		// Build (about a minute, once per migrations and seed) before
		// connecting, as it takes an advisory lock of its own.
		if _, err := trackingbench.Database(ctx); err != nil {
			return fmt.Errorf("build the million-task database: %w", err)
		}
	}
	admin, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return err
	}
	if *drop != "" {
		return nil
	}
	tmpl, err := trackingbench.Name()
	if err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE "+pgx.Identifier{tmpl}.Sanitize()); err != nil {
		return fmt.Errorf("clone %s: %w", tmpl, err)
	}
	u, err := url.Parse(dbtest.AdminURL())
	if err != nil {
		return err
	}
	u.Path = "/" + name
	fmt.Println(u.String())
	return nil
}
