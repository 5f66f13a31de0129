package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// regionProbe reads the stack's own metrics: the services' RPC counters
// and the operator's passes and API requests.
type regionProbe struct {
	services  map[string]string // component name: its /metrics URL
	operators []string          // each operator's /metrics URL
	// passTimeout bounds each timed pass (-pass-timeout).
	passTimeout time.Duration
}

func newRegionProbe(operators []component, passTimeout time.Duration) regionProbe {
	var urls []string
	for _, op := range operators {
		urls = append(urls, op.urls[0])
	}
	return regionProbe{
		operators:   urls,
		passTimeout: passTimeout,
		services: map[string]string{
			"pupil":     "http://" + pupilAddr + "/metrics",
			"placement": "http://" + placementAddr + "/metrics",
			"tracking":  "http://" + trackingAddr + "/metrics",
		},
	}
}

// httpGet reads a page.
func httpGet(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return io.ReadAll(res.Body)
}

// scrape reads one /metrics page.
func scrape(ctx context.Context, url string) (map[string]*dto.MetricFamily, error) {
	page, err := httpGet(ctx, url)
	if err != nil {
		return nil, err
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(bytes.NewReader(page))
}

// sumBy adds up family's samples (counters or gauges) by the value of the
// label key ("" for one total).
func sumBy(families map[string]*dto.MetricFamily, family, key string) map[string]float64 {
	out := map[string]float64{}
	f := families[family]
	if f == nil {
		return out
	}
	for _, m := range f.GetMetric() {
		v := m.GetCounter().GetValue() + m.GetGauge().GetValue() + m.GetUntyped().GetValue()
		out[labelValue(m, key)] += v
	}
	return out
}

// rpcCounts are the stack's counters at one moment.
type rpcCounts struct {
	procedures map[string]float64 // RPCs the services handled, by procedure
	seconds    map[string]float64 // the time the services spent handling them, by procedure
	kube       map[string]float64 // the operator's requests to the API server, by method
	passes     map[string]float64 // the operator's cohort passes, by result
}

func (p regionProbe) rpcs(ctx context.Context) (rpcCounts, error) {
	c := rpcCounts{procedures: map[string]float64{}, seconds: map[string]float64{}}
	for _, url := range p.services {
		f, err := scrape(ctx, url)
		if err != nil {
			return c, err
		}
		for proc, v := range sumBy(f, "nextstep_rpc_server_handled_total", "procedure") {
			c.procedures[proc] += v
		}
		for _, m := range f["nextstep_rpc_server_handling_seconds"].GetMetric() {
			c.seconds[labelValue(m, "procedure")] += m.GetHistogram().GetSampleSum()
		}
	}
	c.kube, c.passes = map[string]float64{}, map[string]float64{}
	for _, url := range p.operators {
		f, err := scrape(ctx, url)
		if err != nil {
			return c, err
		}
		maps.Copy(c.kube, addMaps(c.kube, sumBy(f, "rest_client_requests_total", "method")))
		maps.Copy(c.passes, addMaps(c.passes, sumBy(f, "nextstep_reconciles_total", "result")))
	}
	return c, nil
}

// addMaps is a + b, key by key.
func addMaps(a, b map[string]float64) map[string]float64 {
	out := maps.Clone(a)
	for k, v := range b {
		out[k] += v
	}
	return out
}

func (c rpcCounts) minus(base rpcCounts) rpcCounts {
	diff := func(a, b map[string]float64) map[string]float64 {
		out := map[string]float64{}
		for k, v := range a {
			if d := v - b[k]; d != 0 {
				out[k] = d
			}
		}
		return out
	}
	return rpcCounts{procedures: diff(c.procedures, base.procedures), seconds: diff(c.seconds, base.seconds),
		kube: diff(c.kube, base.kube), passes: diff(c.passes, base.passes)}
}

// passResult is what one pass over every cohort took.
type passResult struct {
	took  time.Duration
	cpu   cpuSample
	calls rpcCounts
}

// timedPass calls begin, which makes the operator reconcile every cohort
// once more, and waits until it has made n more passes of kind w,
// measuring the time, the CPU each process used and the calls made.
// prepare, if not nil, runs once the counts are read and before the clock
// starts.
func (p regionProbe) timedPass(ctx context.Context, procs *supervisor, w passKind, n int, prepare, begin func() error) (passResult, error) {
	before, err := p.rpcs(ctx)
	if err != nil {
		return passResult{}, err
	}
	calls, err := p.okCalls(ctx, w)
	if err != nil {
		return passResult{}, err
	}
	if prepare != nil {
		if err := prepare(); err != nil {
			return passResult{}, err
		}
	}
	cpu := sampleCPU(procs)
	start := time.Now()
	if err := begin(); err != nil {
		return passResult{}, err
	}
	if err := p.waitPasses(ctx, w, calls+n, int(before.passes[w.result])+n, p.passTimeout); err != nil {
		return passResult{}, err
	}
	r := passResult{took: time.Since(start), cpu: sampleCPU(procs).minus(cpu)}
	if w.procedure == "" {
		// Seen up to a second late (waitPasses): the pass ended when the
		// last cohort was passed over, which its last-sync gauge records.
		last, err := p.lastSync(ctx)
		if err != nil {
			return passResult{}, err
		}
		if last.After(start) {
			r.took = last.Sub(start)
		}
	}
	after, err := p.rpcs(ctx)
	if err != nil {
		return passResult{}, err
	}
	r.calls = after.minus(before)
	say("  %s", r.took.Round(10*time.Millisecond))
	return r, nil
}

// passKind is a kind of pass and how to count them: the operator's
// result, and the call (service, procedure) each such pass makes once, if
// any.
type passKind struct {
	result             string
	service, procedure string
}

var (
	// synced passes end with tracking's SyncInterventions.
	syncedPasses = passKind{result: "synced", service: "tracking", procedure: "/nextstep.tracking.v1.TrackingService/SyncInterventions"}
	// unchangedPasses make no call while the operator follows the change
	// feeds (with none, they read the revisions).
	unchangedPasses = passKind{result: "unchanged"}
)

// okCalls is the service's count of w's call answered OK.
func (p regionProbe) okCalls(ctx context.Context, w passKind) (int, error) {
	if w.procedure == "" {
		return 0, nil
	}
	f, err := scrape(ctx, p.services[w.service])
	if err != nil {
		return 0, err
	}
	calls := 0.0
	for _, m := range f["nextstep_rpc_server_handled_total"].GetMetric() {
		if labelValue(m, "procedure") == w.procedure && labelValue(m, "code") == "ok" {
			calls += m.GetCounter().GetValue()
		}
	}
	return int(calls), nil
}

// waitPasses waits until the service has answered w's call calls times
// (for a kind of pass that makes one) and then the operator counts n
// passes of kind w, in all, saying how far it has got every few seconds.
// It watches the service's count, a page of a few kilobytes, while it can:
// the operator's own page is read filtered to its count of passes
// (passCounts), but the operator still gathers every cohort's gauges to
// answer it.
func (p regionProbe) waitPasses(ctx context.Context, w passKind, calls, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	lastSaid := time.Now()
	for w.procedure != "" {
		got, err := p.okCalls(ctx, w)
		if err != nil {
			return err
		}
		if got >= calls {
			break
		}
		if time.Since(lastSaid) > 5*time.Second {
			say("  %d of %d calls to %s", got, calls, path.Base(w.procedure))
			lastSaid = time.Now()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d calls to %s after %s; see .run/bench-region/logs/operator.log", got, calls, w.procedure, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	// The operator counts the pass when it ends, a moment after the call.
	for {
		passes, err := p.passCounts(ctx)
		if err != nil {
			return err
		}
		if int(passes[w.result]) >= n {
			if other := otherResults(passes, w.result); len(other) > 0 {
				say("  passes of other results: %v", other)
			}
			return nil
		}
		if time.Since(lastSaid) > 5*time.Second {
			say("  %d of %d passes %s", int(passes[w.result]), n, w.result)
			lastSaid = time.Now()
		}
		// Once a second for a kind of pass that makes no call: to answer,
		// even filtered, the operator gathers every cohort's gauges (about
		// half a core at ten times a second).
		poll := 100 * time.Millisecond
		if w.procedure == "" {
			poll = time.Second
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the operator counts %d of %d passes %s after %s (other results: %v)", int(passes[w.result]), n, w.result, timeout, otherResults(passes, w.result))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

// passCounts are the operators' passes by result, read from their
// metrics pages filtered to that one metric (name[]): the pages carry
// every cohort's gauges, megabytes at this scale, which the filter leaves
// unencoded.
func (p regionProbe) passCounts(ctx context.Context) (map[string]float64, error) {
	passes := map[string]float64{}
	for _, url := range p.operators {
		f, err := scrape(ctx, url+"?name[]=nextstep_reconciles_total")
		if err != nil {
			return nil, err
		}
		maps.Copy(passes, addMaps(passes, sumBy(f, "nextstep_reconciles_total", "result")))
	}
	return passes, nil
}

// lastSync is the latest time any cohort was last known in sync, from the
// operators' nextstep_cohort_last_sync_timestamp_seconds.
func (p regionProbe) lastSync(ctx context.Context) (time.Time, error) {
	var last float64
	for _, url := range p.operators {
		f, err := scrape(ctx, url+"?name[]=nextstep_cohort_last_sync_timestamp_seconds")
		if err != nil {
			return time.Time{}, err
		}
		for _, m := range f["nextstep_cohort_last_sync_timestamp_seconds"].GetMetric() {
			last = max(last, m.GetGauge().GetValue())
		}
	}
	return time.UnixMilli(int64(last * 1000)), nil
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func otherResults(passes map[string]float64, result string) map[string]float64 {
	out := maps.Clone(passes)
	delete(out, result)
	return out
}

// timedQuery is one lower-bound query and how long it took.
type timedQuery struct {
	service string
	what    string
	rows    int64
	took    time.Duration
}

// lowerBound times, for each service, one SQL statement that computes in
// PostgreSQL the per-cohort figures a pass reads from it, for the whole
// region at once: what the pass would cost with no RPCs, no API server
// and no rules, only the reads. Each runs three times; the fastest counts.
func (r benchRegion) lowerBound(ctx context.Context, pool *pgxpool.Pool) ([]timedQuery, error) {
	queries := []timedQuery{
		{service: "pupil", what: "each cohort's members on roll this year, with their risk-factor inputs summed"},
		{service: "placement", what: "each pupil's credited half days, experiences and encounters (GetCreditedDays' sums), totalled by school"},
		{service: "tracking", what: "each pupil's latest destination (GetLatestDestinations' order), counted by school and kind"},
	}
	sql := map[string]string{
		"pupil": `
SELECT p.school_urn, p.entry_year, count(*), sum(p.attendance_percent), count(*) FILTER (WHERE p.fsm_eligible),
       count(*) FILTER (WHERE p.sen_status <> 'none')
FROM pupil.pupils p
WHERE p.entry_year BETWEEN @year::int - 11 AND @year::int - 7
  AND (p.joined_on IS NULL OR p.joined_on <= @last_day::date) AND (p.left_on IS NULL OR p.left_on >= @first_day::date)
GROUP BY 1, 2`,
		"placement": `
WITH credited AS (
    SELECT b.pupil_id, b.school_urn, b.opportunity_id, LEAST(a.half_days, d.half_days) AS half_days,
           -- The experience kinds: services/placement/internal/credit.ExperienceKinds.
           o.kind = ANY(ARRAY['placement', 'workplace_visit', 'job_shadowing', 'virtual_experience']) AS experience, a.day
    FROM placement.bookings b
    JOIN placement.attendance a ON a.booking_id = b.id
    JOIN placement.opportunity_days d ON d.opportunity_id = a.opportunity_id AND d.day = a.day
    JOIN placement.opportunities o ON o.id = b.opportunity_id
    WHERE b.cancelled_at IS NULL AND a.day <= @today::date
), pupils AS (
    SELECT pupil_id, min(school_urn) AS school_urn,
           COALESCE(sum(half_days) FILTER (WHERE experience), 0) AS half_days,
           count(DISTINCT opportunity_id) FILTER (WHERE experience AND half_days > 0) AS experiences,
           count(DISTINCT opportunity_id) FILTER (WHERE NOT experience AND half_days > 0 AND day >= @first_day::date) AS encounters
    FROM credited GROUP BY pupil_id
)
SELECT school_urn, count(*), sum(half_days), sum(experiences), sum(encounters) FROM pupils GROUP BY 1`,
		"tracking": `
WITH latest AS (
    SELECT DISTINCT ON (pupil_id) pupil_id, school_urn, kind
    FROM tracking.destinations
    ORDER BY pupil_id, firmness DESC, effective_date DESC, recorded_at DESC, id DESC
)
SELECT school_urn, kind, count(*) FROM latest GROUP BY 1, 2`,
	}
	first := time.Date(r.year, time.September, 1, 0, 0, 0, 0, time.UTC)
	args := pgx.NamedArgs{"year": r.year, "today": r.today.Format(time.DateOnly),
		"first_day": first.Format(time.DateOnly), "last_day": first.AddDate(1, 0, -1).Format(time.DateOnly)}
	for i, q := range queries {
		for range 3 {
			start := time.Now()
			rows, err := pool.Query(ctx, sql[q.service], args)
			if err != nil {
				return nil, fmt.Errorf("%s lower bound: %w", q.service, err)
			}
			n := int64(0)
			for rows.Next() {
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("%s lower bound: %w", q.service, err)
			}
			took := time.Since(start)
			if queries[i].took == 0 || took < queries[i].took {
				queries[i].took, queries[i].rows = took, n
			}
		}
	}
	return queries, nil
}

// cpuSample is the CPU time, in seconds, each component and the whole
// machine had used at one moment: what a pass cost is the difference of
// two. The machine's figure includes PostgreSQL, whose backends are not
// our children.
type cpuSample map[string]float64

// machineCPU is the key of the whole machine's busy time in a cpuSample.
const machineCPU = "machine (all processes)"

func sampleCPU(procs *supervisor) cpuSample {
	out := cpuSample{}
	for _, name := range procs.names() {
		if pid := procs.pid(name); pid > 0 {
			out[name] = processCPU(pid)
		}
	}
	for pid, comm := range children(os.Getpid()) {
		if comm == "kube-apiserver" || comm == "etcd" {
			out[comm] = processCPU(pid)
		}
	}
	// /proc/stat's first line: cpu user nice system idle iowait irq softirq steal ...
	if data, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(data), "\n")
		fields := strings.Fields(line)
		busy := 0.0
		for i, f := range fields[1:] {
			if i == 3 || i == 4 { // idle, iowait
				continue
			}
			v, _ := strconv.ParseFloat(f, 64)
			busy += v
		}
		out[machineCPU] = busy / clockTicks
	}
	return out
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on Linux.
const clockTicks = 100

// processCPU is a process's user and system CPU time in seconds.
func processCPU(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	// After the command: state(0) ppid(1) ... utime(11) stime(12).
	if len(fields) < 13 {
		return 0
	}
	user, _ := strconv.ParseFloat(fields[11], 64)
	system, _ := strconv.ParseFloat(fields[12], 64)
	return (user + system) / clockTicks
}

func (c cpuSample) minus(base cpuSample) cpuSample {
	out := cpuSample{}
	for k, v := range c {
		out[k] = v - base[k]
	}
	return out
}

// seededTable is one table the seed filled and its rows.
type seededTable struct {
	table string
	rows  int64
}

// regionReport is what one run measured.
type regionReport struct {
	options  regionOptions
	region   benchRegion
	started  time.Time
	rows     []seededTable
	seedTime time.Duration

	// first reconciles every cohort the first time; repass reconciles
	// them all in full again (Programmes nudged), nothing changed;
	// unchanged requeues them all, nothing changed, and each is passed over.
	first, repass, unchanged passResult
	lowerBound               []timedQuery

	operators      []string         // the operator processes' names
	peakRSS        map[string]int64 // bytes, by process
	operatorPeak   memStatus        // with -profile, the (first) operator at its last heap profile
	apiObjects     map[string]float64
	cohorts        int
	largestCohort  int
	activeTasks    int64
	cohortTasks    int64
	auditRows      map[string]int64 // records named by audit events, by service
	metricsBytes   int              // the largest operator's /metrics page
	metricsSeries  int
	groupedCohorts int
}

// collect reads what the run left behind: peak memory, the API server's
// objects and the largest Cohort, the tasks the passes raised.
func (rep *regionReport) collect(ctx context.Context, procs *supervisor, kube client.Client, apiMetrics func(context.Context) ([]byte, error), pool *pgxpool.Pool) error {
	rep.peakRSS = map[string]int64{}
	for _, name := range append([]string{"pupil", "placement", "tracking"}, rep.operators...) {
		if pid := procs.pid(name); pid > 0 {
			rep.peakRSS[name] = peakRSS(pid)
		}
	}
	for pid, comm := range children(os.Getpid()) {
		if comm == "kube-apiserver" || comm == "etcd" {
			rep.peakRSS[comm] = peakRSS(pid)
		}
	}
	body, err := apiMetrics(ctx)
	if err != nil {
		return fmt.Errorf("read the API server's metrics: %w", err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	f, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("parse the API server's metrics: %w", err)
	}
	rep.apiObjects = sumBy(f, "apiserver_resource_objects", "resource")
	if len(rep.apiObjects) == 0 {
		rep.apiObjects = sumBy(f, "apiserver_storage_objects", "resource")
	}
	var list nextstepv1alpha1.CohortList
	if err := kube.List(ctx, &list); err != nil {
		return err
	}
	rep.cohorts = len(list.Items)
	for i := range list.Items {
		c := &list.Items[i]
		data, err := json.Marshal(c)
		if err != nil {
			return err
		}
		rep.largestCohort = max(rep.largestCohort, len(data))
		if len(c.Status.GroupedInterventions) > 0 {
			rep.groupedCohorts++
		}
	}
	for _, name := range rep.operators {
		page, err := httpGet(ctx, procs.component(name).urls[0])
		if err != nil {
			return fmt.Errorf("read %s's metrics: %w", name, err)
		}
		rep.metricsBytes = max(rep.metricsBytes, len(page))
		for line := range strings.Lines(string(page)) {
			if !strings.HasPrefix(line, "#") {
				rep.metricsSeries++
			}
		}
	}
	rep.auditRows = map[string]int64{}
	for _, schema := range []string{"pupil", "placement", "tracking"} {
		var n int64
		if err := pool.QueryRow(ctx, "SELECT coalesce(sum(cardinality(targets)), 0) FROM "+schema+".audit_events").Scan(&n); err != nil {
			return err
		}
		rep.auditRows[schema] = n
	}
	return pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE pupil_id IS NULL) FROM tracking.tasks
		WHERE status IN ('open', 'assigned', 'in_progress')`).Scan(&rep.activeTasks, &rep.cohortTasks)
}

// apiServerMetrics reads the API server's /metrics as the admin.
func apiServerMetrics(cs *kubernetes.Clientset) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		return cs.RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	}
}

// peakRSS is a process's peak resident set (VmHWM), in bytes; 0 if it
// cannot be read.
func peakRSS(pid int) int64 { return readMemStatus(pid).hwm }

// children are the processes whose parent is ppid, by pid: their command
// names.
func children(ppid int) map[int]string {
	out := map[int]string{}
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range dirs {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(data)
		open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || closing < open {
			continue
		}
		fields := strings.Fields(s[closing+1:])
		if len(fields) < 2 || fields[1] != strconv.Itoa(ppid) {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(s[:open]))
		out[pid] = s[open+1 : closing]
	}
	return out
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// print writes the report as Markdown, ready for docs/benchmarks.md.
func (rep *regionReport) print(w io.Writer) {
	r, o := rep.region, rep.options
	host, _ := os.Hostname()
	cpu := cpuModel()
	fmt.Fprintf(w, "\n## Region benchmark: %d cohorts, %d pupils\n\n", r.cohorts(), r.pupils())
	fmt.Fprintf(w, "`make bench-region` (hack/devstack bench-region -scale %d -shards %d), %s on %s: %d CPUs (%s), Go %s, PostgreSQL on 127.0.0.1.\n",
		o.scale, o.shards, rep.started.Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), cpu, runtime.Version())
	feed := o.feed
	if feed == "" {
		feed = "default"
	}
	fmt.Fprintf(w, "Operator: %d process(es) (-shards), --max-concurrent-reconciles %s, --change-feed-interval %s; services' pool_max_conns %s.\n\n",
		len(rep.operators), orDefault(o.concurrency), feed, orDefault(o.poolMaxConns))
	var seeded []string
	for _, t := range rep.rows {
		if t.rows > 0 {
			seeded = append(seeded, fmt.Sprintf("%s %d", t.table, t.rows))
		}
	}
	fmt.Fprintf(w, "Seeded in %.0f s: %s.\n\n", rep.seedTime.Seconds(), strings.Join(seeded, ", "))

	lb := time.Duration(0)
	for _, q := range rep.lowerBound {
		lb += q.took
	}
	fmt.Fprintf(w, "| Measure | Result | Target |\n")
	fmt.Fprintf(w, "|---|---:|---:|\n")
	fmt.Fprintf(w, "| First full pass (Programmes applied to every cohort generated and synced) | %.1f s | <= 10 s |\n", rep.first.took.Seconds())
	fmt.Fprintf(w, "| Full pass again, nothing changed (Programmes nudged: every cohort read and synced again) | %.1f s | |\n", rep.repass.took.Seconds())
	fmt.Fprintf(w, "| No-change pass (every cohort requeued, nothing it reads changed: passed over) | %.1f s | <= 3 s |\n", rep.unchanged.took.Seconds())
	fmt.Fprintf(w, "| Single-SQL lower bound (three queries below) | %.2f s | |\n", lb.Seconds())
	fmt.Fprintf(w, "| First pass / lower bound | %.1fx | <= 10x |\n", rep.first.took.Seconds()/lb.Seconds())
	fmt.Fprintf(w, "| Full pass again / lower bound | %.1fx | |\n", rep.repass.took.Seconds()/lb.Seconds())
	fmt.Fprintf(w, "| No-change pass / lower bound | %.1fx | <= 10x |\n", rep.unchanged.took.Seconds()/lb.Seconds())
	for _, name := range rep.operators {
		fmt.Fprintf(w, "| %s peak RSS | %s | <= 200 MiB |\n", name, mib(rep.peakRSS[name]))
	}
	if m := rep.operatorPeak; m.rss > 0 {
		fmt.Fprintf(w, "| %s RSS at its last heap profile (-profile): anonymous, files | %s: %s, %s | |\n",
			rep.operators[0], mib(m.rss), mib(m.anon), mib(m.file))
	}
	for _, name := range []string{"pupil", "placement", "tracking", "kube-apiserver", "etcd"} {
		fmt.Fprintf(w, "| %s peak RSS | %s | |\n", name, mib(rep.peakRSS[name]))
	}
	total := 0.0
	for _, v := range rep.apiObjects {
		total += v
	}
	fmt.Fprintf(w, "| API server objects (of which Cohorts) | %.0f (%.0f) | |\n", total, rep.apiObjects["cohorts.nextstep.uk"]+rep.apiObjects["cohorts"])
	fmt.Fprintf(w, "| Largest Cohort object | %d bytes | |\n", rep.largestCohort)
	fmt.Fprintf(w, "| The operators' /metrics pages: series in all, the largest page | %d, %.1f MB | |\n", rep.metricsSeries, float64(rep.metricsBytes)/1e6)
	fmt.Fprintf(w, "| Audit targets (records read or written) after the three passes: pupil, placement, tracking | %d, %d, %d | |\n",
		rep.auditRows["pupil"], rep.auditRows["placement"], rep.auditRows["tracking"])
	fmt.Fprintf(w, "| Active tasks after the passes (whole-year-group tasks; cohorts grouped) | %d (%d; %d) | |\n\n",
		rep.activeTasks, rep.cohortTasks, rep.groupedCohorts)

	fmt.Fprintf(w, "Calls per cohort, from the services' `nextstep_rpc_server_handled_total` and the operator's `rest_client_requests_total`:\n")
	fmt.Fprintf(w, "\n")
	fmt.Fprintf(w, "| Calls | First pass: per cohort | mean server time | Full again: per cohort | mean server time | No-change: per cohort | mean server time |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|\n")
	per := func(v float64) string { return strconv.FormatFloat(v/float64(r.cohorts()), 'f', 2, 64) }
	mean := func(c rpcCounts, p string) string {
		if c.procedures[p] == 0 {
			return ""
		}
		return fmt.Sprintf("%.1f ms", 1000*c.seconds[p]/c.procedures[p])
	}
	passes := []passResult{rep.first, rep.repass, rep.unchanged}
	procs := slices.Sorted(maps.Keys(merge(merge(rep.first.calls.procedures, rep.repass.calls.procedures), rep.unchanged.calls.procedures)))
	for _, p := range procs {
		row, made := "| "+strings.TrimPrefix(p, "/nextstep.")+" |", false
		for _, pass := range passes {
			row += " " + per(pass.calls.procedures[p]) + " | " + mean(pass.calls, p) + " |"
			made = made || pass.calls.procedures[p] >= float64(r.cohorts())/10
		}
		if made { // else not the passes' own: the LA measures, the programmes' school lists
			fmt.Fprintf(w, "%s\n", row)
		}
	}
	for _, m := range slices.Sorted(maps.Keys(merge(merge(rep.first.calls.kube, rep.repass.calls.kube), rep.unchanged.calls.kube))) {
		fmt.Fprintf(w, "| API server %s | %s | | %s | | %s | |\n", m, per(rep.first.calls.kube[m]), per(rep.repass.calls.kube[m]), per(rep.unchanged.calls.kube[m]))
	}
	fmt.Fprintf(w, "\n")
	fmt.Fprintf(w, "CPU seconds each process used during the pass (the machine's figure is every process's, PostgreSQL's included):\n")
	fmt.Fprintf(w, "\n")
	fmt.Fprintf(w, "| Process | First pass | Full again | No-change pass |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|\n")
	for _, name := range append(slices.Clone(rep.operators), "pupil", "placement", "tracking", "kube-apiserver", "etcd", machineCPU) {
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %.1f |\n", name, rep.first.cpu[name], rep.repass.cpu[name], rep.unchanged.cpu[name])
	}
	fmt.Fprintf(w, "\n")
	fmt.Fprintf(w, "The lower bound, each query the fastest of three:\n")
	fmt.Fprintf(w, "\n")
	fmt.Fprintf(w, "| Service | Query | Rows | Time |\n")
	fmt.Fprintf(w, "|---|---|---:|---:|\n")
	for _, q := range rep.lowerBound {
		fmt.Fprintf(w, "| %s | %s | %d | %.2f s |\n", q.service, q.what, q.rows, q.took.Seconds())
	}
}

func merge(a, b map[string]float64) map[string]float64 {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func orDefault(v int) string {
	if v == 0 {
		return "default"
	}
	return strconv.Itoa(v)
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
		}
	}
	return "unknown CPU"
}
