package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store/dbsqlc"
)

// CopyRow is a record as BenchmarkCopyIntoPupils copies it straight into
// pupil.pupils, under id: the same values an import stages.
func CopyRow(id [16]byte, r intake.Record) dbsqlc.CopyIntoPupilsParams {
	c := pupilRow(r)
	return dbsqlc.CopyIntoPupilsParams{
		ID:                       uuid(id),
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
	}
}

// StageForBenchmark creates the import's staging table in tx and stages
// src into it, as Import does before it merges: BenchmarkMergePlan
// explains the merge that follows.
func StageForBenchmark(ctx context.Context, tx pgx.Tx, src intake.Source, gate *intake.Gate) error {
	if _, err := tx.Exec(ctx, stagingTable); err != nil {
		return err
	}
	_, _, err := stage(ctx, tx, src, gate, func(intake.Row) {})
	return err
}
