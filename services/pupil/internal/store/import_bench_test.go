package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilcsv"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store/dbsqlc"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/synthetic"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
)

// regionPupils is a region's pupils (DESIGN.md section 8).
const regionPupils = 300_000

func regionFile(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := synthetic.CSV(&buf, regionPupils, "100001", yeargroup.AcademicYear{Start: 2025}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func freshPool(b *testing.B) *pgxpool.Pool {
	b.Helper()
	pool := dbtest.NewPool(b, "pupil", migrations.FS)
	if _, _, err := store.InsertSchool(context.Background(), pool, store.School{URN: "100001", Name: "Heath Park School", LACode: "336", Phase: "secondary", Open: true}); err != nil {
		b.Fatal(err)
	}
	return pool
}

// BenchmarkImport300k imports a 300,000-pupil CSV into an empty database:
// parse, validate every row, COPY into staging, merge, commit.
func BenchmarkImport300k(b *testing.B) {
	data := regionFile(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		b.StopTimer()
		pool := freshPool(b)
		b.StartTimer()
		importFile(b, pool, data)
	}
	b.ReportMetric(float64(regionPupils*b.N)/b.Elapsed().Seconds(), "pupils/s")
}

// BenchmarkReimport300k imports the same 300,000-pupil file a second time:
// every row is compared and nothing is written.
func BenchmarkReimport300k(b *testing.B) {
	data := regionFile(b)
	pool := freshPool(b)
	importFile(b, pool, data)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if res := importFile(b, pool, data); res.Unchanged != regionPupils {
			b.Fatalf("unchanged %d", res.Unchanged)
		}
	}
	b.ReportMetric(float64(regionPupils*b.N)/b.Elapsed().Seconds(), "pupils/s")
}

func importFile(b *testing.B, pool *pgxpool.Pool, data []byte) store.ImportResult {
	b.Helper()
	ctx := context.Background()
	var res store.ImportResult
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		src, err := pupilcsv.NewReader(bytes.NewReader(data))
		if err != nil {
			return err
		}
		gate := intake.NewGate(map[string]bool{"100001": true}, pupilcsv.Fields, time.Now())
		res, err = store.Import(ctx, tx, src, gate, auth.Scope{All: true}, func(r intake.Row) { b.Fatalf("%s rejected: %v", r.Location, r.Problems) })
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkCopyBaseline is PostgreSQL's COPY rate on this machine, the
// yardstick for BenchmarkImport300k: the same rows, already in memory,
// copied into a bare table with no parsing, validation, index or merge.
func BenchmarkCopyBaseline(b *testing.B) {
	pool := freshPool(b)
	ctx := context.Background()
	year := yeargroup.AcademicYear{Start: 2025}
	rows := make([][]any, regionPupils)
	for i := range rows {
		rows[i] = []any{synthetic.UPN(i), "Testperson", "Ada", synthetic.BornInYear7(year, i), "100001", year.FirstDay(), 84.5, true}
	}
	for b.Loop() {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE baseline (upn text, surname text, forename text, dob date,
				school_urn text, joined_on date, attendance numeric(4,1), fsm boolean) ON COMMIT DROP`); err != nil {
				return err
			}
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"pg_temp", "baseline"},
				[]string{"upn", "surname", "forename", "dob", "school_urn", "joined_on", "attendance", "fsm"}, pgx.CopyFromRows(rows))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(regionPupils*b.N)/b.Elapsed().Seconds(), "pupils/s")
}

// BenchmarkCopyIntoPupils is the floor for BenchmarkImport300k: the same
// pupils, already parsed, copied straight into pupil.pupils with its
// indexes and constraints, without staging, validation or merge.
func BenchmarkCopyIntoPupils(b *testing.B) {
	data := regionFile(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		pool := freshPool(b)
		src, err := pupilcsv.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		var rows []dbsqlc.CopyIntoPupilsParams
		for {
			row, err := src.Next()
			if err != nil {
				break
			}
			rows = append(rows, store.CopyRow(store.NewID(), row.Record))
		}
		b.StartTimer()
		if _, err := dbsqlc.New().CopyIntoPupils(ctx, pool, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(regionPupils*b.N)/b.Elapsed().Seconds(), "pupils/s")
}
