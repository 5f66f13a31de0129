package controller

import (
	"context"
	"time"

	"github.com/go-logr/logr"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// DefaultMeasuresInterval is how often the LA measures are refreshed: they
// move with records made by people, over days, and one refresh reads every
// 16 and 17 year old's activities.
const DefaultMeasuresInterval = 10 * time.Minute

// MeasuresExporter reads DfE's measures per LA of residence from tracking
// (GetMeasures, as the operator itself) at start and every Interval, and
// sets the LA gauges the chart's dashboards and alerts read. It runs on the
// elected leader only, so replicas never export twice. A failed read is
// counted as a tracking source error and leaves the last values in place,
// with their refresh time ageing.
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

// refresh reads this academic year's measures and last year's (whose
// headline and participation are complete) and sets the gauges.
func (e *MeasuresExporter) refresh(ctx context.Context) {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	today := now()
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
