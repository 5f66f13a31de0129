package main

import (
	"context"
	"crypto/md5"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

// benchRegion is the synthetic region `devstack bench-region` measures:
// schoolsPerLA secondary schools in each LA, each with Years 7 to 11 of
// pupilsPerYear pupils, so five cohorts a school. At scale 1 it is 300
// schools, 1,500 cohorts and 300,000 pupils, with every year's work
// experience since Year 7 and the Year 10s' and 11s' destinations.
//
// It is written straight into each service's tables (pupils by COPY, the
// rest by INSERT ... SELECT over generate_series), as the APIs would have
// written it: each row's columns are those the service's own writes fill.
// Every id is derived from the pupil's index (md5 of a fixed prefix and
// the index, as a UUID), so each service's rows are made from the same
// formula without reading another service's schema.
type benchRegion struct {
	las           []string
	schoolsPerLA  int
	pupilsPerYear int
	year          int // the academic year's start: 2026 for 2026/27
	today         time.Time
}

// benchLAs are six West Midlands local authorities (the pupil service's
// code list, services/pupil/internal/lacode: DfE's LA codes).
var benchLAs = []string{"330", "331", "332", "333", "334", "335"}

// benchYearGroups are the year groups each school's programme follows.
const benchYearGroups = 5 // Years 7 to 11

func newBenchRegion(scale int, today time.Time, year int) benchRegion {
	return benchRegion{las: benchLAs, schoolsPerLA: 50 * scale, pupilsPerYear: 200, year: year, today: today}
}

func (r benchRegion) schools() int { return len(r.las) * r.schoolsPerLA }
func (r benchRegion) cohorts() int { return r.schools() * benchYearGroups }
func (r benchRegion) pupils() int  { return r.cohorts() * r.pupilsPerYear }

// schoolURN is the s-th school's URN: 9xxxxx, outside the range GIAS has
// issued, so no invented school shares a real one's number.
func schoolURN(s int) string { return fmt.Sprintf("%06d", 900000+s) }

// benchID is the UUID PostgreSQL's md5(kind || '-' || i)::uuid makes.
func benchID(kind string, i int) uuid.UUID {
	return uuid.UUID(md5.Sum(fmt.Appendf(nil, "%s-%d", kind, i)))
}

// seed writes the region: schools and pupils (pupil), employers,
// opportunities, bookings and attendance (placement), destinations
// (tracking); then ANALYZE, as autovacuum would after a load. progress is
// told each step as it ends.
func (r benchRegion) seed(ctx context.Context, pool *pgxpool.Pool, progress func(step string, rows int64, took time.Duration)) error {
	steps := []struct {
		name string
		run  func(context.Context, *pgxpool.Pool) (int64, error)
	}{
		{"pupil.schools", r.seedSchools},
		{"pupil.pupils", r.seedPupils},
		{"placement.employers", r.exec(seedEmployersSQL)},
		{"placement.opportunities", r.exec(seedOpportunitiesSQL)},
		{"placement.opportunity_days", r.exec(seedOpportunityDaysSQL)},
		{"placement.bookings", r.exec(seedBookingsSQL)},
		{"placement.attendance", r.exec(seedAttendanceSQL)},
		{"tracking.destinations", r.exec(seedDestinationsSQL)},
	}
	for _, st := range steps {
		start := time.Now()
		n, err := loadWithoutIndexes(ctx, pool, st.name, st.run)
		if err != nil {
			return fmt.Errorf("seed %s: %w", st.name, err)
		}
		progress(st.name, n, time.Since(start))
	}
	start := time.Now()
	if _, err := pool.Exec(ctx, "UPDATE placement.opportunities o SET booked = b.n FROM (SELECT opportunity_id, count(*) AS n FROM placement.bookings GROUP BY 1) b WHERE b.opportunity_id = o.id"); err != nil {
		return fmt.Errorf("seed booked counts: %w", err)
	}
	// As autovacuum would leave the tables once settled: statistics, and
	// visibility maps that let index-only scans skip the heap; so that no
	// autovacuum of the load runs during the passes.
	for _, st := range steps {
		if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) "+st.name); err != nil {
			return fmt.Errorf("vacuum %s: %w", st.name, err)
		}
	}
	progress("vacuum and analyze", 0, time.Since(start))
	return nil
}

