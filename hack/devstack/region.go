package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// benchRegionDatabase is the database `devstack bench-region` seeds; it
// is dropped at the start of each run and, unless -keep, at the end.
const benchRegionDatabase = "nextstep_bench_region"

// regionOptions are bench-region's flags: what it measures and the knobs
// the tuning turned.
type regionOptions struct {
	root         string
	scale        int
	concurrency  int
	feed         string
	memLimit     string
	poolMaxConns int
	profile      time.Duration
	profilePass  string
	shards       int
	passTimeout  time.Duration
	keep         bool
}

// benchRegionMain is `devstack bench-region` (make bench-region, issue 17):
// it seeds a region into a database of its own, starts the real control
// plane, services and operator as `make run` does, applies one Programme
// per LA and times the operator's first full pass over every cohort, then
// a pass in which nothing changed; beside them it times the single-SQL
// lower bound, counts the RPCs, and reads each process's peak memory and
// the API server's objects. It prints a report for docs/benchmarks.md.
func benchRegionMain(ctx context.Context, args []string) error {
	var o regionOptions
	fs := flag.NewFlagSet("bench-region", flag.ContinueOnError)
	fs.StringVar(&o.root, "root", ".", "The repository's root directory.")
	fs.IntVar(&o.scale, "scale", 1, "Schools per LA, in fifties: 1 is 1,500 cohorts and 300,000 pupils; 10 is England's 15,000 and 3,000,000.")
	fs.IntVar(&o.concurrency, "concurrency", 0, "The operator's --max-concurrent-reconciles; 0 leaves its default.")
	fs.StringVar(&o.memLimit, "operator-memlimit", "", "GOMEMLIMIT for each operator (e.g. 230MiB, what the chart's 256Mi limit gives it: services/kit/gomemlimit); empty sets none, as outside a container.")
	fs.StringVar(&o.feed, "change-feed-interval", "", "The operator's --change-feed-interval (0 reads no feed: each pass over an unchanged cohort reads its revisions); empty leaves its default.")
	fs.IntVar(&o.poolMaxConns, "pool-max-conns", 0, "Each service's PostgreSQL pool (pool_max_conns); 0 leaves pgx's default, max(4, CPUs).")
	fs.DurationVar(&o.profile, "profile", 0, "Take CPU profiles of the operator, the services and kube-apiserver for this long from the start of a pass (-profile-pass), and the operator's heap profile at its peak RSS and after the passes, into .run/bench-region/*.pprof.")
	fs.StringVar(&o.profilePass, "profile-pass", "first", "The pass -profile profiles: first (the first full pass) or unchanged (the no-change pass, from the operators' resumption).")
	fs.IntVar(&o.shards, "shards", 1, "Operators to run, each reconciling the namespaces of its share of the LAs (--namespaces).")
	fs.DurationVar(&o.passTimeout, "pass-timeout", 0, "How long a pass may take before the run stops; 0 gives 30 minutes for each unit of -scale (a slow machine's England run wants more).")
	fs.BoolVar(&o.keep, "keep", false, "Keep the seeded database afterwards.")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if o.scale < 1 {
		return errors.New("-scale must be at least 1")
	}
	if o.poolMaxConns < 0 {
		return errors.New("-pool-max-conns must not be negative")
	}
	if o.profilePass != "first" && o.profilePass != "unchanged" {
		return fmt.Errorf("-profile-pass %q is neither first nor unchanged", o.profilePass)
	}
	if o.passTimeout < 0 {
		return errors.New("-pass-timeout must not be negative")
	}
	if o.passTimeout == 0 {
		o.passTimeout = time.Duration(o.scale) * 30 * time.Minute
	}
	if o.shards < 1 || o.shards > len(benchLAs) {
		return fmt.Errorf("-shards must be from 1 to %d, the region's LAs", len(benchLAs))
	}
	root, err := filepath.Abs(o.root)
	if err != nil {
		return err
	}
	runDir := filepath.Join(root, ".run", "bench-region")
	if err := os.MkdirAll(filepath.Join(runDir, "logs"), 0o755); err != nil {
		return err
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	year := academicyear.Containing(today)
	region := newBenchRegion(o.scale, today, year.Start)
	rep := &regionReport{options: o, region: region, started: time.Now()}

	say("PostgreSQL: a fresh database %s", benchRegionDatabase)
	adminURL := os.Getenv("NEXTSTEP_ADMIN_DATABASE_URL")
	dbURL, err := ensureDatabase(ctx, adminURL, benchRegionDatabase, true)
	if err != nil {
		return err
	}
	if !o.keep {
		defer func() {
			if err := dropDatabase(context.WithoutCancel(ctx), adminURL, benchRegionDatabase); err != nil {
				fmt.Fprintln(os.Stderr, "devstack: drop the bench database:", err)
			}
		}()
	}
	serviceURL, err := withPoolSize(dbURL, o.poolMaxConns)
	if err != nil {
		return err
	}

	say("Kubernetes: kube-apiserver and etcd")
	cp, err := startControlPlane(root, runDir)
	if err != nil {
		return err
	}
	defer cp.stop()
	id, err := startIdentity(ctx, cp, runDir)
	if err != nil {
		return err
	}
	defer func() { _ = id.idp.Close() }()
	all := map[string]component{}
	for _, c := range components(root, serviceURL, cp.kubeconfig, id.authConfig, id.idp.Issuer(), id.tokens) {
		all[c.name] = c
	}
	operators := regionOperators(all["operator"], o, region.las)

	say("Starting the services (they migrate their schemas)")
	procs := newSupervisor(filepath.Join(runDir, "logs"))
	procs.quiet = true
	defer procs.stopAll(15 * time.Second)
	for _, name := range []string{"pupil", "placement", "tracking"} {
		c := all[name]
		if o.profile > 0 {
			c.env = append(slices.Clone(c.env), "NEXTSTEP_PPROF_LISTEN="+servicePprofAddrs[name])
		}
		if err := procs.start(ctx, c); err != nil {
			return err
		}
	}
	if err := procs.waitReady(ctx, 90*time.Second); err != nil {
		return err
	}

	say("Seeding %d schools, %d cohorts, %d pupils", region.schools(), region.cohorts(), region.pupils())
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	seedStart := time.Now()
	if err := region.seed(ctx, pool, func(step string, rows int64, took time.Duration) {
		fmt.Printf("      %-28s %10d rows  %6.1fs\n", step, rows, took.Seconds())
		rep.rows = append(rep.rows, seededTable{step, rows})
	}); err != nil {
		return err
	}
	rep.seedTime = time.Since(seedStart)

	say("Starting %d operator(s)", len(operators))
	for _, op := range operators {
		if err := procs.start(ctx, op); err != nil {
			return err
		}
	}
	if err := procs.waitReady(ctx, 90*time.Second); err != nil {
		return err
	}
	rep.operators = make([]string, len(operators))
	for i, op := range operators {
		rep.operators[i] = op.name
	}
	kube, err := kubeClient(cp.env.Config)
	if err != nil {
		return err
	}
	probe := newRegionProbe(operators, o.passTimeout)
	stopWatch := func() {}
	if o.profile > 0 {
		watchCtx, cancel := context.WithCancel(ctx)
		w := watchPeak(watchCtx, procs.pid(rep.operators[0]), operatorPprofAddr, runDir)
		stopWatch = func() {
			rep.operatorPeak = w.stop(cancel)
			m := rep.operatorPeak
			say("  the operator's heap at its peak (RSS %s: %s anonymous, %s of files) is in %s",
				mib(m.rss), mib(m.anon), mib(m.file), filepath.Join(runDir, "operator-heap-peak.pprof"))
		}
	}
	defer func() { stopWatch() }()

	say("First full pass: one Programme per LA; every cohort generated and reconciled once")
	// profiled answers once the profiles of the pass -profile-pass names
	// are saved (at once without -profile).
	profiled := make(chan error, 1)
	profile := func(pass string) {
		if o.profile == 0 || o.profilePass != pass {
			return
		}
		go func() { profiled <- takeProfiles(ctx, cp, o.profile, runDir) }()
	}
	if o.profile == 0 {
		profiled <- nil
	}
	first, err := probe.timedPass(ctx, procs, syncedPasses, region.cohorts(), nil, func() error {
		if err := applyRegionProgrammes(ctx, kube, region, year); err != nil {
			return err
		}
		profile("first")
		return nil
	})
	if err != nil {
		return err
	}
	rep.first = first

	say("Full pass again: every Programme's resync interval nudged, so every cohort is read and synced again, nothing changed")
	if rep.repass, err = probe.timedPass(ctx, procs, syncedPasses, region.cohorts(), nil, func() error {
		return nudgeProgrammes(ctx, kube, region)
	}); err != nil {
		return err
	}

	// In service the no-change pass is the resync timer's, which writes
	// nothing; here it is set off by a write to every Cohort, made while
	// the operators are paused so that the timed pass is the operators'
	// work alone, not the API server's write per Cohort (at 1,500 cohorts,
	// more CPU than the operator's whole pass).
	say("No-change pass: the operators paused, every Cohort annotated (so each is requeued), the operators resumed; nothing a pass reads changed, so each is passed over")
	defer func() { _ = signalOperators(procs, rep.operators, syscall.SIGCONT) }()
	if rep.unchanged, err = probe.timedPass(ctx, procs, unchangedPasses, region.cohorts(), func() error {
		// Paused once their counts are read: a paused operator's metrics
		// cannot be.
		if err := signalOperators(procs, rep.operators, syscall.SIGSTOP); err != nil {
			return err
		}
		return touchCohorts(ctx, kube, region)
	}, func() error {
		if err := signalOperators(procs, rep.operators, syscall.SIGCONT); err != nil {
			return err
		}
		profile("unchanged")
		return nil
	}); err != nil {
		return err
	}
	if err := <-profiled; err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	stopWatch()
	stopWatch = func() {}
	if o.profile > 0 {
		// What the (first) operator holds after the passes: its cache,
		// metrics and remembered passes, by where each was allocated.
		data, err := httpGet(ctx, "http://"+operatorPprofAddr+"/debug/pprof/heap?gc=1")
		if err == nil {
			err = saveProfile(filepath.Join(runDir, "operator-heap.pprof"), data)
		}
		if err != nil {
			return fmt.Errorf("heap profile: %w", err)
		}
	}

	say("The single-SQL lower bound, one query per service")
	if rep.lowerBound, err = region.lowerBound(ctx, pool); err != nil {
		return err
	}
	say("Memory, the API server's objects, the tasks raised")
	cs, err := kubernetes.NewForConfig(cp.env.Config)
	if err != nil {
		return err
	}
	if err := rep.collect(ctx, procs, kube, apiServerMetrics(cs), pool); err != nil {
		return err
	}
	rep.print(os.Stdout)
	return nil
}

// regionOperators are the operator processes: one, or -shards of them,
// each given the namespaces of a contiguous share of the LAs (the last
// shards one LA fewer when they do not divide evenly), with ports of its
// own. The first exports the region-wide measures; with -profile it
// serves Go's profiler.
func regionOperators(base component, o regionOptions, las []string) []component {
	base.args = append(slices.Clone(base.args), "--leader-elect=false", "--measures-interval=1h")
	if o.concurrency > 0 {
		base.args = append(base.args, "--max-concurrent-reconciles="+strconv.Itoa(o.concurrency))
	}
	if o.memLimit != "" {
		base.env = append(slices.Clone(base.env), "GOMEMLIMIT="+o.memLimit)
	}
	if o.feed != "" {
		base.args = append(base.args, "--change-feed-interval="+o.feed)
	}
	if o.shards == 1 {
		if o.profile > 0 {
			base.args = append(base.args, "--pprof-bind-address="+operatorPprofAddr)
		}
		return []component{base}
	}
	var out []component
	next := 0
	for k := range o.shards {
		n := len(las) / o.shards
		if k < len(las)%o.shards {
			n++
		}
		var namespaces []string
		for _, la := range las[next : next+n] {
			namespaces = append(namespaces, regionNamespace(la))
		}
		next += n
		c := base
		c.name = fmt.Sprintf("operator-%d", k+1)
		metricsAddr, probeAddr := fmt.Sprintf("127.0.0.1:%d", 8100+10*k), fmt.Sprintf("127.0.0.1:%d", 8101+10*k)
		c.args = slices.DeleteFunc(slices.Clone(base.args), func(a string) bool {
			return strings.HasPrefix(a, "--metrics-bind-address=") || strings.HasPrefix(a, "--health-probe-bind-address=")
		})
		c.args = append(c.args, "--metrics-bind-address="+metricsAddr, "--health-probe-bind-address="+probeAddr,
			"--namespaces="+strings.Join(namespaces, ","), "--export-measures="+strconv.FormatBool(k == 0))
		if k == 0 && o.profile > 0 {
			c.args = append(c.args, "--pprof-bind-address="+operatorPprofAddr)
		}
		c.ready, c.urls = "http://"+probeAddr+"/readyz", []string{"http://" + metricsAddr + "/metrics"}
		out = append(out, c)
	}
	return out
}

// takeProfiles saves CPU profiles over d of the (first) operator, each
// service and kube-apiserver, side by side, into dir.
func takeProfiles(ctx context.Context, cp *controlPlane, d time.Duration, dir string) error {
	errs := make(chan error, 2+len(servicePprofAddrs))
	go func() { errs <- httpProfile(ctx, operatorPprofAddr, d, filepath.Join(dir, "operator.pprof")) }()
	go func() { errs <- apiServerProfile(ctx, cp, d, filepath.Join(dir, "kube-apiserver.pprof")) }()
	for name, addr := range servicePprofAddrs {
		go func() { errs <- httpProfile(ctx, addr, d, filepath.Join(dir, name+".pprof")) }()
	}
	var all []error
	for range 2 + len(servicePprofAddrs) {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// httpProfile saves the CPU profile over d of the process serving Go's
// profiler at addr to path.
func httpProfile(ctx context.Context, addr string, d time.Duration, path string) error {
	data, err := httpGet(ctx, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d.Seconds())))
	if err != nil {
		return err
	}
	return saveProfile(path, data)
}

// apiServerProfile saves kube-apiserver's CPU profile over d to path (it
// serves Go's profiler to an admin).
func apiServerProfile(ctx context.Context, cp *controlPlane, d time.Duration, path string) error {
	cs, err := kubernetes.NewForConfig(cp.env.Config)
	if err != nil {
		return err
	}
	data, err := cs.RESTClient().Get().AbsPath("/debug/pprof/profile").Param("seconds", strconv.Itoa(int(d.Seconds()))).
		Timeout(d + time.Minute).DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	return saveProfile(path, data)
}

func saveProfile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	say("  a profile is in %s (go tool pprof %s)", path, path)
	return nil
}

