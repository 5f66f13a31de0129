package web

import (
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

func TestTemplatesParse(t *testing.T) {
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"home", "queue", "task", "resolve", "dismiss", "check", "overview", "not-found", "forbidden", "problem", "signed-out", "sign-in-problem", "accessibility", "pupil", "exports", "audit", "imports", "import-report"} {
		if p.byName[name] == nil {
			t.Errorf("no template %s", name)
		}
	}
}

func TestSnoozeDate(t *testing.T) {
	today := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		d, m, y string
		want    string
		wantErr bool
	}{
		"tomorrow":           {"11", "3", "2026", "2026-03-11", false},
		"today":              {"10", "3", "2026", "", true},
		"past":               {"1", "1", "2026", "", true},
		"not a date":         {"30", "2", "2027", "", true},
		"empty":              {"", "", "", "", true},
		"letters":            {"a", "3", "2026", "", true},
		"two-digit year":     {"1", "4", "26", "", true},
		"more than a year":   {"1", "6", "2027", "", true},
		"just within a year": {"10", "3", "2027", "2027-03-10", false},
	}
	for name, c := range cases {
		got, msg := snoozeDate(c.d, c.m, c.y, today)
		if got != c.want || (msg != "") != c.wantErr {
			t.Errorf("%s: snoozeDate = %q, %q", name, got, msg)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/queue?la=336":        "/queue?la=336",
		"//evil.example/x":     "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"queue":                "/",
		"":                     "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQueueFilterNamesEachWrongField(t *testing.T) {
	_, errs := parseQueueFilter(url.Values{"la": {"33"}, "school": {"12345x"}, "priority": {"soon"}, "reason": {"lower"}, "assignee": {"a b"}})
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	want := []string{"la", "school", "reason", "priority", "assignee"}
	if len(fields) != len(want) {
		t.Fatalf("fields = %v, want %v", fields, want)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Fatalf("fields = %v, want %v", fields, want)
		}
	}
	f, errs := parseQueueFilter(url.Values{"view": {"mine"}, "la": {"336"}, "overdue": {"yes"}})
	if len(errs) != 0 || f.View != "mine" || !f.Overdue || f.query(false) != "la=336&overdue=yes&view=mine" {
		t.Fatalf("filter = %+v, %v, %q", f, errs, f.query(false))
	}
}

func TestExplainBehind(t *testing.T) {
	e := explain(&trackingv1.Task{ReasonCode: "BEHIND_TRAJECTORY", Evidence: map[string]string{
		"credited_half_days": "3", "expected_half_days": "8", "experiences": "1",
	}})
	if len(e.Lines) != 2 || e.Lines[0] != "1.5 days of work experience credited, against 4 expected by now." {
		t.Fatalf("explain = %#v", e)
	}
	e = explain(&trackingv1.Task{ReasonCode: "AT_RISK_OF_NEET", Evidence: map[string]string{
		"score": "40", "threshold": "30", "factor_attendance": "20: attendance 82% on 2026-01-10",
	}})
	if len(e.Factors) != 1 || e.Factors[0].Weight != "20" || e.Factors[0].Name != "attendance" {
		t.Fatalf("explain = %#v", e)
	}
}

func TestFutureDateOptional(t *testing.T) {
	today := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if got, msg := futureDate("review date", "", "", "", "", today); got != "" || msg != "" {
		t.Errorf("an optional empty date: %q, %q", got, msg)
	}
	if _, msg := futureDate("review date", "", "1", "1", "2026", today); msg != "The review date must be in the future" {
		t.Errorf("a past review date: %q", msg)
	}
}

func TestNewUUID(t *testing.T) {
	a, b := newUUID(), newUUID()
	if !uuidPattern.MatchString(a) || a == b || a[14] != '4' {
		t.Errorf("newUUID: %q, %q", a, b)
	}
}

func TestActivityGroups(t *testing.T) {
	codes := []*trackingv1.ActivityCode{
		{Code: "610", Group: trackingv1.ActivityGroup_ACTIVITY_GROUP_NEET},
		{Code: "230", Group: trackingv1.ActivityGroup_ACTIVITY_GROUP_EDUCATION},
		{Code: "999", Group: trackingv1.ActivityGroup_ACTIVITY_GROUP_UNSPECIFIED},
	}
	got := activityGroups(codes)
	if len(got) != 2 || got[0].Label != "Education" || got[1].Codes[0].GetCode() != "610" {
		t.Errorf("groups: %+v", got)
	}
}

