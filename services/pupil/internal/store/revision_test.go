package store_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"sync"
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

// The schools of the revision tests: A and B in LA 336, C in 330, D in 201.
const (
	schoolA = "100001"
	schoolB = "100002"
	schoolC = "100003"
	schoolD = "100009"
)

var revisionYear = yeargroup.AcademicYear{Start: 2025}

// revisionPool is a fresh database with schools A, B, C and D.
func revisionPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.NewPool(t, "pupil", migrations.FS)
	for urn, la := range map[string]string{schoolA: "336", schoolB: "336", schoolC: "330", schoolD: "201"} {
		if _, _, err := store.InsertSchool(context.Background(), pool, store.School{URN: urn, Name: "School " + urn, LACode: la, Phase: "secondary", Open: true}); err != nil {
			t.Fatal(err)
		}
	}
	return pool
}

// revisions reads every school's revision, as stored.
func revisions(t *testing.T, db store.DB) map[string]int64 {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT school_urn, revision FROM pupil.school_revisions`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	var urn string
	var rev int64
	_, err = pgx.ForEachRow(rows, []any{&urn, &rev}, func() error {
		out[urn] = rev
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// bumps is how far each school's revision moved from before to after, for
// the schools whose revision moved.
func bumps(before, after map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for urn, rev := range after {
		if d := rev - before[urn]; d != 0 {
			out[urn] = d
		}
	}
	return out
}

// bumped is the schools whose revision moved, in URN order.
func bumped(before, after map[string]int64) []string {
	var urns []string
	for urn := range bumps(before, after) {
		urns = append(urns, urn)
	}
	sort.Strings(urns)
	return urns
}

// revisionRecord is the i-th synthetic pupil, on roll at school.
func revisionRecord(i int, school string) intake.Record {
	return intake.Record{UPN: synthetic.UPN(i), LegalSurname: "Testperson", LegalForename: "Ada",
		DateOfBirth: synthetic.BornInYear7(revisionYear, i), SchoolURN: school, JoinedOn: revisionYear.FirstDay()}
}

// addPupil registers the i-th synthetic pupil at school and returns their id.
func addPupil(t *testing.T, db store.DB, i int, school string) string {
	t.Helper()
	id := store.NewID()
	key := fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:])
	p, err := store.InsertPupil(context.Background(), db, key, []byte{1}, id, revisionRecord(i, school))
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// updatePupil replaces pupil id's record with what change makes of it, as
// UpdatePupil does.
func updatePupil(t *testing.T, pool *pgxpool.Pool, id string, change func(*intake.Record)) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		p, err := store.GetPupil(ctx, tx, id)
		if err != nil {
			return err
		}
		r := p.Record
		change(&r)
		_, err = store.UpdatePupil(ctx, tx, id, p.Version, r, time.Date(2025, time.December, 1, 0, 0, 0, 0, time.UTC))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, db store.DB, sql string, args ...any) {
	t.Helper()
	if _, err := db.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

var review = store.RiskReview{Decision: store.RiskAdded, Reason: "known to the youth offending team", DecidedBy: "caseworker"}

// revisionWorld is what every case of TestSchoolRevisionBumps starts from.
type revisionWorld struct {
	pool *pgxpool.Pool
	// moved was on roll at A and moved to B; atA is on roll at A, atC at C.
	moved, atA, atC string
}

// TestSchoolRevisionBumps writes each kind of row GetSchool or a cohort
// snapshot reads and checks which schools' revisions moved: the school of
// the row, and for a pupil's rows every school the pupil is or was on roll
// at; no other.
func TestSchoolRevisionBumps(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		// given is written before the revisions are read, if not nil.
		given func(t *testing.T, w revisionWorld)
		write func(t *testing.T, w revisionWorld)
		want  []string
	}{
		"school edited": {
			write: func(t *testing.T, w revisionWorld) {
				exec(t, w.pool, `UPDATE pupil.schools SET name = 'Renamed' WHERE urn = $1`, schoolA)
			},
			want: []string{schoolA},
		},
		"school moved to another LA": {
			write: func(t *testing.T, w revisionWorld) {
				exec(t, w.pool, `UPDATE pupil.schools SET la_code = '330' WHERE urn = $1`, schoolB)
			},
			want: []string{schoolB},
		},
		"school registered": {
			write: func(t *testing.T, w revisionWorld) {
				if _, _, err := store.InsertSchool(context.Background(), w.pool, store.School{URN: "100004", Name: "New School", LACode: "336", Phase: "secondary", Open: true}); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"100004"},
		},
		"school registered again changes nothing": {
			write: func(t *testing.T, w revisionWorld) {
				if _, _, err := store.InsertSchool(context.Background(), w.pool, store.School{URN: schoolA, Name: "School " + schoolA, LACode: "336", Phase: "secondary", Open: true}); err != nil {
					t.Fatal(err)
				}
			},
		},
		"pupil registered": {
			write: func(t *testing.T, w revisionWorld) { addPupil(t, w.pool, 10, schoolD) },
			want:  []string{schoolD},
		},
		"pupil moves from A to B": {
			write: func(t *testing.T, w revisionWorld) {
				updatePupil(t, w.pool, w.atA, func(r *intake.Record) { r.SchoolURN = schoolB })
			},
			want: []string{schoolA, schoolB},
		},
		"pupil who moved from A to B edited": {
			write: func(t *testing.T, w revisionWorld) {
				updatePupil(t, w.pool, w.moved, func(r *intake.Record) { r.PreferredForename = "Addie" })
			},
			want: []string{schoolA, schoolB},
		},
		"pupil's risk factor recorded": {
			write: func(t *testing.T, w revisionWorld) {
				exec(t, w.pool, `UPDATE pupil.pupils SET fsm_eligible = true, fsm_as_at = '2025-10-01' WHERE id = $1`, w.atC)
			},
			want: []string{schoolC},
		},
		"pupil's residence recorded": {
			write: func(t *testing.T, w revisionWorld) {
				updatePupil(t, w.pool, w.moved, func(r *intake.Record) { r.Residence = &intake.Residence{LACode: "330"} })
			},
			want: []string{schoolA, schoolB},
		},
		"pupil moves to another LA": {
			given: func(t *testing.T, w revisionWorld) {
				updatePupil(t, w.pool, w.moved, func(r *intake.Record) { r.Residence = &intake.Residence{LACode: "330"} })
			},
			write: func(t *testing.T, w revisionWorld) {
				updatePupil(t, w.pool, w.moved, func(r *intake.Record) { r.Residence = &intake.Residence{LACode: "201"} })
			},
			want: []string{schoolA, schoolB},
		},
		"residence history written alone": {
			write: func(t *testing.T, w revisionWorld) {
				exec(t, w.pool, `INSERT INTO pupil.residence_history (pupil_id, la_code, moved_on, transferred_to) VALUES ($1, '330', '2025-01-01', '336')`, w.moved)
			},
			want: []string{schoolA, schoolB},
		},
		"risk review on a pupil who moved from A to B": {
			write: func(t *testing.T, w revisionWorld) {
				if _, err := store.SetRiskReview(context.Background(), w.pool, w.moved, review); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{schoolA, schoolB},
		},
		"risk review changed": {
			given: func(t *testing.T, w revisionWorld) {
				if _, err := store.SetRiskReview(context.Background(), w.pool, w.atC, review); err != nil {
					t.Fatal(err)
				}
			},
			write: func(t *testing.T, w revisionWorld) {
				r := review
				r.Reason = "no longer"
				if _, err := store.SetRiskReview(context.Background(), w.pool, w.atC, r); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{schoolC},
		},
		"risk review cleared": {
			given: func(t *testing.T, w revisionWorld) {
				if _, err := store.SetRiskReview(context.Background(), w.pool, w.moved, review); err != nil {
					t.Fatal(err)
				}
			},
			write: func(t *testing.T, w revisionWorld) {
				if err := store.ClearRiskReview(context.Background(), w.pool, w.moved); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{schoolA, schoolB},
		},
		"school history added": {
			write: func(t *testing.T, w revisionWorld) {
				exec(t, w.pool, `INSERT INTO pupil.school_history (pupil_id, school_urn, left_on, leaving_reason) VALUES ($1, $2, '2024-07-20', 'transferred')`, w.atC, schoolD)
			},
			want: []string{schoolD},
		},
		"school history corrected to another school": {
			write: func(t *testing.T, w revisionWorld) {
				exec(t, w.pool, `UPDATE pupil.school_history SET school_urn = $1 WHERE pupil_id = $2`, schoolD, w.moved)
			},
			want: []string{schoolA, schoolD},
		},
		"school history deleted": {
			write: func(t *testing.T, w revisionWorld) {
				exec(t, w.pool, `DELETE FROM pupil.school_history WHERE pupil_id = $1`, w.moved)
			},
			want: []string{schoolA},
		},
		"pupil deleted with their review": {
			given: func(t *testing.T, w revisionWorld) {
				if _, err := store.SetRiskReview(context.Background(), w.pool, w.atC, review); err != nil {
					t.Fatal(err)
				}
			},
			write: func(t *testing.T, w revisionWorld) {
				exec(t, w.pool, `DELETE FROM pupil.pupils WHERE id = $1`, w.atC)
			},
			want: []string{schoolC},
		},
		"statements writing no row": {
			write: func(t *testing.T, w revisionWorld) {
				exec(t, w.pool, `UPDATE pupil.pupils SET legal_surname = 'Nobody' WHERE false`)
				exec(t, w.pool, `DELETE FROM pupil.risk_reviews WHERE false`)
				exec(t, w.pool, `UPDATE pupil.schools SET name = 'Nobody' WHERE false`)
			},
		},
		"import moves a pupil from A to B": {
			write: func(t *testing.T, w revisionWorld) {
				// synthetic pupil 1 is atA.
				var buf bytes.Buffer
				buf.WriteString(synthetic.CSVHeader)
				r := revisionRecord(1, schoolB)
				fmt.Fprintf(&buf, "%s,%s,%s,%s,%s,,,,\n", r.UPN, r.LegalSurname, r.LegalForename, r.DateOfBirth.Format(time.DateOnly), schoolB)
				if res := importCSV(t, w.pool, buf.Bytes()); res.Updated != 1 {
					t.Fatalf("import: %+v", res)
				}
			},
			want: []string{schoolA, schoolB},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := revisionWorld{pool: revisionPool(t)}
			w.moved = addPupil(t, w.pool, 0, schoolA)
			updatePupil(t, w.pool, w.moved, func(r *intake.Record) { r.SchoolURN = schoolB })
			w.atA = addPupil(t, w.pool, 1, schoolA)
			w.atC = addPupil(t, w.pool, 2, schoolC)
			if tc.given != nil {
				tc.given(t, w)
			}
			before := revisions(t, w.pool)
			tc.write(t, w)
			if diff := cmp.Diff(tc.want, bumped(before, revisions(t, w.pool))); diff != "" {
				t.Errorf("schools bumped (-want +got):\n%s", diff)
			}
		})
	}
}

// importCSV imports a pupil CSV into schools A and B, as store.Import runs
// for ImportPupils, and commits it.
func importCSV(t *testing.T, pool *pgxpool.Pool, data []byte) store.ImportResult {
	t.Helper()
	ctx := context.Background()
	var res store.ImportResult
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		src, err := pupilcsv.NewReader(bytes.NewReader(data))
		if err != nil {
			return err
		}
		gate := intake.NewGate(map[string]bool{schoolA: true, schoolB: true}, pupilcsv.Fields, time.Date(2025, time.December, 1, 0, 0, 0, 0, time.UTC))
		res, err = store.Import(ctx, tx, src, gate, auth.Everything(), func(r intake.Row) { t.Errorf("%s rejected: %v", r.Location, r.Problems) })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestSchoolRevisionImport checks that an import bumps each school once
// per statement that writes its pupils, however many rows it writes, and
// that an import changing nothing bumps nothing.
func TestSchoolRevisionImport(t *testing.T) {
	t.Parallel()
	pool := revisionPool(t)
	file := func(school string) []byte {
		var buf bytes.Buffer
		if err := synthetic.CSV(&buf, batchedPupils, school, revisionYear); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	intoA := file(schoolA)

	before := revisions(t, pool)
	if res := importCSV(t, pool, intoA); res.Inserted != batchedPupils {
		t.Fatalf("first import: %+v", res)
	}
	// One statement inserts them all (MergeStaged).
	if diff := cmp.Diff(map[string]int64{schoolA: 1}, bumps(before, revisions(t, pool))); diff != "" {
		t.Errorf("first import's bumps (-want +got):\n%s", diff)
	}

	before = revisions(t, pool)
	if res := importCSV(t, pool, intoA); res.Unchanged != batchedPupils {
		t.Fatalf("the same file again: %+v", res)
	}
	if diff := cmp.Diff(map[string]int64{}, bumps(before, revisions(t, pool))); diff != "" {
		t.Errorf("an import changing nothing bumped (-want +got):\n%s", diff)
	}

	// Every pupil moves to B: one statement keeps where they were in the
	// history (A), one updates them all (A and B).
	before = revisions(t, pool)
	if res := importCSV(t, pool, file(schoolB)); res.Updated != batchedPupils {
		t.Fatalf("moving import: %+v", res)
	}
	if diff := cmp.Diff(map[string]int64{schoolA: 2, schoolB: 1}, bumps(before, revisions(t, pool))); diff != "" {
		t.Errorf("moving import's bumps (-want +got):\n%s", diff)
	}
}

// TestSchoolRevisionCopy checks that rows copied straight into pupil.pupils
// with COPY bump their schools too.
func TestSchoolRevisionCopy(t *testing.T) {
	t.Parallel()
	pool := revisionPool(t)
	before := revisions(t, pool)
	if _, err := pool.CopyFrom(context.Background(), pgx.Identifier{"pupil", "pupils"},
		[]string{"id", "upn", "legal_surname", "legal_forename", "date_of_birth", "school_urn", "entry_year"},
		pgx.CopyFromSlice(200, func(i int) ([]any, error) {
			school := schoolA
			if i%2 == 1 {
				school = schoolC
			}
			return []any{store.NewID(), synthetic.UPN(i), "Testperson", "Ada", synthetic.BornInYear7(revisionYear, i), school, int16(2025)}, nil
		})); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{schoolA: 1, schoolC: 1}, bumps(before, revisions(t, pool))); diff != "" {
		t.Errorf("bumps (-want +got):\n%s", diff)
	}
}

// TestSchoolRevisionConcurrentWrites checks that writes to one school in
// concurrent transactions each count, and that a reader never waits for a
// writer: it reads the revision as last committed.
func TestSchoolRevisionConcurrentWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := revisionPool(t)
	before := revisions(t, pool)

	const writers = 8
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE pupil.schools SET name = $1 WHERE urn = $2`, fmt.Sprintf("Renamed %d", i), schoolA)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := revisions(t, pool)[schoolA] - before[schoolA]; got != writers {
		t.Errorf("%d concurrent writes moved the revision by %d", writers, got)
	}

	// A write not yet committed is not seen, and does not hold the reader up.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	exec(t, tx, `UPDATE pupil.schools SET name = 'Late' WHERE urn = $1`, schoolA)
	seen, err := store.SchoolRevision(ctx, pool, auth.Everything(), schoolA)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if now, err := store.SchoolRevision(ctx, pool, auth.Everything(), schoolA); err != nil || now <= seen {
		t.Errorf("revision %d after a commit, %d before it (%v)", now, seen, err)
	}
}

