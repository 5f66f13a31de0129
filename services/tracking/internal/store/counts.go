package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/changefeed"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store/dbsqlc"
)

// Counter answers CountTasks from each cohort's counts of its active
// tasks, which it keeps in memory and brings up to date at every call:
// counting a local authority's 30,000 active tasks afresh took 10-15 ms of
// PostgreSQL's time at a million tasks, and the console asks for the counts
// with every queue page it shows. Each call reads, in one statement and so
// one snapshot (CountChangedCohorts), which cohorts' tasks changed since
// the snapshot of its last read (every write
// to a cohort's tasks moves the cohort's tasks revision, migration 00007,
// in its own transaction, and the revision's row keeps that transaction's
// id, migration 00008; kit/changefeed explains why no change is missed),
// and their counts again, and sums the cohorts in the caller's scope.
// So every answer is exact as of its own snapshot, which is after the call
// began: a caseworker sees their own update counted, whichever replica
// answers. The first call, and the first of each day (overdue is judged
// against the day), counts every cohort: under a second at a million tasks.
//
// Counts for one assignee are not kept: those calls count in SQL
// (CountTasks), over the assignee's own tasks.
type Counter struct {
	pool TxOptionsDB

	// mu guards everything below. Calls that arrive while a read is under
	// way share the next read (a round), so a burst of calls costs one read
	// after the one in progress, not one each in turn.
	mu sync.Mutex
	// next is the round that calls arriving now join, nil when none is
	// waiting; reading says whether a round is being read.
	next    *round
	reading bool
	// position is the snapshot the counts were read in ("" before the
	// first read), today the day their overdue counts are for.
	position string
	today    time.Time
	// cohorts are the counts by cohort key.
	cohorts map[string][]groupCount
}

// round is one read of the changes, for the calls that joined it.
type round struct {
	today time.Time
	done  chan struct{}
	err   error
}

// groupCount is one cohort's active tasks in one school and LA with one
// reason and priority.
type groupCount struct {
	LACode, SchoolURN string
	Count
	Unassigned int
}

