package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilcsv"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/synthetic"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
)

// batchedPupils spans more than two of the import's COPY batches.
const batchedPupils = 2*4096 + 100

// batchedFile is a CSV of batchedPupils pupils whose last row repeats the
// first pupil's UPN, so both rows are rejected: one found after the first
// batch was copied, which has to be taken back out.
func batchedFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := synthetic.CSV(&buf, batchedPupils, "100001", yeargroup.AcademicYear{Start: 2025}); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	return append(buf.Bytes(), lines[1]...)
}

func newImportPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.NewPool(t, "pupil", migrations.FS)
	if _, _, err := store.InsertSchool(context.Background(), pool, store.School{URN: "100001", Name: "Heath Park School", LACode: "336", Phase: "secondary", Open: true}); err != nil {
		t.Fatal(err)
	}
	return pool
}

// runImport imports src in a transaction of its own, committed if it
// succeeds, and adds the rows rejected to rejected.
func runImport(ctx context.Context, pool *pgxpool.Pool, src intake.Source, rejected *[]int) (store.ImportResult, error) {
	var res store.ImportResult
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		gate := intake.NewGate(map[string]bool{"100001": true}, pupilcsv.Fields, time.Now())
		var err error
		res, err = store.Import(ctx, tx, src, gate, auth.Scope{All: true}, func(r intake.Row) { *rejected = append(*rejected, r.Index) })
		return err
	})
	return res, err
}

func csvSource(t *testing.T, data []byte) intake.Source {
	t.Helper()
	src, err := pupilcsv.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestImportAcrossBatches imports a file of several COPY batches twice.
func TestImportAcrossBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newImportPool(t)
	data := batchedFile(t)
	for _, want := range []store.ImportResult{
		{Rows: batchedPupils + 1, Rejected: 2, Inserted: batchedPupils - 1},
		{Rows: batchedPupils + 1, Rejected: 2, Unchanged: batchedPupils - 1},
	} {
		var rejected []int
		got, err := runImport(ctx, pool, csvSource(t, data), &rejected)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Changed) != got.Inserted+got.Updated {
			t.Errorf("%d changed ids for %d inserted and %d updated", len(got.Changed), got.Inserted, got.Updated)
		}
		got.Changed = nil
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("result (-want +got):\n%s", diff)
		}
		if len(rejected) != 2 || rejected[0]+rejected[1] != 1+batchedPupils+1 {
			t.Errorf("rejected rows %v, want 1 and %d", rejected, batchedPupils+1)
		}
	}
}

// failingSource breaks off after some rows, as an upload cut off does; it
// can cancel the import's context first, failing the COPY instead.
type failingSource struct {
	src    intake.Source
	after  int
	cancel context.CancelFunc
	n      int
}

var errCutOff = errors.New("cut off")

func (f *failingSource) Next() (intake.Row, error) {
	f.n++
	if f.n > f.after {
		if f.cancel != nil {
			f.cancel()
			return f.src.Next()
		}
		return intake.Row{}, errCutOff
	}
	return f.src.Next()
}

// TestImportFailsMidway breaks an import off in its second COPY batch, by
// the file and by the database, and checks that nothing is written.
func TestImportFailsMidway(t *testing.T) {
	t.Parallel()
	pool := newImportPool(t)
	data := batchedFile(t)

	var rejected []int
	_, err := runImport(context.Background(), pool, &failingSource{src: csvSource(t, data), after: 5000}, &rejected)
	if !errors.Is(err, errCutOff) {
		t.Errorf("file cut off: %v, want %v", err, errCutOff)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err = runImport(ctx, pool, &failingSource{src: csvSource(t, data), after: 5000, cancel: cancel}, &rejected)
	if err == nil {
		t.Error("import with its context cancelled: no error")
	}

	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pupil.pupils`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d pupils (%v), want none", n, err)
	}
}
