package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

// Cohort names the pupils of one school, year group and academic year.
type Cohort struct {
	SchoolURN string
	YearGroup int
	Year      yeargroup.AcademicYear
}

// Member is a pupil of a cohort, with the dates of their enrolment at the
// cohort's school (which, for a pupil who has since moved, are not the
// dates on their current record).
type Member struct {
	Pupil    Pupil
	JoinedOn time.Time
	LeftOn   time.Time
}

// cohortSQL finds the members of a cohort in one query: pupils on the
// school's roll now, and pupils whose past enrolment there overlaps the
// year, both by the indexed (school, entry year). A pupil who left and came
// back is listed once, by their current enrolment.
var cohortSQL = `
	WITH members AS (
		SELECT p.id, p.joined_on, p.left_on, 0 AS rank FROM pupil.pupils p
		WHERE p.school_urn = $4 AND p.entry_year = $5
		  AND (p.joined_on IS NULL OR p.joined_on <= $7) AND (p.left_on IS NULL OR p.left_on >= $6)
		UNION ALL
		SELECT h.pupil_id, h.joined_on, h.left_on, 1 FROM pupil.school_history h
		JOIN pupil.pupils p ON p.id = h.pupil_id
		WHERE h.school_urn = $4 AND p.entry_year = $5
		  AND (h.joined_on IS NULL OR h.joined_on <= $7) AND h.left_on >= $6
	)
	SELECT DISTINCT ON (m.id) m.joined_on, m.left_on, p.id, s.la_code, p.version, p.updated_at, ` + columnList("p") + `
	FROM members m
	JOIN pupil.pupils p ON p.id = m.id
	JOIN pupil.schools s ON s.urn = $4
	WHERE ` + scopeSQL + ` AND m.id > $8
	ORDER BY m.id, m.rank
	LIMIT $9`

// EachMember calls fn for each member of the cohort visible in scope, in
// pupil id order, after the id after ("" for the start), at most limit of
// them (all if limit is 0). It is one query, streamed: the reconciler's
// snapshot costs the same whatever the cohort's size.
func EachMember(ctx context.Context, db DB, scope Scope, c Cohort, after string, limit int, fn func(Member) error) error {
	if after == "" {
		after = "00000000-0000-0000-0000-000000000000"
	}
	var lim pgtype.Int8
	if limit > 0 {
		lim = pgtype.Int8{Int64: int64(limit), Valid: true}
	}
	args := append(scopeArgs(scope), c.SchoolURN, yeargroup.EntryFor(c.Year, c.YearGroup),
		date(c.Year.FirstDay()), date(c.Year.LastDay()), after, lim)
	rows, err := db.Query(ctx, cohortSQL, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m Member
		var joined, left pgtype.Date
		var rs recordScan
		dest := append([]any{&joined, &left, &m.Pupil.ID, &m.Pupil.SchoolLACode, &m.Pupil.Version, &m.Pupil.UpdatedAt}, rs.targets()...)
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		m.Pupil.Record = rs.record()
		m.JoinedOn, m.LeftOn = joined.Time, left.Time
		if err := fn(m); err != nil {
			return err
		}
	}
	return rows.Err()
}
