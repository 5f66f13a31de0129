package lacode

import (
	"testing"

	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

// TestUPNAcceptsEveryCode checks that the England table is within the
// wider list a UPN's LA code is checked against (rule 1530): a pupil
// registered at any school, or allocated a UPN under a code since retired,
// has a UPN the service accepts.
func TestUPNAcceptsEveryCode(t *testing.T) {
	t.Parallel()
	for code, a := range authorities {
		if !upn.LACodeRecognised(code) {
			t.Errorf("%s (%s) is not accepted in a UPN", code, a.Name)
		}
	}
}
