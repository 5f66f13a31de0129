package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
)

// ImportResult counts what an import did.
type ImportResult struct {
	Rows, Inserted, Updated, Unchanged, Rejected int
	// Changed are the ids of the pupils inserted or updated, for the audit.
	Changed []string
}

// stagingTable is the import's staging table: a temporary table, private to
// the transaction's session and dropped at commit.
var stagingTable = pgx.Identifier{"pg_temp", "pupil_import"}

// Import copies the accepted rows of src into a staging table with COPY,
// then merges them into pupil.pupils by UPN in one statement, inside tx.
// Rows with problems (after gate's checks) go to reject, and so do two
// kinds found once the file is in: the first of two rows with one UPN (the
// gate recalls it), and a row whose UPN belongs to a pupil at a school
// outside scope, which is never moved or overwritten by an import. An error
// from src (a malformed file, an upload cut off) fails the import, and the
// caller's rollback leaves nothing written. A row identical to the stored
// pupil is left untouched, so importing the same file twice changes
// nothing.
func Import(ctx context.Context, tx pgx.Tx, src intake.Source, gate *intake.Gate, scope Scope, reject func(intake.Row)) (ImportResult, error) {
	var res ImportResult
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE pupil_import ON COMMIT DROP AS
		SELECT id, `+columnList("")+`, 0 AS row_no, '' AS location FROM pupil.pupils WITH NO DATA`); err != nil {
		return res, fmt.Errorf("create staging table: %w", err)
	}
	cs := &copySource{src: src, gate: gate, reject: reject}
	columns := append(append([]string{"id"}, recordColumns...), "row_no", "location")
	if _, err := tx.CopyFrom(ctx, stagingTable, columns, cs); err != nil {
		if cs.srcErr != nil {
			return res, cs.srcErr
		}
		return res, fmt.Errorf("copy into staging table: %w", err)
	}
	res.Rows, res.Rejected = cs.rows, cs.rejected

	withdrawn, err := withdraw(ctx, tx, gate, scope, reject)
	if err != nil {
		return res, err
	}
	res.Rejected += withdrawn

	// A pupil moving school: keep the old enrolment and count the move,
	// before the merge overwrites it.
	if _, err := tx.Exec(ctx, `
		INSERT INTO pupil.school_history (pupil_id, school_urn, joined_on, left_on, leaving_reason)
		SELECT p.id, p.school_urn, p.joined_on, COALESCE(p.left_on, i.joined_on, current_date), COALESCE(p.leaving_reason, 'transferred')
		FROM pg_temp.pupil_import i JOIN pupil.pupils p ON p.upn = i.upn
		WHERE p.school_urn <> i.school_urn`); err != nil {
		return res, fmt.Errorf("record school moves: %w", err)
	}

	rows, err := tx.Query(ctx, mergeSQL)
	if err != nil {
		return res, fmt.Errorf("merge: %w", err)
	}
	for rows.Next() {
		var id string
		var inserted bool
		if err := rows.Scan(&id, &inserted); err != nil {
			rows.Close()
			return res, err
		}
		if inserted {
			res.Inserted++
		} else {
			res.Updated++
		}
		res.Changed = append(res.Changed, id)
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("merge: %w", constraintError(err))
	}
	res.Unchanged = res.Rows - res.Rejected - res.Inserted - res.Updated
	return res, nil
}

// withdraw takes back out of the staging table the rows the gate recalled
// and those naming a pupil registered outside scope, reports each, and
// returns how many there were.
func withdraw(ctx context.Context, tx pgx.Tx, gate *intake.Gate, scope Scope, reject func(intake.Row)) (int, error) {
	recalled := gate.Recalled()
	if len(recalled) > 0 {
		rows := make([]int32, len(recalled))
		for i, r := range recalled {
			rows[i] = int32(r.Index)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM pg_temp.pupil_import WHERE row_no = ANY($1)`, rows); err != nil {
			return 0, fmt.Errorf("withdraw repeated UPNs: %w", err)
		}
		for _, r := range recalled {
			reject(r)
		}
	}
	// A school's pupils are only ever the importer's to change if the
	// school is in their scope, open or closed.
	rows, err := tx.Query(ctx, `
		DELETE FROM pg_temp.pupil_import i
		USING pupil.pupils p JOIN pupil.schools s ON s.urn = p.school_urn
		WHERE p.upn = i.upn AND NOT `+scopeSQL+`
		RETURNING i.row_no, i.location`, scopeArgs(scope)...)
	if err != nil {
		return 0, fmt.Errorf("withdraw pupils outside scope: %w", err)
	}
	type staged struct {
		row      int
		location string
	}
	elsewhere, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (staged, error) {
		var s staged
		return s, r.Scan(&s.row, &s.location)
	})
	if err != nil {
		return 0, fmt.Errorf("withdraw pupils outside scope: %w", err)
	}
	for _, e := range elsewhere {
		reject(gate.Elsewhere(e.location, e.row))
	}
	return len(recalled) + len(elsewhere), nil
}