func TestOutsideScope(t *testing.T) {
	cases := map[string]struct {
		scope      auth.Scope
		la, school string
		wantField  string
	}{
		"everything":                {auth.Everything(), "201", "100009", ""},
		"a hub's own LA":            {auth.LocalAuthorities("336", "330"), "330", "", ""},
		"another LA":                {auth.LocalAuthorities("336", "330"), "201", "", "la"},
		"a careers leader's school": {auth.School("100001"), "", "100001", ""},
		"another school":            {auth.School("100001"), "", "100002", "school"},
	}
	for name, c := range cases {
		errs := outsideScope(c.scope, c.la, c.school)
		got := ""
		if len(errs) > 0 {
			got = errs[0].Field
		}
		if got != c.wantField {
			t.Errorf("%s: field %q, want %q", name, got, c.wantField)
		}
	}
}

func TestParseSectors(t *testing.T) {
	t.Parallel()
	got, err := ParseSectors(" digital, Life_Sciences ,,")
	if err != nil || len(got) != 2 || got[0] != placementv1.Sector_SECTOR_DIGITAL || got[1] != placementv1.Sector_SECTOR_LIFE_SCIENCES {
		t.Errorf("ParseSectors = %v, %v", got, err)
	}
	if got, err := ParseSectors(""); err != nil || len(got) != 0 {
		t.Errorf("none: %v, %v", got, err)
	}
	for _, bad := range []string{"digital,space", "unspecified", "digital,digital"} {
		if _, err := ParseSectors(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}

// TestImpactRows: the CSV's shares are the overview's rounding of their
// numerator and denominator, the growth sectors' share only when some are
// configured, the cohort's rows only with a cohort.
func TestImpactRows(t *testing.T) {
	t.Parallel()
	e := engagementFigures{Bookings: 3, HalfDays: 14, SMEBookings: 2, CornerstoneBookings: 1, Sectors: []sectorBookings{
		{placementv1.Sector_SECTOR_DIGITAL, 0}, {placementv1.Sector_SECTOR_LIFE_SCIENCES, 3},
	}}
	area := [][]string{
		{"measure", "value", "numerator", "denominator"},
		{"bookings", "3", "", ""},
		{"half_days_credited", "14", "", ""},
		{"sme_share", "67", "2", "3"},
		{"cornerstone_share", "33", "1", "3"},
	}
	sectors := [][]string{{"sector_share:digital", "0", "0", "3"}, {"sector_share:life_sciences", "100", "3", "3"}}
	if got, want := impactRows(overviewData{engagementFigures: e}), slices.Concat(area, sectors); !reflect.DeepEqual(got, want) {
		t.Errorf("the area:\n got %q\nwant %q", got, want)
	}
	e.Growth, e.GrowthBookings = true, 3
	cohort := &cohortFigures{OnRoll: 4, Known: 1, Experienced: 3, TenDays: 1, OnTrack: 2, Disadvantaged: 1, DisadvantagedExperienced: 1, Encountered: 0}
	want := slices.Concat(area, [][]string{{"growth_sector_share", "100", "3", "3"}}, sectors, [][]string{
		{"on_roll", "4", "", ""},
		{"destination_known_share", "25", "1", "4"},
		{"experienced_share", "75", "3", "4"},
		{"ten_days_share", "25", "1", "4"},
		{"on_track_share", "50", "2", "4"},
		{"disadvantaged_experienced_share", "100", "1", "1"},
		{"others_experienced_share", "67", "2", "3"},
		{"encounter_share", "0", "0", "4"},
	})
	if got := impactRows(overviewData{engagementFigures: e, Cohort: cohort}); !reflect.DeepEqual(got, want) {
		t.Errorf("a school's cohort, with growth sectors:\n got %q\nwant %q", got, want)
	}
}

func TestOverviewCSVPath(t *testing.T) {
	t.Parallel()
	for f, want := range map[overviewFilter]string{
		{YearGroup: 11}:                  "/overview.csv",
		{LA: "336", YearGroup: 11}:       "/overview.csv?la=336",
		{School: "136001", YearGroup: 9}: "/overview.csv?school=136001&year=9",
	} {
		if got := f.csvPath(); got != want {
			t.Errorf("%+v: %q, want %q", f, got, want)
		}
	}
}
