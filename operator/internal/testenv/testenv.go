// Package testenv starts the real control plane (kube-apiserver and etcd,
// controller-runtime's envtest) with the CRDs the chart ships, for the
// operator's integration suites and its end-to-end suites.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// Scheme knows the built-in kinds and nextstep's.
func Scheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := nextstepv1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// New is a control plane with the chart's CRDs (charts/nextstep/crds under
// root, the repository's root), ready to Start.
func New(root string) (*envtest.Environment, error) {
	assets, err := controlPlane(root)
	if err != nil {
		return nil, err
	}
	return &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "charts", "nextstep", "crds")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
	}, nil
}

// controlPlane returns the directory holding kube-apiserver and etcd:
// KUBEBUILDER_ASSETS when make test set it, else what hack/envtest.sh builds.
func controlPlane(root string) (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	cmd := exec.Command(filepath.Join(root, "hack", "envtest.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("hack/envtest.sh: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Eventually polls check until it returns nil, or fails the test with its
// last error once timeout has passed.
func Eventually(t *testing.T, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
