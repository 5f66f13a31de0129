package intake_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

var fields = intake.Fields{UPN: "upn", LegalSurname: "surname", LegalForename: "forename", DateOfBirth: "dob",
	SchoolURN: "school", LeftOn: "left", LeavingReason: "reason", YearGroupOffset: "offset",
	Attendance: "attendance", Suspensions: "suspensions", SchoolMoves: "moves"}

func valid() intake.Record {
	return intake.Record{UPN: "B801200005001", LegalSurname: "Testperson", LegalForename: "Ada",
		DateOfBirth: time.Date(2013, 9, 1, 0, 0, 0, 0, time.UTC), SchoolURN: "100001"}
}

func ruleIDs(r intake.Row) []string {
	ids := []string{}
	for _, p := range r.Problems {
		ids = append(ids, p.Field+":"+p.RuleID)
	}
	return ids
}

func TestCheck(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change func(*intake.Record)
		want   []string
	}{
		"valid": {change: func(*intake.Record) {}, want: []string{}},
		"left before joining": {change: func(r *intake.Record) {
			r.JoinedOn, r.LeftOn, r.LeavingReason = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC), intake.LeftOther
		}, want: []string{"left:left_on.before_joined"}},
		"reason without leaving": {change: func(r *intake.Record) { r.LeavingReason = intake.LeftOther },
			want: []string{"reason:leaving_reason.with_left_on"}},
		"attendance over 100": {change: func(r *intake.Record) { r.Risk.Attendance = &risk.Percent{Value: 100.1} },
			want: []string{"attendance:attendance.range"}},
		"negative suspensions": {change: func(r *intake.Record) { r.Risk.Suspensions = &risk.Count{Value: -1} },
			want: []string{"suspensions:count.range"}},
		"name too long": {change: func(r *intake.Record) { r.LegalSurname = strings.Repeat("x", 101) },
			want: []string{"surname:name.max_len"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			row := intake.Row{Record: valid()}
			tc.change(&row.Record)
			row.Check(fields)
			if diff := cmp.Diff(tc.want, ruleIDs(row)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestGate(t *testing.T) {
	t.Parallel()
	gate := intake.NewGate(map[string]bool{"100001": true}, fields, time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC))
	rows := []intake.Row{
		{Location: "line 2", Record: valid()},
		{Location: "line 3", Record: valid()},
		{Location: "line 4", Record: intake.Record{UPN: "P207000016049", SchoolURN: "100009"}},
	}
	var got [][]string
	for i := range rows {
		gate.Admit(&rows[i])
		got = append(got, ruleIDs(rows[i]))
	}
	want := [][]string{{}, {"upn:upn.duplicate"}, {"school:school.unknown"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if rows[1].Problems[0].Reason != "repeats the UPN of line 2" {
		t.Errorf("reason %q", rows[1].Problems[0].Reason)
	}
}

func TestParseValues(t *testing.T) {
	t.Parallel()
	type result struct {
		Value any
		OK    bool
	}
	pair := func(v any, ok bool) result { return result{v, ok} }
	cases := map[string]struct{ got, want result }{
		"bool Y":           {got: pair(intake.ParseBool("Y")), want: result{true, true}},
		"bool no":          {got: pair(intake.ParseBool("no")), want: result{false, true}},
		"bool maybe":       {got: pair(intake.ParseBool("maybe")), want: result{false, false}},
		"bool 1":           {got: pair(intake.ParseBool("1")), want: result{true, true}},
		"bool 0":           {got: pair(intake.ParseBool("0")), want: result{false, true}},
		"bool 2":           {got: pair(intake.ParseBool("2")), want: result{false, false}},
		"SEN census code":  {got: pair(intake.ParseSEN("K")), want: result{risk.SENSupport, true}},
		"SEN name":         {got: pair(intake.ParseSEN("ehc_plan")), want: result{risk.SENEHCPlan, true}},
		"SEN unknown":      {got: pair(intake.ParseSEN("ehc")), want: result{risk.SEN(""), false}},
		"percent NaN":      {got: pair(intake.ParsePercent("NaN")), want: result{nil, false}},
		"leaving reason":   {got: pair(intake.ParseLeavingReason("moved_abroad")), want: result{intake.LeftMovedAbroad, true}},
		"care unknown":     {got: pair(intake.ParseCare("fostered")), want: result{risk.Care(""), false}},
		"count not number": {got: pair(intake.ParseCount("two")), want: result{0, false}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if tc.want.Value == nil {
				tc.got.Value = nil // a NaN never equals itself
			}
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
