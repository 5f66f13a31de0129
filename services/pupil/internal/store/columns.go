package store

import (
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

// recordColumns are the columns of pupil.pupils a record sets, in the order
// of recordValues. Inserts, the import's staging table and its merge are all
// written from this one list.
var recordColumns = []string{
	"upn", "legal_surname", "legal_forename", "preferred_surname", "preferred_forename",
	"date_of_birth", "school_urn", "joined_on", "left_on", "leaving_reason", "year_group_offset", "entry_year",
	"attendance_percent", "attendance_as_at",
	"suspensions", "suspensions_as_at",
	"permanent_exclusions", "permanent_exclusions_as_at",
	"sen_status", "sen_as_at",
	"fsm_eligible", "fsm_as_at",
	"looked_after", "looked_after_as_at",
	"young_carer", "young_carer_as_at",
	"eal", "eal_as_at",
	"school_moves", "school_moves_as_at",
}

// riskColumns are the risk factors' value columns, each followed in
// recordColumns by its as-at column.
var riskColumns = []string{"attendance_percent", "suspensions", "permanent_exclusions", "sen_status",
	"fsm_eligible", "looked_after", "young_carer", "eal", "school_moves"}

// asAtColumn names the as-at column of a risk factor's value column.
func asAtColumn(value string) string {
	switch value {
	case "attendance_percent":
		return "attendance_as_at"
	case "sen_status":
		return "sen_as_at"
	case "fsm_eligible":
		return "fsm_as_at"
	}
	return value + "_as_at"
}

// columnList is "prefix.a, prefix.b, ..." of recordColumns.
func columnList(prefix string) string {
	cols := make([]string, len(recordColumns))
	for i, c := range recordColumns {
		if prefix != "" {
			c = prefix + "." + c
		}
		cols[i] = c
	}
	return strings.Join(cols, ", ")
}

// recordValues are a record's values in recordColumns order.
func recordValues(r intake.Record) []any {
	f := r.Risk
	v := []any{
		r.UPN, r.LegalSurname, r.LegalForename, r.PreferredSurname, r.PreferredForename,
		date(r.DateOfBirth), r.SchoolURN, date(r.JoinedOn), date(r.LeftOn), text(string(r.LeavingReason)),
		int16(r.YearGroupOffset), int16(yeargroup.Entry(r.DateOfBirth, r.YearGroupOffset)),
	}
	if a := f.Attendance; a != nil {
		v = append(v, a.Value, date(a.AsAt))
	} else {
		v = append(v, nil, nil)
	}
	for _, c := range []*risk.Count{f.Suspensions, f.PermanentExclusions} {
		v = appendCount(v, c)
	}
	if s := f.SEN; s != nil {
		v = append(v, string(s.Value), date(s.AsAt))
	} else {
		v = append(v, nil, nil)
	}
	v = appendFlag(v, f.FreeSchoolMeals)
	if c := f.Care; c != nil {
		v = append(v, string(c.Value), date(c.AsAt))
	} else {
		v = append(v, nil, nil)
	}
	v = appendFlag(v, f.YoungCarer)
	v = appendFlag(v, f.EAL)
	return appendCount(v, f.SchoolMoves)
}

func appendCount(v []any, c *risk.Count) []any {
	if c == nil {
		return append(v, nil, nil)
	}
	return append(v, int32(c.Value), date(c.AsAt))
}

func appendFlag(v []any, f *risk.Flag) []any {
	if f == nil {
		return append(v, nil, nil)
	}
	return append(v, f.Value, date(f.AsAt))
}

// date is NULL for the zero time.
func date(t time.Time) pgtype.Date {
	return pgtype.Date{Time: t, Valid: !t.IsZero()}
}

// text is NULL for "".
func text(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }

// recordScan holds a row's record columns as scanned, NULLs included.
type recordScan struct {
	upn, legalSurname, legalForename, preferredSurname, preferredForename string
	dob                                                                   time.Time
	schoolURN                                                             string
	joinedOn, leftOn                                                      pgtype.Date
	leavingReason                                                         pgtype.Text
	offset, entryYear                                                     int16
	attendance                                                            pgtype.Float8
	attendanceAsAt                                                        pgtype.Date
	suspensions, exclusions, moves                                        pgtype.Int4
	suspensionsAsAt, exclusionsAsAt, movesAsAt                            pgtype.Date
	sen, care                                                             pgtype.Text
	senAsAt, careAsAt                                                     pgtype.Date
	fsm, youngCarer, eal                                                  pgtype.Bool
	fsmAsAt, youngCarerAsAt, ealAsAt                                      pgtype.Date
}

// targets are the scan destinations in recordColumns order.
func (s *recordScan) targets() []any {
	return []any{&s.upn, &s.legalSurname, &s.legalForename, &s.preferredSurname, &s.preferredForename,
		&s.dob, &s.schoolURN, &s.joinedOn, &s.leftOn, &s.leavingReason, &s.offset, &s.entryYear,
		&s.attendance, &s.attendanceAsAt, &s.suspensions, &s.suspensionsAsAt, &s.exclusions, &s.exclusionsAsAt,
		&s.sen, &s.senAsAt, &s.fsm, &s.fsmAsAt, &s.care, &s.careAsAt, &s.youngCarer, &s.youngCarerAsAt,
		&s.eal, &s.ealAsAt, &s.moves, &s.movesAsAt}
}

func (s *recordScan) record() intake.Record {
	return intake.Record{
		UPN: s.upn, LegalSurname: s.legalSurname, LegalForename: s.legalForename,
		PreferredSurname: s.preferredSurname, PreferredForename: s.preferredForename,
		DateOfBirth: s.dob, SchoolURN: s.schoolURN, JoinedOn: s.joinedOn.Time, LeftOn: s.leftOn.Time,
		LeavingReason: intake.LeavingReason(s.leavingReason.String), YearGroupOffset: int(s.offset),
		Risk: s.factors(),
	}
}

func (s *recordScan) factors() risk.Factors {
	var f risk.Factors
	if s.attendance.Valid {
		f.Attendance = &risk.Percent{Value: s.attendance.Float64, AsAt: s.attendanceAsAt.Time}
	}
	f.Suspensions = count(s.suspensions, s.suspensionsAsAt)
	f.PermanentExclusions = count(s.exclusions, s.exclusionsAsAt)
	f.SchoolMoves = count(s.moves, s.movesAsAt)
	if s.sen.Valid {
		f.SEN = &risk.SENStatus{Value: risk.SEN(s.sen.String), AsAt: s.senAsAt.Time}
	}
	if s.care.Valid {
		f.Care = &risk.CareStatus{Value: risk.Care(s.care.String), AsAt: s.careAsAt.Time}
	}
	f.FreeSchoolMeals = flag(s.fsm, s.fsmAsAt)
	f.YoungCarer = flag(s.youngCarer, s.youngCarerAsAt)
	f.EAL = flag(s.eal, s.ealAsAt)
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
