package currency_test

import (
	"testing"
	"time"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/currency"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/nccis"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestLapsesOn(t *testing.T) {
	t.Parallel()
	c := currency.Default()
	for name, tc := range map[string]struct {
		group       nccis.Group
		ascertained string
		reviewOn    string
		want        string
		currentOn   string
		wantCurrent bool
	}{
		"education, a year":               {nccis.GroupEducation, "2026-09-15", "", "2027-09-15", "2027-09-14", true},
		"education, on the day it lapses": {nccis.GroupEducation, "2026-09-15", "", "2027-09-15", "2027-09-15", false},
		"a course ending sooner":          {nccis.GroupEducation, "2026-09-15", "2027-06-30", "2027-06-30", "2027-07-01", false},
		"a review date after the period":  {nccis.GroupTraining, "2026-09-15", "2028-06-30", "2027-09-15", "2027-01-01", true},
		"employment, six months":          {nccis.GroupEmployment, "2026-01-31", "", "2026-08-01", "2026-07-31", true},
		"NEET, three months":              {nccis.GroupNEET, "2026-11-30", "", "2027-03-01", "2027-03-01", false},
		"not known is never current":      {nccis.GroupNotKnown, "2026-11-30", "", "", "2026-11-30", false},
	} {
		review := time.Time{}
		if tc.reviewOn != "" {
			review = day(tc.reviewOn)
		}
		got := c.LapsesOn(tc.group, day(tc.ascertained), review)
		if want := tc.want; (want == "" && !got.IsZero()) || (want != "" && !got.Equal(day(want))) {
			t.Errorf("%s: lapses on %s, want %s", name, got.Format(time.DateOnly), want)
		}
		if currency.Current(got, day(tc.currentOn)) != tc.wantCurrent {
			t.Errorf("%s: current on %s = %v", name, tc.currentOn, !tc.wantCurrent)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	all := "  - {groups: [education, training, compulsory_school_age], days: 300}\n  - {groups: [employment, other], days: 150}\n"
	c, err := currency.Parse([]byte("rules:\n" + all + "  - {groups: [neet, re_engagement], days: 60}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.LapsesOn(nccis.GroupNEET, day("2026-01-01"), time.Time{}); !got.Equal(day("2026-03-02")) {
		t.Errorf("NEET lapses on %s", got.Format(time.DateOnly))
	}
	for name, tc := range map[string]struct{ file, want string }{
		"a gap":          {"rules:\n" + all, "currency: rules: no rule gives re_engagement a period"},
		"an overlap":     {"rules:\n" + all + "  - {groups: [neet, re_engagement, employment], days: 60}\n", "currency: rules[2].groups: employment is in rules[1] too"},
		"not known":      {"rules:\n" + all + "  - {groups: [neet, re_engagement, not_known], days: 60}\n", `currency: rules[2].groups: "not_known" is not a group of known activities (education, employment, training, re_engagement, neet, other, compulsory_school_age)`},
		"no days":        {"rules:\n" + all + "  - {groups: [neet, re_engagement], days: 0}\n", "currency: rules[2].days: must be 1 to 1095"},
		"an unknown key": {"rules:\n" + all + "  - {groups: [neet, re_engagement], dayz: 60}\n", `currency: error unmarshaling JSON: while decoding JSON: json: unknown field "dayz"`},
	} {
		if _, err := currency.Parse([]byte(tc.file)); err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}