func say(format string, args ...any) {
	fmt.Printf("[bench-region] "+format+"\n", args...)
}

// withPoolSize is dbURL with pgx's pool_max_conns set to n, or dbURL as
// it is if n is 0. The URL keeps its other parameters (sslmode).
func withPoolSize(dbURL string, n int) (string, error) {
	if n == 0 {
		return dbURL, nil
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("pool_max_conns", strconv.Itoa(n))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// regionNamespace holds one LA's Programme and cohorts: the unit a
// sharded operator would take a set of.
func regionNamespace(la string) string { return "region-" + la }

// applyRegionProgrammes declares, for each LA, this year's programme for
// Years 7 to 11 with every rule at its default (grouping on).
func applyRegionProgrammes(ctx context.Context, kube client.Client, r benchRegion, year academicyear.Year) error {
	for _, la := range r.las {
		ns := regionNamespace(la)
		if err := kube.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create namespace %s: %w", ns, err)
		}
		p := &nextstepv1alpha1.Programme{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("la-%s-%d", la, year.Start)},
			Spec: nextstepv1alpha1.ProgrammeSpec{
				AcademicYear: year.String(), Schools: nextstepv1alpha1.SchoolSelector{LACodes: []string{la}},
				ResyncIntervalSeconds: 3600,
			},
		}
		if err := kube.Create(ctx, p); err != nil {
			return fmt.Errorf("create programme %s: %w", p.Name, err)
		}
	}
	return nil
}