// TxOptionsDB is a DB that can begin a transaction with options: the pool.
type TxOptionsDB interface {
	DB
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// NewCounter returns a Counter reading pool. It reads nothing until its
// first call.
func NewCounter(pool TxOptionsDB) *Counter {
	return &Counter{pool: pool}
}

// Count counts the active tasks in scope matching f, by reason and
// priority, as CountTasks does, from counts read after the call began.
func (c *Counter) Count(ctx context.Context, s auth.Scope, f QueueFilter) (Counts, error) {
	if f.Assignee != "" {
		return CountTasks(ctx, c.pool, s, f)
	}
	c.mu.Lock()
	r := c.next
	if r == nil {
		r = &round{today: f.Today, done: make(chan struct{})}
		c.next = r
	}
	if f.Today.After(r.today) {
		r.today = f.Today
	}
	if !c.reading {
		c.reading = true
		// The reads outlive any one caller, who may go away.
		go c.read(context.WithoutCancel(ctx))
	}
	c.mu.Unlock()
	select {
	case <-r.done:
	case <-ctx.Done():
		return Counts{}, ctx.Err()
	}
	if r.err != nil {
		return Counts{}, r.err
	}
	c.mu.Lock()
	sameDay := c.today.Equal(f.Today)
	var out Counts
	if sameDay {
		out = sumCounts(c.cohorts, s, f)
	}
	c.mu.Unlock()
	if !sameDay {
		// Called either side of midnight from a round of the other day.
		return CountTasks(ctx, c.pool, s, f)
	}
	return out, nil
}

// read reads rounds until none is waiting.
func (c *Counter) read(ctx context.Context) {
	for {
		c.mu.Lock()
		r := c.next
		c.next = nil
		if r == nil {
			c.reading = false
			c.mu.Unlock()
			return
		}
		position, today, cohorts := c.position, c.today, c.cohorts
		c.mu.Unlock()
		rctx, cancel := context.WithTimeout(ctx, readTimeout)
		r.err = c.refresh(rctx, position, today, cohorts, r.today)
		cancel()
		close(r.done)
	}
}

// readTimeout bounds one round's read.
const readTimeout = 30 * time.Second

// refresh brings the counts, read at position for the day today, up to the
// present for the day newToday, and stores them.
func (c *Counter) refresh(ctx context.Context, position string, today time.Time, cohorts map[string][]groupCount, newToday time.Time) error {
	if position != "" && today.Equal(newToday) {
		rows, err := queries.CountChangedCohorts(ctx, c.pool, dbsqlc.CountChangedCohortsParams{After: position, MaxRows: changefeed.Limit + 1, Today: newToday})
		if err != nil {
			return fmt.Errorf("count the changed cohorts: %w", err)
		}
		if len(rows) == 0 {
			// The statement returns a row even when nothing changed.
			return errors.New("count the changed cohorts: no row, not even the position")
		}
		changed := map[string]bool{}
		for _, r := range rows {
			if r.CohortKey != "" {
				changed[r.CohortKey] = true
			}
		}
		if len(changed) <= changefeed.Limit {
			if len(changed) > 0 {
				// A copy: calls are summing the counts as they stand. A
				// cohort with no active task left has no group, and goes.
				cohorts = maps.Clone(cohorts)
				for k := range changed {
					delete(cohorts, k)
				}
				for _, r := range rows {
					if r.ReasonCode != "" {
						cohorts[r.CohortKey] = append(cohorts[r.CohortKey], group(r.LACode, r.SchoolURN, r.ReasonCode, r.Priority, r.Open, r.Overdue, r.Unassigned, r.CohortLevel))
					}
				}
			}
			c.store(rows[0].Position, newToday, cohorts)
			return nil
		}
	}
	return c.recount(ctx, newToday)
}

// recount counts every cohort afresh: the first round, the first of each
// day, and a round after more changes than a feed lists.
func (c *Counter) recount(ctx context.Context, today time.Time) error {
	// Repeatable read: the position and the counts are of one snapshot.
	tx, err := c.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var position string
	if err := tx.QueryRow(ctx, "SELECT pg_current_snapshot()::text").Scan(&position); err != nil {
		return fmt.Errorf("read position: %w", err)
	}
	rows, err := queries.AllActiveTaskCounts(ctx, tx, today)
	if err != nil {
		return fmt.Errorf("count every cohort: %w", err)
	}
	cohorts := map[string][]groupCount{}
	for _, r := range rows {
		cohorts[r.CohortKey] = append(cohorts[r.CohortKey], group(r.LACode, r.SchoolURN, r.ReasonCode, r.Priority, r.Open, r.Overdue, r.Unassigned, r.CohortLevel))
	}
	c.store(position, today, cohorts)
	return nil
}

// store keeps counts read at position for the day today.
func (c *Counter) store(position string, today time.Time, cohorts map[string][]groupCount) {
	c.mu.Lock()
	c.position, c.today, c.cohorts = position, today, cohorts
	c.mu.Unlock()
}

// group is one row of the counts' queries.
func group(laCode, schoolURN, reason string, priority int16, open, overdue, unassigned, cohortLevel int32) groupCount {
	return groupCount{
		LACode: laCode, SchoolURN: schoolURN, Unassigned: int(unassigned),
		Count: Count{Reason: reason, Priority: int(priority), Open: int(open), Overdue: int(overdue), CohortLevel: int(cohortLevel)},
	}
}

// sumCounts adds up the cohorts' counts in scope matching f's LA, school
// and cohort, as CountTasks' SQL would: by reason, then priority from the
// most urgent, with only the reasons and priorities that have a task.
func sumCounts(cohorts map[string][]groupCount, s auth.Scope, f QueueFilter) Counts {
	type key struct {
		reason   string
		priority int
	}
	byKey := map[key]*Count{}
	var out Counts
	for cohortKey, groups := range cohorts {
		if f.CohortKey != "" && cohortKey != f.CohortKey {
			continue
		}
		for _, g := range groups {
			if !s.Covers(g.SchoolURN, g.LACode) || (f.LACode != "" && g.LACode != f.LACode) || (f.SchoolURN != "" && g.SchoolURN != f.SchoolURN) {
				continue
			}
			k := key{g.Reason, g.Priority}
			sum, ok := byKey[k]
			if !ok {
				sum = &Count{Reason: g.Reason, Priority: g.Priority}
				byKey[k] = sum
			}
			sum.Open += g.Open
			sum.Overdue += g.Overdue
			sum.CohortLevel += g.CohortLevel
			out.Open += g.Open
			out.Overdue += g.Overdue
			out.Unassigned += g.Unassigned
			out.CohortLevel += g.CohortLevel
		}
	}
	for _, sum := range byKey {
		out.ByReason = append(out.ByReason, *sum)
	}
	slices.SortFunc(out.ByReason, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.Reason, b.Reason), cmp.Compare(b.Priority, a.Priority))
	})
	return out
}
