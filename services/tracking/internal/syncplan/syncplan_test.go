package syncplan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// want builds an intervention for a pupil and reason with a due date.
func want(pupil, reason, due string) Intervention {
	return Intervention{Key: Key{pupil, reason}, Priority: 2, DueDate: due, Summary: "s"}
}

func task(id string, i Intervention) Task { return Task{ID: id, Intervention: i} }

func TestMake(t *testing.T) {
	t.Parallel()
	a := want("p1", "BEHIND", "2026-12-01")
	b := want("p2", "BEHIND", "2026-12-01")
	c := want("p3", "DESTINATION_UNKNOWN", "2026-12-01")
	aLater := want("p1", "BEHIND", "2027-01-01")
	aEvidence := a
	aEvidence.Evidence = map[string]string{"days": "3"}

	cases := map[string]struct {
		active  []Task
		snoozed []Key
		desired []Intervention
		want    Plan
	}{
		"nothing":                             {want: Plan{}},
		"all new":                             {desired: []Intervention{b, a}, want: Plan{Create: []Intervention{a, b}}},
		"same set again":                      {active: []Task{task("t1", a), task("t2", b)}, desired: []Intervention{a, b}, want: Plan{Unchanged: 2}},
		"nil and empty evidence are the same": {active: []Task{task("t1", Intervention{Key: a.Key, Priority: 2, DueDate: a.DueDate, Summary: "s", Evidence: map[string]string{}})}, desired: []Intervention{a}, want: Plan{Unchanged: 1}},
		"partial overlap": {
			active:  []Task{task("t1", a), task("t2", b)},
			desired: []Intervention{b, c},
			want:    Plan{Create: []Intervention{c}, Close: []string{"t1"}, Unchanged: 1},
		},
		// The reconciler recomputes due dates from today each pass: a
		// persisting condition must not push its deadline back.
		"a later due date is not taken": {active: []Task{task("t1", a)}, desired: []Intervention{aLater}, want: Plan{Unchanged: 1}},
		"an earlier due date is taken":  {active: []Task{task("t1", aLater)}, desired: []Intervention{a}, want: Plan{Update: []Update{{TaskID: "t1", To: a}}}},
		"evidence changed":              {active: []Task{task("t1", a)}, desired: []Intervention{aEvidence}, want: Plan{Update: []Update{{TaskID: "t1", To: aEvidence}}}},
		"empty desired closes all":      {active: []Task{task("t2", b), task("t1", a)}, want: Plan{Close: []string{"t1", "t2"}}},
		"snoozed is not raised":         {snoozed: []Key{a.Key}, desired: []Intervention{a, b}, want: Plan{Create: []Intervention{b}, Suppressed: 1}},
		// Most of the cohort is behind: the cohort's own task replaces the
		// pupils'; a pupil task of another reason is closed as cleared.
		"grouped into the cohort's task": {
			active:  []Task{task("t1", a), task("t2", b), task("t3", c)},
			desired: []Intervention{want(CohortLevel, "BEHIND", "2026-12-01")},
			want:    Plan{Create: []Intervention{want(CohortLevel, "BEHIND", "2026-12-01")}, Close: []string{"t3"}, Grouped: []string{"t1", "t2"}},
		},
		// The cohort's task closes as the share falls: its pupils still
		// behind get their own again.
		"ungrouped": {
			active:  []Task{task("t0", want(CohortLevel, "BEHIND", "2026-12-01"))},
			desired: []Intervention{a},
			want:    Plan{Create: []Intervention{a}, Close: []string{"t0"}},
		},
		"snooze does not touch an active task": {
			active: []Task{task("t1", a)}, snoozed: []Key{a.Key}, desired: []Intervention{a},
			want: Plan{Unchanged: 1},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := Make(tc.active, tc.snoozed, tc.desired)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHeld(t *testing.T) {
	t.Parallel()
	closing := func(n int) Plan { return Plan{Close: make([]string, n)} }
	cases := map[string]struct {
		plan      Plan
		active    int
		fraction  float64
		minCloses int
		want      bool
	}{
		"no closures":                  {plan: closing(0), active: 10, want: false},
		"half of ten at the default":   {plan: closing(5), active: 10, want: false},
		"six of ten at the default":    {plan: closing(6), active: 10, want: true},
		"six of ten allowed at 0.6":    {plan: closing(6), active: 10, fraction: 0.6, want: false},
		"all at fraction one":          {plan: closing(10), active: 10, fraction: 1, want: false},
		"the last task of a small one": {plan: closing(1), active: 1, want: true},
		"below the floor":              {plan: closing(1), active: 1, minCloses: 3, want: false},
		"at the floor":                 {plan: closing(3), active: 4, minCloses: 3, want: true},
		// 200 pupils' tasks grouped into their cohort's: not a mass closure.
		"grouped": {plan: Plan{Grouped: make([]string, 200)}, active: 200, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := tc.plan.Held(tc.active, tc.fraction, tc.minCloses); got != tc.want {
				t.Errorf("Held = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDuplicate(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		desired []Intervention
		want    int
	}{
		"none":                  {want: -1},
		"distinct":              {desired: []Intervention{want("p1", "A_B", ""), want("p1", "C_D", ""), want("p2", "A_B", "")}, want: -1},
		"same pupil and reason": {desired: []Intervention{want("p1", "A_B", ""), want("p2", "A_B", ""), want("p1", "A_B", "x")}, want: 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := Duplicate(tc.desired); got != tc.want {
				t.Errorf("Duplicate = %d, want %d", got, tc.want)
			}
		})
	}
}
