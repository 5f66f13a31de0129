package controller

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// Config is what the controllers need beyond the manager.
type Config struct {
	Sources sources.Config
	// Metrics is where the operator's metrics are registered.
	Metrics prometheus.Registerer
	// Now is the rules' clock; time.Now if nil. Tests fix "today".
	Now func() time.Time
	// MeasuresInterval is how often the LA measures are read from
	// tracking and the employers' engagement from placement;
	// DefaultMeasuresInterval if zero.
	MeasuresInterval time.Duration
	// ChangeFeedInterval is how often the services' change feeds are read
	// (cohort_feed.go); DefaultChangeFeedInterval if zero, no feed if
	// negative.
	ChangeFeedInterval time.Duration
	// SkipMeasures leaves the LA measures and the employers' engagement,
	// which cover the whole region, to another operator: of a deployment
	// sharded by namespace, exactly one exports them.
	SkipMeasures bool
}

// Setup registers both controllers with mgr and returns the metrics it
// registered.
func Setup(mgr ctrl.Manager, cfg Config) (*metrics.Metrics, error) {
	m := metrics.New()
	if err := m.Register(cfg.Metrics); err != nil {
		return nil, err
	}
	clients := sources.New(cfg.Sources)
	cohorts := &CohortReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Sources:   clients,
		Metrics:   m,
		Recorder:  mgr.GetEventRecorder("nextstep-operator"),
		Now:       cfg.Now,
		Changes:   clients,
	}
	switch {
	case cfg.ChangeFeedInterval == 0:
		cohorts.FeedInterval = DefaultChangeFeedInterval
	case cfg.ChangeFeedInterval > 0:
		cohorts.FeedInterval = cfg.ChangeFeedInterval
	}
	if err := cohorts.SetupWithManager(mgr); err != nil {
		return nil, err
	}
	programmes := &ProgrammeReconciler{Client: mgr.GetClient(), Schools: clients}
	if err := programmes.SetupWithManager(mgr); err != nil {
		return nil, err
	}
	if cfg.SkipMeasures {
		return m, nil
	}
	exporter := &MeasuresExporter{
		Sources: clients, Metrics: m, Interval: cfg.MeasuresInterval, Now: cfg.Now,
		Log: mgr.GetLogger().WithName("measures"),
	}
	if err := mgr.Add(exporter); err != nil {
		return nil, err
	}
	return m, nil
}
