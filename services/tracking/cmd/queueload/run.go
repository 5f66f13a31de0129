package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"connectrpc.com/connect"

	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/loadgen"
)

// maxDuration bounds a load: it always stops on its own.
const maxDuration = 10 * time.Minute

// The calls of the mix, by RPC.
const (
	listTasks   = "ListTasks"
	getTask     = "GetTask"
	updateTask  = "UpdateTask"
	addTaskNote = "AddTaskNote"
	countTasks  = "CountTasks"
)

// mix is a caseworker's day at the queue: mostly reading it (their own and
// the authority's, filtered), opening a task, sometimes taking one or
// handing it back, noting what was done, and the dashboard's counts. None
// of these calls the pupil service (only destinations, sync and measures
// do), so the load needs tracking and PostgreSQL alone.
var mix = []loadgen.Weighted[string]{
	{Kind: listTasks, Weight: 40},
	{Kind: getTask, Weight: 20},
	{Kind: updateTask, Weight: 15},
	{Kind: addTaskNote, Weight: 10},
	{Kind: countTasks, Weight: 15},
}

func runLoad(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("queueload run", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8083", "the tracking service (or the proxy in front of its replicas): loopback only")
	rate := fs.Float64("rate", 500, "calls a second, started on schedule whatever the earlier ones do")
	duration := fs.Duration("duration", 60*time.Second, "how long to send for (at most 10m)")
	concurrency := fs.Int("concurrency", 64, "most calls in flight; a call due when all are busy is dropped and counted")
	timeout := fs.Duration("timeout", 5*time.Second, "each call's deadline")
	token := fs.String("token", os.Getenv("QUEUELOAD_TOKEN"), "bearer token of a caseworker the service accepts (a development token); default $QUEUELOAD_TOKEN")
	la := fs.String("la", "333", "the caseworker's local authority, whose queue is read")
	seed := fs.Uint64("seed", 1, "seed of the mix's draws, so a run can be repeated")
	replicas := fs.Int("replicas", 1, "replicas behind -addr (a round-robin proxy's): each answers a first count before the clock starts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, err := loadgen.LoopbackURL(*addr)
	if err != nil {
		return err
	}
	if *token == "" {
		return errors.New("-token (or QUEUELOAD_TOKEN) is required")
	}
	m, err := loadgen.NewMix(mix...)
	if err != nil {
		return err
	}
	limiter, err := loadgen.NewLimiter(*concurrency)
	if err != nil {
		return err
	}
	// Checked before anything is sent; the real start is set below.
	if _, err := loadgen.NewPacer(time.Now(), *rate, *duration, maxDuration); err != nil {
		return err
	}

	// Unencrypted HTTP/2 only, one connection multiplexing every call, and
	// responses uncompressed, as the console talks to the service.
	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	httpClient := &http.Client{Transport: &http.Transport{Protocols: h2c}}
	client := trackingv1connect.NewTrackingServiceClient(httpClient, base,
		connect.WithInterceptors(credentials.NewInterceptor(credentials.StaticToken(*token))), credentials.Uncompressed)

	w := &worker{client: client, la: *la, replicas: max(1, *replicas), rnd: rand.New(rand.NewPCG(*seed, 17))}
	if err := w.loadTasks(ctx); err != nil {
		return fmt.Errorf("read the queue before the load: %w", err)
	}

	pacer, err := loadgen.NewPacer(time.Now(), *rate, *duration, maxDuration)
	if err != nil {
		return err
	}
	fmt.Printf("queueload: %s, %.0f calls/s for %v (%d calls), at most %d in flight, %v deadline, LA %s, %d tasks to work\n",
		base, *rate, *duration, pacer.Total(), *concurrency, *timeout, *la, len(w.tasks))
	fmt.Printf("mix: %v\n", m)

	rec := loadgen.NewRecorder()
	var wg sync.WaitGroup
	var late time.Duration // the most the scheduler started a call after it was due
	ctx, cancel := context.WithTimeout(ctx, *duration+*timeout+10*time.Second)
	defer cancel()
	for i := range pacer.Total() {
		due := pacer.Due(i)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		late = max(late, time.Since(due))
		// Draws happen here, in order, so a seed repeats a run's calls.
		c := w.plan(m.Pick(w.rnd.IntN(m.Total())))
		if !limiter.TryStart() {
			continue
		}
		wg.Go(func() {
			defer limiter.Done()
			callCtx, cancel := context.WithDeadline(ctx, due.Add(*timeout))
			defer cancel()
			o := w.do(callCtx, c)
			rec.Record(c.kind, time.Since(due), o)
		})
	}
	wg.Wait()
	elapsed := time.Since(pacer.Start)

	fmt.Println()
	if err := loadgen.WriteTable(os.Stdout, rec.Summaries()); err != nil {
		return err
	}
	fmt.Printf("\nscheduled %d, sent %d, dropped %d (all %d slots busy), in %.1f s (%.0f calls/s sent); the scheduler was at most %v late\n",
		pacer.Total(), limiter.Started(), limiter.Dropped(), *concurrency, elapsed.Seconds(),
		float64(limiter.Started())/elapsed.Seconds(), late.Round(time.Millisecond))
	fmt.Println("latency is from when each call was due (open loop); expected = UpdateTask refused Aborted/STALE_VERSION because another update of the same task won the race")
	return ctx.Err()
}
