package loadgen_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/loadgen"
)

func TestMixPick(t *testing.T) {
	t.Parallel()
	m, err := loadgen.NewMix(
		loadgen.Weighted[string]{Kind: "list", Weight: 40},
		loadgen.Weighted[string]{Kind: "get", Weight: 20},
		loadgen.Weighted[string]{Kind: "update", Weight: 15},
		loadgen.Weighted[string]{Kind: "note", Weight: 10},
		loadgen.Weighted[string]{Kind: "count", Weight: 15},
	)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		draw int
		want string
	}{
		"first":          {0, "list"},
		"end of list":    {39, "list"},
		"start of get":   {40, "get"},
		"end of get":     {59, "get"},
		"update":         {60, "update"},
		"note":           {75, "note"},
		"end of note":    {84, "note"},
		"count":          {85, "count"},
		"last":           {99, "count"},
		"wraps":          {100, "list"},
		"negative wraps": {-1, "count"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := m.Pick(tc.draw); got != tc.want {
				t.Errorf("Pick(%d) = %q, want %q", tc.draw, got, tc.want)
			}
		})
	}
	// Every draw of one pass lands on a kind as often as its weight says.
	got := map[string]int{}
	for n := range m.Total() {
		got[m.Pick(n)]++
	}
	if diff := cmp.Diff(map[string]int{"list": 40, "get": 20, "update": 15, "note": 10, "count": 15}, got); diff != "" {
		t.Errorf("one pass of draws (-want +got):\n%s", diff)
	}
	if s := m.String(); s != "list 40%, get 20%, update 15%, note 10%, count 15%" {
		t.Errorf("String() = %q", s)
	}
}

func TestNewMixRefuses(t *testing.T) {
	t.Parallel()
	cases := map[string][]loadgen.Weighted[string]{
		"nothing":     nil,
		"zero weight": {{Kind: "a", Weight: 0}},
		"negative":    {{Kind: "a", Weight: 1}, {Kind: "b", Weight: -1}},
		"twice":       {{Kind: "a", Weight: 1}, {Kind: "a", Weight: 2}},
	}
	for name, ws := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := loadgen.NewMix(ws...); err == nil {
				t.Error("NewMix accepted it")
			}
		})
	}
}

func TestPacer(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		rate      float64
		d         time.Duration
		wantTotal int
		due       map[int]time.Duration // i -> offset from start
	}{
		"500/s for 60s": {rate: 500, d: time.Minute, wantTotal: 30000,
			due: map[int]time.Duration{0: 0, 1: 2 * time.Millisecond, 500: time.Second, 29999: 59998 * time.Millisecond}},
		"100/s for 10s": {rate: 100, d: 10 * time.Second, wantTotal: 1000,
			due: map[int]time.Duration{1: 10 * time.Millisecond, 999: 9990 * time.Millisecond}},
		"fractional rate": {rate: 3, d: time.Second, wantTotal: 3,
			due: map[int]time.Duration{1: 333333333, 2: 666666666}},
		"less than one call": {rate: 1, d: 100 * time.Millisecond, wantTotal: 1, due: map[int]time.Duration{0: 0}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := loadgen.NewPacer(start, tc.rate, tc.d, 10*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Total(); got != tc.wantTotal {
				t.Errorf("Total() = %d, want %d", got, tc.wantTotal)
			}
			for i, off := range tc.due {
				if got := p.Due(i).Sub(start); got != off {
					t.Errorf("Due(%d) = start+%v, want start+%v", i, got, off)
				}
			}
		})
	}
}

