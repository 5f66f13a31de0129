package store_test

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilcsv"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
)

// BenchmarkImportPhases300k is BenchmarkImport300k with every statement
// timed by the connection (a pgx tracer): what an import spends where, to
// set against COPY into the same table (issue 17 item 4). The metrics are
// milliseconds per import: stage (the COPY into staging, while the file is
// parsed and validated a batch ahead), each statement after it by its
// sqlc name, commit, and go (the rest: waiting for the parser once the
// COPY has drained, and the transaction's own calls).
func BenchmarkImportPhases300k(b *testing.B) {
	data := regionFile(b)
	tr := &phaseTracer{spent: map[string]time.Duration{}}
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		url := dbtest.NewDatabase(b, "pupil", migrations.FS)
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			b.Fatal(err)
		}
		cfg.ConnConfig.Tracer = tr
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := store.InsertSchool(context.Background(), pool, store.School{URN: "100001", Name: "Heath Park School", LACode: "336", Phase: "secondary", Open: true}); err != nil {
			b.Fatal(err)
		}
		tr.reset()
		b.StartTimer()
		start := time.Now()
		importFile(b, pool, data)
		total += time.Since(start)
		b.StopTimer()
		pool.Close()
		b.StartTimer()
	}
	n := float64(b.N)
	var inSQL time.Duration
	for phase, d := range tr.spent {
		b.ReportMetric(float64(d.Milliseconds())/n, phase+"-ms")
		inSQL += d
	}
	b.ReportMetric(float64((total-inSQL).Milliseconds())/n, "go-ms")
	b.ReportMetric(float64(regionPupils*b.N)/total.Seconds(), "pupils/s")
	if testing.Verbose() {
		phases := make([]string, 0, len(tr.spent))
		for p := range tr.spent {
			phases = append(phases, p)
		}
		sort.Slice(phases, func(i, j int) bool { return tr.spent[phases[i]] > tr.spent[phases[j]] })
		for _, p := range phases {
			b.Logf("%-28s %8.0f ms", p, float64(tr.spent[p].Milliseconds())/n)
		}
	}
}

// phaseTracer adds up the time each statement takes, by the name sqlc
// writes at the head of its SQL ("-- name: MergeStaged :many"), the table
// a COPY fills, or the statement's first word.
type phaseTracer struct {
	mu    sync.Mutex
	spent map[string]time.Duration
}

type traceKey struct{}

type traceStart struct {
	name string
	at   time.Time
}

var sqlcName = regexp.MustCompile(`^-- name: (\w+)`)

func (t *phaseTracer) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.spent)
}

func (t *phaseTracer) add(ctx context.Context) {
	s, ok := ctx.Value(traceKey{}).(traceStart)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.spent[s.name] += time.Since(s.at)
}

// TraceQueryStart implements pgx.QueryTracer.
func (t *phaseTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	name := "other"
	if m := sqlcName.FindStringSubmatch(data.SQL); m != nil {
		name = m[1]
	} else if len(data.SQL) > 0 {
		name = strings.ToLower(firstWord(data.SQL))
	}
	return context.WithValue(ctx, traceKey{}, traceStart{name: name, at: time.Now()})
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *phaseTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	t.add(ctx)
}

// TraceCopyFromStart implements pgx.CopyFromTracer.
func (t *phaseTracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	return context.WithValue(ctx, traceKey{}, traceStart{name: "copy:" + strings.Join(data.TableName, "."), at: time.Now()})
}

// TraceCopyFromEnd implements pgx.CopyFromTracer.
func (t *phaseTracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromEndData) {
	t.add(ctx)
}

func firstWord(sql string) string {
	for i, r := range sql {
		if r == ' ' || r == '\n' || r == '\t' || r == '(' {
			if i == 0 {
				continue
			}
			return sql[:i]
		}
	}
	return sql
}

// BenchmarkMergePlan stages the 300,000-pupil file and has PostgreSQL
// explain the merge as it runs it (EXPLAIN ANALYZE, in a transaction
// rolled back), logged with -v: where the merge's time goes, node by node
// and trigger by trigger. The time is the merge's alone.
func BenchmarkMergePlan(b *testing.B) {
	data := regionFile(b)
	sql, err := os.ReadFile("queries/import.sql")
	if err != nil {
		b.Fatal(err)
	}
	merge := sqlcQuery(b, string(sql), "MergeStaged")
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		pool := freshPool(b)
		tx, err := pool.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		src, err := pupilcsv.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		gate := intake.NewGate(map[string]bool{"100001": true}, pupilcsv.Fields, time.Now())
		if err := store.StageForBenchmark(ctx, tx, src, gate); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, TIMING) "+merge)
		if err != nil {
			b.Fatal(err)
		}
		plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = tx.Rollback(ctx)
		if testing.Verbose() {
			b.Log("\n" + strings.Join(plan, "\n"))
		}
		b.StartTimer()
	}
}

// sqlcQuery is the statement named name in a sqlc queries file: from its
// "-- name:" line to the next one.
func sqlcQuery(b *testing.B, file, name string) string {
	b.Helper()
	start := strings.Index(file, "-- name: "+name+" ")
	if start < 0 {
		b.Fatalf("no query %s", name)
	}
	rest := file[start+1:]
	if end := strings.Index(rest, "-- name: "); end >= 0 {
		rest = rest[:end]
	}
	return "-" + rest
}
