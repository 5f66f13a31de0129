package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/idempotency"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store/dbsqlc"
)

// Pupil is a row of pupil.pupils.
type Pupil struct {
	ID     string
	Record intake.Record
	// SchoolLACode is the local authority of the pupil's school, for scope.
	SchoolLACode string
	Version      int64
	UpdatedAt    time.Time
}

var (
	// ErrUPNExists is returned when another pupil has the UPN.
	ErrUPNExists = errors.New("a pupil with this UPN exists")
	// ErrStaleVersion is returned when an update carries an old version.
	ErrStaleVersion = errors.New("the pupil has changed since it was read")
	// ErrUnknownSchool is returned when a record names no registered school.
	ErrUnknownSchool = errors.New("no such school")
	// ErrInconsistent is returned when a record merged with the stored
	// pupil breaks a rule (a kept joining date after a new leaving date).
	ErrInconsistent = errors.New("the record contradicts the stored pupil")
	// ErrKeyReused is returned when an idempotency key comes back with a
	// different request.
	ErrKeyReused = errors.New("the idempotency key was used for a different request")
)

// ResidenceLACode is the LA the pupil lives in, empty until recorded.
func (p Pupil) ResidenceLACode() string {
	if p.Record.Residence == nil {
		return ""
	}
	return p.Record.Residence.LACode
}

// InScope reports whether scope covers the pupil: by their school, or by
// where they live for an LA's scope.
func (p Pupil) InScope(scope auth.Scope) bool {
	return scope.CoversPupil(p.Record.SchoolURN, p.SchoolLACode, p.ResidenceLACode())
}

// pupil is the Pupil a row of pupil.pupils holds, its school in laCode.
func pupil(row dbsqlc.PupilPupil, laCode string) Pupil {
	return Pupil{ID: row.ID, Record: record(row), SchoolLACode: laCode, Version: row.Version, UpdatedAt: row.UpdatedAt}
}

// found is the pupil a query for one found, or ErrNotFound.
func found(row dbsqlc.PupilPupil, laCode string, err error) (Pupil, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		return Pupil{}, ErrNotFound
	}
	if err != nil {
		return Pupil{}, err
	}
	return pupil(row, laCode), nil
}

// GetPupil returns the pupil with id.
func GetPupil(ctx context.Context, db DB, id string) (Pupil, error) {
	row, err := queries.GetPupil(ctx, db, id)
	return found(row.PupilPupil, row.LACode, err)
}

// InsertPupil creates a pupil under an idempotency key: a retry with the
// same key and request fingerprint returns the pupil the first call
// created; the key with another fingerprint is ErrKeyReused.
func InsertPupil(ctx context.Context, db DB, key string, fingerprint []byte, id [16]byte, r intake.Record) (Pupil, error) {
	err := queries.InsertPupil(ctx, db, insertParams(id, key, fingerprint, r))
	if err := constraintError(err); err != nil {
		return Pupil{}, err
	}
	row, err := queries.PupilByIdempotencyKey(ctx, db, key)
	p, err := found(row.PupilPupil, row.LACode, err)
	if err != nil {
		return Pupil{}, err
	}
	if !idempotency.Matches(row.PupilPupil.RequestHash, fingerprint) {
		return Pupil{}, ErrKeyReused
	}
	return p, nil
}

// insertParams are InsertPupil's: the pupil r under a new id, made with
// the idempotency key and request fingerprint.
func insertParams(id [16]byte, key string, fingerprint []byte, r intake.Record) dbsqlc.InsertPupilParams {
	c := pupilRow(r)
	return dbsqlc.InsertPupilParams{
		ID:                       uuid(id),
		IdempotencyKey:           key,
		RequestHash:              fingerprint,
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
		Ks2ReadingScore:          c.Ks2ReadingScore,
		Ks2ReadingAsAt:           c.Ks2ReadingAsAt,
		Ks2MathsScore:            c.Ks2MathsScore,
		Ks2MathsAsAt:             c.Ks2MathsAsAt,
		ResidenceLACode:          c.ResidenceLACode,
		ResidentSince:            c.ResidentSince,
	}
}

// PupilByUPN returns the pupil with upn.
func PupilByUPN(ctx context.Context, db DB, upn string) (Pupil, error) {
	row, err := queries.PupilByUPN(ctx, db, upn)
	return found(row.PupilPupil, row.LACode, err)
}

