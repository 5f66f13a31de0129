package pupil_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nextstep-uk/nextstep/services/pupil"
)

// TestConfigured: the service takes its risk model from the file
// NEXTSTEP_RISK_MODEL names, and refuses to start on a bad one, naming the
// field.
func TestConfigured(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("version: wmca-2026-1\nmental_health: 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("version: wmca-2026-1\nmental_health: 9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(pupil.RiskModelEnv, good)
	if spec, err := pupil.Configured(); err != nil || spec.Services == nil {
		t.Errorf("a good model: %v", err)
	}
	t.Setenv(pupil.RiskModelEnv, bad)
	if _, err := pupil.Configured(); err == nil || !strings.Contains(err.Error(), "mental_health: weight 9 is not 0 to 4 points") {
		t.Errorf("a bad model: %v", err)
	}
	t.Setenv(pupil.RiskModelEnv, filepath.Join(dir, "missing.yaml"))
	if _, err := pupil.Configured(); err == nil {
		t.Error("a missing file was accepted")
	}
}