// signalOperators sends sig (SIGSTOP, SIGCONT) to the operator processes.
func signalOperators(procs *supervisor, names []string, sig syscall.Signal) error {
	for _, name := range names {
		if pid := procs.pid(name); pid > 0 {
			if err := syscall.Kill(pid, sig); err != nil {
				return fmt.Errorf("signal %s: %w", name, err)
			}
		}
	}
	return nil
}

// touchCohorts sets an annotation of the benchmark's own on every Cohort:
// a change the operator watches, which requeues the cohort, and nothing a
// pass reads.
func touchCohorts(ctx context.Context, kube client.Client, r benchRegion) error {
	stamp := time.Now().UTC().Format(time.RFC3339Nano)
	for _, la := range r.las {
		var list nextstepv1alpha1.CohortList
		if err := kube.List(ctx, &list, client.InNamespace(regionNamespace(la))); err != nil {
			return err
		}
		for i := range list.Items {
			c := &list.Items[i]
			patch := client.MergeFrom(c.DeepCopy())
			if c.Annotations == nil {
				c.Annotations = map[string]string{}
			}
			c.Annotations["bench.nextstep.uk/touched"] = stamp
			if err := kube.Patch(ctx, c, patch); err != nil {
				return fmt.Errorf("touch cohort %s: %w", c.Name, err)
			}
		}
	}
	return nil
}

// nudgeProgrammes changes every Programme's resync interval by a second: a
// new generation, which requeues each of its cohorts, while nothing the
// rules read has changed.
func nudgeProgrammes(ctx context.Context, kube client.Client, r benchRegion) error {
	for _, la := range r.las {
		var list nextstepv1alpha1.ProgrammeList
		if err := kube.List(ctx, &list, client.InNamespace(regionNamespace(la))); err != nil {
			return err
		}
		for i := range list.Items {
			p := &list.Items[i]
			patch := client.MergeFrom(p.DeepCopy())
			p.Spec.ResyncIntervalSeconds++
			if err := kube.Patch(ctx, p, patch); err != nil {
				return fmt.Errorf("nudge programme %s: %w", p.Name, err)
			}
		}
	}
	return nil
}
