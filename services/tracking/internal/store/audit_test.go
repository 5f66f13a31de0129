package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// Each scope reads the events that touched a record in it, and of each
// only those records, from the event's three arrays; a record with no
// school or LA is everything's alone.
func TestAuditEventsByScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewPool(t, "tracking", migrations.FS)
	if _, err := pool.Exec(ctx, `
		INSERT INTO tracking.audit_events (subject, role, procedure, outcome, targets, target_schools, target_las) VALUES
			('a', 'r', 'p', 'ok', '{pupil:1,pupil:2,pupil:3}', '{100001,100002,100003}', '{336,336,201}'),
			('b', 'r', 'p', 'ok', '{pupil:4}', '{}', '{}'),
			('c', 'r', 'p', 'ok', '{pupil:5}', '{100002}', '{336}')`); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Subject string
		Targets []string
		Count   int32
	}
	for _, c := range []struct {
		name   string
		scope  auth.Scope
		target string
		want   []row
	}{
		{"everything", auth.Everything(), "", []row{{"c", []string{"pupil:5"}, 1}, {"b", []string{"pupil:4"}, 1}, {"a", []string{"pupil:1", "pupil:2", "pupil:3"}, 3}}},
		{"an LA", auth.LocalAuthorities("336"), "", []row{{"c", []string{"pupil:5"}, 1}, {"a", []string{"pupil:1", "pupil:2"}, 2}}},
		{"a hub of two LAs", auth.LocalAuthorities("201", "330"), "", []row{{"a", []string{"pupil:3"}, 1}}},
		{"a school", auth.School("100002"), "", []row{{"c", []string{"pupil:5"}, 1}, {"a", []string{"pupil:2"}, 1}}},
		{"a school, another's record by name", auth.School("100002"), "pupil:1", nil},
		{"an LA, its record by name: the events, with all they touched in scope", auth.LocalAuthorities("336"), "pupil:2", []row{{"a", []string{"pupil:1", "pupil:2"}, 2}}},
		{"an LA, a record of no LA by name", auth.LocalAuthorities("336"), "pupil:4", nil},
	} {
		events, err := store.ListAuditEvents(ctx, pool, store.AuditFilter{Scope: c.scope, Target: c.target}, 10)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []row
		for _, e := range events {
			got = append(got, row{e.Subject, e.Targets, e.TargetCount})
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}
