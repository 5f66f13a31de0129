package preview_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/operator/internal/preview"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	active := []preview.Key{{"a", "BEHIND_TRAJECTORY"}, {"b", "BEHIND_TRAJECTORY"}, {"b", "AT_RISK_OF_NEET"}}
	desired := []preview.Key{{"b", "AT_RISK_OF_NEET"}, {"c", "BEHIND_TRAJECTORY"}}
	got := preview.Diff("ns/hub-100001-y9", desired, active)
	want := preview.Change{Cohort: "ns/hub-100001-y9", Raise: 1, Keep: 1, Close: 2,
		RaiseByReason: map[string]int{"BEHIND_TRAJECTORY": 1}, CloseByReason: map[string]int{"BEHIND_TRAJECTORY": 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A stricter grouping threshold: the cohort's own task replaces two pupils'
// (grouped, not closed); the looked-after pupil keeps theirs.
func TestDiffGrouped(t *testing.T) {
	t.Parallel()
	active := []preview.Key{{"a", "BEHIND_TRAJECTORY"}, {"b", "BEHIND_TRAJECTORY"}, {"looked-after", "BEHIND_TRAJECTORY"}, {"b", "AT_RISK_OF_NEET"}}
	desired := []preview.Key{{"", "BEHIND_TRAJECTORY"}, {"looked-after", "BEHIND_TRAJECTORY"}}
	got := preview.Diff("ns/hub-100001-y9", desired, active)
	want := preview.Change{Cohort: "ns/hub-100001-y9", Raise: 1, Keep: 1, Close: 1, Group: 2,
		RaiseByReason: map[string]int{"BEHIND_TRAJECTORY": 1}, CloseByReason: map[string]int{"AT_RISK_OF_NEET": 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	r := preview.Report{Programme: "ns/hub", Cohorts: []preview.Change{
		preview.Diff("ns/hub-100001-y9", nil, []preview.Key{{"a", "BEHIND_TRAJECTORY"}}),
		preview.Diff("ns/hub-100002-y9", nil, nil),
	}}
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"nothing was written", "ns/hub-100001-y9", "total (2 cohorts, 1 unchanged)", "closed: BEHIND_TRAJECTORY 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ns/hub-100002-y9") {
		t.Errorf("an unchanged cohort is listed:\n%s", out)
	}
}
