package store

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store/dbsqlc"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

// The mapping between a record and the row of pupil.pupils it sets, both
// ways. sqlc's structs name every column, so nothing here depends on the
// order of columns in a statement.

// pupilRow is the row of pupil.pupils that r sets; the columns a record
// does not set (id, version, timestamps, idempotency key) are left zero. A
// zero date, an empty leaving reason and a risk factor not given are NULL.
func pupilRow(r intake.Record) dbsqlc.PupilPupil {
	row := dbsqlc.PupilPupil{
		UPN:               r.UPN,
		LegalSurname:      r.LegalSurname,
		LegalForename:     r.LegalForename,
		PreferredSurname:  r.PreferredSurname,
		PreferredForename: r.PreferredForename,
		DateOfBirth:       date(r.DateOfBirth),
		SchoolURN:         r.SchoolURN,
		JoinedOn:          date(r.JoinedOn),
		LeftOn:            date(r.LeftOn),
		LeavingReason:     text(string(r.LeavingReason)),
		YearGroupOffset:   int16(r.YearGroupOffset),
		EntryYear:         int16(yeargroup.Entry(r.DateOfBirth, r.YearGroupOffset)),
	}
	f := r.Risk
	if a := f.Attendance; a != nil {
		row.AttendancePercent, row.AttendanceAsAt = pgtype.Float8{Float64: a.Value, Valid: true}, date(a.AsAt)
	}
	row.Suspensions, row.SuspensionsAsAt = countColumns(f.Suspensions)
	row.PermanentExclusions, row.PermanentExclusionsAsAt = countColumns(f.PermanentExclusions)
	if s := f.SEN; s != nil {
		row.SenStatus, row.SenAsAt = text(string(s.Value)), date(s.AsAt)
	}
	row.FsmEligible, row.FsmAsAt = flagColumns(f.FreeSchoolMeals)
	if c := f.Care; c != nil {
		row.LookedAfter, row.LookedAfterAsAt = text(string(c.Value)), date(c.AsAt)
	}
	row.YoungCarer, row.YoungCarerAsAt = flagColumns(f.YoungCarer)
	row.ChildInNeed, row.ChildInNeedAsAt = flagColumns(f.ChildInNeed)
	row.AlternativeProvision, row.AlternativeProvisionAsAt = flagColumns(f.AlternativeProvision)
	row.YouthJustice, row.YouthJusticeAsAt = flagColumns(f.YouthJustice)
	row.YoungParent, row.YoungParentAsAt = flagColumns(f.YoungParent)
	row.HomeEducated, row.HomeEducatedAsAt = flagColumns(f.HomeEducated)
	row.MentalHealth, row.MentalHealthAsAt = flagColumns(f.MentalHealth)
	row.Eal, row.EalAsAt = flagColumns(f.EAL)
	row.SchoolMoves, row.SchoolMovesAsAt = countColumns(f.SchoolMoves)
	if l := r.FirstLanguage; l != nil {
		row.FirstLanguage, row.FirstLanguageAsAt = text(l.Code), date(l.AsAt)
	}
	row.Ks2ReadingScore, row.Ks2ReadingAsAt = scoreColumns(r.KS2Reading)
	row.Ks2MathsScore, row.Ks2MathsAsAt = scoreColumns(r.KS2Maths)
	if res := r.Residence; res != nil {
		row.ResidenceLACode, row.ResidentSince = text(res.LACode), date(res.Since)
	}
	return row
}

func scoreColumns(s *intake.Score) (pgtype.Int2, pgtype.Date) {
	if s == nil {
		return pgtype.Int2{}, pgtype.Date{}
	}
	return pgtype.Int2{Int16: int16(s.Value), Valid: true}, date(s.AsAt)
}

func countColumns(c *risk.Count) (pgtype.Int4, pgtype.Date) {
	if c == nil {
		return pgtype.Int4{}, pgtype.Date{}
	}
	return pgtype.Int4{Int32: int32(c.Value), Valid: true}, date(c.AsAt)
}

func flagColumns(f *risk.Flag) (pgtype.Bool, pgtype.Date) {
	if f == nil {
		return pgtype.Bool{}, pgtype.Date{}
	}
	return pgtype.Bool{Bool: f.Value, Valid: true}, date(f.AsAt)
}

