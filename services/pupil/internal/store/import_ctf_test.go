package store_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/ctf"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
)

// importCTF imports a CTF into school 100001 and returns the locations of
// the pupils rejected.
func importCTF(t *testing.T, pool *pgxpool.Pool, data string) (store.ImportResult, []string) {
	t.Helper()
	ctx := context.Background()
	var res store.ImportResult
	var rejected []string
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		src, err := ctf.NewReader(bytes.NewReader([]byte(data)), "100001")
		if err != nil {
			return err
		}
		gate := intake.NewGate(map[string]bool{"100001": true}, ctf.Fields, time.Now())
		res, err = store.Import(ctx, tx, src, gate, auth.Scope{All: true}, func(r intake.Row) { rejected = append(rejected, r.Location) })
		return err
	})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res, rejected
}

// TestImportCTFStandards imports testdata/standards.xml and reads back
// what it stored: a mid-year mover's attendance over both schools, first
// languages, school moves and KS2 scaled scores; the pupils with an unknown
// assessment subject or a boolean that is neither are rejected and the
// others imported. The same file again changes nothing, and an older file
// does not replace the KS2 scores or the first language.
func TestImportCTFStandards(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newImportPool(t)
	data, err := os.ReadFile("../ctf/testdata/standards.xml")
	if err != nil {
		t.Fatal(err)
	}
	file := string(data)

	res, rejected := importCTF(t, pool, file)
	if diff := cmp.Diff(store.ImportResult{Rows: 4, Inserted: 2, Rejected: 2}, res, cmpResult); diff != "" {
		t.Errorf("first import (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Pupil 3 (line 87)", "Pupil 4 (line 100)"}, rejected); diff != "" {
		t.Errorf("rejected (-want +got):\n%s", diff)
	}

	asAt := time.Date(2025, time.September, 10, 0, 0, 0, 0, time.UTC)
	mover, err := store.PupilByUPN(ctx, pool, "Y660200112001")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&risk.Percent{Value: 89.5, AsAt: asAt}, mover.Record.Risk.Attendance); diff != "" {
		t.Errorf("mover's attendance (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&risk.Count{Value: 2, AsAt: asAt}, mover.Record.Risk.SchoolMoves); diff != "" {
		t.Errorf("mover's school moves (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&intake.Language{Code: "WEL", AsAt: asAt}, mover.Record.FirstLanguage); diff != "" {
		t.Errorf("mover's first language (-want +got):\n%s", diff)
	}
	scored, err := store.PupilByUPN(ctx, pool, "P336400125003")
	if err != nil {
		t.Fatal(err)
	}
	wantKS2 := [2]*intake.Score{{Value: 104, AsAt: asAt}, {Value: 98, AsAt: asAt}}
	if diff := cmp.Diff(wantKS2, [2]*intake.Score{scored.Record.KS2Reading, scored.Record.KS2Maths}); diff != "" {
		t.Errorf("KS2 reading and maths (-want +got):\n%s", diff)
	}

	res, _ = importCTF(t, pool, file)
	if diff := cmp.Diff(store.ImportResult{Rows: 4, Unchanged: 2, Rejected: 2}, res, cmpResult); diff != "" {
		t.Errorf("the same file again (-want +got):\n%s", diff)
	}

	// A file dated earlier, with other scores and language: an older
	// record never replaces a newer one.
	older := strings.Replace(file, "2025-09-10T09:00:00", "2025-06-01T09:00:00", 1)
	older = strings.Replace(older, "<Result>104</Result>", "<Result>90</Result>", 1)
	older = strings.Replace(older, "<Language>ENG</Language></Type>\n        </Languages>", "<Language>URD</Language></Type>\n        </Languages>", 1)
	if strings.Count(older, "<Result>90</Result>") != 1 || strings.Count(older, "<Language>URD</Language>") != 1 {
		t.Fatal("the older file does not differ as meant")
	}
	importCTF(t, pool, older)
	again, err := store.PupilByUPN(ctx, pool, "P336400125003")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(scored.Record, again.Record); diff != "" {
		t.Errorf("an older file changed the pupil (-before +after):\n%s", diff)
	}
}

// cmpResult compares import results without the ids of the pupils changed.
var cmpResult = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Changed" }, cmp.Ignore())
