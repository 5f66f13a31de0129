package controller

import (
	"context"
	"time"

	"github.com/go-logr/logr"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// DefaultMeasuresInterval is how often the LA measures are refreshed: they
// move with records made by people, over days, and one refresh reads every
// 16 and 17 year old's activities.
const DefaultMeasuresInterval = 10 * time.Minute

// MeasuresExporter reads DfE's measures per LA of residence from tracking
// (GetMeasures) and this academic year's places by employer sector and size
// band from placement (GetEngagement), as the operator itself, at start and
// every Interval, and sets the gauges the chart's dashboards and alerts
// read. It runs on the elected leader only, so replicas never export twice.
// A failed read is counted as that source's error and leaves its last
// values in place (the LA measures with their refresh time ageing); one
// source failing does not stop the other's refresh.
type MeasuresExporter struct {
	Sources  *sources.Clients
	Metrics  *metrics.Metrics
	Interval time.Duration
	Now      func() time.Time
	Log      logr.Logger
}

// NeedLeaderElection implements manager.LeaderElectionRunnable.
func (e *MeasuresExporter) NeedLeaderElection() bool { return true }

// Start implements manager.Runnable: it refreshes until ctx ends.
func (e *MeasuresExporter) Start(ctx context.Context) error {
	interval := e.Interval
	if interval <= 0 {
		interval = DefaultMeasuresInterval
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		e.refresh(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// refresh sets the LA measures' gauges and the employers'.
func (e *MeasuresExporter) refresh(ctx context.Context) {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	today := now()
	e.refreshMeasures(ctx, today)
	e.refreshEngagement(ctx, today)
}

// refreshMeasures reads this academic year's measures and last year's
// (whose headline and participation are complete).
func (e *MeasuresExporter) refreshMeasures(ctx context.Context, today time.Time) {
	year := academicyear.Containing(today)
	var got [2]*trackingv1.GetMeasuresResponse
	for i, y := range []academicyear.Year{year, year.Plus(-1)} {
		res, err := e.Sources.Tracking.GetMeasures(ctx, &trackingv1.GetMeasuresRequest{AcademicYear: y.String()})
		if err != nil {
			if ctx.Err() == nil {
				e.Metrics.SourceErrors.WithLabelValues(metrics.SourceTracking).Inc()
				e.Log.Error(err, "read the LA measures from tracking", "academicYear", y.String())
			}
			return
		}
		got[i] = res
	}
	e.Metrics.ObserveMeasures(today, got[0], got[1])
}

// refreshEngagement reads this academic year's places and half days by
// employer sector and size band, the hub's measures of the mix of
// employers.
func (e *MeasuresExporter) refreshEngagement(ctx context.Context, today time.Time) {
	year := academicyear.Containing(today)
	res, err := e.Sources.Placement.GetEngagement(ctx, &placementv1.GetEngagementRequest{
		From: year.FirstDay().Format(time.DateOnly), To: year.LastDay().Format(time.DateOnly),
	})
	if err != nil {
		if ctx.Err() == nil {
			e.Metrics.SourceErrors.WithLabelValues(metrics.SourcePlacement).Inc()
			e.Log.Error(err, "read the employers' engagement from placement", "academicYear", year.String())
		}
		return
	}
	e.Metrics.ObserveEngagement(res)
}