// Location is where a pupil is on roll.
type Location struct {
	PupilID, SchoolURN, LACode string
	// ResidenceLACode is the LA they live in, empty until recorded.
	ResidenceLACode string
}

// LocatePupils returns the school and local authority of each pupil of ids
// in scope, in the order of ids; unknown ids are left out. One query.
func LocatePupils(ctx context.Context, db DB, scope auth.Scope, ids []string) ([]Location, error) {
	rows, err := queries.LocatePupils(ctx, db, dbsqlc.LocatePupilsParams{
		Ids:            ids,
		ScopeAll:       scope.All,
		ScopeLACodes:   scope.LACodes,
		ScopeSchoolURN: scope.SchoolURN,
	})
	if err != nil {
		return nil, err
	}
	locations := make([]Location, len(rows))
	for i, r := range rows {
		locations[i] = Location{PupilID: r.PupilID, SchoolURN: r.SchoolURN, LACode: r.LACode, ResidenceLACode: r.ResidenceLACode.String}
	}
	return locations, nil
}

// constraintError maps the violations a caller can cause to errors it can
// act on; the rest pass through.
func constraintError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505" && pgErr.ConstraintName == "pupils_upn_key":
			return ErrUPNExists
		case pgErr.Code == "23503" && pgErr.ConstraintName == "pupils_school_urn_fkey":
			return ErrUnknownSchool
		case pgErr.Code == "23514" && pgErr.TableName == "pupils":
			return ErrInconsistent
		}
	}
	return err
}

// UpdatePupil replaces the record of pupil id if its version is still
// version. A change of school writes the old enrolment to the school
// history and counts a school move (on the new joining date, or today), in
// the same transaction (tx).
func UpdatePupil(ctx context.Context, tx pgx.Tx, id string, version int64, r intake.Record, today time.Time) (Pupil, error) {
	locked, err := queries.GetPupilForUpdate(ctx, tx, id)
	current, err := found(locked.PupilPupil, locked.LACode, err)
	if err != nil {
		return Pupil{}, err
	}
	if current.Version != version {
		return Pupil{}, ErrStaleVersion
	}
	old := current.Record
	if old.SchoolURN != r.SchoolURN {
		moved := r.JoinedOn
		if moved.IsZero() {
			moved = today
		}
		if err := recordMove(ctx, tx, id, old, moved); err != nil {
			return Pupil{}, err
		}
		if r.Risk.SchoolMoves == nil || r.Risk.SchoolMoves.AsAt.Before(moved) {
			n := 1
			if old.Risk.SchoolMoves != nil {
				n = old.Risk.SchoolMoves.Value + 1
			}
			r.Risk.SchoolMoves = &risk.Count{Value: n, AsAt: moved}
		}
	}
	err = queries.UpdatePupil(ctx, tx, updateParams(id, r))
	if err := constraintError(err); err != nil {
		return Pupil{}, err
	}
	if err := setResidence(ctx, tx, id, old.Residence, r.Residence, today); err != nil {
		return Pupil{}, fmt.Errorf("set residence: %w", err)
	}
	return GetPupil(ctx, tx, id)
}

// updateParams are UpdatePupil's: pupil id's record replaced by r.
func updateParams(id string, r intake.Record) dbsqlc.UpdatePupilParams {
	c := pupilRow(r)
	return dbsqlc.UpdatePupilParams{
		ID:                       id,
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
		Ks2ReadingScore:          c.Ks2ReadingScore,
		Ks2ReadingAsAt:           c.Ks2ReadingAsAt,
		Ks2MathsScore:            c.Ks2MathsScore,
		Ks2MathsAsAt:             c.Ks2MathsAsAt,
	}
}

