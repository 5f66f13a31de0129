package pupilcsv_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/hygiene"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilcsv"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

func day(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

// readAll reads every row of a CSV file.
func readAll(t testing.TB, r io.Reader) ([]intake.Row, error) {
	t.Helper()
	rd, err := pupilcsv.NewReader(r)
	if err != nil {
		return nil, err
	}
	var rows []intake.Row
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

// rules summarises a row as its location and the rules it broke.
func rules(rows []intake.Row) map[string][]string {
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Location] = []string{}
		for _, p := range r.Problems {
			out[r.Location] = append(out[r.Location], p.Field+":"+p.RuleID)
		}
	}
	return out
}

func TestMixedFile(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/mixed.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := readAll(t, f)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"line 2": {},
		"line 3": {},
		"line 4": {"upn:upn.check_letter"},
		"line 5": {"date_of_birth:date.format"},
		"line 6": {"risk_as_at:date.required", "sen_status:sen_status.enum", "fsm_eligible:flag.enum", "attendance_percent:attendance.range"},
		"line 7": {},
	}
	if diff := cmp.Diff(want, rules(rows)); diff != "" {
		t.Errorf("problems by line (-want +got):\n%s", diff)
	}
	asAt := day("2025-10-01")
	wantFirst := intake.Record{
		UPN: "L336400125001", LegalSurname: "Testperson", LegalForename: "Ada", PreferredForename: "Addie",
		DateOfBirth: day("2013-09-01"), SchoolURN: "100001", JoinedOn: day("2025-09-03"),
		Risk: risk.Factors{
			Attendance:      &risk.Percent{Value: 84.5, AsAt: asAt},
			Suspensions:     &risk.Count{Value: 1, AsAt: asAt},
			SEN:             &risk.SENStatus{Value: risk.SENSupport, AsAt: asAt},
			FreeSchoolMeals: &risk.Flag{Value: true, AsAt: asAt},
			Care:            &risk.CareStatus{Value: risk.CareNone, AsAt: asAt},
			YoungCarer:      &risk.Flag{Value: false, AsAt: asAt},
			EAL:             &risk.Flag{Value: false, AsAt: asAt},
			SchoolMoves:     &risk.Count{Value: 0, AsAt: asAt},
		},
	}
	if diff := cmp.Diff(wantFirst, rows[0].Record); diff != "" {
		t.Errorf("line 2 (-want +got):\n%s", diff)
	}
	wantLeaver := intake.Record{
		UPN: "X33640012500A", LegalSurname: "Temporary", LegalForename: "Flo", DateOfBirth: day("2013-10-10"),
		SchoolURN: "100001", JoinedOn: day("2025-09-03"), LeftOn: day("2026-01-31"),
		LeavingReason: intake.LeftMovedAbroad, YearGroupOffset: -1,
	}
	if diff := cmp.Diff(wantLeaver, rows[5].Record); diff != "" {
		t.Errorf("line 7 (-want +got):\n%s", diff)
	}
}

