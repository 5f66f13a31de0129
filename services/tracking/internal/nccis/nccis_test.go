package nccis

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestClassification(t *testing.T) {
	t.Parallel()
	type class struct{ Found, Known, NEET, EET bool }
	cases := map[string]struct {
		code string
		want class
	}{
		"school sixth form":            {code: "210", want: class{Found: true, Known: true, EET: true}},
		"further education":            {code: "230", want: class{Found: true, Known: true, EET: true}},
		"apprenticeship":               {code: "310", want: class{Found: true, Known: true, EET: true}},
		"440 is DWP training":          {code: "440", want: class{Found: true, Known: true, EET: true}},
		"re-engagement is neither":     {code: "530", want: class{Found: true, Known: true}},
		"working not for reward":       {code: "540", want: class{Found: true, Known: true, NEET: true}},
		"seeking":                      {code: "619", want: class{Found: true, Known: true, NEET: true}},
		"start date agreed":            {code: "616", want: class{Found: true, Known: true, NEET: true}},
		"young carer":                  {code: "620", want: class{Found: true, Known: true, NEET: true}},
		"custody is known, not EET":    {code: "710", want: class{Found: true, Known: true}},
		"not known":                    {code: "810", want: class{Found: true}},
		"cannot be contacted":          {code: "820", want: class{Found: true}},
		"refused to disclose":          {code: "830", want: class{Found: true}},
		"pre-16, not known":            {code: "150", want: class{Found: true}},
		"pre-16, registered at school": {code: "110", want: class{Found: true, Known: true}},
		"not in the table":             {code: "999", want: class{}},
		"a retired code is not in it":  {code: "170", want: class{}},
		"empty":                        {code: "", want: class{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, ok := Lookup(tc.code)
			got := class{Found: ok, Known: c.Group.Known(), NEET: c.Group.NEET(), EET: c.Group.EET()}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("class of %q (-want +got):\n%s", tc.code, diff)
			}
		})
	}
}

// TestTableIsWellFormed keeps the table in code order, without repeats,
// with every 8xx code in the not-known group and no other code there but
// 150 (the compulsory-school-age "not known").
func TestTableIsWellFormed(t *testing.T) {
	t.Parallel()
	prev := ""
	for _, c := range Table {
		if len(c.Code) != 3 || c.Code <= prev {
			t.Errorf("code %q is out of order or malformed after %q", c.Code, prev)
		}
		prev = c.Code
		if (c.Code[0] == '8' || c.Code == "150") != (c.Group == GroupNotKnown) {
			t.Errorf("code %s is in group %s", c.Code, c.Group)
		}
		if c.Description == "" {
			t.Errorf("code %s has no description", c.Code)
		}
		// Whoever meets the duty to participate is in education,
		// employment or training; the converse does not hold.
		if c.Participating && !c.Group.EET() {
			t.Errorf("code %s participates but is in group %s", c.Code, c.Group)
		}
	}
}

// TestParticipating checks the table against DfE's list of participating
// activities (see the note on Table), code by code.
func TestParticipating(t *testing.T) {
	t.Parallel()
	participating := map[string]bool{}
	for _, code := range []string{
		"210", "220", "230", "240", "270", "280", "290", // full-time education and training
		"310",               // apprenticeship
		"410", "450", "460", // work-based learning
		"250",               // part-time education
		"320", "381", "550", // employment, self-employment or volunteering with regulated study
		"430", // other training
	} {
		participating[code] = true
	}
	cases := map[string]struct {
		code string
		want bool
	}{
		"sixth form":                      {"210", true},
		"custodial institution":           {"290", true},
		"part-time education":             {"250", true},
		"apprenticeship":                  {"310", true},
		"employment with regulated study": {"320", true},
		"self-employment with study":      {"381", true},
		"volunteering with study":         {"550", true},
		"traineeship":                     {"450", true},
		"other training":                  {"430", true},
		"gap year":                        {"260", false},
		"re-engagement":                   {"530", false},
		"start date agreed (RPA)":         {"616", false},
		"employment without training":     {"330", false},
		"self-employment":                 {"380", false},
		"DWP programme":                   {"440", false},
		"seeking":                         {"619", false},
		"custody":                         {"710", false},
		"refugee":                         {"720", false},
		"compulsory school age":           {"110", false},
		"not known":                       {"810", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, ok := Lookup(tc.code)
			if !ok || c.Participating != tc.want {
				t.Errorf("%s: participating = %v (found %v), want %v", tc.code, c.Participating, ok, tc.want)
			}
		})
	}
	for _, c := range Table {
		if c.Participating != participating[c.Code] {
			t.Errorf("%s: participating = %v, DfE's list says %v", c.Code, c.Participating, participating[c.Code])
		}
	}
}

func TestRetired(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := map[string]struct {
		code        string
		on          string
		wantRetired bool
		wantInUse   bool
	}{
		"720 today":                          {"720", "2026-11-30", true, false},
		"720 on the day it went":             {"720", "2018-04-01", true, false},
		"720 the day before (an old record)": {"720", "2018-03-31", true, true},
		"a code in use":                      {"230", "2026-11-30", false, true},
		"a code in use, long ago":            {"230", "2001-09-01", false, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, _ := Lookup(tc.code)
			if c.Retired() != tc.wantRetired || c.InUseOn(day(tc.on)) != tc.wantInUse {
				t.Errorf("%s on %s: retired %v, in use %v; want %v, %v", tc.code, tc.on, c.Retired(), c.InUseOn(day(tc.on)), tc.wantRetired, tc.wantInUse)
			}
		})
	}
	for _, c := range Table {
		if c.Retired() && c.Code != "720" {
			t.Errorf("%s is retired: add it to TestRetired's cases", c.Code)
		}
	}
}
