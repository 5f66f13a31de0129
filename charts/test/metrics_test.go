package chartstest

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	operatormetrics "github.com/nextstep-uk/nextstep/operator/metrics"
	"github.com/nextstep-uk/nextstep/services/kit/telemetry"

	// The operator's manager registers controller-runtime's reconcile,
	// work-queue and client metrics; importing it registers the same set.
	_ "sigs.k8s.io/controller-runtime"
)

// targetLabels are added by Prometheus and the Prometheus Operator at
// scrape time, so queries may match on them whatever the metric.
var targetLabels = map[string]bool{
	"namespace": true, "pod": true, "instance": true, "job": true,
	"service": true, "endpoint": true, "container": true,
}

// registeredMetrics is every metric name the binaries register, with its
// labels, read from the collectors themselves (Describe), not from a list.
func registeredMetrics(t testing.TB) map[string]map[string]bool {
	t.Helper()
	services := prometheus.NewRegistry()
	services.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// A pool collector describes its metrics without touching the pool.
	services.MustRegister(telemetry.NewPoolCollector(nil))
	telemetry.NewRPC(services, slog.New(slog.NewTextHandler(io.Discard, nil)))

	descs := make(chan *prometheus.Desc)
	go func() {
		defer close(descs)
		services.Describe(descs)
		for _, c := range operatormetrics.New().Collectors() {
			c.Describe(descs)
		}
		ctrlmetrics.Registry.(prometheus.Collector).Describe(descs)
	}()
	names := map[string]map[string]bool{}
	for d := range descs {
		name, labelNames, err := parseDesc(d)
		if err != nil {
			t.Fatal(err)
		}
		names[name] = labelNames
	}
	return names
}

var descPattern = regexp.MustCompile(`^Desc\{fqName: "([^"]+)", .*constLabels: \{([^}]*)\}, variableLabels: \{([^}]*)\}\}$`)

// parseDesc reads a Desc's name and labels from its String form, the only
// place client_golang exposes them.
func parseDesc(d *prometheus.Desc) (string, map[string]bool, error) {
	m := descPattern.FindStringSubmatch(d.String())
	if m == nil {
		return "", nil, &descError{d.String()}
	}
	labelNames := map[string]bool{}
	for _, pair := range strings.Split(m[2], ",") {
		if name, _, ok := strings.Cut(pair, "="); ok {
			labelNames[name] = true
		}
	}
	for _, name := range strings.Split(m[3], ",") {
		if name = strings.TrimSuffix(strings.TrimPrefix(name, "c("), ")"); name != "" {
			labelNames[name] = true
		}
	}
	return m[1], labelNames, nil
}

type descError struct{ desc string }

func (e *descError) Error() string { return "cannot read metric descriptor " + e.desc }

// histogramSuffixes are the series a histogram exposes; le is their bucket label.
var histogramSuffixes = []string{"_bucket", "_sum", "_count"}

// lookupMetric finds a queried series name among the registered metrics,
// allowing a histogram's suffixed series.
func lookupMetric(registered map[string]map[string]bool, series string) (map[string]bool, bool) {
	if l, ok := registered[series]; ok {
		return l, true
	}
	for _, suffix := range histogramSuffixes {
		if base, ok := strings.CutSuffix(series, suffix); ok {
			if l, ok := registered[base]; ok {
				withLe := map[string]bool{"le": suffix == "_bucket"}
				for k := range l {
					withLe[k] = true
				}
				return withLe, true
			}
		}
	}
	return nil, false
}

// query is one PromQL expression the chart ships and where.
type query struct{ where, expr string }

// grafanaVariable matches Grafana's template variables in a query:
// $__rate_interval and friends are durations, the rest label values.
var (
	grafanaInterval = regexp.MustCompile(`\$__(rate_interval|interval|range)`)
	grafanaVariable = regexp.MustCompile(`\$\{?[a-zA-Z_][a-zA-Z0-9_]*(:[a-z]+)?\}?`)
)

