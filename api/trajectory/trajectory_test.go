package trajectory_test

import (
	"testing"
	"time"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	"github.com/nextstep-uk/nextstep/api/trajectory"
)

// The default pace on the days that matter: 1 September, the middle and
// the end of a year, past the trajectory's last year.
func TestExpected(t *testing.T) {
	t.Parallel()
	y := academicyear.Year{Start: 2025}
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tc := range []struct {
		yearGroup int32
		on        string
		want      int32
	}{
		{7, "2025-09-01", 0},   // nothing yet
		{7, "2026-08-31", 4},   // 2 days by the end of Year 7
		{9, "2025-09-01", 8},   // Year 8's 4 days carried in
		{9, "2026-03-02", 10},  // half way: 5 days
		{9, "2026-03-01", 9},   // a day short rounds down
		{11, "2026-08-31", 20}, // the 10-day guarantee
		{12, "2025-10-01", 20}, // past the trajectory: its last target
		{9, "2025-07-01", 8},   // before the year: last year's target
	} {
		if got := trajectory.Expected(trajectory.Default, tc.yearGroup, y, day(tc.on)); got != tc.want {
			t.Errorf("Expected(Y%d, %s) = %d, want %d", tc.yearGroup, tc.on, got, tc.want)
		}
	}
}
