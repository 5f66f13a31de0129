package yeargroup_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestOf(t *testing.T) {
	t.Parallel()
	y2025 := yeargroup.AcademicYear{Start: 2025}
	cases := map[string]struct {
		born   string
		offset int
		year   yeargroup.AcademicYear
		want   int
	}{
		"born 1 September 2013: oldest in Year 7": {born: "2013-09-01", year: y2025, want: 7},
		"born 31 August 2014: youngest in Year 7": {born: "2014-08-31", year: y2025, want: 7},
		"born 31 August 2013: youngest in Year 8": {born: "2013-08-31", year: y2025, want: 8},
		"born 1 September 2014: oldest in Year 6": {born: "2014-09-01", year: y2025, want: 6},
		"leap day":                                  {born: "2012-02-29", year: y2025, want: 9},
		"Year 11 in 2025/26":                        {born: "2010-01-15", year: y2025, want: 11},
		"a year later, a year group up":             {born: "2013-09-01", year: yeargroup.AcademicYear{Start: 2026}, want: 8},
		"taught a year behind":                      {born: "2013-09-01", offset: -1, year: y2025, want: 6},
		"taught a year ahead":                       {born: "2014-08-31", offset: 1, year: y2025, want: 8},
		"born 31 August 2010: Year 11, not Year 10": {born: "2010-08-31", year: y2025, want: 11},
		"born 31 August 2009: Year 12 (sixth form)": {born: "2009-08-31", year: y2025, want: 12},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := yeargroup.Of(date(tc.born), tc.offset, tc.year); got != tc.want {
				t.Errorf("Of(%s, %d, %s) = %d, want %d", tc.born, tc.offset, tc.year, got, tc.want)
			}
			// EntryFor inverts Of, so cohort queries find the same pupils.
			if got := yeargroup.EntryFor(tc.year, tc.want); got != yeargroup.Entry(date(tc.born), tc.offset) {
				t.Errorf("EntryFor = %d, Entry = %d", got, yeargroup.Entry(date(tc.born), tc.offset))
			}
		})
	}
}

func TestParseAcademicYear(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		in      string
		want    yeargroup.AcademicYear
		wantErr bool
	}{
		"2025/26":              {in: "2025/26", want: yeargroup.AcademicYear{Start: 2025}},
		"across a century":     {in: "2099/00", want: yeargroup.AcademicYear{Start: 2099}},
		"second year not next": {in: "2025/27", wantErr: true},
		"four-digit second":    {in: "2025/2026", wantErr: true},
		"no slash":             {in: "2025-26", wantErr: true},
		"empty":                {in: "", wantErr: true},
		"letters":              {in: "abcd/ef", wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := yeargroup.ParseAcademicYear(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); !tc.wantErr && diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !tc.wantErr && got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestContaining(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		day  string
		want string
	}{
		"31 August is the end of the year":  {day: "2026-08-31", want: "2025/26"},
		"1 September starts the next":       {day: "2026-09-01", want: "2026/27"},
		"January is in the year that began": {day: "2026-01-10", want: "2025/26"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := yeargroup.Containing(date(tc.day)).String(); got != tc.want {
				t.Errorf("Containing(%s) = %s, want %s", tc.day, got, tc.want)
			}
		})
	}
}
