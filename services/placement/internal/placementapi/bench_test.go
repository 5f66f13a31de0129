package placementapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// seedRegion writes, straight into the tables, 200 five-day opportunities
// and 10,000 pupils with two bookings each: 20,000 bookings and 100,000
// attendance marks. It returns every pupil's id.
func seedRegion(b *testing.B, e *env) []string {
	b.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		for _, sql := range []string{
			`INSERT INTO placement.employers (idempotency_key, request_hash, name, sector, size_band)
			 SELECT gen_random_uuid(), '\x00', 'Employer ' || g, (ARRAY['digital', 'construction', 'energy'])[1 + g % 3],
			        (ARRAY['micro', 'small', 'medium', 'large'])[1 + g % 4]
			 FROM generate_series(0, 19) g`,
			`INSERT INTO placement.opportunities (idempotency_key, request_hash, employer_id, title, kind, capacity, booked,
			     year_groups, location, starts_on)
			 SELECT gen_random_uuid(), '\x00', (SELECT id FROM placement.employers ORDER BY id OFFSET g % 20 LIMIT 1),
			        'Opportunity ' || g, (ARRAY['placement', 'workplace_visit', 'job_shadowing', 'talk'])[1 + g % 4],
			        1000, 100, '{9,10}', 'WV1 1AA', date '2025-10-01' + g
			 FROM generate_series(0, 199) g`,
			`INSERT INTO placement.opportunity_days (opportunity_id, day, half_days)
			 SELECT o.id, o.starts_on + d, CASE WHEN d = 4 THEN 1 ELSE 2 END
			 FROM placement.opportunities o, generate_series(0, 4) d`,
			`CREATE TEMPORARY TABLE bench_pupils ON COMMIT DROP AS
			 SELECT gen_random_uuid() AS id, g FROM generate_series(0, 9999) g`,
			`INSERT INTO placement.bookings (idempotency_key, request_hash, opportunity_id, pupil_id, school_urn, la_code)
			 SELECT gen_random_uuid(), '\x00', o.id, p.id, '100' || lpad((p.g % 50)::text, 3, '0'), '336'
			 FROM bench_pupils p
			 JOIN (SELECT id, row_number() OVER (ORDER BY starts_on) - 1 AS n FROM placement.opportunities) o
			   ON o.n IN (p.g % 200, (p.g + 7) % 200)`,
			`INSERT INTO placement.attendance (booking_id, opportunity_id, pupil_id, day, half_days, recorded_by)
			 SELECT b.id, b.opportunity_id, b.pupil_id, d.day, abs(hashtext(b.id::text || d.day::text)) % 3, 'bench'
			 FROM placement.bookings b JOIN placement.opportunity_days d USING (opportunity_id)`,
		} {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	if _, err := e.pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	rows, err := e.pool.Query(ctx, `SELECT DISTINCT pupil_id::text FROM placement.bookings`)
	if err != nil {
		b.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		b.Fatal(err)
	}
	var marks int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM placement.attendance`).Scan(&marks); err != nil || marks != 100_000 {
		b.Fatalf("seeded %d marks (%v), want 100000", marks, err)
	}
	return ids
}

// BenchmarkGetCreditedDays is the reconciler's read of a cohort's credited
// days, through the real client, against 100,000 attendance marks.
func BenchmarkGetCreditedDays(b *testing.B) {
	e := start(b)
	pupils := seedRegion(b, e)
	ctx := context.Background()
	for _, cohort := range []int{300, 3000} {
		b.Run(fmt.Sprintf("cohort=%d", cohort), func(b *testing.B) {
			client := e.as(servicetest.Service)
			req := &placementv1.GetCreditedDaysRequest{PupilIds: pupils[:cohort], AsOf: "2026-08-31"}
			for b.Loop() {
				res, err := client.GetCreditedDays(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.GetCredits()) != cohort {
					b.Fatalf("%d credits for %d pupils", len(res.GetCredits()), cohort)
				}
			}
		})
	}
}

// BenchmarkGetPupilsRevision is the only placement call of the
// reconciler's no-change pass: the revision of a cohort of 200.
func BenchmarkGetPupilsRevision(b *testing.B) {
	e := start(b)
	pupils := seedRegion(b, e)
	ctx := context.Background()
	client := e.as(servicetest.Service)
	req := &placementv1.GetPupilsRevisionRequest{PupilIds: pupils[:200]}
	for b.Loop() {
		res, err := client.GetPupilsRevision(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if res.GetRevision() == 0 {
			b.Fatal("revision 0 for 200 booked pupils")
		}
	}
}

// BenchmarkGetEngagement is a dashboard's read over the same region.
func BenchmarkGetEngagement(b *testing.B) {
	e := start(b)
	seedRegion(b, e)
	ctx := context.Background()
	for name, token := range map[string]string{"hub": servicetest.HubAdmin, "school": servicetest.CareersLeader} {
		b.Run(name, func(b *testing.B) {
			client := e.as(token)
			for b.Loop() {
				if _, err := client.GetEngagement(ctx, &placementv1.GetEngagementRequest{From: "2025-09-01", To: "2026-08-31"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecordAttendance takes a register of 1,000 marks (200 pupils on
// a five-day placement) in one call: CopyFrom into a staging table and one
// upsert. Each iteration flips every mark, so every row is rewritten.
func BenchmarkRecordAttendance(b *testing.B) {
	e := start(b)
	ctx := context.Background()
	emp := createEmployer(b, e, smallEmployer()).GetId()
	dates := []string{"2026-07-06", "2026-07-07", "2026-07-08", "2026-07-09", "2026-07-10"}
	var days []*placementv1.OpportunityDay
	for _, d := range dates {
		days = append(days, day(d, false))
	}
	o := createOpportunity(b, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 200, days...))
	var bookings []string
	for range 200 {
		bookings = append(bookings, book(b, e, o.GetId(), e.pupilAt(b, "100001")).GetId())
	}
	registers := make([]*placementv1.RecordAttendanceRequest, 2)
	for i, m := range []placementv1.Mark{full, half} {
		registers[i] = &placementv1.RecordAttendanceRequest{}
		for _, id := range bookings {
			for _, d := range dates {
				registers[i].Records = append(registers[i].Records, mark(id, d, m))
			}
		}
	}
	client := e.as(servicetest.CareersLeader)
	i := 0
	for b.Loop() {
		res, err := client.RecordAttendance(ctx, registers[i%2])
		if err != nil {
			b.Fatal(err)
		}
		if res.GetRecorded() != 1000 {
			b.Fatalf("recorded %d marks, want 1000", res.GetRecorded())
		}
		i++
	}
}

// BenchmarkBookPlaces books, per iteration, a class of 30 in one call
// (group) or one pupil (single), each on an opportunity they are not yet
// booked on: the same 30 pupils, on as many opportunities as it takes.
func BenchmarkBookPlaces(b *testing.B) {
	e := start(b)
	ctx := context.Background()
	emp := createEmployer(b, e, smallEmployer()).GetId()
	class := make([]pupil, 30)
	for i := range class {
		class[i] = e.pupilAt(b, "100001")
	}
	client := e.as(servicetest.HubAdmin)
	b.Run("group=30", func(b *testing.B) {
		opportunities := make([]string, b.N)
		for i := range opportunities {
			opportunities[i] = createOpportunity(b, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 30, day("2026-07-06", false))).GetId()
		}
		b.ResetTimer()
		for i := range b.N {
			req := &placementv1.BookPlacesRequest{IdempotencyKey: newID(), OpportunityId: opportunities[i], Pupils: group(class...)}
			if _, err := client.BookPlaces(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("single", func(b *testing.B) {
		opportunities := make([]string, (b.N+len(class)-1)/len(class))
		for i := range opportunities {
			opportunities[i] = createOpportunity(b, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 30, day("2026-07-06", false))).GetId()
		}
		b.ResetTimer()
		for i := range b.N {
			if _, err := client.BookPlace(ctx, bookRequest(opportunities[i/len(class)], class[i%len(class)])); err != nil {
				b.Fatal(err)
			}
		}
	})
}
