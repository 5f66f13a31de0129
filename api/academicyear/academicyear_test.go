package academicyear_test

import (
	"testing"
	"time"

	"github.com/nextstep-uk/nextstep/api/academicyear"
)

func TestParse(t *testing.T) {
	cases := map[string]struct {
		in      string
		want    int
		wantErr bool
	}{
		"2025/26":             {in: "2025/26", want: 2025},
		"across a century":    {in: "2099/00", want: 2099},
		"not consecutive":     {in: "2025/27", wantErr: true},
		"wrong separator":     {in: "2025-26", wantErr: true},
		"four-digit end year": {in: "2025/2026", wantErr: true},
		"letters":             {in: "20x5/26", wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := academicyear.Parse(tc.in)
			if (err != nil) != tc.wantErr || (!tc.wantErr && got.Start != tc.want) {
				t.Fatalf("Parse(%q) = %v, %v", tc.in, got, err)
			}
			if !tc.wantErr && got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestDates(t *testing.T) {
	y := academicyear.Year{Start: 2025}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for name, tc := range map[string]struct{ got, want time.Time }{
		"first day":          {y.FirstDay(), day("2025-09-01")},
		"last day":           {y.LastDay(), day("2026-08-31")},
		"November is autumn": {y.On(time.November, 1), day("2025-11-01")},
		"March is spring":    {y.On(time.March, 31), day("2026-03-31")},
		"a year later":       {y.Plus(1).On(time.November, 1), day("2026-11-01")},
	} {
		if !tc.got.Equal(tc.want) {
			t.Errorf("%s = %s, want %s", name, tc.got.Format(time.DateOnly), tc.want.Format(time.DateOnly))
		}
	}
	for d, want := range map[string]int{"2025-08-31": 2024, "2025-09-01": 2025, "2026-08-31": 2025} {
		if got := academicyear.Containing(day(d)).Start; got != want {
			t.Errorf("Containing(%s) = %d, want %d", d, got, want)
		}
	}
}
