// Command devstack is `make run`: the whole nextstep stack on one machine
// for development. It creates the development database, starts a real
// kube-apiserver and etcd (the envtest control plane) with the CRDs
// installed, runs the three services, the console and the operator as local processes,
// waits until each is ready, prints where everything listens, and stops it
// all on Ctrl-C.
//
// It expects what the Makefile gives it: the binaries in bin/,
// NEXTSTEP_ADMIN_DATABASE_URL from hack/ensure-postgres.sh and
// KUBEBUILDER_ASSETS from hack/envtest.sh.
//
// `devstack token <user>` prints a development user's access token from
// the running stack, for curl and grpcurl. `devstack bench-region` is make
// bench-region: the operator's pass over a seeded region, measured
// (region.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

func main() {
	root := flag.String("root", ".", "The repository's root directory.")
	fresh := flag.Bool("fresh", false, "Drop the development database first, so the region is seeded anew.")
	checks := flag.Bool("check", false, "Once the stack is up, check it as make e2e does (dashboards have data, an outage fires and resolves its alert), then stop.")
	flag.Parse()
	// The Kubernetes client logs nothing devstack needs; without a logger
	// controller-runtime prints a warning and a stack trace instead.
	ctrllog.SetLogger(logr.Discard())
	if os.Geteuid() == 0 {
		// A development machine (a container, a sandbox) where everything
		// runs as root: the components refuse root without this.
		_ = os.Setenv("NEXTSTEP_ALLOW_ROOT", "true")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	var err error
	switch args := flag.Args(); {
	case len(args) >= 1 && args[0] == "bench-region":
		err = benchRegionMain(ctx, args[1:])
	case len(args) == 2 && args[0] == "token":
		err = token(ctx, args[1])
	case len(args) == 0:
		err = run(ctx, *root, *fresh, *checks)
	default:
		err = errors.New("usage: devstack [-root dir] [-fresh] [-check] | devstack token <user> | devstack bench-region [flags]")
	}
	stop()
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, root string, fresh, checks bool) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	runDir := filepath.Join(root, ".run")
	if err := os.MkdirAll(filepath.Join(runDir, "logs"), 0o755); err != nil {
		return err
	}

	step(1, "PostgreSQL: creating the development database")
	dbURL, err := ensureDatabase(ctx, os.Getenv("NEXTSTEP_ADMIN_DATABASE_URL"), "nextstep", fresh)
	if err != nil {
		return err
	}

	step(2, "Kubernetes: starting kube-apiserver and etcd, installing the CRDs")
	cp, err := startControlPlane(root, runDir)
	if err != nil {
		return err
	}
	defer cp.stop()

	step(3, "Identity: a development OpenID Connect provider, the components' service accounts")
	id, err := startIdentity(ctx, cp, runDir)
	if err != nil {
		return err
	}
	defer func() { _ = id.idp.Close() }()
	idp := id.idp

	step(4, "Starting the services, the console, the operator, Prometheus and Alertmanager")
	watch, err := monitoring(root, runDir, checks)
	if err != nil {
		return err
	}
	procs := newSupervisor(filepath.Join(runDir, "logs"))
	defer procs.stopAll(15 * time.Second)
	for _, c := range append(components(root, dbURL, cp.kubeconfig, id.authConfig, idp.Issuer(), id.tokens), watch...) {
		if err := procs.start(ctx, c); err != nil {
			return err
		}
	}

	step(5, "Waiting until every component is ready")
	if err := procs.waitReady(ctx, 90*time.Second); err != nil {
		return err
	}

	step(6, "Seeding a synthetic region through the services' APIs, as the hub admin")
	today := time.Now()
	adminToken, err := idp.Token(ctx, "hub-admin")
	if err != nil {
		return err
	}
	seeded, err := seed(ctx, adminToken, today)
	if err != nil {
		return err
	}
	if !seeded {
		fmt.Println("      the development database already holds the region (make run FRESH=1 starts afresh)")
	}
	if err := showProposal(ctx, adminToken, today); err != nil {
		return err
	}

	step(7, "Applying the programmes; the operator generates and reconciles the cohorts")
	kube, err := applyProgrammes(ctx, cp.env.Config, today)
	if err != nil {
		return err
	}
	if err := waitForCohorts(ctx, kube, 3*time.Minute); err != nil {
		return err
	}

	printSummary(root, dbURL, cp.kubeconfig, runDir, idp)
	if checks {
		return check(ctx, root, procs, kube, today)
	}
	select {
	case <-ctx.Done():
		fmt.Println("\nstopping...")
		return nil
	case err := <-procs.exited:
		return err
	}
}

func step(n int, msg string) {
	fmt.Printf("[%d/7] %s\n", n, msg)
}
