package upn_test

import (
	"fmt"
	"strconv"
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
		// DfE rule 1530: Welsh LAs and pseudo-LA codes are recognised too.
		"Isle of Anglesey (Welsh), 660": {upn: withCheck("660200005001")},
		"Cardiff (Welsh), 681":          {upn: withCheck("681200005001")},
		"pseudo-LA code 001":            {upn: withCheck("001200005001")},
		"pseudo-LA code 708":            {upn: withCheck("708200005001")},
		"old Bedfordshire, 820":         {upn: withCheck("820200005001")},
		"Cumberland, 942 (April 2023)":  {upn: withCheck("942200005001")},
		"not in rule 1530: 000":         {upn: withCheck("000200005001"), want: upn.ErrLACode},
		"not in rule 1530: 006":         {upn: withCheck("006200005001"), want: upn.ErrLACode},
		"not in rule 1530: 659":         {upn: withCheck("659200005001"), want: upn.ErrLACode},
		"not in rule 1530: 682":         {upn: withCheck("682200005001"), want: upn.ErrLACode},
		"not in rule 1530: 709":         {upn: withCheck("709200005001"), want: upn.ErrLACode},
		"not in rule 1530: 804":         {upn: withCheck("804200005001"), want: upn.ErrLACode},
		"not in rule 1530: 944":         {upn: withCheck("944200005001"), want: upn.ErrLACode},
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

// TestLACodeRecognised walks all 1,000 three-digit codes against rule
// 1530's list, written out here as the rule's text gives it (see
// rule1530's source), plus 942 and 943.
func TestLACodeRecognised(t *testing.T) {
	t.Parallel()
	const list = "001-005, 201-213, 301-320, 330-336, 340-344, 350-359, 370-373, 380-384, 390-394, 420, 660-681, " +
		"701-708, 800-803, 805-808, 810-813, 815, 816, 820-823, 825, 826, 830, 831, 835-839, 840, 841, 845, 846, " +
		"850-852, 855-857, 860, 861, 865-896, 908, 909, 916, 919, 921, 925, 926, 928, 929, 931, 933, 935-938, 940-943"
	want := map[string]bool{}
	for _, item := range strings.Split(list, ", ") {
		from, to, _ := strings.Cut(item, "-")
		if to == "" {
			to = from
		}
		for n := atoi(t, from); n <= atoi(t, to); n++ {
			want[fmt.Sprintf("%03d", n)] = true
		}
	}
	for n := 0; n < 1000; n++ {
		code := fmt.Sprintf("%03d", n)
		if got := upn.LACodeRecognised(code); got != want[code] {
			t.Errorf("LACodeRecognised(%q) = %v, want %v", code, got, want[code])
		}
	}
	for _, code := range []string{"", "66", "6600", "66a", " 66"} {
		if upn.LACodeRecognised(code) {
			t.Errorf("LACodeRecognised(%q) = true", code)
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
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
		want := shape && upn.LACodeRecognised(s[1:4]) && upn.CheckLetter(s[1:]) == s[0]
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
