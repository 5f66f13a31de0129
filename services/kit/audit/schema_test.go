package audit_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
)

// Migration 5 moves each event's targets from a row each onto the event,
// in order, and back down again, losing nothing either way.
func TestTargetsMoveOntoTheirEvent(t *testing.T) {
	t.Parallel()
	const s = "auditmigration"
	pool := dbtest.NewPool(t, s, fstest.MapFS{})
	ctx := context.Background()
	db := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { _ = db.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, db, nil,
		goose.WithTableName(s+".kit_goose_db_version"),
		goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(audit.Migrations(s)...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	// Three events as migration 4 kept them: one touching records in
	// schools (one of them with none), one touching a record with no
	// school, one touching nothing.
	if _, err := pool.Exec(ctx, `
		INSERT INTO auditmigration.audit_events (id, subject, role, procedure, outcome, target_count) OVERRIDING SYSTEM VALUE
		VALUES (1, 'a', 'r', 'p', 'ok', 3), (2, 'b', 'r', 'p', 'ok', 1), (3, 'c', 'r', 'p', 'ok', 0);
		INSERT INTO auditmigration.audit_targets (event_id, position, target, school_urn, la_code)
		VALUES (1, 2, 'task:y', '100002', '336'), (1, 1, 'task:x', '100001', '335'), (1, 3, 'task:z', '', ''),
			(2, 1, 'pupil:p', '', '')`); err != nil {
		t.Fatal(err)
	}

	if _, err := p.UpTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID                    int64
		Targets, Schools, LAs []string
	}
	var got []row
	rows, err := pool.Query(ctx, `SELECT id, targets, target_schools, target_las FROM auditmigration.audit_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.ID, &r.Targets, &r.Schools, &r.LAs); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	want := []row{
		{1, []string{"task:x", "task:y", "task:z"}, []string{"100001", "100002", ""}, []string{"335", "336", ""}},
		{2, []string{"pupil:p"}, []string{}, []string{}},
		{3, []string{}, []string{}, []string{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events after migration 5 (-want +got):\n%s", diff)
	}

	if _, err := p.DownTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"1 1 task:x 100001 335", "1 2 task:y 100002 336", "1 3 task:z  ", "2 1 pupil:p  "}, targetRows(t, pool)); diff != "" {
		t.Errorf("targets after migration 5 down (-want +got):\n%s", diff)
	}
	var counts []int32
	if err := pool.QueryRow(ctx, `SELECT array_agg(target_count ORDER BY id) FROM auditmigration.audit_events`).Scan(&counts); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int32{3, 1, 0}, counts); diff != "" {
		t.Errorf("target counts after migration 5 down (-want +got):\n%s", diff)
	}
}

func targetRows(t *testing.T, pool *pgxpool.Pool) []string {
	var out []string
	err := pool.QueryRow(context.Background(), `SELECT array_agg(concat_ws(' ', event_id, position, target, school_urn, la_code) ORDER BY event_id, position)
		FROM auditmigration.audit_targets`).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
