package store

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store/dbsqlc"
)

// ImportResult counts what an import did.
type ImportResult struct {
	Rows, Inserted, Updated, Unchanged, Rejected int
	// Changed are the ids of the pupils inserted or updated, for the audit.
	Changed []string
}

// stagingTable creates the import's staging table, pg_temp.pupil_import: a
// temporary table, private to the transaction's session and dropped at
// commit. sqlc reads the same file as part of the schema, so the import's
// queries are checked against the table they run on.
//
//go:embed schema/staging.sql
var stagingTable string

// stageBatch is how many accepted rows go into the staging table per COPY
// (sqlc's COPY takes its rows as a slice). The file is read as it is
// copied, a batch at a time, so memory stays flat whatever its size.
const stageBatch = 4096

// Import copies the accepted rows of src into a staging table with COPY,
// then merges them into pupil.pupils by UPN in one statement, inside tx.
// Rows with problems (after gate's checks) go to reject, and so do two
// kinds found once the file is in: the first of two rows with one UPN (the
// gate recalls it), and a row whose UPN belongs to a pupil at a school
// outside scope, which is never moved or overwritten by an import. An error
// from src (a malformed file, an upload cut off) fails the import, and the
// caller's rollback leaves nothing written. A row identical to the stored
// pupil is left untouched, so importing the same file twice changes
// nothing.
func Import(ctx context.Context, tx pgx.Tx, src intake.Source, gate *intake.Gate, scope auth.Scope, reject func(intake.Row)) (ImportResult, error) {
	var res ImportResult
	if _, err := tx.Exec(ctx, stagingTable); err != nil {
		return res, fmt.Errorf("create staging table: %w", err)
	}
	rows, rejected, err := stage(ctx, tx, src, gate, reject)
	if err != nil {
		return res, err
	}
	res.Rows, res.Rejected = rows, rejected

	withdrawn, err := withdraw(ctx, tx, gate, scope, reject)
	if err != nil {
		return res, err
	}
	res.Rejected += withdrawn

	if err := queries.RecordImportMoves(ctx, tx); err != nil {
		return res, fmt.Errorf("record school moves: %w", err)
	}

	merged, err := queries.MergeStaged(ctx, tx)
	if err != nil {
		return res, fmt.Errorf("merge: %w", constraintError(err))
	}
	// After the merge, so new pupils are there; the moves before the
	// residences they leave are overwritten.
	if err := queries.RecordImportResidenceMoves(ctx, tx, date(gate.Today())); err != nil {
		return res, fmt.Errorf("record moves between LAs: %w", err)
	}
	moved, err := queries.MergeStagedResidence(ctx, tx, date(gate.Today()))
	if err != nil {
		return res, fmt.Errorf("merge residences: %w", err)
	}
	for _, m := range merged {
		if m.Inserted {
			res.Inserted++
		} else {
			res.Updated++
		}
		res.Changed = append(res.Changed, m.ID)
	}
	// A row that changed only where the pupil lives is an update too.
	if len(moved) > 0 {
		changed := make(map[string]bool, len(res.Changed))
		for _, id := range res.Changed {
			changed[id] = true
		}
		for _, id := range moved {
			if !changed[id] {
				res.Updated++
				res.Changed = append(res.Changed, id)
			}
		}
	}
	res.Unchanged = res.Rows - res.Rejected - res.Inserted - res.Updated
	return res, nil
}

// stage reads src to the end, numbering its rows from 1, sends the rows
// with problems to reject and copies the others into the staging table. It
// returns how many rows there were and how many were rejected.
//
// The file is read in a goroutine of its own, a batch ahead of the COPY, so
// that parsing and validating the file overlaps PostgreSQL's work as it did
// when one COPY read the whole file. The reader has always finished when
// stage returns.
func stage(ctx context.Context, tx pgx.Tx, src intake.Source, gate *intake.Gate, reject func(intake.Row)) (rows, rejected int, err error) {
	r := &stageReader{src: src, gate: gate, reject: reject,
		full: make(chan []dbsqlc.StageImportRowsParams), free: make(chan []dbsqlc.StageImportRowsParams, 1), stop: make(chan struct{})}
	go r.read()
	for batch := range r.full {
		if err != nil {
			continue // waiting for the reader to stop
		}
		if _, err = queries.StageImportRows(ctx, tx, batch); err != nil {
			err = fmt.Errorf("copy into staging table: %w", err)
			close(r.stop)
			continue
		}
		select {
		case r.free <- batch[:0]:
		default:
		}
	}
	if err == nil {
		err = r.err
	}
	return r.rows, r.rejected, err
}

// stageReader reads a file for stage, handing over full batches of
// accepted rows; its counts and error may be read once full is closed.
type stageReader struct {
	src    intake.Source
	gate   *intake.Gate
	reject func(intake.Row)

	full chan []dbsqlc.StageImportRowsParams // batches to copy, closed when done
	free chan []dbsqlc.StageImportRowsParams // copied batches, for reuse
	stop chan struct{}                       // closed when the COPY has failed

	rows, rejected int
	err            error
}