// TestSchoolRevisionReviewDuringMove checks the race the risk reviews'
// trigger locks the pupil against: a review written while the pupil's move
// to another school is not yet committed must bump the school they moved
// to once both have committed, or a snapshot of that school read between
// the two commits would never be seen to change.
func TestSchoolRevisionReviewDuringMove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := revisionPool(t)
	id := addPupil(t, pool, 0, schoolA)

	// The move as a plain update: UpdatePupil's FOR UPDATE would hold the
	// review's foreign key check up too, and the trigger's own lock is what
	// is tested.
	move, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer move.Rollback(ctx)
	exec(t, move, `UPDATE pupil.pupils SET school_urn = $1 WHERE id = $2`, schoolB, id)

	reviewTx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reviewTx.Rollback(ctx)
	reviewed := make(chan error, 1)
	go func() {
		_, err := store.SetRiskReview(ctx, reviewTx, id, review)
		reviewed <- err
	}()
	// The review has either been written (no lock) or waits for the move.
	var done bool
	for deadline := time.Now().Add(10 * time.Second); ; {
		select {
		case err := <-reviewed:
			if err != nil {
				t.Fatal(err)
			}
			done = true
		default:
		}
		var waiting int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if done || waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the review neither finished nor waited")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := move.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if !done {
		if err := <-reviewed; err != nil {
			t.Fatal(err)
		}
	}
	// A reader now sees the move but not the review.
	seen := revisions(t, pool)[schoolB]
	if err := reviewTx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if now := revisions(t, pool)[schoolB]; now <= seen {
		t.Errorf("the review committed after the move left the revision of the school moved to at %d", now)
	}
}

