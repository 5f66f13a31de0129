package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/loadgen"
)

// runProxy serves one loopback address in front of several tracking
// replicas, sending each call to the next replica in turn, as a Kubernetes
// Service would spread them. It speaks unencrypted HTTP/2 (and HTTP/1.1) to
// callers and HTTP/2 to the replicas, so gRPC passes through too, and it
// stops on its own after -lifetime.
func runProxy(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("queueload proxy", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8090", "loopback address to serve")
	to := fs.String("to", "", "comma-separated loopback addresses of the replicas")
	lifetime := fs.Duration("lifetime", 15*time.Minute, "stop after this long (at most 1h)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *lifetime <= 0 || *lifetime > time.Hour {
		return fmt.Errorf("-lifetime %v: want more than 0 and at most 1h", *lifetime)
	}
	if _, err := loadgen.LoopbackURL(*listen); err != nil {
		return fmt.Errorf("-listen: %w", err)
	}
	var backends []*url.URL
	for a := range strings.SplitSeq(*to, ",") {
		base, err := loadgen.LoopbackURL(strings.TrimSpace(a))
		if err != nil {
			return fmt.Errorf("-to: %w", err)
		}
		u, err := url.Parse(base)
		if err != nil {
			return err
		}
		backends = append(backends, u)
	}
	if len(backends) == 0 {
		return errors.New("-to names no replica")
	}

	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	var next atomic.Uint64
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(backends[(next.Add(1)-1)%uint64(len(backends))])
		},
		Transport: &http.Transport{Protocols: h2c, MaxIdleConnsPerHost: 64},
	}
	both := new(http.Protocols)
	both.SetHTTP1(true)
	both.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: proxy, Protocols: both, ReadHeaderTimeout: 10 * time.Second}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "queueload proxy: %s -> %v, stopping in %v\n", l.Addr(), *to, *lifetime)
	ctx, cancel := context.WithTimeout(ctx, *lifetime)
	defer cancel()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut) //nolint:errcheck // stopping anyway
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
