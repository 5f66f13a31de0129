package establishment_test

import (
	"testing"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/establishment"
)

func TestTypes(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]struct{ known, post16 bool }{
		"18": {true, true},   // Further education
		"31": {true, true},   // Sixth form centres
		"45": {true, true},   // Academy 16-19 converter
		"34": {true, false},  // Academy converter: a school, perhaps with a sixth form
		"01": {true, false},  // Community school
		"04": {false, false}, // retired
		"99": {false, false},
		"":   {false, false},
	} {
		if got := establishment.Known(code); got != want.known {
			t.Errorf("Known(%q) = %v, want %v", code, got, want.known)
		}
		if got := establishment.Post16(code); got != want.post16 {
			t.Errorf("Post16(%q) = %v, want %v", code, got, want.post16)
		}
	}
	for code := range establishment.Types {
		if len(code) != 2 {
			t.Errorf("code %q is not 2 digits", code)
		}
	}
}
