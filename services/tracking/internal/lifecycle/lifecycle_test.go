package lifecycle

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestApply(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	later := today.AddDate(0, 1, 0)
	cases := map[string]struct {
		from    State
		move    Move
		want    State
		wantErr error
	}{
		"assign an open task":      {from: State{Status: Open}, move: Assign{"cw"}, want: State{Status: Assigned, Assignee: "cw"}},
		"reassign":                 {from: State{Status: Assigned, Assignee: "a"}, move: Assign{"b"}, want: State{Status: Assigned, Assignee: "b"}},
		"reassign in progress":     {from: State{Status: InProgress, Assignee: "a"}, move: Assign{"b"}, want: State{Status: InProgress, Assignee: "b"}},
		"unassign":                 {from: State{Status: Assigned, Assignee: "a"}, move: Assign{}, want: State{Status: Open}},
		"unassign once started":    {from: State{Status: InProgress, Assignee: "a"}, move: Assign{}, wantErr: ErrIllegal},
		"unassign an open task":    {from: State{Status: Open}, move: Assign{}, wantErr: ErrIllegal},
		"start assigned":           {from: State{Status: Assigned, Assignee: "a"}, move: Start{}, want: State{Status: InProgress, Assignee: "a"}},
		"start unassigned":         {from: State{Status: Open}, move: Start{}, wantErr: ErrIllegal},
		"start twice":              {from: State{Status: InProgress, Assignee: "a"}, move: Start{}, wantErr: ErrIllegal},
		"resolve in progress":      {from: State{Status: InProgress, Assignee: "a"}, move: Resolve{"placed"}, want: State{Status: Resolved, Assignee: "a", Outcome: "placed"}},
		"resolve open":             {from: State{Status: Open}, move: Resolve{"placed"}, want: State{Status: Resolved, Outcome: "placed"}},
		"resolve resolved":         {from: State{Status: Resolved}, move: Resolve{"again"}, wantErr: ErrIllegal},
		"dismiss":                  {from: State{Status: Assigned, Assignee: "a"}, move: Dismiss{"moved away", later}, want: State{Status: Dismissed, Assignee: "a", DismissReason: "moved away", SnoozeUntil: later}},
		"dismiss snoozed to today": {from: State{Status: Open}, move: Dismiss{"x", today}, wantErr: ErrSnoozeNotFuture},
		"dismiss dismissed":        {from: State{Status: Dismissed}, move: Dismiss{"x", later}, wantErr: ErrIllegal},
		"clear open":               {from: State{Status: Open}, move: Clear{}, want: State{Status: Closed}},
		"clear in progress":        {from: State{Status: InProgress, Assignee: "a"}, move: Clear{}, want: State{Status: Closed, Assignee: "a"}},
		"assign closed":            {from: State{Status: Closed}, move: Assign{"a"}, wantErr: ErrIllegal},
		"clear resolved":           {from: State{Status: Resolved}, move: Clear{}, wantErr: ErrIllegal},
		"start dismissed":          {from: State{Status: Dismissed}, move: Start{}, wantErr: ErrIllegal},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Apply(tc.from, tc.move, today)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
	}
}
