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
	}
}