// setResidence records where pupil id lives now, from r, given what was
// recorded (old, nil if nothing). A move to another LA keeps the residence
// left in the history, transferred on the day r says they moved in (or
// today), never before they moved into the old one. The same LA again
// takes r's date when it gives one. A nil r changes nothing.
func setResidence(ctx context.Context, db DB, id string, old, r *intake.Residence, today time.Time) error {
	if r == nil {
		return nil
	}
	since := r.Since
	switch {
	case old == nil:
	case old.LACode != r.LACode:
		if since.IsZero() {
			since = today
		}
		if since.Before(old.Since) {
			since = old.Since
		}
		err := queries.InsertResidenceHistory(ctx, db, dbsqlc.InsertResidenceHistoryParams{
			PupilID: id, LACode: old.LACode, ResidentSince: date(old.Since), MovedOn: date(since), TransferredTo: r.LACode,
		})
		if err != nil {
			return err
		}
	default:
		if since.IsZero() {
			since = old.Since
		}
		if since.Equal(old.Since) {
			return nil
		}
	}
	return queries.SetResidence(ctx, db, dbsqlc.SetResidenceParams{ID: id, LACode: text(r.LACode), ResidentSince: date(since)})
}

// Move is a residence a pupil has left: NCCIS's transfer between LAs.
type Move struct {
	// LACode is the LA they lived in, from Since (zero when not known).
	LACode string
	Since  time.Time
	// MovedOn is the transfer date, TransferredTo the LA they moved to.
	MovedOn       time.Time
	TransferredTo string
}

// ResidenceHistory returns the residences pupil id has left, oldest first.
func ResidenceHistory(ctx context.Context, db DB, id string) ([]Move, error) {
	rows, err := queries.ResidenceHistory(ctx, db, id)
	if err != nil {
		return nil, err
	}
	moves := make([]Move, len(rows))
	for i, r := range rows {
		moves[i] = Move{LACode: r.LACode, Since: r.ResidentSince.Time, MovedOn: r.MovedOn.Time, TransferredTo: r.TransferredTo}
	}
	return moves, nil
}

// Transfer is one young person's move into or out of an LA.
type Transfer struct {
	// ID orders transfers on one day, for paging.
	ID       int64
	PupilID  string
	From, To string
	MovedOn  time.Time
}

// ResidenceTransfers returns up to limit moves into or out of la on or
// after since, after the page that ended at (afterMovedOn, afterID).
func ResidenceTransfers(ctx context.Context, db DB, la string, since, afterMovedOn time.Time, afterID int64, limit int) ([]Transfer, error) {
	rows, err := queries.ResidenceTransfers(ctx, db, dbsqlc.ResidenceTransfersParams{
		LACode: la, Since: date(since), AfterID: afterID, MaxTransfers: int32(limit),
		// Never NULL, which no row would follow: the first page starts
		// after the zero day.
		AfterMovedOn: pgtype.Date{Time: afterMovedOn, Valid: true},
	})
	if err != nil {
		return nil, err
	}
	out := make([]Transfer, len(rows))
	for i, r := range rows {
		out[i] = Transfer{ID: r.ID, PupilID: r.PupilID, From: r.LACode, To: r.TransferredTo, MovedOn: r.MovedOn.Time}
	}
	return out, nil
}

// recordMove keeps the enrolment a pupil is leaving in the school history.
func recordMove(ctx context.Context, db DB, id string, old intake.Record, moved time.Time) error {
	left, reason := old.LeftOn, old.LeavingReason
	if left.IsZero() {
		left, reason = moved, intake.LeftTransferred
	}
	return queries.InsertSchoolHistory(ctx, db, dbsqlc.InsertSchoolHistoryParams{
		PupilID:       id,
		SchoolURN:     old.SchoolURN,
		JoinedOn:      date(old.JoinedOn),
		LeftOn:        date(left),
		LeavingReason: string(reason),
	})
}

// Resident is a young person as the measures count them.
type Resident struct {
	PupilID string
	// LACode is the LA whose caseload they are in.
	LACode      string
	AcademicAge int
}

// Residents returns the young people of academic age minAge to maxAge in
// the academic year starting in year, in id order. One query.
func Residents(ctx context.Context, db DB, year, minAge, maxAge int, laCode string) ([]Resident, error) {
	rows, err := queries.Residents(ctx, db, dbsqlc.ResidentsParams{Year: int32(year), MinAge: int32(minAge), MaxAge: int32(maxAge), LACode: laCode})
	if err != nil {
		return nil, err
	}
	out := make([]Resident, len(rows))
	for i, r := range rows {
		out[i] = Resident{PupilID: r.PupilID, LACode: r.LACode, AcademicAge: int(r.AcademicAge)}
	}
	return out, nil
}
