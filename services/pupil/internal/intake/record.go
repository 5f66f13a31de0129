// Package intake is what a pupil record must be to enter the service,
// whichever way it arrives (a CSV row, a CTF <Pupil>, an RPC): the typed
// record, the problems that refuse it, and the parsing of the values the
// formats share (dates, enumerations). Parsers produce Rows; nothing here
// does I/O.
package intake

import (
	"fmt"
	"strings"
	"time"

	"github.com/nextstep-uk/nextstep/services/kit/calendar"
	"github.com/nextstep-uk/nextstep/services/kit/hygiene"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/lacode"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

// Record is one pupil as a school hands it over.
type Record struct {
	UPN               string
	LegalSurname      string
	LegalForename     string
	PreferredSurname  string
	PreferredForename string
	DateOfBirth       time.Time
	SchoolURN         string
	// JoinedOn and LeftOn are zero when not known or not left.
	JoinedOn      time.Time
	LeftOn        time.Time
	LeavingReason LeavingReason
	// YearGroupOffset is for pupils taught out of their year group: +1 a
	// year ahead, -1 a year behind.
	YearGroupOffset int
	Risk            risk.Factors
	// FirstLanguage and the KS2 scaled scores are what a CTF says of the
	// pupil beyond the risk factors; each is nil when not known. The KS2
	// scores are the risk score's prior attainment (RiskFactors).
	FirstLanguage *Language
	KS2Reading    *Score
	KS2Maths      *Score
	// Residence is the local authority the young person lives in, nil
	// when the record does not say (the residence recorded is then kept:
	// a residence is moved, never cleared).
	Residence *Residence
}

// Residence is where a young person lives, as the NCCIS requirement
// counts them: LAs track the young people resident in their area, wherever
// they are educated (../shared/DOMAIN.md, "Residence, not school").
type Residence struct {
	// LACode is the 3-digit code of a current English local authority.
	LACode string
	// Since is the day they moved in, zero when not known. A change of
	// LACode records the move on Since (or today when not given).
	Since time.Time
}

// RiskFactors are the record's risk factors, with prior attainment from the
// KS2 scores.
func (r Record) RiskFactors() risk.Factors {
	f := r.Risk
	if r.KS2Reading == nil && r.KS2Maths == nil {
		return f
	}
	a := &risk.Attainment{}
	for _, s := range []struct {
		score *Score
		to    *int
	}{{r.KS2Reading, &a.Reading}, {r.KS2Maths, &a.Maths}} {
		if s.score != nil {
			*s.to = s.score.Value
			if s.score.AsAt.After(a.AsAt) {
				a.AsAt = s.score.AsAt
			}
		}
	}
	f.PriorAttainment = a
	return f
}

// Language is a pupil's first language as the school census codes it
// (ENG English, ENB believed to be English, and so on), with the date it
// was known as at.
type Language struct {
	Code string
	AsAt time.Time
}

// Score is a test's scaled score (KS2: 80 to 120), with the date it was
// known as at.
type Score struct {
	Value int
	AsAt  time.Time
}

// MinKS2Score and MaxKS2Score bound a KS2 scaled score: "Scaled scores
// range from 80 to 120" (DfE, Key stage 2 attainment: national headlines,
// data guidance).
const (
	MinKS2Score = 80
	MaxKS2Score = 120
)

// Problem is why a record, or one of its fields, is refused. Reason never
// repeats the value, which may be personal data.
type Problem struct {
	// Field names the CSV column, the CTF element or the message field.
	Field  string
	RuleID string
	Reason string
}

// Row is a record as a parser read it, with where it was and what is wrong
// with it. A row with problems is rejected, never half-imported.
type Row struct {
	// Location is "line 12" for CSV, "Pupil 3 (line 40)" for CTF.
	Location string
	// Index counts the rows of a file from 1; the importer sets it.
	Index    int
	Record   Record
	Problems []Problem
}

// Reject adds a problem.
func (r *Row) Reject(field, ruleID, reason string) {
	r.Problems = append(r.Problems, Problem{Field: field, RuleID: ruleID, Reason: reason})
}

// Source yields rows until it returns io.EOF. Any other error is about the
// whole file (it is not CSV, the XML is cut off) and fails the import.
type Source interface {
	Next() (Row, error)
}

// MaxNameLength bounds a name, in bytes.
const MaxNameLength = 100

// earliestBirth bounds a plausible date of birth for a young person this
// service serves (up to 25 with an EHC plan, in any year it will run); the
// latest is today (CheckDates).
var earliestBirth = time.Date(1990, time.January, 1, 0, 0, 0, 0, time.UTC)

// Fields names the record's fields in the format being read, so problems
// point at the CSV column or CTF element the user can find.
type Fields struct {
	UPN, LegalSurname, LegalForename, PreferredSurname, PreferredForename    string
	DateOfBirth, SchoolURN, JoinedOn, LeftOn, LeavingReason, YearGroupOffset string
	Attendance, Suspensions, PermanentExclusions, SchoolMoves                string
	ResidenceLACode, ResidentSince                                           string
	// RiskAsAt names the date the risk factors were true as at: one field
	// ("risk_as_at"), or a pattern whose %s is the factor's name in the
	// contract ("pupil.risk_factors.%s.as_at").
	RiskAsAt string
}

func (f Fields) riskAsAt(factor string) string {
	if strings.Contains(f.RiskAsAt, "%s") {
		return fmt.Sprintf(f.RiskAsAt, factor)
	}
	return f.RiskAsAt
}

// Check adds the problems of r's values that the parsers cannot see one
// field at a time: the UPN check letter, plausible dates, ranges.
func (r *Row) Check(f Fields) {
	rec := &r.Record
	if p := upn.Validate(rec.UPN); p != nil {
		r.Reject(f.UPN, p.RuleID, p.Message)
	}
	for _, n := range []struct{ field, value string }{
		{f.LegalSurname, rec.LegalSurname}, {f.LegalForename, rec.LegalForename},
	} {
		if n.value == "" {
			r.Reject(n.field, "name.required", "is required")
		}
	}
	for _, n := range []struct{ field, value string }{
		{f.LegalSurname, rec.LegalSurname}, {f.LegalForename, rec.LegalForename},
		{f.PreferredSurname, rec.PreferredSurname}, {f.PreferredForename, rec.PreferredForename},
	} {
		if len(n.value) > MaxNameLength {
			r.Reject(n.field, "name.max_len", "is longer than 100 characters")
		}
		// A name is one line of visible text: no control characters, no
		// direction overrides or zero-width characters to disguise it.
		if p := hygiene.Name(n.value); p != nil {
			r.Reject(n.field, p.RuleID, p.Message)
		}
	}
	if d := rec.DateOfBirth; !d.IsZero() && d.Before(earliestBirth) {
		r.Reject(f.DateOfBirth, "date_of_birth.range", "is not a plausible date of birth for a pupil")
	}
	if !rec.LeftOn.IsZero() && !rec.JoinedOn.IsZero() && rec.LeftOn.Before(rec.JoinedOn) {
		r.Reject(f.LeftOn, "left_on.before_joined", "is before the date the pupil joined")
	}
	if rec.LeftOn.IsZero() != (rec.LeavingReason == "") {
		r.Reject(f.LeavingReason, "leaving_reason.with_left_on", "is given if and only if the pupil has left")
	}
	if res := rec.Residence; res != nil && !lacode.Current(res.LACode) {
		// Never guessed: an unknown code is the row's problem to fix.
		r.Reject(f.ResidenceLACode, "residence_la_code.unknown", "is not the 3-digit code of a current English local authority")
	}
	if rec.YearGroupOffset < -yeargroup.MaxOffset || rec.YearGroupOffset > yeargroup.MaxOffset {
		r.Reject(f.YearGroupOffset, "year_group_offset.range", "must be between -2 and 2")
	}
	if a := rec.Risk.Attendance; a != nil && (a.Value < 0 || a.Value > 100) {
		r.Reject(f.Attendance, "attendance.range", "must be a percentage from 0 to 100")
	}
	for _, c := range []struct {
		field string
		count *risk.Count
	}{{f.Suspensions, rec.Risk.Suspensions}, {f.PermanentExclusions, rec.Risk.PermanentExclusions}, {f.SchoolMoves, rec.Risk.SchoolMoves}} {
		if c.count != nil && (c.count.Value < 0 || c.count.Value > 1000) {
			r.Reject(c.field, "count.range", "must be a whole number from 0 to 1000")
		}
	}
}

// CheckDates adds the problems of r's dates as seen on today: a date of
// birth no later than today, enrolment dates within the calendar's
// plausible window, and risk factors true as at a date that has come (a
// factor dated in the future would outrank every genuine later update).
func (r *Row) CheckDates(f Fields, today time.Time) {
	rec := &r.Record
	if d := rec.DateOfBirth; !d.IsZero() && d.After(today) {
		r.Reject(f.DateOfBirth, "date_of_birth.range", "is not a plausible date of birth for a pupil")
	}
	for _, d := range []struct {
		field string
		date  time.Time
	}{{f.JoinedOn, rec.JoinedOn}, {f.LeftOn, rec.LeftOn}} {
		if !d.date.IsZero() && !calendar.Plausible(d.date, today) {
			r.Reject(d.field, "date.range", "must be from 2000 to two years from today")
		}
	}
	if res := rec.Residence; res != nil && !res.Since.IsZero() &&
		(!calendar.Past(res.Since, today) || (!rec.DateOfBirth.IsZero() && res.Since.Before(rec.DateOfBirth))) {
		r.Reject(f.ResidentSince, "resident_since.range", "must be a date from 2000 to today, not before the date of birth")
	}
	rec.Risk.Each(func(factor string, asAt time.Time) {
		// A factor without a date has been refused already, by the parser.
		if !asAt.IsZero() && !calendar.Past(asAt, today) {
			r.Reject(f.riskAsAt(factor), "as_at.range", fmt.Sprintf("the %s factor must be true as at a date from 2000 to today", strings.ReplaceAll(factor, "_", " ")))
		}
	})
	rec.eachOther(func(name string, asAt time.Time) {
		if !calendar.Past(asAt, today) {
			r.Reject(f.riskAsAt(name), "as_at.range", fmt.Sprintf("the %s must be known as at a date from 2000 to today", strings.ReplaceAll(name, "_", " ")))
		}
	})
}

// eachOther calls fn with the name and as-at date of each known value
// beyond the risk factors: a date in the future would outrank every later
// update, as a factor's would.
func (rec *Record) eachOther(fn func(name string, asAt time.Time)) {
	if l := rec.FirstLanguage; l != nil {
		fn("first_language", l.AsAt)
	}
	if s := rec.KS2Reading; s != nil {
		fn("ks2_reading", s.AsAt)
	}
	if s := rec.KS2Maths; s != nil {
		fn("ks2_maths", s.AsAt)
	}
}