func (r *stageReader) read() {
	defer close(r.full)
	batch := make([]dbsqlc.StageImportRowsParams, 0, stageBatch)
	for {
		row, err := r.src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.err = err
			return
		}
		r.rows++
		row.Index = r.rows
		r.gate.Admit(&row)
		if len(row.Problems) > 0 {
			r.rejected++
			r.reject(row)
			continue
		}
		// The id a new pupil will get; an existing pupil keeps theirs.
		batch = append(batch, stagedRow(NewID(), row))
		if len(batch) < stageBatch {
			continue
		}
		if !r.send(batch) {
			return
		}
		select {
		case batch = <-r.free:
		default:
			batch = make([]dbsqlc.StageImportRowsParams, 0, stageBatch)
		}
	}
	if len(batch) > 0 {
		r.send(batch)
	}
}

// send hands a batch over to be copied, unless the COPY has failed.
func (r *stageReader) send(batch []dbsqlc.StageImportRowsParams) bool {
	select {
	case <-r.stop:
		return false
	default:
	}
	select {
	case r.full <- batch:
		return true
	case <-r.stop:
		return false
	}
}

// stagedRow is an accepted row as the staging table holds it.
func stagedRow(id [16]byte, row intake.Row) dbsqlc.StageImportRowsParams {
	c := pupilRow(row.Record)
	return dbsqlc.StageImportRowsParams{
		ID:                       pgtype.UUID{Bytes: id, Valid: true},
		UPN:                      c.UPN,
		LegalSurname:             c.LegalSurname,
		LegalForename:            c.LegalForename,
		PreferredSurname:         c.PreferredSurname,
		PreferredForename:        c.PreferredForename,
		DateOfBirth:              c.DateOfBirth,
		SchoolURN:                c.SchoolURN,
		JoinedOn:                 c.JoinedOn,
		LeftOn:                   c.LeftOn,
		LeavingReason:            c.LeavingReason,
		YearGroupOffset:          c.YearGroupOffset,
		EntryYear:                c.EntryYear,
		AttendancePercent:        c.AttendancePercent,
		AttendanceAsAt:           c.AttendanceAsAt,
		Suspensions:              c.Suspensions,
		SuspensionsAsAt:          c.SuspensionsAsAt,
		PermanentExclusions:      c.PermanentExclusions,
		PermanentExclusionsAsAt:  c.PermanentExclusionsAsAt,
		SenStatus:                c.SenStatus,
		SenAsAt:                  c.SenAsAt,
		FsmEligible:              c.FsmEligible,
		FsmAsAt:                  c.FsmAsAt,
		LookedAfter:              c.LookedAfter,
		LookedAfterAsAt:          c.LookedAfterAsAt,
		YoungCarer:               c.YoungCarer,
		YoungCarerAsAt:           c.YoungCarerAsAt,
		ChildInNeed:              c.ChildInNeed,
		ChildInNeedAsAt:          c.ChildInNeedAsAt,
		AlternativeProvision:     c.AlternativeProvision,
		AlternativeProvisionAsAt: c.AlternativeProvisionAsAt,
		YouthJustice:             c.YouthJustice,
		YouthJusticeAsAt:         c.YouthJusticeAsAt,
		YoungParent:              c.YoungParent,
		YoungParentAsAt:          c.YoungParentAsAt,
		HomeEducated:             c.HomeEducated,
		HomeEducatedAsAt:         c.HomeEducatedAsAt,
		MentalHealth:             c.MentalHealth,
		MentalHealthAsAt:         c.MentalHealthAsAt,
		Eal:                      c.Eal,
		EalAsAt:                  c.EalAsAt,
		SchoolMoves:              c.SchoolMoves,
		SchoolMovesAsAt:          c.SchoolMovesAsAt,
		FirstLanguage:            c.FirstLanguage,
		FirstLanguageAsAt:        c.FirstLanguageAsAt,
		Ks2ReadingScore:          c.Ks2ReadingScore,
		Ks2ReadingAsAt:           c.Ks2ReadingAsAt,
		Ks2MathsScore:            c.Ks2MathsScore,
		Ks2MathsAsAt:             c.Ks2MathsAsAt,
		ResidenceLACode:          c.ResidenceLACode,
		ResidentSince:            c.ResidentSince,
		RowNo:                    int32(row.Index),
		Location:                 row.Location,
	}
}

// withdraw takes back out of the staging table the rows the gate recalled
// and those naming a pupil registered outside scope, reports each, and
// returns how many there were.
func withdraw(ctx context.Context, tx pgx.Tx, gate *intake.Gate, scope auth.Scope, reject func(intake.Row)) (int, error) {
	recalled := gate.Recalled()
	if len(recalled) > 0 {
		rows := make([]int32, len(recalled))
		for i, r := range recalled {
			rows[i] = int32(r.Index)
		}
		if err := queries.UnstageRows(ctx, tx, rows); err != nil {
			return 0, fmt.Errorf("withdraw repeated UPNs: %w", err)
		}
		for _, r := range recalled {
			reject(r)
		}
	}
	elsewhere, err := queries.UnstageOutsideScope(ctx, tx, dbsqlc.UnstageOutsideScopeParams{
		ScopeAll:       scope.All,
		ScopeLACodes:   scope.LACodes,
		ScopeSchoolURN: scope.SchoolURN,
	})
	if err != nil {
		return 0, fmt.Errorf("withdraw pupils outside scope: %w", err)
	}
	for _, e := range elsewhere {
		reject(gate.Elsewhere(e.Location, int(e.RowNo)))
	}
	return len(recalled) + len(elsewhere), nil
}