// loadWithoutIndexes runs load with table's indexes that back no
// constraint dropped, then builds them again from their own definitions
// (pg_get_indexdef), so the table ends with exactly the indexes the
// service's migrations gave it. At England's scale the bookings' indexes
// on random UUIDs outgrow the buffer cache, and an insert row by row reads
// a page of each for nearly every row; a build sorts once. The indexes
// that back a constraint (keys, uniqueness, a foreign key's target) stay
// and check the rows as they go in; a unique index rebuilt checks them as
// it is built.
func loadWithoutIndexes(ctx context.Context, pool *pgxpool.Pool, table string, load func(context.Context, *pgxpool.Pool) (int64, error)) (int64, error) {
	rows, err := pool.Query(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid = $1::regclass
		  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		ORDER BY 1`, table)
	if err != nil {
		return 0, err
	}
	type index struct{ Name, Def string }
	indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		return 0, fmt.Errorf("list the indexes of %s: %w", table, err)
	}
	for _, ix := range indexes {
		if _, err := pool.Exec(ctx, "DROP INDEX "+ix.Name); err != nil {
			return 0, err
		}
	}
	n, err := load(ctx, pool)
	if err != nil {
		return 0, err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	// Room to sort in memory; this connection's alone, reset before it
	// goes back to the pool.
	if _, err := conn.Exec(ctx, "SET maintenance_work_mem = '512MB'"); err != nil {
		return 0, err
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "RESET maintenance_work_mem") }()
	for _, ix := range indexes {
		if _, err := conn.Exec(ctx, ix.Def); err != nil {
			return 0, fmt.Errorf("rebuild %s: %w", ix.Name, err)
		}
	}
	return n, nil
}

// args are the region's parameters, by the names the INSERT ... SELECT
// statements use.
func (r benchRegion) args() pgx.NamedArgs {
	return pgx.NamedArgs{"per_year": r.pupilsPerYear, "schools": r.schools(), "year": r.year,
		"today": r.today.Format(time.DateOnly), "las": r.las, "per_la": r.schoolsPerLA}
}

func (r benchRegion) exec(sql string) func(context.Context, *pgxpool.Pool) (int64, error) {
	return func(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
		tag, err := pool.Exec(ctx, sql, r.args())
		return tag.RowsAffected(), err
	}
}

func (r benchRegion) seedSchools(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	rows := make([][]any, r.schools())
	for s := range rows {
		rows[s] = []any{schoolURN(s), fmt.Sprintf("Region School %d", s), r.las[s/r.schoolsPerLA], "secondary"}
	}
	return pool.CopyFrom(ctx, pgx.Identifier{"pupil", "schools"}, []string{"urn", "name", "la_code", "phase"}, pgx.CopyFromRows(rows))
}

// seedPupils copies the pupils in: the i-th is at school i / (5 * per
// year), in Year 7 + (i / per year) % 5, on roll since September of Year
// 7, with risk-factor inputs spread as the development region's are.
func (r benchRegion) seedPupils(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	columns := []string{"id", "upn", "legal_surname", "legal_forename", "date_of_birth", "school_urn", "joined_on", "entry_year",
		"attendance_percent", "attendance_as_at", "fsm_eligible", "fsm_as_at", "sen_status", "sen_as_at",
		"looked_after", "looked_after_as_at", "residence_la_code"}
	asAt := time.Date(r.year, time.October, 1, 0, 0, 0, 0, time.UTC)
	n, i := r.pupils(), 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		s, g, k := i/(benchYearGroups*r.pupilsPerYear), 7+(i/r.pupilsPerYear)%benchYearGroups, i%r.pupilsPerYear
		la := r.las[s/r.schoolsPerLA]
		rest := fmt.Sprintf("%s%04d%02d%03d", la, s%10000, g, k)
		// Born in the academic year that puts them in Year g now.
		born := time.Date(r.year-g-5, time.September, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*37%365)
		sen, care := "none", "none"
		switch {
		case i%50 == 0:
			sen = "ehc_plan"
		case i%8 == 0:
			sen = "sen_support"
		}
		if i%97 == 0 {
			care = "looked_after"
		}
		row := []any{benchID("region-pupil", i), string(upn.CheckLetter(rest)) + rest, surnames[i%len(surnames)], forenames[i%len(forenames)],
			born, schoolURN(s), time.Date(r.year-(g-7), time.September, 3, 0, 0, 0, 0, time.UTC), int16(r.year - g),
			fmt.Sprintf("%d.%d", 70+i*7919%30, i%10), asAt, i%4 == 0, asAt, sen, asAt, care, asAt, la}
		i++
		return row, nil
	})
	return pool.CopyFrom(ctx, pgx.Identifier{"pupil", "pupils"}, columns, src)
}

// The placement and tracking rows, made in PostgreSQL. A pupil index i
// decodes as in seedPupils: school s = i / (per_year * 5), year group
// now g = 7 + (i / per_year) % 5. Each school's year group has, for each academic
// year a since its Year 7 up to this one, a two-day placement in June and
// a talk (an encounter) in November, or for this year in October; a
// pupil books the placement unless i % 5 = 0 and the talk unless
// i % 3 = 0, and attends what has run by today. Every twentieth school's
// Year 10 had no placement last year: a gap most of the year group
// shares, which the operator groups into one task.
const (
	seedEmployersSQL = `
INSERT INTO placement.employers (id, idempotency_key, request_hash, name, sector, size_band, cornerstone)
SELECT md5('region-employer-' || e)::uuid, md5('region-employer-key-' || e)::uuid, sha256(('employer ' || e)::bytea),
       'Region Employer ' || e,
       (ARRAY['life_sciences', 'advanced_manufacturing', 'digital', 'construction', 'health_and_care', 'creative', 'energy',
              'logistics', 'public_services', 'retail_and_hospitality', 'finance_and_professional_services', 'other'])[1 + e % 12],
       (ARRAY['micro', 'small', 'medium', 'large'])[1 + e / 12 % 4],
       e % 10 = 0
FROM generate_series(0, 199) AS e`

	// opportunity is one (school, year group now, academic year, slot).
	seedOpportunitiesSQL = `
INSERT INTO placement.opportunities (id, idempotency_key, request_hash, employer_id, title, kind, capacity, year_groups, location, starts_on)
SELECT md5(format('region-opportunity-%s-%s-%s-%s', s, g, a, slot))::uuid,
       md5(format('region-opportunity-key-%s-%s-%s-%s', s, g, a, slot))::uuid,
       sha256(format('opportunity %s %s %s %s', s, g, a, slot)::bytea),
       md5('region-employer-' || (s * 7 + a + slot) % 200)::uuid,
       CASE slot WHEN 0 THEN 'Two days in the workplace' ELSE 'Careers talk' END,
       CASE slot WHEN 0 THEN 'placement' ELSE 'talk' END,
       @per_year::int, ARRAY[(g - (@year::int - a))::smallint], 'Region bench', d.first
FROM generate_series(0, @schools::int - 1) AS s,
     generate_series(7, 11) AS g,
     LATERAL generate_series(@year::int - (g - 7), @year::int) AS a,
     generate_series(0, 1) AS slot,
     LATERAL (SELECT CASE WHEN slot = 0 THEN make_date(a + 1, 6, 10) + (8 - extract(isodow FROM make_date(a + 1, 6, 10))::int) % 7
                          WHEN a = @year::int THEN make_date(a, 10, 14)
                          ELSE make_date(a, 11, 18) END AS first) AS d`

	seedOpportunityDaysSQL = `
INSERT INTO placement.opportunity_days (opportunity_id, day, half_days)
SELECT o.id, o.starts_on + n, CASE o.kind WHEN 'placement' THEN 2 ELSE 1 END
FROM placement.opportunities o, generate_series(0, 1) AS n
WHERE o.location = 'Region bench' AND (o.kind = 'placement' OR n = 0)`

	seedBookingsSQL = `
INSERT INTO placement.bookings (id, idempotency_key, request_hash, opportunity_id, pupil_id, school_urn, la_code)
SELECT md5(format('region-booking-%s-%s-%s', i, a, slot))::uuid,
       md5(format('region-booking-key-%s-%s-%s', i, a, slot))::uuid,
       sha256(format('booking %s %s %s', i, a, slot)::bytea),
       md5(format('region-opportunity-%s-%s-%s-%s', s, g, a, slot))::uuid,
       md5('region-pupil-' || i)::uuid,
       lpad((900000 + s)::text, 6, '0'), (@las::text[])[1 + s / @per_la::int]
FROM generate_series(0, @schools::int * 5 * @per_year::int - 1) AS i,
     LATERAL (SELECT i / (5 * @per_year::int) AS s, 7 + (i / @per_year::int) % 5 AS g) AS p,
     LATERAL generate_series(@year::int - (g - 7), @year::int) AS a,
     generate_series(0, 1) AS slot
WHERE CASE slot WHEN 0 THEN i % 5 <> 0 AND NOT (s % 20 = 0 AND g = 10 AND a = @year::int - 1) ELSE i % 3 <> 0 END`

	// A pupil attends each day that has run: a full day, or half of one
	// for every eleventh pupil.
	seedAttendanceSQL = `
INSERT INTO placement.attendance (booking_id, opportunity_id, pupil_id, day, half_days, recorded_by)
SELECT b.id, b.opportunity_id, b.pupil_id, d.day,
       LEAST(d.half_days, CASE WHEN ('x' || substr(b.pupil_id::text, 1, 8))::bit(32)::int % 11 = 0 THEN 1 ELSE 2 END),
       'region-bench'
FROM placement.bookings b
JOIN placement.opportunity_days d ON d.opportunity_id = b.opportunity_id
WHERE d.day < @today::date`

	// Year 11s: most stated an intended destination last June, some hold
	// an offer since November; a quarter of the Year 10s have an
	// intention already. NCCIS activity codes 210, 230 and 310 (school
	// sixth form, further education, apprenticeship).
	seedDestinationsSQL = `
INSERT INTO tracking.destinations (id, idempotency_key, request_hash, pupil_id, school_urn, la_code, kind, activity_code,
                                   effective_date, source, recorded_by)
SELECT md5(format('region-destination-%s-%s', i, k))::uuid, md5(format('region-destination-key-%s-%s', i, k))::uuid,
       sha256(format('destination %s %s', i, k)::bytea),
       md5('region-pupil-' || i)::uuid, lpad((900000 + s)::text, 6, '0'), (@las::text[])[1 + s / @per_la::int],
       k, (ARRAY['210', '230', '310'])[1 + i % 3], e, 'school return', 'region-bench'
FROM generate_series(0, @schools::int * 5 * @per_year::int - 1) AS i,
     LATERAL (SELECT i / (5 * @per_year::int) AS s, 7 + (i / @per_year::int) % 5 AS g) AS p,
     LATERAL (VALUES ('intended', make_date(@year::int, 6, 15)), ('offer', make_date(@year::int, 11, 16))) AS v(k, e)
WHERE e < @today::date AND CASE
        WHEN g = 11 AND k = 'intended' THEN i % 10 < 7
        WHEN g = 11 AND k = 'offer' THEN i % 10 < 2
        WHEN g = 10 AND k = 'intended' THEN i % 4 = 0
        ELSE false END`
)
