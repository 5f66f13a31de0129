package loadgen

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Outcome is how a call ended, for the report: OK, Expected (a refusal the
// mix provokes on purpose, such as a stale version when two updates race)
// or an error by its code.
type Outcome struct {
	Expected bool
	// Code is the error's code ("unavailable", "deadline_exceeded"...),
	// empty for OK or Expected.
	Code string
}

// Recorder collects each call's latency and outcome by name. Safe for
// concurrent use; at 500 calls a second for ten minutes it holds 300,000
// durations, small enough to sort.
type Recorder struct {
	mu    sync.Mutex
	calls map[string]*calls
}

type calls struct {
	took     []time.Duration
	expected int
	errors   map[string]int
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{calls: map[string]*calls{}} }

// Record adds one call of the named kind. Every call counts towards the
// latency percentiles, errors included: a fast failure is still an answer
// the caller waited for.
func (r *Recorder) Record(name string, took time.Duration, o Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls[name]
	if c == nil {
		c = &calls{errors: map[string]int{}}
		r.calls[name] = c
	}
	c.took = append(c.took, took)
	switch {
	case o.Code != "":
		c.errors[o.Code]++
	case o.Expected:
		c.expected++
	}
}

// Summary is one row of the report.
type Summary struct {
	Name               string
	Count              int
	P50, P95, P99, Max time.Duration
	Expected           int
	Errors             map[string]int // by code
}

// ErrorCount is the number of calls that failed.
func (s Summary) ErrorCount() int {
	n := 0
	for _, v := range s.Errors {
		n += v
	}
	return n
}

// Summaries are the rows of the report: one per kind of call, by name,
// then "all".
func (r *Recorder) Summaries() []Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := &calls{errors: map[string]int{}}
	var out []Summary
	for _, name := range slices.Sorted(maps.Keys(r.calls)) {
		c := r.calls[name]
		out = append(out, summarise(name, c))
		all.took = append(all.took, c.took...)
		all.expected += c.expected
		for code, n := range c.errors {
			all.errors[code] += n
		}
	}
	return append(out, summarise("all", all))
}

func summarise(name string, c *calls) Summary {
	took := slices.Clone(c.took)
	slices.Sort(took)
	s := Summary{Name: name, Count: len(took), Expected: c.expected, Errors: maps.Clone(c.errors),
		P50: Percentile(took, 50), P95: Percentile(took, 95), P99: Percentile(took, 99)}
	if len(took) > 0 {
		s.Max = took[len(took)-1]
	}
	return s
}

// Percentile is the p-th percentile of sorted durations by the nearest-rank
// method: the smallest value that at least p% of them do not exceed. It is
// always one of the samples (never interpolated), and zero for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// WriteTable writes the summaries as a Markdown table, as docs/benchmarks.md
// shows them.
func WriteTable(w io.Writer, rows []Summary) error {
	lines := []string{
		"| RPC\t| count\t| p50\t| p95\t| p99\t| max\t| expected\t| errors\t|",
		"|---\t|--:\t|--:\t|--:\t|--:\t|--:\t|--:\t|---\t|",
	}
	for _, s := range rows {
		lines = append(lines, fmt.Sprintf("| %s\t| %d\t| %s\t| %s\t| %s\t| %s\t| %d\t| %s\t|", s.Name, s.Count,
			ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max), s.Expected, errorList(s.Errors)))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	if _, err := io.WriteString(tw, strings.Join(lines, "\n")+"\n"); err != nil {
		return err
	}
	return tw.Flush()
}

// ms shows a latency in milliseconds, to 0.1 ms.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// errorList is "0", or each code and its count: "unavailable 3, internal 1".
func errorList(errs map[string]int) string {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(errs)) {
		parts = append(parts, fmt.Sprintf("%s %d", code, errs[code]))
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, ", ")
}
