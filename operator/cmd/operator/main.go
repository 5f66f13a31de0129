// Command operator runs nextstep's controllers: it reconciles each Cohort
// against the records the services hold. Flags are listed by -help.
package main

import (
	"flag"
	"os"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/controller"
)

func main() {
	var (
		metricsAddr     = flag.String("metrics-bind-address", ":8080", "Address the Prometheus /metrics endpoint binds to; 0 disables it.")
		probeAddr       = flag.String("health-probe-bind-address", ":8081", "Address the /healthz and /readyz probes bind to.")
		leaderElect     = flag.Bool("leader-elect", true, "Elect a leader so that only one replica reconciles at a time.")
		leaderNamespace = flag.String("leader-election-namespace", "", "Namespace of the leader election Lease; defaults to the pod's own namespace.")
	)
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	os.Exit(run(*metricsAddr, *probeAddr, *leaderElect, *leaderNamespace))
}

func run(metricsAddr, probeAddr string, leaderElect bool, leaderNamespace string) int {
	log := ctrl.Log.WithName("setup")
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		log.Error(err, "register Kubernetes types")
		return 1
	}
	if err := nextstepv1alpha1.AddToScheme(scheme); err != nil {
		log.Error(err, "register nextstep types")
		return 1
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		log.Error(err, "find the Kubernetes API (set KUBECONFIG or run in a cluster)")
		return 1
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress:        probeAddr,
		LeaderElection:                leaderElect,
		LeaderElectionID:              "nextstep-operator.nextstep.uk",
		LeaderElectionNamespace:       leaderNamespace,
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		log.Error(err, "create manager")
		return 1
	}
	if err := (&controller.CohortReconciler{Client: mgr.GetClient()}).SetupWithManager(mgr); err != nil {
		log.Error(err, "set up the cohort controller")
		return 1
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		log.Error(err, "add health check")
		return 1
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		log.Error(err, "add readiness check")
		return 1
	}
	log.Info("starting manager", "leaderElection", leaderElect)
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		return 1
	}
	return 0
}
