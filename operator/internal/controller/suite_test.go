package controller_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/nextstep-uk/nextstep/operator/internal/controller"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/internal/testenv"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
)

// The suite runs one real kube-apiserver and etcd (envtest) for the package,
// with the CRDs the chart ships, and one manager running the reconcilers.
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
	cfg, err := env.Start()
	if err != nil {
		return 0, fmt.Errorf("start control plane: %w", err)
	}
	defer func() { _ = env.Stop() }()

	restConfig = cfg
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped, err := startManager(ctx, cfg)
	if err != nil {
		return 0, err
	}
	code := m.Run()
	cancel()
	<-stopped
	return code, nil
}

func startManager(ctx context.Context, cfg *rest.Config) (<-chan struct{}, error) {
	// This manager serves the "default" namespace only; the end-to-end
	// tests run their own managers in namespaces of their own.
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: map[string]cache.Config{"default": {}}},
	})
	if err != nil {
		return nil, err
	}
	// No service answers here: cohorts in these tests stop at their
	// programme or at DataComplete False.
	if _, err := controller.Setup(mgr, controller.Config{
		Sources: sources.Config{PupilURL: "http://127.0.0.1:1", PlacementURL: "http://127.0.0.1:1", TrackingURL: "http://127.0.0.1:1", Token: credentials.StaticToken("")},
		Metrics: prometheus.NewRegistry(),
	}); err != nil {
		return nil, err
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	return stopped, nil
}

// eventually polls check until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, check func() error) {
	t.Helper()
	testenv.Eventually(t, timeout, check)
}
