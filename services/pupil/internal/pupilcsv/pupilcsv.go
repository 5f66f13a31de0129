// Package pupilcsv reads the pupil CSV layout documented in
// services/pupil/README.md: UTF-8, comma-separated, a header row naming the
// columns (in any order), one pupil per row. It streams: a file of any size
// is read a row at a time.
package pupilcsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

// Column names. The first five are required.
const (
	ColUPN                 = "upn"
	ColLegalSurname        = "legal_surname"
	ColLegalForename       = "legal_forename"
	ColDateOfBirth         = "date_of_birth"
	ColSchoolURN           = "school_urn"
	ColPreferredSurname    = "preferred_surname"
	ColPreferredForename   = "preferred_forename"
	ColJoinedOn            = "joined_on"
	ColLeftOn              = "left_on"
	ColLeavingReason       = "leaving_reason"
	ColYearGroupOffset     = "year_group_offset"
	ColRiskAsAt            = "risk_as_at"
	ColAttendance          = "attendance_percent"
	ColSuspensions         = "suspensions"
	ColPermanentExclusions = "permanent_exclusions"
	ColSEN                 = "sen_status"
	ColFreeSchoolMeals     = "fsm_eligible"
	ColLookedAfter         = "looked_after"
	ColYoungCarer          = "young_carer"
	ColEAL                 = "eal"
	ColSchoolMoves         = "school_moves"
	ColChildInNeed         = "child_in_need"
	ColAltProvision        = "alternative_provision"
	ColYouthJustice        = "youth_justice"
	ColYoungParent         = "young_parent"
	ColHomeEducated        = "home_educated"
	ColMentalHealth        = "mental_health"
	ColResidenceLACode     = "residence_la_code"
	ColResidentSince       = "resident_since"
)

// flagColumns are the yes/no risk factors after fsm_eligible, young_carer
// and eal.
var flagColumns = []string{ColChildInNeed, ColAltProvision, ColYouthJustice, ColYoungParent, ColHomeEducated, ColMentalHealth}

var required = []string{ColUPN, ColLegalSurname, ColLegalForename, ColDateOfBirth, ColSchoolURN}

var known = map[string]bool{}

func init() {
	for _, c := range append(required, ColPreferredSurname, ColPreferredForename, ColJoinedOn, ColLeftOn,
		ColLeavingReason, ColYearGroupOffset, ColRiskAsAt, ColAttendance, ColSuspensions, ColPermanentExclusions,
		ColSEN, ColFreeSchoolMeals, ColLookedAfter, ColYoungCarer, ColEAL, ColSchoolMoves,
		ColResidenceLACode, ColResidentSince) {
		known[c] = true
	}
	for _, c := range flagColumns {
		known[c] = true
	}
}

// Fields names the columns in problems.
var Fields = intake.Fields{
	UPN: ColUPN, LegalSurname: ColLegalSurname, LegalForename: ColLegalForename,
	PreferredSurname: ColPreferredSurname, PreferredForename: ColPreferredForename,
	DateOfBirth: ColDateOfBirth, SchoolURN: ColSchoolURN, JoinedOn: ColJoinedOn, LeftOn: ColLeftOn,
	LeavingReason: ColLeavingReason, YearGroupOffset: ColYearGroupOffset,
	Attendance: ColAttendance, Suspensions: ColSuspensions, PermanentExclusions: ColPermanentExclusions,
	SchoolMoves: ColSchoolMoves, RiskAsAt: ColRiskAsAt,
	ResidenceLACode: ColResidenceLACode, ResidentSince: ColResidentSince,
}

// Reader reads pupil rows from a CSV file.
type Reader struct {
	csv     *csv.Reader
	columns map[string]int
	width   int
}

// NewReader reads the header row and returns a reader of the rows after it.
// A missing required column or an unknown one (a typo that would silently
// drop data) refuses the file.
func NewReader(r io.Reader) (*Reader, error) {
	c := csv.NewReader(r)
	c.FieldsPerRecord = -1 // a short row is one rejected row, not a failed file
	c.ReuseRecord = true
	header, err := c.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the CSV file is empty: it needs a header row")
		}
		return nil, fileError(err)
	}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		// The name is not echoed: a file without its header row would put
		// a pupil's details here.
		if !known[name] {
			return nil, fmt.Errorf("line 1: column %d is not a column of the layout in the pupil service's README (is the header row missing?)", i+1)
		}
		if _, dup := cols[name]; dup {
			return nil, fmt.Errorf("line 1: column %d repeats an earlier column", i+1)
		}
		cols[name] = i
	}
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			return nil, fmt.Errorf("line 1: required column %q is missing", c)
		}
	}
	return &Reader{csv: c, columns: cols, width: len(header)}, nil
}

// fileError turns a CSV syntax error into one that names its line; it never
// quotes the content.
func fileError(err error) error {
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		return fmt.Errorf("line %d: not valid CSV: %w", perr.StartLine, perr.Err)
	}
	return err
}

