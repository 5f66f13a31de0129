package audit

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"
)

// Migrations create the audit table in schema. database.Migrate applies
// them with their own version table, apart from the service's migrations.
func Migrations(schema string) []*goose.Migration {
	s := pgx.Identifier{schema}.Sanitize()
	up := func(ddl string) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, fmt.Sprintf(ddl, s))
			return err
		}}
	}
	return []*goose.Migration{
		goose.NewGoMigration(1, up(`
			CREATE TABLE %[1]s.audit_events (
				id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
				at        timestamptz NOT NULL DEFAULT now(),
				subject   text NOT NULL,
				role      text NOT NULL,
				procedure text NOT NULL,
				purpose   text NOT NULL DEFAULT '',
				outcome   text NOT NULL,
				targets   text[] NOT NULL DEFAULT '{}'
			);
			CREATE INDEX audit_events_at_idx ON %[1]s.audit_events (at);
			CREATE INDEX audit_events_subject_idx ON %[1]s.audit_events (subject, at);
			CREATE INDEX audit_events_targets_idx ON %[1]s.audit_events USING gin (targets);`),
			up(`DROP TABLE %[1]s.audit_events`)),
		// The records a call touched get a row each, so a bulk call (an
		// import of 300,000 pupils) is not one enormous array and "who has
		// read this pupil" is an index lookup.
		goose.NewGoMigration(2, up(`
			CREATE TABLE %[1]s.audit_targets (
				event_id bigint NOT NULL REFERENCES %[1]s.audit_events (id) ON DELETE CASCADE,
				position  int NOT NULL,
				target    text NOT NULL,
				PRIMARY KEY (event_id, position)
			);
			CREATE INDEX audit_targets_target_idx ON %[1]s.audit_targets (target, event_id);
			INSERT INTO %[1]s.audit_targets (event_id, position, target)
				SELECT e.id, t.ord, t.target
				FROM %[1]s.audit_events e, unnest(e.targets) WITH ORDINALITY AS t(target, ord);
			ALTER TABLE %[1]s.audit_events ADD COLUMN target_count int NOT NULL DEFAULT 0;
			UPDATE %[1]s.audit_events SET target_count = cardinality(targets);
			DROP INDEX %[1]s.audit_events_targets_idx;
			ALTER TABLE %[1]s.audit_events DROP COLUMN targets;`),
			up(`
			ALTER TABLE %[1]s.audit_events ADD COLUMN targets text[] NOT NULL DEFAULT '{}';
			UPDATE %[1]s.audit_events e SET targets = ARRAY(
				SELECT target FROM %[1]s.audit_targets t WHERE t.event_id = e.id ORDER BY position);
			CREATE INDEX audit_events_targets_idx ON %[1]s.audit_events USING gin (targets);
			ALTER TABLE %[1]s.audit_events DROP COLUMN target_count;
			DROP TABLE %[1]s.audit_targets;`)),
		// Who vouched for the subject: the OIDC issuer's URL, "kubernetes"
		// for a service account, "development" for a development token. A
		// subject is unique only within its issuer. Rows written before
		// have none.
		goose.NewGoMigration(3,
			up(`ALTER TABLE %[1]s.audit_events ADD COLUMN issuer text NOT NULL DEFAULT ''`),
			up(`ALTER TABLE %[1]s.audit_events DROP COLUMN issuer`)),
		// Where each touched record belongs (audit.TouchAt), so a reader
		// scoped to a hub, an LA or a school sees only the events that
		// touched its own records. Rows written before belong nowhere and
		// are shown only to a reader who sees everything.
		goose.NewGoMigration(4,
			up(`ALTER TABLE %[1]s.audit_targets
				ADD COLUMN school_urn text NOT NULL DEFAULT '',
				ADD COLUMN la_code text NOT NULL DEFAULT '';
			CREATE INDEX audit_targets_la_code_idx ON %[1]s.audit_targets (la_code, event_id) WHERE la_code <> ''`),
			up(`ALTER TABLE %[1]s.audit_targets DROP COLUMN school_urn, DROP COLUMN la_code`)),
		// The records a call touched go back on its event, as three arrays
		// of one length (the record, its school, its LA; an array is empty
		// when the call said no school, or no LA, for any record) under GIN
		// indexes: "who touched this record" and an LA's events stay index
		// lookups, and an event is one row and five index entries where a
		// page of 50 tasks was 51 rows, 152 index entries and 50 foreign-key
		// checks. hack/auditbench.sh (pgbench, 2 clients, commits not
		// waited for) on the 2-core machine: 1,858-1,930 against 4,715-4,737
		// events of 50 targets a second, at 8.4 against 3.9-4.2 KB an event;
		// 562-583 against 1,295-1,837 of 200. An import's event of 300,000
		// pupils is one array (TOASTed), and the import is faster for it
		// (docs/benchmarks.md, "The audit log's targets on their event").
		// The migration rewrites every event once.
		goose.NewGoMigration(5, up(`
			ALTER TABLE %[1]s.audit_events
				ADD COLUMN targets text[] NOT NULL DEFAULT '{}',
				ADD COLUMN target_schools text[] NOT NULL DEFAULT '{}',
				ADD COLUMN target_las text[] NOT NULL DEFAULT '{}';
			UPDATE %[1]s.audit_events e
			SET targets = t.targets,
				target_schools = CASE WHEN t.any_school THEN t.schools ELSE '{}' END,
				target_las = CASE WHEN t.any_la THEN t.las ELSE '{}' END
			FROM (SELECT event_id,
					array_agg(target ORDER BY position) AS targets,
					array_agg(school_urn ORDER BY position) AS schools,
					array_agg(la_code ORDER BY position) AS las,
					bool_or(school_urn <> '') AS any_school,
					bool_or(la_code <> '') AS any_la
				FROM %[1]s.audit_targets GROUP BY event_id) t
			WHERE t.event_id = e.id;
			DROP TABLE %[1]s.audit_targets;
			ALTER TABLE %[1]s.audit_events DROP COLUMN target_count;
			CREATE INDEX audit_events_targets_idx ON %[1]s.audit_events USING gin (targets);
			CREATE INDEX audit_events_target_las_idx ON %[1]s.audit_events USING gin (target_las) WHERE target_las <> '{}';`),
			up(`
			CREATE TABLE %[1]s.audit_targets (
				event_id bigint NOT NULL REFERENCES %[1]s.audit_events (id) ON DELETE CASCADE,
				position  int NOT NULL,
				target    text NOT NULL,
				school_urn text NOT NULL DEFAULT '',
				la_code text NOT NULL DEFAULT '',
				PRIMARY KEY (event_id, position)
			);
			CREATE INDEX audit_targets_target_idx ON %[1]s.audit_targets (target, event_id);
			CREATE INDEX audit_targets_la_code_idx ON %[1]s.audit_targets (la_code, event_id) WHERE la_code <> '';
			INSERT INTO %[1]s.audit_targets (event_id, position, target, school_urn, la_code)
				SELECT e.id, t.ord, t.target, coalesce(t.school_urn, ''), coalesce(t.la_code, '')
				FROM %[1]s.audit_events e,
					unnest(e.targets, e.target_schools, e.target_las) WITH ORDINALITY AS t(target, school_urn, la_code, ord);
			ALTER TABLE %[1]s.audit_events ADD COLUMN target_count int NOT NULL DEFAULT 0;
			UPDATE %[1]s.audit_events SET target_count = cardinality(targets);
			ALTER TABLE %[1]s.audit_events DROP COLUMN targets, DROP COLUMN target_schools, DROP COLUMN target_las;`)),
	}
}
