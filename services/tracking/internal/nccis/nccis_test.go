package nccis

import (
	"testing"

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
	}
}
