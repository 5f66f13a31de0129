package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// memStatus is what /proc/<pid>/status says of a process's memory, in
// bytes: its resident set, split into anonymous memory (the Go heap,
// stacks and runtime) and file pages (the binary's code and data as far as
// they were touched), and the peak resident set.
type memStatus struct {
	rss, anon, file, hwm int64
}

// readMemStatus reads pid's memStatus; a zero one if it cannot be read.
func readMemStatus(pid int) memStatus {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memStatus{}
	}
	var m memStatus
	fields := map[string]*int64{"VmRSS:": &m.rss, "RssAnon:": &m.anon, "RssFile:": &m.file, "VmHWM:": &m.hwm}
	for line := range strings.Lines(string(data)) {
		for prefix, v := range fields {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				*v = kb << 10
			}
		}
	}
	return m
}

// peakWatch follows the (first) operator's resident set while the passes
// run (-profile) and, each time it climbs 4 MiB past the highest it has
// saved, saves the operator's heap profile and runtime statistics, so that
// what the operator held at its peak, not after it, is on disk:
// operator-heap-peak.pprof and operator-heap-peak.txt (the debug=1 page,
// whose end is runtime.MemStats).
type peakWatch struct {
	pid  int
	addr string
	dir  string

	done chan struct{}
	peak memStatus // the status at the last save
}

func watchPeak(ctx context.Context, pid int, addr, dir string) *peakWatch {
	w := &peakWatch{pid: pid, addr: addr, dir: dir, done: make(chan struct{})}
	go w.run(ctx)
	return w
}

func (w *peakWatch) run(ctx context.Context) {
	defer close(w.done)
	const step = 4 << 20
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		m := readMemStatus(w.pid)
		if m.rss == 0 {
			return // the process has gone
		}
		if m.rss < w.peak.rss+step {
			continue
		}
		pb, err1 := httpGet(ctx, "http://"+w.addr+"/debug/pprof/heap")
		txt, err2 := httpGet(ctx, "http://"+w.addr+"/debug/pprof/heap?debug=1")
		if err1 != nil || err2 != nil {
			continue // between GCs or busy: the next tick tries again
		}
		if os.WriteFile(filepath.Join(w.dir, "operator-heap-peak.pprof"), pb, 0o644) != nil ||
			os.WriteFile(filepath.Join(w.dir, "operator-heap-peak.txt"), txt, 0o644) != nil {
			return
		}
		w.peak = m
	}
}

// stop ends the watch and returns the operator's status when its last
// profile was saved.
func (w *peakWatch) stop(cancel context.CancelFunc) memStatus {
	cancel()
	<-w.done
	return w.peak
}
