package ctf_test

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/hygiene"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/ctf"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

func day(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

func readAll(r io.Reader) ([]intake.Row, error) {
	rd, err := ctf.NewReader(r, "100001")
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

func sample(t testing.TB) string {
	t.Helper()
	return readFile(t, "testdata/sample.xml")
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestSample(t *testing.T) {
	t.Parallel()
	rows, err := readAll(strings.NewReader(sample(t)))
	if err != nil {
		t.Fatal(err)
	}
	asAt := day("2025-07-15") // the header's DateTime
	want := []intake.Row{
		{
			Location: "Pupil 1 (line 22)",
			Record: intake.Record{
				UPN: "L336400125001", LegalSurname: "Testperson", LegalForename: "Ada",
				PreferredSurname: "Testperson", PreferredForename: "Addie",
				DateOfBirth: day("2014-03-02"), SchoolURN: "100001",
				Risk: risk.Factors{
					// (380 - 30 - 29) / 380 sessions of the last year.
					Attendance:      &risk.Percent{Value: 84.5, AsAt: asAt},
					SEN:             &risk.SENStatus{Value: risk.SENEHCPlan, AsAt: asAt},
					FreeSchoolMeals: &risk.Flag{Value: true, AsAt: asAt},
					Care:            &risk.CareStatus{Value: risk.CareLookedAfter, AsAt: asAt},
				},
			},
		},
		{
			Location: "Pupil 2 (line 50)",
			Record: intake.Record{UPN: "A336400125002", LegalSurname: "Samplename", LegalForename: "Bo",
				DateOfBirth: day("2014-08-31"), SchoolURN: "100001"},
		},
		{
			Location: "Pupil 3 (line 56)",
			Record:   intake.Record{UPN: "Q336400125002", LegalSurname: "Wrongcheck", LegalForename: "Cy", SchoolURN: "100001"},
			Problems: []intake.Problem{
				{Field: "DOB", RuleID: "date.format", Reason: "must be a date like 2012-05-01"},
				{Field: "UPN", RuleID: "upn.check_letter", Reason: "check letter does not match"},
			},
		},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestStandards reads testdata/standards.xml: a mid-year mover's
// attendance summed over both schools' rows of the latest Year (not the
// last row in the file), first languages and EAL, school moves from the
// history, KS2 scaled scores, 1/0 booleans, and pupils rejected for an
// unknown assessment subject, a score out of range or a boolean that is
// neither, while the others import.
func TestStandards(t *testing.T) {
	t.Parallel()
	rows, err := readAll(strings.NewReader(readFile(t, "testdata/standards.xml")))
	if err != nil {
		t.Fatal(err)
	}
	asAt := day("2025-09-10") // the header's DateTime
	want := []intake.Row{
		{
			Location: "Pupil 1 (line 27)",
			Record: intake.Record{
				UPN: "Y660200112001", LegalSurname: "Moverton", LegalForename: "Cai",
				DateOfBirth: day("2014-01-15"), SchoolURN: "100001",
				Risk: risk.Factors{
					// 2024 at both schools: (200 + 180 - 10 - 5 - 5 - 20) / (200 + 180),
					// not 2024 at the last school alone (86.1%).
					Attendance:  &risk.Percent{Value: 89.5, AsAt: asAt},
					Care:        &risk.CareStatus{Value: risk.CareLookedAfter, AsAt: asAt},
					EAL:         &risk.Flag{Value: true, AsAt: asAt},
					SchoolMoves: &risk.Count{Value: 2, AsAt: asAt},
				},
				FirstLanguage: &intake.Language{Code: "WEL", AsAt: asAt},
			},
		},
		{
			Location: "Pupil 2 (line 53)",
			Record: intake.Record{
				UPN: "P336400125003", LegalSurname: "Scorewell", LegalForename: "Dee",
				DateOfBirth: day("2014-05-20"), SchoolURN: "100001",
				Risk: risk.Factors{
					Care:        &risk.CareStatus{Value: risk.CareNone, AsAt: asAt},
					EAL:         &risk.Flag{Value: false, AsAt: asAt},
					SchoolMoves: &risk.Count{Value: 0, AsAt: asAt},
				},
				FirstLanguage: &intake.Language{Code: "ENG", AsAt: asAt},
				KS2Reading:    &intake.Score{Value: 104, AsAt: asAt},
				KS2Maths:      &intake.Score{Value: 98, AsAt: asAt},
			},
		},
		{
			Location: "Pupil 3 (line 87)",
			Record: intake.Record{UPN: "D336400125004", LegalSurname: "Oddcode", LegalForename: "Eve",
				DateOfBirth: day("2014-06-01"), SchoolURN: "100001"},
			Problems: []intake.Problem{
				{Field: "StageAssessments/KeyStage/StageAssessment/Subject", RuleID: "assessment.subject",
					Reason: "a KS2 test result must be for a known test subject (ENG reading or MAT maths)"},
				{Field: "StageAssessments/KeyStage/StageAssessment/Result", RuleID: "assessment.range",
					Reason: "a KS2 scaled score must be from 80 to 120"},
			},
		},
		{
			Location: "Pupil 4 (line 100)",
			Record: intake.Record{UPN: "T336400125005", LegalSurname: "Plainview", LegalForename: "Fay",
				DateOfBirth: day("2014-07-07"), SchoolURN: "100001",
				Risk: risk.Factors{Care: &risk.CareStatus{Value: risk.CareNone, AsAt: asAt}}},
			Problems: []intake.Problem{
				{Field: "LookedAfter/InCare", RuleID: "flag.enum", Reason: "must be true or false (or 1 or 0)"},
			},
		},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestAttendanceByYear checks that attendance is the latest Year's, with
// every row of that Year added up, whatever order the rows come in.
func TestAttendanceByYear(t *testing.T) {
	t.Parallel()
	row := func(year, possible, authorised, unauthorised string) string {
		return "<YearData><Year>" + year + "</Year><SessionsPossible>" + possible + "</SessionsPossible><SessionsAuthorised>" +
			authorised + "</SessionsAuthorised><SessionsUnauthorised>" + unauthorised + "</SessionsUnauthorised></YearData>"
	}
	cases := map[string]struct {
		rows     []string
		want     *risk.Percent
		wantRule string
	}{
		"one row":                      {rows: []string{row("2024", "100", "5", "5")}, want: &risk.Percent{Value: 90}},
		"latest year first":            {rows: []string{row("2024", "100", "5", "5"), row("2023", "100", "50", "0")}, want: &risk.Percent{Value: 90}},
		"latest year last":             {rows: []string{row("2023", "100", "50", "0"), row("2024", "100", "5", "5")}, want: &risk.Percent{Value: 90}},
		"two schools in a year":        {rows: []string{row("2024", "100", "0", "0"), row("2023", "10", "10", "0"), row("2024", "300", "40", "0")}, want: &risk.Percent{Value: 90}},
		"a row without sessions":       {rows: []string{row("2024", "", "", ""), row("2023", "100", "0", "1")}, want: &risk.Percent{Value: 99}},
		"no sessions in the year":      {rows: []string{row("2024", "0", "0", "0"), row("2023", "100", "0", "1")}, wantRule: "attendance.sessions"},
		"a row without a year":         {rows: []string{row("", "100", "0", "0")}, wantRule: "attendance.year"},
		"a row with absences too many": {rows: []string{row("2024", "100", "0", "0"), row("2024", "10", "11", "0")}, wantRule: "attendance.sessions"},
		"sums that overflow":           {rows: []string{row("2024", "9223372036854775807", "0", "0"), row("2024", "1", "0", "0")}, wantRule: "attendance.sessions"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			row, rules := readPupil(t, "<Attendance>"+strings.Join(tc.rows, "")+"</Attendance>")
			if tc.wantRule != "" {
				if diff := cmp.Diff([]string{tc.wantRule}, rules); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
				return
			}
			if tc.want != nil {
				tc.want.AsAt = day("2025-07-15")
			}
			if diff := cmp.Diff(tc.want, row.Record.Risk.Attendance); diff != "" || len(rules) > 0 {
				t.Errorf("problems %v, attendance (-want +got):\n%s", rules, diff)
			}
		})
	}
}

// readPupil reads a file of one pupil, B801200005001, with elements after
// the date of birth, as at 2025-07-15; it returns the row and the rules of
// its problems.
func readPupil(t *testing.T, elements string) (intake.Row, []string) {
	t.Helper()
	file := "<CTfile><Header><DateTime>2025-07-15T10:00:00</DateTime></Header><CTFpupilData><Pupil>" +
		"<UPN>B801200005001</UPN><Surname>Test</Surname><Forename>Ada</Forename><DOB>2013-09-01</DOB>" +
		elements + "</Pupil></CTFpupilData></CTfile>"
	rows, err := readAll(strings.NewReader(file))
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d rows, err %v", len(rows), err)
	}
	var rules []string
	for _, p := range rows[0].Problems {
		rules = append(rules, p.RuleID)
	}
	return rows[0], rules
}

// TestKS2 reads KS2 results: which are kept as scaled scores, which are
// skipped, and which reject the pupil.
func TestKS2(t *testing.T) {
	t.Parallel()
	result := func(year, subject, component, value string) string {
		return "<StageAssessment><Year>" + year + "</Year><Subject>" + subject + "</Subject><Component>" + component +
			"</Component><Result>" + value + "</Result></StageAssessment>"
	}
	stage := func(code string, results ...string) string {
		return "<KeyStage><Stage>" + code + "</Stage>" + strings.Join(results, "") + "</KeyStage>"
	}
	type scores struct{ Reading, Maths int }
	cases := map[string]struct {
		stages    []string
		want      scores
		wantRules []string
	}{
		"reading and maths": {stages: []string{stage("KS2", result("2025", "ENG", "REA", "104"), result("2025", "MAT", "MAT", "98"))},
			want: scores{104, 98}},
		"maths without a component": {stages: []string{stage("KS2", result("2025", "MAT", "", "120"))}, want: scores{0, 120}},
		"the latest year, in any order": {stages: []string{stage("KS2", result("2025", "ENG", "REA", "101"), result("2024", "ENG", "REA", "95"))},
			want: scores{101, 0}},
		"teacher assessments skipped":             {stages: []string{stage("KS2", result("2025", "ENG", "REA", "EXS"), result("2025", "SCI", "", "HNM"))}},
		"grammar and another maths check skipped": {stages: []string{stage("KS2", result("2025", "ENG", "GPS", "111"), result("2025", "MAT", "MTC", "20"))}},
		"other key stages skipped":                {stages: []string{stage("KS1", result("2019", "PHO", "PHO", "34"), result("2019", "XYZ", "", "1"))}},
		"the lowest and highest scores":           {stages: []string{stage("KS2", result("2025", "ENG", "REA", "80"), result("2025", "MAT", "MAT", "120"))}, want: scores{80, 120}},
		"below the range":                         {stages: []string{stage("KS2", result("2025", "ENG", "REA", "79"))}, wantRules: []string{"assessment.range"}},
		"a number too long to be a score":         {stages: []string{stage("KS2", result("2025", "MAT", "MAT", "99999999999999999999"))}, wantRules: []string{"assessment.range"}},
		"an unknown test subject":                 {stages: []string{stage("KS2", result("2025", "XYZ", "", "100"), result("2025", "ENG", "REA", "104"))}, wantRules: []string{"assessment.subject"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			row, rules := readPupil(t, "<StageAssessments>"+strings.Join(tc.stages, "")+"</StageAssessments>")
			if diff := cmp.Diff(tc.wantRules, rules); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			var got scores
			if s := row.Record.KS2Reading; s != nil {
				got.Reading = s.Value
			}
			if s := row.Record.KS2Maths; s != nil {
				got.Maths = s.Value
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileProblems(t *testing.T) {
	t.Parallel()
	full := sample(t)
	cut := strings.Index(full, "<Pupil>\n      <UPN>A336")
	cases := map[string]struct {
		file    string
		wantErr string
	}{
		"cut off inside a pupil":   {file: full[:cut+40], wantErr: "line 52: not well-formed XML (the file may be cut off)"},
		"cut off between pupils":   {file: full[:cut], wantErr: "line 50: not well-formed XML (the file may be cut off)"},
		"cut off after the pupils": {file: strings.SplitN(full, "</CTfile>", 2)[0], wantErr: "line 63: not well-formed XML (the file may be cut off)"},
		"not XML":                  {file: "upn,surname\n", wantErr: "the file ends before CTFpupilData"},
		"no pupil data":            {file: "<CTfile><Header><DateTime>2025-07-15T10:00:00</DateTime></Header></CTfile>", wantErr: "the file ends before CTFpupilData"},
		"no date":                  {file: "<CTfile><Header></Header><CTFpupilData></CTFpupilData></CTfile>", wantErr: "the CTF header has no DateTime, so its data has no date"},
		"bad date":                 {file: "<CTfile><Header><DateTime>yesterday</DateTime></Header><CTFpupilData/></CTfile>", wantErr: "line 1: Header/DateTime must be like 2025-07-15T10:00:00"},
		"pupil data misplaced":     {file: "<Other><CTFpupilData></CTFpupilData></Other>", wantErr: "not a Common Transfer File: CTfile/CTFpupilData not found"},
		"huge element":             {file: "<CTfile><Header><X>" + strings.Repeat("a", 5000) + "</X></Header></CTfile>", wantErr: "line 1: an element's text is too long"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := readAll(strings.NewReader(tc.file))
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// FuzzReader reads arbitrary files. The reader must never panic; the
// pupils it returns are numbered in file order and all put in the school
// receiving the file; a rejected pupil names, for each problem, an element
// of the layout and a rule; and a pupil it accepts holds a record the
// importer may store as it is (see acceptable).
func FuzzReader(f *testing.F) {
	f.Add(sample(f))
	f.Add(readFile(f, "testdata/standards.xml"))
	f.Add("<CTfile><Header><DateTime>2025-07-15T10:00:00</DateTime></Header><CTFpupilData><Pupil><UPN>B801200005001</UPN></Pupil></CTFpupilData></CTfile>")
	f.Add("<CTfile><Header><DateTime>9999-12-31T23:59:59</DateTime></Header><CTFpupilData><Pupil><UPN>B801200005001</UPN><Surname>Te&#x202e;st</Surname>" +
		"<Forename>Ada&#0;</Forename><DOB>2013-09-01</DOB><Attendance><YearData><SessionsPossible>9223372036854775807</SessionsPossible>" +
		"<SessionsAuthorised>9223372036854775807</SessionsAuthorised><SessionsUnauthorised>2</SessionsUnauthorised></YearData></Attendance>" +
		"<SENhistory><SEN><SENprovision>K</SENprovision></SEN></SENhistory><LookedAfter><InCare>maybe</InCare></LookedAfter></Pupil></CTFpupilData></CTfile>")
	elements := map[string]bool{}
	for _, e := range []string{ctf.Fields.UPN, ctf.Fields.LegalSurname, ctf.Fields.LegalForename, ctf.Fields.PreferredSurname,
		ctf.Fields.PreferredForename, ctf.Fields.DateOfBirth, ctf.Fields.SchoolURN, ctf.Fields.Attendance, ctf.Fields.RiskAsAt,
		"LookedAfter/InCare", "SENhistory/SEN/SENprovision", ctf.Fields.SchoolMoves, ctf.FieldLanguage,
		"StageAssessments/KeyStage/StageAssessment/Subject", "StageAssessments/KeyStage/StageAssessment/Result"} {
		elements[e] = true
	}
	f.Fuzz(func(t *testing.T, data string) {
		rows, _ := readAll(strings.NewReader(data))
		for i, r := range rows {
			if want := fmt.Sprintf("Pupil %d (line ", i+1); !strings.HasPrefix(r.Location, want) {
				t.Fatalf("pupil %d is at %q", i+1, r.Location)
			}
			if r.Record.SchoolURN != "100001" {
				t.Fatalf("%s: put in school %q, not the one receiving the file", r.Location, r.Record.SchoolURN)
			}
			for _, p := range r.Problems {
				if !elements[p.Field] || p.RuleID == "" || p.Reason == "" {
					t.Fatalf("%s: problem %+v does not name an element and a rule", r.Location, p)
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

// FuzzAttendance reads a pupil whose attendance is given in sessions and
// checks the reader against exact arithmetic: the pupil is accepted exactly
// when the counts are whole numbers, there were sessions, and the absences
// (none if empty), none negative, add up to no more than them; then with
// the percentage attended, to one decimal place. An empty count of
// sessions means attendance is not known.
func FuzzAttendance(f *testing.F) {
	for _, s := range [][3]string{{"380", "10", "5"}, {"1", "", ""}, {"0", "0", "0"}, {"10", "11", "0"}, {"10", "5", "6"}, {"10", "-1", ""},
		{"+10", " 5 ", "007"}, {"", "1", "1"}, {"9223372036854775807", "0", "0"}, {"9223372036854775808", "0", "0"}, {"1e3", "0", "0"},
		// Absences so large that their sum overflows an int64 (once read
		// as 102% attended, refused for its range rather than its sessions,
		// or as -0% and accepted).
		{"100", "9223372036854775807", "9223372036854775807"}, {"9223372036854775807", "9223372036854775807", "2"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, possible, authorised, unauthorised string) {
		for _, s := range []string{possible, authorised, unauthorised} {
			if len(s) > 100 || strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r > '~' || r == '<' || r == '&' || r == '>' }) >= 0 {
				t.Skip("not a short line of plain text")
			}
		}
		file := "<CTfile><Header><DateTime>2025-07-15T10:00:00</DateTime></Header><CTFpupilData><Pupil>" +
			"<UPN>B801200005001</UPN><Surname>Test</Surname><Forename>Ada</Forename><DOB>2013-09-01</DOB>" +
			"<Attendance><YearData><Year>2024</Year><SessionsPossible>" + possible + "</SessionsPossible><SessionsAuthorised>" + authorised +
			"</SessionsAuthorised><SessionsUnauthorised>" + unauthorised + "</SessionsUnauthorised></YearData></Attendance></Pupil></CTFpupilData></CTfile>"
		rows, err := readAll(strings.NewReader(file))
		if err != nil || len(rows) != 1 {
			t.Fatalf("%d rows, err %v", len(rows), err)
		}
		row := rows[0]
		if strings.TrimSpace(possible) == "" {
			if len(row.Problems) != 0 || row.Record.Risk.Attendance != nil {
				t.Fatalf("no sessions: problems %+v, attendance %+v", row.Problems, row.Record.Risk.Attendance)
			}
			return
		}
		count := func(s string) (*big.Int, bool) {
			s = strings.TrimSpace(s)
			if s == "" {
				return new(big.Int), true
			}
			n, err := strconv.ParseInt(s, 10, 64)
			return big.NewInt(n), err == nil
		}
		p, ok1 := count(possible)
		a, ok2 := count(authorised)
		u, ok3 := count(unauthorised)
		absent := new(big.Int).Add(a, u)
		valid := ok1 && ok2 && ok3 && p.Sign() > 0 && a.Sign() >= 0 && u.Sign() >= 0 && absent.Cmp(p) <= 0
		if !valid {
			if len(row.Problems) != 1 || row.Problems[0].RuleID != "attendance.sessions" {
				t.Fatalf("sessions %q, absences %q + %q: problems %+v, want attendance.sessions", possible, authorised, unauthorised, row.Problems)
			}
			return
		}
		if len(row.Problems) != 0 || row.Record.Risk.Attendance == nil {
			t.Fatalf("sessions %q, absences %q + %q: refused (%+v)", possible, authorised, unauthorised, row.Problems)
		}
		// The exact percentage, in tenths: 1000 * attended / possible.
		tenths, _ := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(1000), new(big.Int).Sub(p, absent)), p).Float64()
		if got := row.Record.Risk.Attendance.Value; math.Abs(got*10-tenths) > 1 {
			t.Fatalf("sessions %q, absences %q + %q: attendance %v%%, want %.2f%%", possible, authorised, unauthorised, got, tenths/10)
		}
	})
}

// acceptable says what is wrong with an accepted record, or "": it must
// have a valid UPN, both legal names, names that are one line of visible
// text within the limit, a plausible date of birth, and risk factors in
// range, each with the date it was true as at.
func acceptable(rec intake.Record) string {
	switch {
	case upn.Validate(rec.UPN) != nil:
		return "an invalid UPN"
	case rec.LegalSurname == "" || rec.LegalForename == "":
		return "a legal name missing"
	case rec.DateOfBirth.Before(time.Date(1990, time.January, 1, 0, 0, 0, 0, time.UTC)):
		return "no plausible date of birth"
	case !rec.LeftOn.IsZero() || rec.LeavingReason != "" || rec.YearGroupOffset != 0:
		return "enrolment details a CTF does not carry"
	}
	for _, n := range []string{rec.LegalSurname, rec.LegalForename, rec.PreferredSurname, rec.PreferredForename} {
		if len(n) > intake.MaxNameLength || hygiene.Name(n) != nil {
			return "a name too long, or not one line of visible text"
		}
	}
	if a := rec.Risk.Attendance; a != nil && !(a.Value >= 0 && a.Value <= 100) {
		return "attendance out of range"
	}
	for _, s := range []*intake.Score{rec.KS2Reading, rec.KS2Maths} {
		if s != nil && (s.Value < intake.MinKS2Score || s.Value > intake.MaxKS2Score || s.AsAt.IsZero()) {
			return "a KS2 scaled score out of range or without a date"
		}
	}
	if l := rec.FirstLanguage; l != nil && (len(l.Code) < 3 || len(l.Code) > 4 || l.AsAt.IsZero()) {
		return "a first language that is not a code, or without a date"
	}
	why := ""
	rec.Risk.Each(func(factor string, asAt time.Time) {
		if asAt.IsZero() {
			why = "the " + factor + " factor without a date"
		}
	})
	return why
}