// record is the record a row of pupil.pupils holds.
func record(row dbsqlc.PupilPupil) intake.Record {
	return intake.Record{
		UPN:               row.UPN,
		LegalSurname:      row.LegalSurname,
		LegalForename:     row.LegalForename,
		PreferredSurname:  row.PreferredSurname,
		PreferredForename: row.PreferredForename,
		DateOfBirth:       row.DateOfBirth.Time,
		SchoolURN:         row.SchoolURN,
		JoinedOn:          row.JoinedOn.Time,
		LeftOn:            row.LeftOn.Time,
		LeavingReason:     intake.LeavingReason(row.LeavingReason.String),
		YearGroupOffset:   int(row.YearGroupOffset),
		Risk:              factors(row),
		FirstLanguage:     language(row.FirstLanguage, row.FirstLanguageAsAt),
		KS2Reading:        score(row.Ks2ReadingScore, row.Ks2ReadingAsAt),
		KS2Maths:          score(row.Ks2MathsScore, row.Ks2MathsAsAt),
		Residence:         residence(row.ResidenceLACode, row.ResidentSince),
	}
}

func residence(la pgtype.Text, since pgtype.Date) *intake.Residence {
	if !la.Valid {
		return nil
	}
	return &intake.Residence{LACode: la.String, Since: since.Time}
}

func language(code pgtype.Text, asAt pgtype.Date) *intake.Language {
	if !code.Valid {
		return nil
	}
	return &intake.Language{Code: code.String, AsAt: asAt.Time}
}

func score(n pgtype.Int2, asAt pgtype.Date) *intake.Score {
	if !n.Valid {
		return nil
	}
	return &intake.Score{Value: int(n.Int16), AsAt: asAt.Time}
}

func factors(row dbsqlc.PupilPupil) risk.Factors {
	var f risk.Factors
	if row.AttendancePercent.Valid {
		f.Attendance = &risk.Percent{Value: row.AttendancePercent.Float64, AsAt: row.AttendanceAsAt.Time}
	}
	f.Suspensions = count(row.Suspensions, row.SuspensionsAsAt)
	f.PermanentExclusions = count(row.PermanentExclusions, row.PermanentExclusionsAsAt)
	f.SchoolMoves = count(row.SchoolMoves, row.SchoolMovesAsAt)
	if row.SenStatus.Valid {
		f.SEN = &risk.SENStatus{Value: risk.SEN(row.SenStatus.String), AsAt: row.SenAsAt.Time}
	}
	if row.LookedAfter.Valid {
		f.Care = &risk.CareStatus{Value: risk.Care(row.LookedAfter.String), AsAt: row.LookedAfterAsAt.Time}
	}
	f.FreeSchoolMeals = flag(row.FsmEligible, row.FsmAsAt)
	f.YoungCarer = flag(row.YoungCarer, row.YoungCarerAsAt)
	f.ChildInNeed = flag(row.ChildInNeed, row.ChildInNeedAsAt)
	f.AlternativeProvision = flag(row.AlternativeProvision, row.AlternativeProvisionAsAt)
	f.YouthJustice = flag(row.YouthJustice, row.YouthJusticeAsAt)
	f.YoungParent = flag(row.YoungParent, row.YoungParentAsAt)
	f.HomeEducated = flag(row.HomeEducated, row.HomeEducatedAsAt)
	f.MentalHealth = flag(row.MentalHealth, row.MentalHealthAsAt)
	f.EAL = flag(row.Eal, row.EalAsAt)
	return f
}

func count(n pgtype.Int4, asAt pgtype.Date) *risk.Count {
	if !n.Valid {
		return nil
	}
	return &risk.Count{Value: int(n.Int32), AsAt: asAt.Time}
}

func flag(b pgtype.Bool, asAt pgtype.Date) *risk.Flag {
	if !b.Valid {
		return nil
	}
	return &risk.Flag{Value: b.Bool, AsAt: asAt.Time}
}

// date is NULL for the zero time.
func date(t time.Time) pgtype.Date {
	return pgtype.Date{Time: t, Valid: !t.IsZero()}
}

// text is NULL for "".
func text(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }

// uuid is the text form of an id made by NewID.
func uuid(id [16]byte) string { return pgtype.UUID{Bytes: id, Valid: true}.String() }
