package calendar_test

import (
	"testing"
	"time"

	"github.com/nextstep-uk/nextstep/services/kit/calendar"
)

func date(s string) time.Time {
	d, ok := calendar.Parse(s)
	if !ok {
		panic(s)
	}
	return d
}

func TestToday(t *testing.T) {
	t.Parallel()
	// 23:30 UTC on 30 June is already 1 July in England (BST).
	if got := calendar.Today(time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)); !got.Equal(date("2026-07-01")) {
		t.Errorf("Today = %v", got)
	}
	// In winter England is on UTC.
	if got := calendar.Today(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)); !got.Equal(date("2026-12-31")) {
		t.Errorf("Today = %v", got)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"2026-02-28": true, "2026-02-30": false, "26-02-01": false, "": false, "2026-2-1": false} {
		if _, ok := calendar.Parse(s); ok != want {
			t.Errorf("Parse(%q) ok = %v, want %v", s, ok, want)
		}
	}
}

func TestWindows(t *testing.T) {
	t.Parallel()
	today := date("2026-11-30")
	cases := map[string]struct{ plausible, past bool }{
		"1999-12-31": {false, false},
		"2000-01-01": {true, true},
		"2026-11-30": {true, true},
		"2026-12-01": {true, false},
		"2028-11-30": {true, false},
		"2028-12-01": {false, false},
		"9999-12-31": {false, false},
	}
	for s, want := range cases {
		d := date(s)
		if got := calendar.Plausible(d, today); got != want.plausible {
			t.Errorf("Plausible(%s) = %v, want %v", s, got, want.plausible)
		}
		if got := calendar.Past(d, today); got != want.past {
			t.Errorf("Past(%s) = %v, want %v", s, got, want.past)
		}
	}
}