func TestNewPacerRefuses(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		rate float64
		d    time.Duration
	}{
		"zero rate":        {0, time.Second},
		"negative rate":    {-5, time.Second},
		"zero duration":    {10, 0},
		"over the maximum": {10, 11 * time.Minute},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := loadgen.NewPacer(time.Now(), tc.rate, tc.d, 10*time.Minute); err == nil {
				t.Error("NewPacer accepted it")
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	l, err := loadgen.NewLimiter(2)
	if err != nil {
		t.Fatal(err)
	}
	// Two start, the third and fourth find no slot and are dropped; one
	// ends, so the fifth starts.
	got := []bool{l.TryStart(), l.TryStart(), l.TryStart(), l.TryStart()}
	l.Done()
	got = append(got, l.TryStart())
	if diff := cmp.Diff([]bool{true, true, false, false, true}, got); diff != "" {
		t.Errorf("TryStart (-want +got):\n%s", diff)
	}
	if l.Started() != 3 || l.Dropped() != 2 || l.InFlight() != 2 {
		t.Errorf("started %d, dropped %d, in flight %d; want 3, 2, 2", l.Started(), l.Dropped(), l.InFlight())
	}
	if _, err := loadgen.NewLimiter(0); err == nil {
		t.Error("NewLimiter(0) accepted")
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	cases := map[string]struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		"none":                {nil, 99, 0},
		"one":                 {ms(7), 50, 7 * time.Millisecond},
		"p50 of 1..100":       {hundred, 50, 50 * time.Millisecond},
		"p95 of 1..100":       {hundred, 95, 95 * time.Millisecond},
		"p99 of 1..100":       {hundred, 99, 99 * time.Millisecond},
		"p100 is the max":     {hundred, 100, 100 * time.Millisecond},
		"p0 is the min":       {hundred, 0, time.Millisecond},
		"nearest rank of 4":   {ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		"p99 of 4 is the max": {ms(1, 2, 3, 40), 99, 40 * time.Millisecond},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := loadgen.Percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("Percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestRecorderSummaries(t *testing.T) {
	t.Parallel()
	r := loadgen.NewRecorder()
	for i := 1; i <= 4; i++ {
		r.Record("GetTask", time.Duration(i)*time.Millisecond, loadgen.Outcome{})
	}
	r.Record("UpdateTask", 3*time.Millisecond, loadgen.Outcome{Expected: true})
	r.Record("UpdateTask", 9*time.Millisecond, loadgen.Outcome{Code: "unavailable"})
	got := r.Summaries()
	want := []loadgen.Summary{
		{Name: "GetTask", Count: 4, P50: 2 * time.Millisecond, P95: 4 * time.Millisecond, P99: 4 * time.Millisecond, Max: 4 * time.Millisecond, Errors: map[string]int{}},
		{Name: "UpdateTask", Count: 2, P50: 3 * time.Millisecond, P95: 9 * time.Millisecond, P99: 9 * time.Millisecond, Max: 9 * time.Millisecond, Expected: 1, Errors: map[string]int{"unavailable": 1}},
		{Name: "all", Count: 6, P50: 3 * time.Millisecond, P95: 9 * time.Millisecond, P99: 9 * time.Millisecond, Max: 9 * time.Millisecond, Expected: 1, Errors: map[string]int{"unavailable": 1}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Summaries (-want +got):\n%s", diff)
	}
	var b bytes.Buffer
	if err := loadgen.WriteTable(&b, got); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| UpdateTask | 2     | 3.0 ms | 9.0 ms | 9.0 ms | 9.0 ms | 1        | unavailable 1 |") {
		t.Errorf("table:\n%s", b.String())
	}
}

func TestLoopbackURL(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		addr    string
		want    string
		wantErr bool
	}{
		"host:port":         {addr: "127.0.0.1:8083", want: "http://127.0.0.1:8083"},
		"url":               {addr: "http://127.0.0.1:8083", want: "http://127.0.0.1:8083"},
		"url with a slash":  {addr: "http://127.0.0.1:8083/", want: "http://127.0.0.1:8083"},
		"localhost":         {addr: "localhost:9000", want: "http://127.0.0.1:9000"},
		"ipv6 loopback":     {addr: "[::1]:9000", want: "http://[::1]:9000"},
		"other loopback":    {addr: "127.0.0.2:9000", want: "http://127.0.0.2:9000"},
		"another machine":   {addr: "10.0.0.5:8083", wantErr: true},
		"a name":            {addr: "tracking.example.org:443", wantErr: true},
		"any address":       {addr: "0.0.0.0:8083", wantErr: true},
		"no port":           {addr: "127.0.0.1", wantErr: true},
		"empty port":        {addr: "127.0.0.1:", wantErr: true},
		"https":             {addr: "https://127.0.0.1:8083", wantErr: true},
		"url with a path":   {addr: "http://127.0.0.1:8083/x", wantErr: true},
		"url to elsewhere":  {addr: "http://192.168.1.1:8083", wantErr: true},
		"userinfo trickery": {addr: "http://127.0.0.1:80@evil.example:80", wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := loadgen.LoopbackURL(tc.addr)
			if tc.wantErr {
				if err == nil {
					t.Errorf("LoopbackURL(%q) = %q, want an error", tc.addr, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("LoopbackURL(%q) = %q, %v; want %q", tc.addr, got, err, tc.want)
			}
		})
	}
}
