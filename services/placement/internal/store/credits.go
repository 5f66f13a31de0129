package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
)

// PupilCredit is one pupil's credited work experience.
type PupilCredit struct {
	PupilID     string
	HalfDays    int32
	Experiences int32
	// Seen is whether any booking of the pupil's in scope was read.
	Seen bool
}

// creditedDays sums credit.Credit over every mark in one statement: only
// experience kinds, only live bookings in scope, marks on or before as_of,
// each mark capped by its day's session. One row per requested pupil, in
// request order. It starts from the cohort and joins its bookings by
// pupil_id and their marks by booking_id, so a cohort costs what its own
// marks cost, however many marks the region holds.
const creditedDays = `
WITH cohort AS (
	SELECT pupil_id, n FROM unnest(@pupil_ids::uuid[]) WITH ORDINALITY AS p(pupil_id, n)
), credited AS (
	SELECT b.pupil_id, b.opportunity_id, LEAST(a.half_days, d.half_days) AS half_days
	FROM cohort p
	JOIN placement.bookings b ON b.pupil_id = p.pupil_id
	JOIN placement.attendance a ON a.booking_id = b.id
	JOIN placement.opportunity_days d ON d.opportunity_id = a.opportunity_id AND d.day = a.day
	JOIN placement.opportunities o ON o.id = b.opportunity_id
	WHERE b.cancelled_at IS NULL
	  AND o.kind = ANY(@experience_kinds)
	  AND a.day <= @as_of
	  AND ` + scopeFilter + `
)
SELECT p.pupil_id::text,
       COALESCE(sum(c.half_days), 0)::int,
       count(DISTINCT c.opportunity_id) FILTER (WHERE c.half_days > 0)::int,
       count(c.pupil_id) > 0
FROM cohort p
LEFT JOIN credited c ON c.pupil_id = p.pupil_id
GROUP BY p.pupil_id, p.n
ORDER BY p.n`

// CreditedDays returns the credit of each pupil in pupilIDs from attendance
// on or before asOf, counting only bookings in scope.
func CreditedDays(ctx context.Context, db DB, scope Scope, pupilIDs []string, asOf time.Time) ([]PupilCredit, error) {
	rows, err := db.Query(ctx, creditedDays, addScope(scope, pgx.NamedArgs{
		"pupil_ids":        pupilIDs,
		"experience_kinds": credit.ExperienceKinds(),
		"as_of":            asOf,
	}))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PupilCredit, error) {
		var c PupilCredit
		return c, r.Scan(&c.PupilID, &c.HalfDays, &c.Experiences, &c.Seen)
	})
}

// Engagement is one sector and size band's figures.
type Engagement struct {
	Sector        string
	SizeBand      string
	Opportunities int32
	Experiences   int32
	Bookings      int32
	Pupils        int32
	HalfDays      int64
}

// engagement counts opportunities running in the period (unscoped: they
// are visible to all staff) and, in scope, their live bookings, the pupils
// booked and the half days credited by attendance in the period. Marks are
// summed per booking first, so the final grouping sees one row per booking
// rather than one per mark.
const engagement = `
WITH running AS (
	SELECT o.id, o.kind, e.sector, e.size_band
	FROM placement.opportunities o
	JOIN placement.employers e ON e.id = o.employer_id
	WHERE EXISTS (SELECT 1 FROM placement.opportunity_days d WHERE d.opportunity_id = o.id
	              AND (@from::date IS NULL OR d.day >= @from) AND (@to::date IS NULL OR d.day <= @to))
), booked AS (
	SELECT b.opportunity_id, b.pupil_id, COALESCE(sum(LEAST(a.half_days, d.half_days)), 0) AS half_days
	FROM placement.bookings b
	JOIN running r ON r.id = b.opportunity_id
	LEFT JOIN placement.attendance a ON a.booking_id = b.id
	     AND (@from::date IS NULL OR a.day >= @from) AND (@to::date IS NULL OR a.day <= @to)
	LEFT JOIN placement.opportunity_days d ON d.opportunity_id = a.opportunity_id AND d.day = a.day
	WHERE b.cancelled_at IS NULL AND ` + scopeFilter + `
	GROUP BY b.id
)
SELECT r.sector, r.size_band,
       count(DISTINCT r.id)::int,
       count(DISTINCT r.id) FILTER (WHERE r.kind = ANY(@experience_kinds))::int,
       count(bk.pupil_id)::int,
       count(DISTINCT bk.pupil_id)::int,
       COALESCE(sum(bk.half_days) FILTER (WHERE r.kind = ANY(@experience_kinds)), 0)::bigint
FROM running r
LEFT JOIN booked bk ON bk.opportunity_id = r.id
GROUP BY r.sector, r.size_band`

// GetEngagement returns the figures for each sector and size band with an
// opportunity running between from and to (either may be nil: unbounded).
func GetEngagement(ctx context.Context, db DB, scope Scope, from, to *time.Time) ([]Engagement, error) {
	rows, err := db.Query(ctx, engagement, addScope(scope, pgx.NamedArgs{
		"from": from, "to": to, "experience_kinds": credit.ExperienceKinds(),
	}))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Engagement, error) {
		var e Engagement
		return e, r.Scan(&e.Sector, &e.SizeBand, &e.Opportunities, &e.Experiences, &e.Bookings, &e.Pupils, &e.HalfDays)
	})
}
