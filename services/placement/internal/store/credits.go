package store

import (
	"context"
	"time"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store/dbsqlc"
)

// PupilCredit is one pupil's credited work experience.
type PupilCredit struct {
	PupilID     string
	HalfDays    int32
	Experiences int32
	// Encounters are the distinct encounters (talks, careers fairs,
	// mentoring) attended in the period asked for.
	Encounters int32
	// Seen is whether any booking of the pupil's in scope was read.
	Seen bool
}

// CreditedDays returns the credit of each pupil in pupilIDs from attendance
// on or before asOf, and the encounters they attended from encountersFrom,
// counting only bookings in scope: one row per pupil, in request order. The
// sums are credit.Credit's, done in SQL (the query CreditedDays in
// queries/credits.sql).
func CreditedDays(ctx context.Context, db DB, scope auth.Scope, pupilIDs []string, asOf, encountersFrom time.Time) ([]PupilCredit, error) {
	rows, err := queries.CreditedDays(ctx, db, dbsqlc.CreditedDaysParams{
		PupilIDs:        pupilIDs,
		ExperienceKinds: credit.ExperienceKinds(),
		AsOf:            asOf,
		EncountersFrom:  encountersFrom,
		ScopeAll:        scope.All,
		ScopeLACodes:    scope.LACodes,
		ScopeSchoolURN:  scope.SchoolURN,
	})
	if err != nil {
		return nil, err
	}
	out := make([]PupilCredit, len(rows))
	for i, r := range rows {
		out[i] = PupilCredit{PupilID: r.PupilID, HalfDays: r.HalfDays, Experiences: r.Experiences, Encounters: r.Encounters, Seen: r.Seen}
	}
	return out, nil
}

// Engagement is one sector and size band's figures, as the query counts
// them (queries/credits.sql); of Bookings and HalfDays, CornerstoneBookings
// and CornerstoneHalfDays are those with cornerstone employers.
type Engagement = dbsqlc.EngagementRow

// GetEngagement returns the figures for each sector and size band with an
// opportunity running between from and to (either may be nil: unbounded):
// opportunities running in the period (which every caller sees) and, in
// scope, their live bookings, the pupils booked and the half days credited
// by attendance in the period, and those of them with cornerstone employers.
func GetEngagement(ctx context.Context, db DB, scope auth.Scope, from, to *time.Time) ([]Engagement, error) {
	return queries.Engagement(ctx, db, dbsqlc.EngagementParams{
		PeriodFrom:      from,
		PeriodTo:        to,
		ExperienceKinds: credit.ExperienceKinds(),
		ScopeAll:        scope.All,
		ScopeLACodes:    scope.LACodes,
		ScopeSchoolURN:  scope.SchoolURN,
	})
}

// PupilsRevision returns the sum of the revisions of the pupils in
// pupilIDs that have a booking in scope (cancelled or not): counters that
// every write to what CreditedDays reads of a pupil bumps by 1 in its own
// transaction (migration 00003), so the sum moves whenever any of their
// credits may have. 0 when none has a revision. A reader that takes the
// revision before it reads the credits never misses a change: a write
// committed in between moves the next revision it takes.
func PupilsRevision(ctx context.Context, db DB, scope auth.Scope, pupilIDs []string) (int64, error) {
	return queries.PupilsRevision(ctx, db, dbsqlc.PupilsRevisionParams{
		PupilIDs:       pupilIDs,
		ScopeAll:       scope.All,
		ScopeLACodes:   scope.LACodes,
		ScopeSchoolURN: scope.SchoolURN,
	})
}
