// Package e2e_test runs the control loop end to end: the three services
// in-process on real PostgreSQL, the operator's managers on a real
// kube-apiserver (envtest), and the loop watched from outside: records in,
// cohorts generated, interventions raised and closed. It is a module of its
// own so that the operator's module does not require the services'.
package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nextstep-uk/nextstep/operator/internal/testenv"
)

// One control plane for the package; each test runs its managers in a
// namespace of its own.
var (
	k8sClient  client.Client
	restConfig *rest.Config
	scheme     *runtime.Scheme
)

func TestMain(m *testing.M) {
	code, err := runSuite(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "envtest suite:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runSuite(m *testing.M) (int, error) {
	var err error
	if scheme, err = testenv.Scheme(); err != nil {
		return 0, err
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		return 0, err
	}
	env, err := testenv.New(root)
	if err != nil {
		return 0, err
	}
	if restConfig, err = env.Start(); err != nil {
		return 0, fmt.Errorf("start control plane: %w", err)
	}
	defer func() { _ = env.Stop() }()
	if k8sClient, err = client.New(restConfig, client.Options{Scheme: scheme}); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// eventually polls check until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, check func() error) {
	t.Helper()
	testenv.Eventually(t, timeout, check)
}
