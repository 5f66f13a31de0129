package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// supervisor runs the stack's processes, copies their output to the
// terminal (prefixed with the component's name) and to .run/logs, and
// reports the first one that exits.
type supervisor struct {
	logDir  string
	mu      sync.Mutex
	running []*process
	exited  chan error
	// quiet keeps the components' output in their log files only.
	quiet bool
}

type process struct {
	c    component
	cmd  *exec.Cmd
	done chan struct{}
	// stopping is set when the supervisor stops the process on purpose, so
	// its exit is not reported as a failure.
	stopping atomic.Bool
}

func newSupervisor(logDir string) *supervisor {
	return &supervisor{logDir: logDir, exited: make(chan error, 8)}
}

func (s *supervisor) start(ctx context.Context, c component) error {
	if _, err := os.Stat(c.bin); err != nil {
		return fmt.Errorf("%s: %w (run `make build` first)", c.name, err)
	}
	logFile, err := os.Create(filepath.Join(s.logDir, c.name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(c.bin, c.args...)
	cmd.Env = append(os.Environ(), c.env...)
	// Own process group: Ctrl-C reaches devstack, which stops the children
	// in order, rather than every process at once.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", c.name, err)
	}
	p := &process{c: c, cmd: cmd, done: make(chan struct{})}
	go func() {
		copyPrefixed(c.name, out, logFile, !s.quiet)
		err := cmd.Wait()
		_ = logFile.Close()
		close(p.done)
		if ctx.Err() == nil && !p.stopping.Load() {
			s.exited <- fmt.Errorf("%s exited unexpectedly (%w); its log is %s", c.name, err, logFile.Name())
		}
	}()
	s.mu.Lock()
	s.running = append(s.running, p)
	s.mu.Unlock()
	return nil
}

func copyPrefixed(name string, r io.Reader, log io.Writer, echo bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fmt.Fprintf(log, "%s\n", sc.Text())
		if echo {
			fmt.Printf("%-10s | %s\n", name, sc.Text())
		}
	}
}

// names are the running components' names.
func (s *supervisor) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.running))
	for i, p := range s.running {
		out[i] = p.c.name
	}
	return out
}

// component is the running component name's description.
func (s *supervisor) component(name string) component {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.running {
		if p.c.name == name {
			return p.c
		}
	}
	return component{}
}

// pid is the running component's process id, or 0.
func (s *supervisor) pid(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.running {
		if p.c.name == name {
			return p.cmd.Process.Pid
		}
	}
	return 0
}

// waitReady polls every component's readiness URL.
func (s *supervisor) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	s.mu.Lock()
	procs := append([]*process{}, s.running...)
	s.mu.Unlock()
	for _, p := range procs {
		for {
			if ok := probe(ctx, p.c.ready); ok {
				fmt.Printf("      %s is ready\n", p.c.name)
				break
			}
			select {
			case err := <-s.exited:
				return err
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(250 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s was not ready after %s; see .run/logs/%s.log", p.c.name, timeout, p.c.name)
			}
		}
	}
	return nil
}

func probe(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// stop stops the running component name, as an outage would, and returns
// it, to be started again.
func (s *supervisor) stop(name string, grace time.Duration) (component, error) {
	s.mu.Lock()
	var p *process
	for i, q := range s.running {
		if q.c.name == name {
			p = q
			s.running = append(s.running[:i], s.running[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	if p == nil {
		return component{}, fmt.Errorf("%s is not running", name)
	}
	p.stopping.Store(true)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	return p.c, nil
}

// stopAll sends SIGTERM to every process, newest first, and waits up to
// grace for each before killing it.
func (s *supervisor) stopAll(grace time.Duration) {
	s.mu.Lock()
	procs := append([]*process{}, s.running...)
	s.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		p := procs[i]
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
}
