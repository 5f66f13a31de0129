package placementapi_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store"
)

// revisions reads every pupil's revision counter.
func revisions(t testing.TB, e *env) map[string]int64 {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT pupil_id::text, revision FROM placement.pupil_revisions`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	var id string
	var revision int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &revision}, func() error { out[id] = revision; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// bumped returns by how much each counter moved from before to after,
// leaving out those that did not.
func bumped(before, after map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for id, r := range after {
		if d := r - before[id]; d != 0 {
			out[id] = d
		}
	}
	for id := range before {
		if _, ok := after[id]; !ok {
			out[id] = -before[id]
		}
	}
	return out
}

// once is every pupil in ps bumped by 1.
func once(ps ...pupil) map[string]int64 {
	out := map[string]int64{}
	for _, p := range ps {
		out[p.id] = 1
	}
	return out
}

// TestPupilRevisions makes, one after another, each kind of write that can
// change a pupil's credited days, and some that cannot, and checks which
// counters each moved: exactly the pupils concerned, by 1 per statement.
func TestPupilRevisions(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	admin := e.as(servicetest.HubAdmin)
	emp := createEmployer(t, e, smallEmployer()).GetId()
	dates := []string{"2026-07-06", "2026-07-07", "2026-07-08", "2026-07-09", "2026-07-10"}
	var days []*placementv1.OpportunityDay
	for _, d := range dates {
		days = append(days, day(d, false))
	}
	week := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 30, days...))
	visit := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_WORKPLACE_VISIT, 10, day("2026-03-10", true)))

	// a books alone; the class of five books together; the bystander is on
	// another opportunity and must never move with the week's pupils.
	a := e.pupilAt(t, "100001")
	class := []pupil{e.pupilAt(t, "100001"), e.pupilAt(t, "100001"), e.pupilAt(t, "100002"), e.pupilAt(t, "100003"), e.pupilAt(t, "100001")}
	bystander := e.pupilAt(t, "100001")
	everyone := append([]pupil{a}, class...)
	bookingOf := map[string]*placementv1.Booking{}
	var visitBooking *placementv1.Booking

	register := func(ps []pupil, m placementv1.Mark) []*placementv1.AttendanceRecord {
		var records []*placementv1.AttendanceRecord
		for _, p := range ps {
			for _, d := range dates {
				records = append(records, mark(bookingOf[p.id].GetId(), d, m))
			}
		}
		return records
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := e.pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}

	steps := []struct {
		name  string
		write func()
		want  map[string]int64
	}{
		{"a booking", func() { bookingOf[a.id] = book(t, e, week.GetId(), a) }, once(a)},
		{"a group booking", func() {
			res, err := admin.BookPlaces(ctx, &placementv1.BookPlacesRequest{IdempotencyKey: newID(), OpportunityId: week.GetId(), Pupils: group(class...)})
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range res.GetBookings() {
				bookingOf[class[i].id] = b
			}
		}, once(class...)},
		{"a booking elsewhere", func() { visitBooking = book(t, e, visit.GetId(), bystander) }, once(bystander)},
		{"a single mark", func() { record(t, e, mark(bookingOf[a.id].GetId(), dates[0], full)) }, once(a)},
		// 30 marks, one upsert: a's first day is already as given, so it is
		// left alone; every other mark is new.
		{"a register", func() { record(t, e, register(everyone, full)...) }, once(everyone...)},
		{"a register changing marks", func() { record(t, e, register(class[:2], half)...) }, once(class[:2]...)},
		{"a register recorded again as it was", func() { record(t, e, register([]pupil{a, class[2], class[3]}, full)...) }, once()},
		{"a mark elsewhere", func() { record(t, e, mark(visitBooking.GetId(), "2026-03-10", full)) }, once(bystander)},
		{"a cancellation", func() {
			if _, err := admin.CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: bookingOf[a.id].GetId(), Version: 1}); err != nil {
				t.Fatal(err)
			}
		}, once(a)},
		{"an opportunity's title and capacity edited", func() {
			o := mustGetOpportunity(t, e, week.GetId())
			o.Title, o.Capacity = "A week on the line", 40
			if _, err := admin.UpdateOpportunity(ctx, &placementv1.UpdateOpportunityRequest{Opportunity: o}); err != nil {
				t.Fatal(err)
			}
		}, once()},
		// The days and kind are fixed through the API; a correction by hand
		// moves every pupil booked, the cancelled one too.
		{"an opportunity day's session changed", func() {
			exec(`UPDATE placement.opportunity_days SET half_days = 1 WHERE opportunity_id = $1 AND day = '2026-07-10'`, week.GetId())
		}, once(everyone...)},
		{"an opportunity's kind changed", func() {
			exec(`UPDATE placement.opportunities SET kind = 'job_shadowing' WHERE id = $1`, week.GetId())
		}, once(everyone...)},
		{"an opportunity day added", func() {
			exec(`INSERT INTO placement.opportunity_days (opportunity_id, day, half_days) VALUES ($1, '2026-07-11', 2)`, week.GetId())
		}, once(everyone...)},
		{"a mark deleted", func() {
			exec(`DELETE FROM placement.attendance WHERE booking_id = $1 AND day = '2026-07-06'`, bookingOf[class[0].id].GetId())
		}, once(class[0])},
		{"two statements in one transaction", func() {
			err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
				for _, sql := range []string{
					`UPDATE placement.attendance SET half_days = 0 WHERE booking_id = $1 AND day = '2026-07-07'`,
					`UPDATE placement.attendance SET half_days = 0 WHERE booking_id = $1 AND day = '2026-07-08'`,
				} {
					if _, err := tx.Exec(ctx, sql, bookingOf[class[1].id].GetId()); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}, map[string]int64{class[1].id: 2}},
		{"a rolled back write", func() {
			tx, err := e.pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM placement.attendance WHERE booking_id = $1`, bookingOf[class[2].id].GetId()); err != nil {
				t.Fatal(err)
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
		}, once()},
	}
	for _, step := range steps {
		before := revisions(t, e)
		step.write()
		if diff := cmp.Diff(step.want, bumped(before, revisions(t, e))); diff != "" {
			t.Errorf("%s: counters moved (-want +got):\n%s", step.name, diff)
		}
	}

	// The RPC sums the counters it is given, 0 for a pupil never written
	// to; ids are UUIDs in any case.
	all := revisions(t, e)
	never := newID()
	for name, tc := range map[string]struct {
		ids  []string
		want int64
	}{
		"the week's pupils":     {ids: []string{a.id, class[0].id, class[1].id}, want: all[a.id] + all[class[0].id] + all[class[1].id]},
		"with the bystander":    {ids: []string{strings.ToUpper(a.id), bystander.id, never}, want: all[a.id] + all[bystander.id]},
		"a pupil never written": {ids: []string{never}, want: 0},
	} {
		res, err := e.as(servicetest.Service).GetPupilsRevision(ctx, &placementv1.GetPupilsRevisionRequest{PupilIds: tc.ids})
		if err != nil {
			t.Fatalf("%s: GetPupilsRevision: %v", name, err)
		}
		if res.GetRevision() != tc.want {
			t.Errorf("%s: revision = %d, want %d", name, res.GetRevision(), tc.want)
		}
	}
	// a: booked, a mark, a register, cancelled, and three changes to the
	// week's opportunity; the bystander: booked and a mark.
	if all[a.id] != 7 || all[bystander.id] != 2 {
		t.Errorf("a's revision = %d, want 7; the bystander's = %d, want 2", all[a.id], all[bystander.id])
	}

	// Scoped callers (the RPC takes only services, which see everything;
	// the store is scoped as CreditedDays is) count the pupils with a
	// booking in scope, cancelled or not.
	ids := []string{a.id, class[2].id, class[3].id, bystander.id}
	for name, tc := range map[string]struct {
		scope auth.Scope
		want  int64
	}{
		"everything":                            {scope: auth.Everything(), want: all[a.id] + all[class[2].id] + all[class[3].id] + all[bystander.id]},
		"LA 336":                                {scope: auth.LocalAuthorities("336"), want: all[a.id] + all[class[2].id] + all[bystander.id]},
		"LA 330":                                {scope: auth.LocalAuthorities("330"), want: all[class[3].id]},
		"school 100002":                         {scope: auth.School("100002"), want: all[class[2].id]},
		"another hub's LA":                      {scope: auth.LocalAuthorities("201"), want: 0},
		"the zero scope":                        {scope: auth.Scope{}, want: 0},
		"school 100001 (a's booking cancelled)": {scope: auth.School("100001"), want: all[a.id] + all[bystander.id]},
	} {
		got, err := store.PupilsRevision(ctx, e.pool, tc.scope, ids)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got != tc.want {
			t.Errorf("%s: revision = %d, want %d", name, got, tc.want)
		}
	}

	// A number that names no one: not audited.
	var audited int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM placement.audit_events WHERE procedure LIKE '%/GetPupilsRevision'`).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 0 {
		t.Errorf("%d audit events for GetPupilsRevision, want none", audited)
	}
}

func mustGetOpportunity(t testing.TB, e *env, id string) *placementv1.Opportunity {
	t.Helper()
	res, err := e.as(servicetest.HubAdmin).GetOpportunity(context.Background(), &placementv1.GetOpportunityRequest{Id: id})
	if err != nil {
		t.Fatalf("GetOpportunity: %v", err)
	}
	return res.GetOpportunity()
}

// TestPupilRevisionsConcurrentGroups books one class on eight
// opportunities at once, half the requests naming the class in reverse:
// the counters are locked in id order whatever the request's, so no booking
// deadlocks, and every bump lands.
func TestPupilRevisionsConcurrentGroups(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	class := make([]pupil, 12)
	for i := range class {
		class[i] = e.pupilAt(t, "100001")
	}
	reversed := slices.Clone(class)
	slices.Reverse(reversed)
	const n = 8
	opportunities := make([]string, n)
	for i := range opportunities {
		opportunities[i] = createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 30, day("2026-07-06", false))).GetId()
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			members := class
			if i%2 == 1 {
				members = reversed
			}
			_, errs[i] = e.as(servicetest.HubAdmin).BookPlaces(ctx, &placementv1.BookPlacesRequest{
				IdempotencyKey: newID(), OpportunityId: opportunities[i], Pupils: group(members...)})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("booking %d: %v", i, err)
		}
	}
	want := map[string]int64{}
	ids := make([]string, len(class))
	for i, p := range class {
		want[p.id], ids[i] = n, p.id
	}
	if diff := cmp.Diff(want, revisions(t, e)); diff != "" {
		t.Errorf("revisions (-want +got):\n%s", diff)
	}
	res, err := e.as(servicetest.Service).GetPupilsRevision(ctx, &placementv1.GetPupilsRevisionRequest{PupilIds: ids})
	if err != nil {
		t.Fatal(err)
	}
	if res.GetRevision() != n*int64(len(class)) {
		t.Errorf("revision = %d, want %d", res.GetRevision(), n*len(class))
	}
}

func TestGetPupilsRevisionRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	id := newID()
	valid := &placementv1.GetPupilsRevisionRequest{PupilIds: []string{id}}
	cases := map[string]struct {
		token string
		req   *placementv1.GetPupilsRevisionRequest
		want  refusal
	}{
		"a service":           {token: servicetest.Service, req: valid, want: refusal{code: ok}},
		"no pupils":           {token: servicetest.Service, req: &placementv1.GetPupilsRevisionRequest{}, want: refusal{code: connect.CodeInvalidArgument, fields: []string{"pupil_ids"}}},
		"a pupil twice":       {token: servicetest.Service, req: &placementv1.GetPupilsRevisionRequest{PupilIds: []string{id, id}}, want: refusal{code: connect.CodeInvalidArgument, fields: []string{"pupil_ids"}}},
		"not an id":           {token: servicetest.Service, req: &placementv1.GetPupilsRevisionRequest{PupilIds: []string{"Jane Smith"}}, want: refusal{code: connect.CodeInvalidArgument, fields: []string{"pupil_ids"}}},
		"a hub admin":         {token: servicetest.HubAdmin, req: valid, want: refusal{code: connect.CodePermissionDenied}},
		"a caseworker":        {token: servicetest.Caseworker, req: valid, want: refusal{code: connect.CodePermissionDenied}},
		"a careers leader":    {token: servicetest.CareersLeader, req: valid, want: refusal{code: connect.CodePermissionDenied}},
		"an analyst":          {token: servicetest.Analyst, req: valid, want: refusal{code: connect.CodePermissionDenied}},
		"another hub's admin": {token: servicetest.OtherHubAdmin, req: valid, want: refusal{code: connect.CodePermissionDenied}},
		"anonymous":           {token: "", req: valid, want: refusal{code: connect.CodeUnauthenticated}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.as(tc.token).GetPupilsRevision(ctx, tc.req)
			checkRefusal(t, err, tc.want)
		})
	}
	t.Run("over gRPC", func(t *testing.T) {
		t.Parallel()
		_, err := e.asGRPC(servicetest.CareersLeader).GetPupilsRevision(ctx, valid)
		checkRefusal(t, err, refusal{code: connect.CodePermissionDenied})
		res, err := e.asGRPC(servicetest.Service).GetPupilsRevision(ctx, valid)
		if err != nil || res.GetRevision() != 0 {
			t.Errorf("GetPupilsRevision = %v, %v; want 0", res, err)
		}
	})
}

// TestPupilRevisionsRegisterLocksInOrder checks that a register takes all
// its pupils' counters, in id order, before it writes. Its upsert fires its
// UPDATE statement trigger (the marks it changed) and then its INSERT one
// (the marks it added); were each to lock its own pupils as it went, two
// registers of one class, one adding the marks the other changes, would
// lock them in opposite orders and could deadlock. Here the later pupil's
// mark is changed and the earlier pupil's added, while another transaction
// holds the later pupil's counter: the register must already hold the
// earlier one while it waits.
func TestPupilRevisionsRegisterLocksInOrder(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	o := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 30, day("2026-07-06", false)))
	lo, hi := e.pupilAt(t, "100001"), e.pupilAt(t, "100001")
	if strings.ToLower(lo.id) > strings.ToLower(hi.id) {
		lo, hi = hi, lo
	}
	loBooking, hiBooking := book(t, e, o.GetId(), lo).GetId(), book(t, e, o.GetId(), hi).GetId()
	record(t, e, mark(hiBooking, "2026-07-06", absent))
	before := revisions(t, e)

	holder, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(ctx) }()
	if _, err := holder.Exec(ctx, `SELECT 1 FROM placement.pupil_revisions WHERE pupil_id = $1 FOR UPDATE`, hi.id); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.as(servicetest.CareersLeader).RecordAttendance(ctx, &placementv1.RecordAttendanceRequest{Records: []*placementv1.AttendanceRecord{
			mark(loBooking, "2026-07-06", full), mark(hiBooking, "2026-07-06", full)}})
		done <- err
	}()
	// Wait until the register waits for the counter held.
	deadline := time.Now().Add(30 * time.Second)
	for waiting := 0; waiting == 0; {
		select {
		case err := <-done:
			t.Fatalf("the register finished while a counter it needs was held: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the register is not waiting for a lock")
		}
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.pool.Exec(ctx, `SELECT 1 FROM placement.pupil_revisions WHERE pupil_id = $1 FOR UPDATE NOWAIT`, lo.id)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55P03" {
		t.Errorf("locking the earlier pupil's counter while the register waits: %v, want lock_not_available (55P03)", err)
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("RecordAttendance: %v", err)
	}
	if diff := cmp.Diff(once(lo, hi), bumped(before, revisions(t, e))); diff != "" {
		t.Errorf("counters moved (-want +got):\n%s", diff)
	}
}

// The change feed names the pupils a booking moved, from the position it
// gave before it; only the service may follow it.
func TestListPupilChanges(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	service := e.as(servicetest.Service)
	start, err := service.ListPupilChanges(ctx, &placementv1.ListPupilChangesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if start.GetPosition() == "" || len(start.GetPupilIds()) != 0 {
		t.Fatalf("from no position: %v, want a position and no pupil", start)
	}
	emp := createEmployer(t, e, smallEmployer()).GetId()
	week := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 30, day("2026-07-06", false)))
	a := e.pupilAt(t, "100001")
	book(t, e, week.GetId(), a)
	res, err := service.ListPupilChanges(ctx, &placementv1.ListPupilChangesRequest{After: start.GetPosition()})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.GetPupilIds(), a.id) || res.GetTruncated() || res.GetPosition() == start.GetPosition() {
		t.Errorf("after a booking: %v, want its pupil listed and a new position", res)
	}
	_, err = service.ListPupilChanges(ctx, &placementv1.ListPupilChangesRequest{After: "9:5:"})
	checkRefusal(t, err, refusal{code: connect.CodeInvalidArgument, fields: []string{"after"}})
	for _, token := range []string{servicetest.HubAdmin, servicetest.Caseworker, servicetest.CareersLeader, servicetest.Analyst} {
		_, err := e.as(token).ListPupilChanges(ctx, &placementv1.ListPupilChangesRequest{})
		checkRefusal(t, err, refusal{code: connect.CodePermissionDenied})
	}
}
