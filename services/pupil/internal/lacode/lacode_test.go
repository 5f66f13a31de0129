package lacode_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/lacode"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	type result struct{ Known, Current bool }
	cases := map[string]struct {
		code string
		want result
	}{
		"Wolverhampton":             {code: "336", want: result{true, true}},
		"Birmingham":                {code: "330", want: result{true, true}},
		"Cumbria, retired 2023":     {code: "909", want: result{true, false}},
		"Cumberland, its successor": {code: "942", want: result{true, true}},
		"not an English LA":         {code: "999", want: result{false, false}},
		"Isle of Anglesey, Welsh":   {code: "660", want: result{false, false}},
		"Cardiff, Welsh":            {code: "681", want: result{false, false}},
		"Buckinghamshire, 2020":     {code: "825", want: result{true, true}},
		"North Yorkshire, 2023":     {code: "815", want: result{true, true}},
		"Somerset, 2023":            {code: "933", want: result{true, true}},
		"Westmorland and Furness":   {code: "943", want: result{true, true}},
		"Northamptonshire, retired": {code: "928", want: result{true, false}},
		"not three digits":          {code: "33", want: result{false, false}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, known := lacode.Lookup(tc.code)
			got := result{known, lacode.Current(tc.code)}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
