package risk_test

import (
	"testing"

	"github.com/nextstep-uk/nextstep/api/riskscale"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

func TestParseModel(t *testing.T) {
	t.Parallel()
	m, err := risk.ParseModel([]byte("version: wmca-2026-1\nenglish_additional_language: 1\nmental_health: 2\nbands: {medium: 4, high: 7}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := risk.DefaultWeights()
	want.EAL, want.MentalHealth, want.Version = 1, 2, "wmca-2026-1"
	if m.Weights != want || m.Bands != (riskscale.Bands{Medium: 4, High: 7}) {
		t.Errorf("model = %+v", m)
	}
	if m, err := risk.ParseModel([]byte(`{"version": "v2"}`)); err != nil || m.Bands != riskscale.DefaultBands || m.Weights.Attendance != risk.DefaultWeights().Attendance {
		t.Errorf("a version alone: %+v (err %v), want the defaults under it", m, err)
	}
	for name, c := range map[string]struct{ file, want string }{
		"an unknown factor": {"version: v1\npreviously_looked_after: 1\n",
			`risk model: error unmarshaling JSON: while decoding JSON: json: unknown field "previously_looked_after"`},
		"a negative weight":  {"version: v1\nyoung_carer: -1\n", "risk model: young_carer: weight -1 is not 0 to 4 points"},
		"bands out of order": {"version: v1\nbands: {medium: 5, high: 3}\n", "risk model: bands.high: must be above medium (5)"},
		"no version":         {"attendance: 1\n", "risk model: version: name these weights (not the default's name), so every score says which made it"},
		"the default's name": {"version: " + risk.DefaultWeightsVersion + "\n", "risk model: version: name these weights (not the default's name), so every score says which made it"},
	} {
		_, err := risk.ParseModel([]byte(c.file))
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