// mergeSQL upserts the staging rows by UPN. Names and enrolment are
// replaced (an empty joined_on keeps the known date); a risk factor is replaced only by a value at least as recent as
// the stored one, and kept when the file does not give it. A school move
// adds one to school_moves unless the file gives the count. Rows that would
// change nothing are filtered out before the upsert, so they keep their
// version and updated_at.
var mergeSQL = func() string {
	merged := make([]string, 0, len(recordColumns))
	isRisk := map[string]bool{}
	for _, c := range riskColumns {
		isRisk[c], isRisk[asAtColumn(c)] = true, true
	}
	for _, c := range recordColumns {
		switch {
		case c == "school_moves":
			merged = append(merged, `CASE WHEN i.school_moves_as_at IS NOT NULL AND (p.school_moves_as_at IS NULL OR i.school_moves_as_at >= p.school_moves_as_at) THEN i.school_moves
				WHEN p.school_urn <> i.school_urn THEN COALESCE(p.school_moves, 0) + 1
				ELSE p.school_moves END AS school_moves`)
		case c == "school_moves_as_at":
			merged = append(merged, `CASE WHEN i.school_moves_as_at IS NOT NULL AND (p.school_moves_as_at IS NULL OR i.school_moves_as_at >= p.school_moves_as_at) THEN i.school_moves_as_at
				WHEN p.school_urn <> i.school_urn THEN COALESCE(i.joined_on, current_date)
				ELSE p.school_moves_as_at END AS school_moves_as_at`)
		case c == "joined_on":
			// A file that does not say when the pupil joined (a CTF never
			// does) keeps the date already known for the same school.
			merged = append(merged, `CASE WHEN p.school_urn = i.school_urn THEN COALESCE(i.joined_on, p.joined_on) ELSE i.joined_on END AS joined_on`)
		case isRisk[c]:
			// The factor's as-at column decides for both its columns.
			asAt := c
			if !strings.HasSuffix(c, "_as_at") {
				asAt = asAtColumn(c)
			}
			merged = append(merged, fmt.Sprintf(`CASE WHEN i.%[2]s IS NOT NULL AND (p.%[2]s IS NULL OR i.%[2]s >= p.%[2]s) THEN i.%[1]s ELSE p.%[1]s END AS %[1]s`, c, asAt))
		default:
			merged = append(merged, "i."+c)
		}
	}
	var current, next, sets []string
	for _, c := range recordColumns {
		current = append(current, "p."+c)
		next = append(next, "m."+c)
		sets = append(sets, c+" = EXCLUDED."+c)
	}
	return `
		WITH merged AS (
			SELECT COALESCE(p.id, i.id) AS id, ` + strings.Join(merged, ",\n") + `
			FROM pg_temp.pupil_import i LEFT JOIN pupil.pupils p ON p.upn = i.upn
		)
		INSERT INTO pupil.pupils (id, ` + columnList("") + `)
		SELECT m.id, ` + columnList("m") + ` FROM merged m LEFT JOIN pupil.pupils p ON p.id = m.id
		WHERE p.id IS NULL OR (` + strings.Join(current, ", ") + `) IS DISTINCT FROM (` + strings.Join(next, ", ") + `)
		ON CONFLICT (upn) DO UPDATE SET ` + strings.Join(sets, ", ") + `, version = pupils.version + 1, updated_at = now()
		RETURNING id, xmax = 0`
}()

// copySource feeds CopyFrom the accepted rows, reading the file as COPY
// consumes it, so memory stays flat whatever the file's size.
type copySource struct {
	src      intake.Source
	gate     *intake.Gate
	reject   func(intake.Row)
	values   []any
	srcErr   error
	rows     int
	rejected int
}

func (c *copySource) Next() bool {
	for {
		row, err := c.src.Next()
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			c.srcErr = err
			return false
		}
		c.rows++
		row.Index = c.rows
		c.gate.Admit(&row)
		if len(row.Problems) > 0 {
			c.rejected++
			c.reject(row)
			continue
		}
		// The id a new pupil will get; an existing pupil keeps theirs.
		c.values = append(append([]any{NewID()}, recordValues(row.Record)...), int32(row.Index), row.Location)
		return true
	}
}

func (c *copySource) Values() ([]any, error) { return c.values, nil }

func (c *copySource) Err() error { return c.srcErr }
