// Command queueload drives the tracking service's intervention queue with a
// constant rate of calls, as a local authority's caseworkers would, and
// reports the latency percentiles and errors of each RPC: issue 17's "queue
// under load" benchmark, which hack/queueload.sh runs against the
// million-task database (make bench-queue; results in docs/benchmarks.md).
//
//	queueload [run] -addr 127.0.0.1:8083 -token T [-rate 500] [-duration 60s] [-concurrency 64]
//	queueload proxy -listen 127.0.0.1:8090 -to 127.0.0.1:8091,127.0.0.1:8092 [-lifetime 15m]
//	queueload db -clone nextstep_bench_queueload | -drop nextstep_bench_queueload
//
// Every address must be on the loopback interface, and every load and
// proxy stops on its own: this is a benchmark for one machine, never a tool
// to point at a shared service.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(run()) }

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	cmd := "run"
	if len(args) > 0 && (args[0] == "run" || args[0] == "proxy" || args[0] == "db") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "run":
		err = runLoad(ctx, args)
	case "proxy":
		err = runProxy(ctx, args)
	case "db":
		err = runDB(ctx, args)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "queueload %s: %v\n", cmd, err)
		return 1
	}
	return 0
}
