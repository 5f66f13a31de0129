package upn_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/lacode"
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

// FuzzValidate checks Validate against the UPN's definition: it accepts
// exactly the strings of a check letter, a recognised LA code, 8 more
// digits and a final digit or letter whose check letter recomputes, and
// never panics. An accepted UPN with any one of its digits changed is
// refused (the weighted mod-23 check catches every single-digit error), and
// a UPN refused only for its check letter is valid with the letter
// CheckLetter gives.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"B801200005001", "A801200005001", "P207000016049", "", "b801200005001", "Z33640012500A",
		"X33640012500a", "I801200005001", withCheck("999200005001"), withCheck("909200005001"), "B80120000500\u00e9"} {
		f.Add(s)
	}
	const letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
	isDigit := func(c byte) bool { return '0' <= c && c <= '9' }
	f.Fuzz(func(t *testing.T, s string) {
		p := upn.Validate(s)
		shape := len(s) == upn.Length && strings.IndexByte(letters, s[0]) >= 0 &&
			strings.IndexFunc(s[1:12], func(r rune) bool { return r < '0' || r > '9' }) < 0 &&
			(isDigit(s[12]) || strings.IndexByte(letters, s[12]) >= 0)
		want := shape && lacode.Recognised(s[1:4]) && upn.CheckLetter(s[1:]) == s[0]
		if (p == nil) != want {
			t.Fatalf("Validate(%q) = %v, want valid %v", s, p, want)
		}
		if p == upn.ErrCheckLetter {
			if fixed := withCheck(s[1:]); upn.Validate(fixed) != nil {
				t.Fatalf("%q refused only for its check letter, but %q is refused too", s, fixed)
			}
		}
		if p != nil {
			return
		}
		if upn.Temporary(s) == isDigit(s[12]) {
			t.Fatalf("Temporary(%q) = %v", s, upn.Temporary(s))
		}
		for i := 1; i < 12; i++ {
			for d := byte('0'); d <= '9'; d++ {
				if d == s[i] {
					continue
				}
				if typo := s[:i] + string(d) + s[i+1:]; upn.Validate(typo) == nil {
					t.Fatalf("accepted %q and %q, one digit apart", s, typo)
				}
			}
		}
	})
}