// Next returns the next row, or io.EOF after the last.
func (r *Reader) Next() (intake.Row, error) {
	fields, err := r.csv.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return intake.Row{}, io.EOF
		}
		return intake.Row{}, fileError(err)
	}
	line, _ := r.csv.FieldPos(0)
	row := intake.Row{Location: fmt.Sprintf("line %d", line)}
	if len(fields) != r.width {
		row.Reject("", "csv.field_count", fmt.Sprintf("has %d fields, the header has %d", len(fields), r.width))
		return row, nil
	}
	get := func(col string) string {
		if i, ok := r.columns[col]; ok {
			return strings.TrimSpace(fields[i])
		}
		return ""
	}
	p := parser{row: &row, get: get}
	rec := &row.Record
	rec.UPN = get(ColUPN)
	rec.LegalSurname = get(ColLegalSurname)
	rec.LegalForename = get(ColLegalForename)
	rec.PreferredSurname = get(ColPreferredSurname)
	rec.PreferredForename = get(ColPreferredForename)
	rec.SchoolURN = get(ColSchoolURN)
	rec.DateOfBirth = p.date(ColDateOfBirth, true)
	rec.JoinedOn = p.date(ColJoinedOn, false)
	rec.LeftOn = p.date(ColLeftOn, false)
	if s := get(ColLeavingReason); s != "" {
		reason, ok := intake.ParseLeavingReason(s)
		if !ok {
			row.Reject(ColLeavingReason, "leaving_reason.enum", "is not one of the leaving reasons in the README")
		}
		rec.LeavingReason = reason
	}
	if s := get(ColYearGroupOffset); s != "" {
		n, ok := intake.ParseCount(s)
		if !ok {
			row.Reject(ColYearGroupOffset, "year_group_offset.integer", "must be a whole number")
		}
		rec.YearGroupOffset = n
	}
	p.risk()
	p.residence()
	row.Check(Fields)
	return row, nil
}

type parser struct {
	row *intake.Row
	get func(string) string
}

func (p parser) date(col string, required bool) time.Time {
	s := p.get(col)
	if s == "" {
		if required {
			p.row.Reject(col, "date.required", "is required")
		}
		return time.Time{}
	}
	d, ok := intake.ParseDate(s)
	if !ok {
		p.row.Reject(col, "date.format", "must be a date like 2025-09-01")
	}
	return d
}

// residence reads the LA of residence and the day the young person moved
// there; an empty residence_la_code leaves the residence as it was.
func (p parser) residence() {
	la := p.get(ColResidenceLACode)
	since := p.date(ColResidentSince, false)
	if la == "" {
		if !since.IsZero() {
			p.row.Reject(ColResidentSince, "resident_since.without_la", "is given only with residence_la_code")
		}
		return
	}
	p.row.Record.Residence = &intake.Residence{LACode: la, Since: since}
}

// risk reads the risk-factor columns. Each given factor is as at the row's
// risk_as_at date, which is then required; an empty cell leaves the
// factor as it was.
func (p parser) risk() {
	f := &p.row.Record.Risk
	given := false
	for _, c := range append([]string{ColAttendance, ColSuspensions, ColPermanentExclusions, ColSEN, ColFreeSchoolMeals,
		ColLookedAfter, ColYoungCarer, ColEAL, ColSchoolMoves}, flagColumns...) {
		given = given || p.get(c) != ""
	}
	if !given {
		return
	}
	asAt := p.date(ColRiskAsAt, true)
	if s := p.get(ColAttendance); s != "" {
		if v, ok := intake.ParsePercent(s); ok {
			f.Attendance = &risk.Percent{Value: v, AsAt: asAt}
		} else {
			p.row.Reject(ColAttendance, "attendance.number", "must be a percentage like 84.5")
		}
	}
	f.Suspensions = p.count(ColSuspensions, asAt)
	f.PermanentExclusions = p.count(ColPermanentExclusions, asAt)
	f.SchoolMoves = p.count(ColSchoolMoves, asAt)
	if s := p.get(ColSEN); s != "" {
		if v, ok := intake.ParseSEN(s); ok {
			f.SEN = &risk.SENStatus{Value: v, AsAt: asAt}
		} else {
			p.row.Reject(ColSEN, "sen_status.enum", "must be none, sen_support or ehc_plan")
		}
	}
	if s := p.get(ColLookedAfter); s != "" {
		if v, ok := intake.ParseCare(s); ok {
			f.Care = &risk.CareStatus{Value: v, AsAt: asAt}
		} else {
			p.row.Reject(ColLookedAfter, "looked_after.enum", "must be none, looked_after or ever_looked_after")
		}
	}
	f.FreeSchoolMeals = p.flag(ColFreeSchoolMeals, asAt)
	f.YoungCarer = p.flag(ColYoungCarer, asAt)
	f.EAL = p.flag(ColEAL, asAt)
	f.ChildInNeed = p.flag(ColChildInNeed, asAt)
	f.AlternativeProvision = p.flag(ColAltProvision, asAt)
	f.YouthJustice = p.flag(ColYouthJustice, asAt)
	f.YoungParent = p.flag(ColYoungParent, asAt)
	f.HomeEducated = p.flag(ColHomeEducated, asAt)
	f.MentalHealth = p.flag(ColMentalHealth, asAt)
}

func (p parser) count(col string, asAt time.Time) *risk.Count {
	s := p.get(col)
	if s == "" {
		return nil
	}
	n, ok := intake.ParseCount(s)
	if !ok {
		p.row.Reject(col, "count.integer", "must be a whole number")
		return nil
	}
	return &risk.Count{Value: n, AsAt: asAt}
}

func (p parser) flag(col string, asAt time.Time) *risk.Flag {
	s := p.get(col)
	if s == "" {
		return nil
	}
	v, ok := intake.ParseBool(s)
	if !ok {
		p.row.Reject(col, "flag.enum", "must be true or false")
		return nil
	}
	return &risk.Flag{Value: v, AsAt: asAt}
}
