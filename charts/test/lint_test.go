package chartstest

import (
	"testing"
)

func TestHelmLint(t *testing.T) {
	t.Parallel()
	for name, files := range scenarios(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := []string{"lint", ".", "--strict", "--namespace", releaseNamespace}
			for _, f := range files {
				args = append(args, "--values", f)
			}
			if out, err := runHelm(t, args...); err != nil {
				t.Fatalf("helm lint: %v\n%s", err, out)
			}
		})
	}
}
