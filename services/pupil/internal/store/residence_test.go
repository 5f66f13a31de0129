package store_test

import (
	"testing"
	"time"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
)

func TestLAOn(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Lived in 330 from September 2020, moved to 336 on 1 March 2024 and
	// to 201 on 1 June 2025, where they live now.
	moves := []store.Move{
		{LACode: "330", Since: day("2020-09-01"), MovedOn: day("2024-03-01"), TransferredTo: "336"},
		{LACode: "336", Since: day("2024-03-01"), MovedOn: day("2025-06-01"), TransferredTo: "201"},
	}
	now := &intake.Residence{LACode: "201", Since: day("2025-06-01")}
	for d, want := range map[string]string{
		"2019-01-01": "",    // before the first residence recorded
		"2020-09-01": "330", // the day they moved in
		"2024-02-29": "330",
		"2024-03-01": "336", // moving day: the new LA
		"2025-05-31": "336",
		"2025-06-01": "201",
		"2026-11-30": "201",
	} {
		if got := store.LAOn(now, moves, day(d)); got != want {
			t.Errorf("LAOn(%s) = %q, want %q", d, got, want)
		}
	}
	if got := store.LAOn(&intake.Residence{LACode: "336"}, nil, day("2010-01-01")); got != "336" {
		t.Errorf("a residence with no date recorded holds for any day: %q", got)
	}
	if got := store.LAOn(nil, nil, day("2025-01-01")); got != "" {
		t.Errorf("no residence recorded: %q", got)
	}

	// Born 15 January 2009: Year 11 in 2024/25, ending 31 August 2025, when
	// they lived in 201 (moved there in June).
	r := intake.Record{DateOfBirth: day("2009-01-15"), Residence: now}
	if got := store.LAAtYear11(r, moves, day("2025-08-30")); got != "" {
		t.Errorf("before Year 11 ends: %q", got)
	}
	if got := store.LAAtYear11(r, moves, day("2026-11-30")); got != "201" {
		t.Errorf("LA at Year 11: %q, want 201", got)
	}
}