func TestRowProblems(t *testing.T) {
	t.Parallel()
	const header = "upn,legal_surname,legal_forename,date_of_birth,school_urn,left_on,leaving_reason,year_group_offset\n"
	cases := map[string]struct {
		row  string
		want []string
	}{
		"valid":                     {row: "L336400125001,Test,Ada,2013-09-01,100001,,,", want: []string{}},
		"lowercase UPN":             {row: "l336400125001,Test,Ada,2013-09-01,100001,,,", want: []string{"upn:upn.upper_case"}},
		"short UPN":                 {row: "L33640012500,Test,Ada,2013-09-01,100001,,,", want: []string{"upn:upn.length"}},
		"missing names":             {row: "L336400125001,,,2013-09-01,100001,,,", want: []string{"legal_surname:name.required", "legal_forename:name.required"}},
		"date of birth as d/m/y":    {row: "L336400125001,Test,Ada,01/09/2013,100001,,,", want: []string{"date_of_birth:date.format"}},
		"implausible date of birth": {row: "L336400125001,Test,Ada,1900-01-01,100001,,,", want: []string{"date_of_birth:date_of_birth.range"}},
		"left without a reason":     {row: "L336400125001,Test,Ada,2013-09-01,100001,2026-01-01,,", want: []string{"leaving_reason:leaving_reason.with_left_on"}},
		"unknown leaving reason":    {row: "L336400125001,Test,Ada,2013-09-01,100001,2026-01-01,expelled,", want: []string{"leaving_reason:leaving_reason.enum", "leaving_reason:leaving_reason.with_left_on"}},
		"offset out of range":       {row: "L336400125001,Test,Ada,2013-09-01,100001,,,3", want: []string{"year_group_offset:year_group_offset.range"}},
		"offset not a number":       {row: "L336400125001,Test,Ada,2013-09-01,100001,,,one", want: []string{"year_group_offset:year_group_offset.integer"}},
		"too few fields":            {row: "L336400125001,Test", want: []string{":csv.field_count"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rows, err := readAll(t, strings.NewReader(header+tc.row+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string][]string{"line 2": tc.want}, rules(rows)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileProblems(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		file    string
		wantErr string
	}{
		"empty":                   {file: "", wantErr: "the CSV file is empty: it needs a header row"},
		"required column missing": {file: "upn,legal_surname,legal_forename,date_of_birth\n", wantErr: `line 1: required column "school_urn" is missing`},
		"unknown column":          {file: "upn,legal_surname,legal_forename,date_of_birth,school_urn,shoe_size\n", wantErr: "line 1: column 6 is not a column of the layout in the pupil service's README (is the header row missing?)"},
		"no header row":           {file: "L336400125001,Testperson,Ada,2013-09-01,100001\n", wantErr: "line 1: column 1 is not a column of the layout in the pupil service's README (is the header row missing?)"},
		"column twice":            {file: "upn,upn,legal_surname,legal_forename,date_of_birth,school_urn\n", wantErr: "line 1: column 2 repeats an earlier column"},
		"broken quoting":          {file: "upn,legal_surname,legal_forename,date_of_birth,school_urn\nL336400125001,Te\"st,Ada,2013-09-01,100001\n", wantErr: `line 2: not valid CSV: bare " in non-quoted-field`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := readAll(t, strings.NewReader(tc.file))
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestHeaderWithByteOrderMarkAndCapitals(t *testing.T) {
	t.Parallel()
	rows, err := readAll(t, strings.NewReader("\ufeffUPN,Legal_Surname,legal_forename,date_of_birth,school_urn\r\nL336400125001,Test,Ada,2013-09-01,100001\r\n"))
	if err != nil || len(rows) != 1 || len(rows[0].Problems) != 0 {
		t.Fatalf("rows %+v, err %v", rows, err)
	}
}

// FuzzReader reads arbitrary files. The reader must never panic; the
// rows it returns come in file order, each at a line after the header; a
// rejected row names, for each problem, a column of the layout (or none,
// for a malformed row) and a rule; and a row it accepts holds a record the
// importer may store as it is (see acceptable).
func FuzzReader(f *testing.F) {
	data, err := os.ReadFile("testdata/mixed.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("upn,legal_surname,legal_forename,date_of_birth,school_urn\n\"a\nb\",c,d,e,f\n"))
	f.Add([]byte("\ufeffUPN,Legal_Surname,legal_forename,date_of_birth,school_urn,left_on,leaving_reason\r\nL336400125001,Te\u202est,Ada\x00,9999-12-31,100001,2026-01-31,moved_abroad\r\n"))
	f.Add([]byte("upn,legal_surname,legal_forename,date_of_birth,school_urn,risk_as_at,attendance_percent,suspensions,year_group_offset\nL336400125001,Test,Ada,2013-09-01,100001,2025-10-01,NaN,99999999999999999999,-3\n"))
	columns := map[string]bool{"": true}
	for _, c := range []string{pupilcsv.ColUPN, pupilcsv.ColLegalSurname, pupilcsv.ColLegalForename, pupilcsv.ColDateOfBirth,
		pupilcsv.ColSchoolURN, pupilcsv.ColPreferredSurname, pupilcsv.ColPreferredForename, pupilcsv.ColJoinedOn, pupilcsv.ColLeftOn,
		pupilcsv.ColLeavingReason, pupilcsv.ColYearGroupOffset, pupilcsv.ColRiskAsAt, pupilcsv.ColAttendance, pupilcsv.ColSuspensions,
		pupilcsv.ColPermanentExclusions, pupilcsv.ColSEN, pupilcsv.ColFreeSchoolMeals, pupilcsv.ColLookedAfter, pupilcsv.ColYoungCarer,
		pupilcsv.ColEAL, pupilcsv.ColSchoolMoves} {
		columns[c] = true
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _ := readAll(t, strings.NewReader(string(data)))
		last := 1
		for _, r := range rows {
			var line int
			if _, err := fmt.Sscanf(r.Location, "line %d", &line); err != nil || r.Location != fmt.Sprintf("line %d", line) || line <= last {
				t.Fatalf("row at %q after line %d", r.Location, last)
			}
			last = line
			for _, p := range r.Problems {
				if !columns[p.Field] || p.RuleID == "" || p.Reason == "" {
					t.Fatalf("%s: problem %+v does not name a column and a rule", r.Location, p)
				}
			}
			if len(r.Problems) == 0 {
				if why := acceptable(r.Record); why != "" {
					t.Fatalf("%s accepted with %s", r.Location, why)
				}
			}
		}
	})
}

// acceptable says what is wrong with an accepted record, or "": it must
// have a valid UPN, both legal names, names that are one line of visible
// text within the limit, a plausible date of birth, a leaving reason
// exactly when it has a leaving date (not before it joined), a year group
// offset of at most two, and risk factors in range, each with the date it
// was true as at.
func acceptable(rec intake.Record) string {
	switch {
	case upn.Validate(rec.UPN) != nil:
		return "an invalid UPN"
	case rec.LegalSurname == "" || rec.LegalForename == "":
		return "a legal name missing"
	case rec.DateOfBirth.Before(time.Date(1990, time.January, 1, 0, 0, 0, 0, time.UTC)):
		return "no plausible date of birth"
	case rec.LeftOn.IsZero() != (rec.LeavingReason == ""):
		return "a leaving date without a reason or a reason without a date"
	case !rec.LeftOn.IsZero() && rec.LeftOn.Before(rec.JoinedOn):
		return "a leaving date before the joining date"
	case rec.YearGroupOffset < -2 || rec.YearGroupOffset > 2:
		return "a year group offset out of range"
	}
	for _, n := range []string{rec.LegalSurname, rec.LegalForename, rec.PreferredSurname, rec.PreferredForename} {
		if len(n) > intake.MaxNameLength || hygiene.Name(n) != nil {
			return "a name too long, or not one line of visible text"
		}
	}
	if a := rec.Risk.Attendance; a != nil && !(a.Value >= 0 && a.Value <= 100) {
		return "attendance out of range"
	}
	for _, c := range []*risk.Count{rec.Risk.Suspensions, rec.Risk.PermanentExclusions, rec.Risk.SchoolMoves} {
		if c != nil && (c.Value < 0 || c.Value > 1000) {
			return "a count out of range"
		}
	}
	why := ""
	rec.Risk.Each(func(factor string, asAt time.Time) {
		if asAt.IsZero() {
			why = "the " + factor + " factor without a date"
		}
	})
	return why
}
