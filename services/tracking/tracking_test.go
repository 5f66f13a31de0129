package tracking_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nextstep-uk/nextstep/services/tracking"
)

// TestConfigured: the service takes its currency periods from the file
// NEXTSTEP_CURRENCY names, and refuses to start on one with a gap or an
// overlap, naming the rule.
func TestConfigured(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	rules := "rules:\n  - {groups: [education, training, compulsory_school_age], days: 300}\n  - {groups: [employment, other], days: 150}\n"
	t.Setenv(tracking.CurrencyEnv, write("good.yaml", rules+"  - {groups: [neet, re_engagement], days: 60}\n"))
	if spec, err := tracking.Configured(); err != nil || spec.Services == nil {
		t.Errorf("good periods: %v", err)
	}
	t.Setenv(tracking.CurrencyEnv, write("gap.yaml", rules))
	if _, err := tracking.Configured(); err == nil || !strings.Contains(err.Error(), "no rule gives re_engagement a period") {
		t.Errorf("a gap: %v", err)
	}
}
