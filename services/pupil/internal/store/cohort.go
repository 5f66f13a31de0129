package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store/dbsqlc"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

// Cohort names the pupils of one school, year group and academic year.
type Cohort struct {
	SchoolURN string
	YearGroup int
	Year      yeargroup.AcademicYear
	// EHCPlanToAge, when not 0, makes it the cohort past Year 13 an LA
	// tracks to that age (YearGroup is yeargroup.PastYear13): the school's
	// former pupils of academic age 18 up to it with an EHC plan.
	EHCPlanToAge int
}

// Member is a pupil of a cohort, with the dates of their enrolment at the
// cohort's school (which, for a pupil who has since moved, are not the
// dates on their current record).
type Member struct {
	Pupil    Pupil
	JoinedOn time.Time
	LeftOn   time.Time
}

// EachMember calls fn for each member of the cohort visible in scope, in
// pupil id order, after the id after ("" for the start), at most limit of
// them (all if limit is 0). It is one query (queries/cohort.sql), so the
// reconciler's snapshot costs the same number of reads whatever the
// cohort's size; its rows, one school's year group, are read in full
// before fn is called.
func EachMember(ctx context.Context, db DB, scope auth.Scope, c Cohort, after string, limit int, fn func(Member) error) error {
	if after == "" {
		after = "00000000-0000-0000-0000-000000000000"
	}
	var most pgtype.Int8
	if limit > 0 {
		most = pgtype.Int8{Int64: int64(limit), Valid: true}
	}
	var rows []dbsqlc.CohortMembersRow
	var err error
	if c.EHCPlanToAge > 0 {
		rows, err = ehcMembers(ctx, db, scope, c, after, most)
	} else {
		rows, err = queries.CohortMembers(ctx, db, dbsqlc.CohortMembersParams{
			SchoolURN:      c.SchoolURN,
			EntryYear:      int16(yeargroup.EntryFor(c.Year, c.YearGroup)),
			FirstDay:       date(c.Year.FirstDay()),
			LastDay:        date(c.Year.LastDay()),
			ScopeAll:       scope.All,
			ScopeLACodes:   scope.LACodes,
			ScopeSchoolURN: scope.SchoolURN,
			After:          after,
			MaxMembers:     most,
		})
	}
	if err != nil {
		return err
	}
	for _, r := range rows {
		m := Member{Pupil: pupil(r.PupilPupil, r.LACode), JoinedOn: r.JoinedOn.Time, LeftOn: r.LeftOn.Time}
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

// ehcMembers reads the cohort past Year 13 (EHCMembers): year groups 14
// (academic age 18) to the one before c.EHCPlanToAge, as CohortMembers'
// rows.
func ehcMembers(ctx context.Context, db DB, scope auth.Scope, c Cohort, after string, most pgtype.Int8) ([]dbsqlc.CohortMembersRow, error) {
	rows, err := queries.EHCMembers(ctx, db, dbsqlc.EHCMembersParams{
		SchoolURN:      c.SchoolURN,
		MinEntry:       int16(yeargroup.EntryFor(c.Year, yeargroup.OfAcademicAge(c.EHCPlanToAge-1))),
		MaxEntry:       int16(yeargroup.EntryFor(c.Year, yeargroup.PastYear13)),
		ScopeAll:       scope.All,
		ScopeLACodes:   scope.LACodes,
		ScopeSchoolURN: scope.SchoolURN,
		After:          after,
		MaxMembers:     most,
	})
	out := make([]dbsqlc.CohortMembersRow, len(rows))
	for i, r := range rows {
		out[i] = dbsqlc.CohortMembersRow(r)
	}
	return out, err
}
