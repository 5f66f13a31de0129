package lacode_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/lacode"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	type result struct{ Recognised, Current bool }
	cases := map[string]struct {
		code string
		want result
	}{
		"Wolverhampton":              {code: "336", want: result{true, true}},
		"Birmingham":                 {code: "330", want: result{true, true}},
		"Cumbria, retired 2023":      {code: "909", want: result{true, false}},
		"Cumberland, its successor":  {code: "942", want: result{true, true}},
		"not an English LA":          {code: "999", want: result{false, false}},
		"Welsh and unallocated code": {code: "660", want: result{false, false}},
		"not three digits":           {code: "33", want: result{false, false}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := result{lacode.Recognised(tc.code), lacode.Current(tc.code)}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
