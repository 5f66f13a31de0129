package upn_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		upn  string
		want *upn.Problem
	}{
		"valid":                             {upn: "B801200005001"},
		"wrong check letter":                {upn: "A801200005001", want: upn.ErrCheckLetter},
		"the DESIGN.md example, letter P":   {upn: "P207000016049"},
		"the help-desk example's wrong Q":   {upn: "Q207000016049", want: upn.ErrCheckLetter},
		"temporary UPN":                     {upn: "X33640012500A"},
		"temporary UPN, wrong check letter": {upn: "A33640012500A", want: upn.ErrCheckLetter},
		"too short":                         {upn: "B80120000500", want: upn.ErrLength},
		"too long":                          {upn: "B8012000050011", want: upn.ErrLength},
		"empty":                             {upn: "", want: upn.ErrLength},
		"lowercase":                         {upn: "b801200005001", want: upn.ErrLowercase},
		"lowercase temporary letter":        {upn: "X33640012500a", want: upn.ErrLowercase},
		"letter in the middle":              {upn: "B8012000A5001", want: upn.ErrCharacters},
		"I is never a check letter":         {upn: "I801200005001", want: upn.ErrCharacters},
		"O is never a temporary letter":     {upn: "A33640012500O", want: upn.ErrCharacters},
		"unknown LA code":                   {upn: withCheck("999200005001"), want: upn.ErrLACode},
		"retired LA code still valid":       {upn: withCheck("909200005001")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, upn.Validate(tc.upn)); diff != "" {
				t.Errorf("Validate(%q) (-want +got):\n%s", tc.upn, diff)
			}
		})
	}
}

func TestCheckLetter(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		rest string
		want byte
	}{
		// DESIGN.md: the weighted sum is 266, 266 mod 23 = 13, which is P.
		"DESIGN.md vector":    {rest: "207000016049", want: 'P'},
		"valid permanent UPN": {rest: "801200005001", want: 'B'},
		// A is 0 in the table, so it weighs what a 0 would.
		"temporary letter counts": {rest: "33640012500A", want: upn.CheckLetter("336400125000")},
		"not 12 characters":       {rest: "80120000500", want: 0},
		"letter not last":         {rest: "8012A0005001", want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := upn.CheckLetter(tc.rest); got != tc.want {
				t.Errorf("CheckLetter(%q) = %q, want %q", tc.rest, got, tc.want)
			}
		})
	}
}

func TestTemporary(t *testing.T) {
	t.Parallel()
	if upn.Temporary("B801200005001") || !upn.Temporary("X33640012500A") {
		t.Error("Temporary misreads the 13th character")
	}
}

func withCheck(rest string) string { return string(upn.CheckLetter(rest)) + rest }

// FuzzValidate checks that Validate never panics and that everything it
// accepts has the UPN's shape and a check letter that recomputes.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"B801200005001", "A801200005001", "P207000016049", "", "b801200005001", "Z33640012500A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if upn.Validate(s) != nil {
			return
		}
		if len(s) != upn.Length || upn.CheckLetter(s[1:]) != s[0] || s != strings.ToUpper(s) {
			t.Fatalf("accepted %q", s)
		}
	})
}
