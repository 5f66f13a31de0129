package riskscale_test

import (
	"testing"

	"github.com/nextstep-uk/nextstep/api/riskscale"
)

func TestBandsAtTheirEdges(t *testing.T) {
	t.Parallel()
	b := riskscale.Bands{Medium: 3, High: 5}
	for score, want := range map[int32]riskscale.Band{
		0: riskscale.Low, 2: riskscale.Low, 3: riskscale.Medium, 4: riskscale.Medium, 5: riskscale.High, 40: riskscale.High,
	} {
		if got := b.Of(score); got != want {
			t.Errorf("Of(%d) = %s, want %s", score, got, want)
		}
	}
}

// TestDefaultsAgree: with the default bands, the profiles the package
// documentation names fall where it says.
func TestDefaultsAgree(t *testing.T) {
	t.Parallel()
	b := riskscale.DefaultBands
	if err := b.Validate(); err != nil {
		t.Fatalf("DefaultBands: %v", err)
	}
	v, l := int32(riskscale.VeryLikely), int32(riskscale.Likely)
	for _, c := range []struct {
		name  string
		score int32
		want  riskscale.Band
	}{
		{"no factors", 0, riskscale.Low},
		{"one very likely factor", v, riskscale.Low},
		{"one very likely and one likely", v + l, riskscale.Medium},
		{"two very likely and one likely", v + v + l, riskscale.High},
		{"three very likely", 3 * v, riskscale.High},
	} {
		if got := b.Of(c.score); got != c.want {
			t.Errorf("%s (%d points): %s, want %s", c.name, c.score, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		b    riskscale.Bands
		want string
	}{
		{riskscale.Bands{Medium: 3, High: 5}, ""},
		{riskscale.Bands{Medium: 0, High: 5}, "medium: must be at least 1"},
		{riskscale.Bands{Medium: 5, High: 5}, "high: must be above medium (5)"},
		{riskscale.Bands{Medium: 6, High: 2}, "high: must be above medium (6)"},
	} {
		got := ""
		if err := c.b.Validate(); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Validate(%+v) = %q, want %q", c.b, got, c.want)
		}
	}
	for w, want := range map[int]bool{-1: false, 0: true, 2: true, riskscale.MaxWeight: true, riskscale.MaxWeight + 1: false} {
		if got := riskscale.ValidWeight(w); got != want {
			t.Errorf("ValidWeight(%d) = %v", w, got)
		}
	}
}