// dashboardQueries returns every query in dashboards/*.json: panel targets
// and template variables' label_values(<selector>, label) queries.
func dashboardQueries(t testing.TB) []query {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir(t), "dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards: %v", err)
	}
	var queries []query
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var board struct {
			Title  string `json:"title"`
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
			Templating struct {
				List []struct {
					Name  string `json:"name"`
					Type  string `json:"type"`
					Query any    `json:"query"`
				} `json:"list"`
			} `json:"templating"`
		}
		if err := json.Unmarshal(raw, &board); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range board.Panels {
			for _, target := range p.Targets {
				queries = append(queries, query{board.Title + " / " + p.Title, target.Expr})
			}
		}
		for _, v := range board.Templating.List {
			if v.Type != "query" {
				continue
			}
			q, _ := v.Query.(map[string]any)["query"].(string)
			selector, ok := labelValuesSelector(q)
			if !ok {
				t.Errorf("%s: variable %s: unsupported query %q", board.Title, v.Name, q)
				continue
			}
			queries = append(queries, query{board.Title + " / variable " + v.Name, selector})
		}
	}
	return queries
}

var labelValuesPattern = regexp.MustCompile(`^label_values\((.+),\s*[a-zA-Z_]+\)$`)

func labelValuesSelector(q string) (string, bool) {
	m := labelValuesPattern.FindStringSubmatch(strings.TrimSpace(q))
	if m == nil {
		return "", false
	}
	return m[1], true
}

// promql parses with Prometheus's default options, as the server does.
var promql = parser.NewParser(parser.Options{})

// TestQueriesNameRegisteredMetrics parses every PromQL expression in the
// dashboards and alert rules with Prometheus's own parser and checks that
// each metric, and each label it is matched on, is one the binaries really
// register.
func TestQueriesNameRegisteredMetrics(t *testing.T) {
	t.Parallel()
	registered := registeredMetrics(t)
	for _, must := range []string{"nextstep_cohort_members", "nextstep_rpc_server_handled_total", "nextstep_db_pool_acquired_connections", "controller_runtime_reconcile_total", "go_goroutines"} {
		if _, ok := registered[must]; !ok {
			t.Fatalf("the registered set lacks %s: the collectors were not all read", must)
		}
	}
	queries := dashboardQueries(t)
	for _, g := range renderedRules(t) {
		for _, r := range g.Rules {
			queries = append(queries, query{"alert " + r.Alert, r.Expr})
		}
	}
	for _, q := range queries {
		expr := grafanaInterval.ReplaceAllString(q.expr, "5m")
		expr = grafanaVariable.ReplaceAllString(expr, "x")
		parsed, err := promql.ParseExpr(expr)
		if err != nil {
			t.Errorf("%s: %q does not parse: %v", q.where, q.expr, err)
			continue
		}
		selectors := 0
		parser.Inspect(parsed, func(node parser.Node, _ []parser.Node) error {
			if agg, ok := node.(*parser.AggregateExpr); ok {
				checkGrouping(t, q.where, registered, agg)
				return nil
			}
			vs, ok := node.(*parser.VectorSelector)
			if !ok {
				return nil
			}
			selectors++
			metricLabels, ok := lookupMetric(registered, vs.Name)
			if !ok {
				t.Errorf("%s: metric %q is not registered by any nextstep binary", q.where, vs.Name)
				return nil
			}
			for _, m := range vs.LabelMatchers {
				if m.Name == model.MetricNameLabel || targetLabels[m.Name] || metricLabels[m.Name] {
					continue
				}
				t.Errorf("%s: %s has no label %q", q.where, vs.Name, m.Name)
			}
			return nil
		})
		if selectors == 0 {
			t.Errorf("%s: %q names no metric", q.where, q.expr)
		}
	}
	if len(queries) < 20 {
		t.Errorf("only %d queries found in the dashboards and rules", len(queries))
	}
}

// checkGrouping: every label an aggregation groups by is a target label or
// a label of some metric it aggregates, so a typo in "by (...)" fails here
// rather than silently merging every series into one.
func checkGrouping(t *testing.T, where string, registered map[string]map[string]bool, agg *parser.AggregateExpr) {
	t.Helper()
	if agg.Without {
		return
	}
	available := map[string]bool{}
	parser.Inspect(agg.Expr, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			l, _ := lookupMetric(registered, vs.Name)
			for name := range l {
				available[name] = true
			}
		}
		return nil
	})
	for _, label := range agg.Grouping {
		if !targetLabels[label] && !available[label] {
			t.Errorf("%s: %s by (%s): no metric it aggregates has label %q", where, agg.Op, strings.Join(agg.Grouping, ", "), label)
		}
	}
}
