package ctf_test

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
	data, err := os.ReadFile("testdata/sample.xml")
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
		"cut off after the pupils": {file: full[:strings.Index(full, "</CTfile>")], wantErr: "line 63: not well-formed XML (the file may be cut off)"},
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

// FuzzReader checks that no input panics the reader and that every pupil
// it accepts has a valid UPN and a date of birth.
func FuzzReader(f *testing.F) {
	f.Add(sample(f))
	f.Add("<CTfile><Header><DateTime>2025-07-15T10:00:00</DateTime></Header><CTFpupilData><Pupil><UPN>B801200005001</UPN></Pupil></CTFpupilData></CTfile>")
	f.Fuzz(func(t *testing.T, data string) {
		rows, _ := readAll(strings.NewReader(data))
		for _, r := range rows {
			if len(r.Problems) > 0 {
				continue
			}
			if upn.Validate(r.Record.UPN) != nil || r.Record.DateOfBirth.IsZero() {
				t.Fatalf("%s accepted with UPN or date of birth invalid", r.Location)
			}
		}
	})
}
