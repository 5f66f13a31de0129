// Command operator runs nextstep's controllers: it reconciles each Cohort
// against the records the services hold. Flags are listed by -help.
// `operator preview -programme file.yaml` shows what a Programme would
// raise, keep and close before it is applied, writing nothing.
package main

import (
	"flag"
	"log/slog"
	"os"
	"time"
	_ "time/tzdata" // the images carry no zone files: the binary does

	"github.com/go-logr/logr"
	_ "golang.org/x/crypto/x509roots/fallback" // nor a CA bundle
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/controller"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/kit/gomemlimit"
)

// token is where the operator's own bearer token comes from: a mounted
// file in a cluster, none otherwise (every call is then refused, which the
// cohorts' DataComplete condition shows).
func token(path string) credentials.TokenSource {
	if path == "" {
		ctrl.Log.WithName("setup").Info("no --token-file: the services will refuse the operator's calls")
		return credentials.StaticToken("")
	}
	return credentials.FileToken(path)
}

// feedInterval is the flag's interval as controller.Config takes it: 0
// (no feed) is negative there.
func feedInterval(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

// options are the operator's flags.
type options struct {
	metricsAddr, probeAddr, pprofAddr   string
	leaderElect                         bool
	leaderNamespace                     string
	pupilURL, placementURL, trackingURL string
	tokenFile                           string
	namespaces                          string
	exportMeasures                      bool
	concurrency                         int
	measuresInterval                    time.Duration
	changeFeedInterval                  time.Duration
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "preview" {
		os.Exit(runPreview(os.Args[2:], os.Stdout, os.Stderr))
	}
	var o options
	flag.StringVar(&o.metricsAddr, "metrics-bind-address", ":8080", "Address the Prometheus /metrics endpoint binds to; 0 disables it.")
	flag.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "Address the /healthz and /readyz probes bind to.")
	flag.StringVar(&o.pprofAddr, "pprof-bind-address", "", "Address Go's profiler (/debug/pprof/) binds to, for finding where a pass spends its time; empty disables it.")
	flag.BoolVar(&o.leaderElect, "leader-elect", true, "Elect a leader so that only one replica reconciles at a time.")
	flag.StringVar(&o.leaderNamespace, "leader-election-namespace", "", "Namespace of the leader election Lease; defaults to the pod's own namespace.")
	flag.StringVar(&o.pupilURL, "pupil-url", "http://127.0.0.1:8081", "Base URL of the pupil service.")
	flag.StringVar(&o.placementURL, "placement-url", "http://127.0.0.1:8082", "Base URL of the placement service.")
	flag.StringVar(&o.trackingURL, "tracking-url", "http://127.0.0.1:8083", "Base URL of the tracking service.")
	flag.StringVar(&o.tokenFile, "token-file", "", "File holding the bearer token the operator calls the services with (re-read every minute).")
	flag.StringVar(&o.namespaces, "namespaces", "", "Comma-separated namespaces to reconcile, for one shard of a national deployment (docs/operator.md, \"Sharding\"); empty: every namespace.")
	flag.BoolVar(&o.exportMeasures, "export-measures", true, "Export the region-wide LA measures and employers' engagement; of operators sharded by namespace, exactly one should.")
	flag.IntVar(&o.concurrency, "max-concurrent-reconciles", 4, "Cohorts reconciled at once.")
	flag.DurationVar(&o.changeFeedInterval, "change-feed-interval", controller.DefaultChangeFeedInterval, "How often the services' change feeds are read: a write reaches its cohort's pass within about that, and a pass over an unchanged cohort makes no call; 0 reads no feed (each such pass reads its revisions, and a write waits for the resync interval).")
	flag.DurationVar(&o.measuresInterval, "measures-interval", controller.DefaultMeasuresInterval, "How often the LA measures (DfE's NEET, not known and participation) are read from tracking, and the places by employer from placement, for the metrics.")
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	// The services' rule (services/kit/server.RefuseRoot), restated here so
	// that the operator does not link the services' server package.
	if os.Geteuid() == 0 && os.Getenv("NEXTSTEP_ALLOW_ROOT") != "true" {
		ctrl.Log.Error(nil, "refusing to run as root: run as an unprivileged user, as the image does (or set NEXTSTEP_ALLOW_ROOT=true on a development machine)")
		os.Exit(2)
	}
	os.Exit(run(o))
}

func run(o options) int {
	log := ctrl.Log.WithName("setup")
	gomemlimit.Set(slog.New(logr.ToSlogHandler(log)))
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		log.Error(err, "register Kubernetes types")
		return 1
	}
	if err := nextstepv1alpha1.AddToScheme(scheme); err != nil {
		log.Error(err, "register nextstep types")
		return 1
	}
	sh, err := parseShard(o.namespaces)
	if err != nil {
		log.Error(err, "read the flags")
		return 2
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		log.Error(err, "find the Kubernetes API (set KUBECONFIG or run in a cluster)")
		return 1
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsserver.Options{BindAddress: o.metricsAddr},
		HealthProbeBindAddress:        o.probeAddr,
		PprofBindAddress:              o.pprofAddr,
		LeaderElection:                o.leaderElect,
		LeaderElectionID:              sh.leaseID(),
		Cache:                         sh.cache(),
		LeaderElectionNamespace:       o.leaderNamespace,
		LeaderElectionReleaseOnCancel: true,
		Controller:                    config.Controller{MaxConcurrentReconciles: o.concurrency},
	})
	if err != nil {
		log.Error(err, "create manager")
		return 1
	}
	if _, err := controller.Setup(mgr, controller.Config{
		Sources:            sources.Config{PupilURL: o.pupilURL, PlacementURL: o.placementURL, TrackingURL: o.trackingURL, Token: token(o.tokenFile)},
		Metrics:            crmetrics.Registry,
		MeasuresInterval:   o.measuresInterval,
		SkipMeasures:       !o.exportMeasures,
		ChangeFeedInterval: feedInterval(o.changeFeedInterval),
	}); err != nil {
		log.Error(err, "set up the controllers")
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
	log.Info("starting manager", "leaderElection", o.leaderElect, "lease", sh.leaseID(), "namespaces", sh.namespaces)
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		return 1
	}
	return 0
}