// TestSchoolRevisionScope checks the store's read: 0 for a school nothing
// was written about, not registered, or outside scope.
func TestSchoolRevisionScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := revisionPool(t)
	exec(t, pool, `UPDATE pupil.schools SET name = 'Renamed' WHERE urn = $1`, schoolA)
	// A school whose counter row is gone reads as one never written.
	exec(t, pool, `DELETE FROM pupil.school_revisions WHERE school_urn = $1`, schoolB)

	cases := map[string]struct {
		scope auth.Scope
		urn   string
		want  int64
	}{
		"everything":                   {scope: auth.Everything(), urn: schoolA, want: 2},
		"its LA":                       {scope: auth.LocalAuthorities("336"), urn: schoolA, want: 2},
		"the school":                   {scope: auth.Scope{SchoolURN: schoolA}, urn: schoolA, want: 2},
		"another LA":                   {scope: auth.LocalAuthorities("330"), urn: schoolA, want: 0},
		"another school":               {scope: auth.Scope{SchoolURN: schoolB}, urn: schoolA, want: 0},
		"never written":                {scope: auth.Everything(), urn: schoolB, want: 0},
		"not registered":               {scope: auth.Everything(), urn: "999999", want: 0},
		"written, in another LA's hub": {scope: auth.LocalAuthorities("336", "330"), urn: schoolD, want: 0},
		"written, in scope":            {scope: auth.LocalAuthorities("201"), urn: schoolD, want: 1},
	}
	for name, tc := range cases {
		got, err := store.SchoolRevision(ctx, pool, tc.scope, tc.urn)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got != tc.want {
			t.Errorf("%s: revision %d, want %d", name, got, tc.want)
		}
	}
}
