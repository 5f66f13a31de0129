package main

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/database"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	placementmigrations "github.com/nextstep-uk/nextstep/services/placement/migrations"
	pupilmigrations "github.com/nextstep-uk/nextstep/services/pupil/migrations"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
	trackingmigrations "github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// TestBenchRegionSeed seeds a small region into the three services'
// schemas, as migrated today, and checks each table holds what the
// formulas say: a migration that adds a column the seed must fill fails
// here, not in the opt-in benchmark. The lower-bound queries run on it.
func TestBenchRegionSeed(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.NewPool(t, "pupil", pupilmigrations.FS)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for schema, migrations := range map[string]fs.FS{"placement": placementmigrations.FS, "tracking": trackingmigrations.FS} {
		if err := database.Migrate(ctx, pool, schema, migrations, logger, audit.Migrations(schema)...); err != nil {
			t.Fatalf("migrate %s: %v", schema, err)
		}
	}
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	r := benchRegion{las: []string{"330", "331"}, schoolsPerLA: 2, pupilsPerYear: 10, year: 2026, today: today}
	indexesBefore := indexDefinitions(ctx, t, pool)
	if err := r.seed(ctx, pool, func(string, int64, time.Duration) {}); err != nil {
		t.Fatal(err)
	}
	// The seed drops and rebuilds indexes around its loads: the tables
	// end with exactly the indexes the migrations made.
	if after := indexDefinitions(ctx, t, pool); !slices.Equal(after, indexesBefore) {
		t.Errorf("indexes after seeding:\n%s\nwant the migrations':\n%s", strings.Join(after, "\n"), strings.Join(indexesBefore, "\n"))
	}

	// What the formulas in regionseed.go make, counted here pupil by pupil.
	var pupils, bookings, attendance, destinations int
	// Each school's Year g has two opportunities a year since its Year 7.
	opportunities := r.schools() * 2 * (1 + 2 + 3 + 4 + 5)
	for i := range r.pupils() {
		pupils++
		s, g := i/(benchYearGroups*r.pupilsPerYear), 7+(i/r.pupilsPerYear)%benchYearGroups
		for a := r.year - (g - 7); a <= r.year; a++ {
			if gap := s%20 == 0 && g == 10 && a == r.year-1; i%5 != 0 && !gap {
				bookings++
				if a < r.year { // this year's placement is next June
					attendance += 2
				}
			}
			if i%3 != 0 {
				bookings++
				attendance++
			}
		}
		switch {
		case g == 11 && i%10 < 2:
			destinations += 2
		case g == 11 && i%10 < 7, g == 10 && i%4 == 0:
			destinations++
		}
	}
	for table, want := range map[string]int{
		"pupil.schools": r.schools(), "pupil.pupils": pupils, "placement.opportunities": opportunities,
		"placement.bookings": bookings, "placement.attendance": attendance, "tracking.destinations": destinations,
	} {
		var got int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	rows, err := pool.Query(ctx, "SELECT upn FROM pupil.pupils")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			t.Fatal(err)
		}
		if p := upn.Validate(code); p != nil {
			t.Errorf("seeded UPN is invalid: %v", p)
			break
		}
	}
	rows.Close()
	var overbooked, booked int
	if err := pool.QueryRow(ctx, "SELECT count(*) FILTER (WHERE booked > capacity), sum(booked) FROM placement.opportunities").Scan(&overbooked, &booked); err != nil {
		t.Fatal(err)
	}
	if overbooked != 0 || booked != bookings {
		t.Errorf("%d opportunities booked beyond capacity; %d booked in all, want %d", overbooked, booked, bookings)
	}

	bound, err := r.lowerBound(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range bound {
		if q.rows == 0 {
			t.Errorf("the %s lower-bound query read nothing", q.service)
		}
	}
}

// indexDefinitions are the definitions of every index in the three
// services' schemas, sorted.
func indexDefinitions(ctx context.Context, t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(ctx, "SELECT indexdef FROM pg_indexes WHERE schemaname IN ('pupil', 'placement', 'tracking') ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) == 0 {
		t.Fatal("no indexes in the services' schemas")
	}
	return defs
}

// -pool-max-conns is added to the database URL beside its other
// parameters.
func TestWithPoolSize(t *testing.T) {
	const base = "postgres://postgres@127.0.0.1:5432/nextstep_bench_region?sslmode=disable"
	if got, err := withPoolSize(base, 0); err != nil || got != base {
		t.Errorf("no pool size: %q, %v; want the URL unchanged", got, err)
	}
	want := "postgres://postgres@127.0.0.1:5432/nextstep_bench_region?pool_max_conns=8&sslmode=disable"
	if got, err := withPoolSize(base, 8); err != nil || got != want {
		t.Errorf("pool size 8: %q, %v; want %q", got, err, want)
	}
}
