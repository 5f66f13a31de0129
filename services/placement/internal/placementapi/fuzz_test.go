package placementapi_test

import (
	"context"
	"strings"
	"testing"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// FuzzJSONBody posts arbitrary JSON bodies, as curl would, to the placement
// service's unary methods through the whole handler stack (authentication,
// authorization, hygiene, validation, audit) on a real database, with the
// real pupil service behind it, as a principal the method's policy allows.
// Whatever the body, the service must answer: a 2xx carrying the method's
// response message, or a Connect refusal a client can act on (a 4xx:
// invalid_argument, not_found, ...); never a 5xx, internal or unknown, and
// never a dropped connection (a handler that panicked).
//
// The input names the method (an unknown name picks one by its hash), the
// principal (an index into those the method allows) and the body, in which
// placeholders such as $BOOKING stand for the fixtures' ids, so that the
// seeds reach past "not found". The services are started once per fuzzing
// process, so state carries over between inputs, as it does in production.
func FuzzJSONBody(f *testing.F) {
	tag := dbtest.TagConnections(f)
	e := start(f)
	ctx := context.Background()
	admin := e.as(servicetest.HubAdmin)

	// Fixtures: two employers, two opportunities with two days each, three
	// pupils, two of them booked on the first opportunity, and a second
	// page of each list.
	emp := createEmployer(f, e, smallEmployer())
	other := smallEmployer()
	other.Name, other.CompaniesHouseNumber = "Dudley Digital Ltd", "SC123456"
	createEmployer(f, e, other)
	opp := createOpportunity(f, e, opportunity(emp.GetId(), placementv1.Kind_KIND_PLACEMENT, 10, day("2026-07-06", false), day("2026-07-07", true)))
	opp2 := createOpportunity(f, e, opportunity(emp.GetId(), placementv1.Kind_KIND_WORKPLACE_VISIT, 10, day("2026-03-10", true)))
	p1, p2, p3 := e.pupilAt(f, "100001"), e.pupilAt(f, "100003"), e.pupilAt(f, "100002")
	b1, b2 := book(f, e, opp.GetId(), p1), book(f, e, opp.GetId(), p2)
	employers, err := admin.ListEmployers(ctx, &placementv1.ListEmployersRequest{PageSize: 1})
	if err != nil {
		f.Fatalf("ListEmployers: %v", err)
	}
	opportunities, err := admin.ListOpportunities(ctx, &placementv1.ListOpportunitiesRequest{PageSize: 1, EmployerId: emp.GetId()})
	if err != nil {
		f.Fatalf("ListOpportunities: %v", err)
	}
	bookings, err := admin.ListBookings(ctx, &placementv1.ListBookingsRequest{PageSize: 1, Of: &placementv1.ListBookingsRequest_OpportunityId{OpportunityId: opp.GetId()}})
	if err != nil {
		f.Fatalf("ListBookings: %v", err)
	}
	dbtest.DropFirst(f, tag)
	rpc := servicetest.NewJSONFuzz(e.url, placementv1.File_nextstep_placement_v1_placement_proto.Services().Get(0), strings.NewReplacer(
		"$EMPLOYERS_TOKEN", employers.GetNextPageToken(),
		"$EMPLOYER", emp.GetId(),
		"$OPPORTUNITIES_TOKEN", opportunities.GetNextPageToken(),
		"$OPPORTUNITY2", opp2.GetId(),
		"$OPPORTUNITY", opp.GetId(),
		"$BOOKINGS_TOKEN", bookings.GetNextPageToken(),
		"$BOOKING2", b2.GetId(),
		"$BOOKING", b1.GetId(),
		"$PUPIL2", p2.id,
		"$PUPIL3", p3.id,
		"$PUPIL", p1.id,
	))

	employer := `{"id":"$EMPLOYER","name":"Black Country Robotics Ltd","companiesHouseNumber":"09876543","sector":"SECTOR_ADVANCED_MANUFACTURING",` +
		`"sizeBand":"SIZE_BAND_SMALL","cornerstone":true,"contact":{"name":"Jo Bloggs","email":"jo@example.org","phone":"+44 1902 000000"},"version":"1"}`
	opening := `{"id":"$OPPORTUNITY","employerId":"$EMPLOYER","title":"A week in the robot cell","kind":"KIND_PLACEMENT",` +
		`"days":[{"date":"2026-07-06","session":"SESSION_FULL_DAY"},{"date":"2026-07-07","session":"SESSION_HALF_DAY"}],` +
		`"capacity":10,"yearGroups":[10,11],"sectors":["SECTOR_ADVANCED_MANUFACTURING"],"location":"WV10 9RU","virtual":false,"version":1}`
	for method, bodies := range map[string][]string{
		"CreateEmployer": {`{"idempotencyKey":"0f0f0f0f-0000-4000-8000-00000000000a","employer":{"name":"Fuzz Works Ltd","companiesHouseNumber":"SC654321",` +
			`"sector":"SECTOR_DIGITAL","sizeBand":"SIZE_BAND_MICRO","contact":{"email":"a@example.org"}}}`},
		"GetEmployer":    {`{"id":"$EMPLOYER"}`},
		"UpdateEmployer": {`{"employer":` + employer + `}`},
		"ListEmployers":  {`{"pageSize":1,"pageToken":"$EMPLOYERS_TOKEN","sector":"SECTOR_ADVANCED_MANUFACTURING"}`},
		"CreateOpportunity": {`{"idempotencyKey":"0f0f0f0f-0000-4000-8000-00000000000b","opportunity":{"employerId":"$EMPLOYER","title":"Talk",` +
			`"kind":"KIND_VIRTUAL_EXPERIENCE","days":[{"date":"2026-12-01","session":"SESSION_HALF_DAY"}],"capacity":1000,"yearGroups":[7,13],"virtual":true}}`},
		"GetOpportunity":    {`{"id":"$OPPORTUNITY"}`},
		"UpdateOpportunity": {`{"opportunity":` + opening + `}`},
		"ListOpportunities": {`{"pageSize":1,"pageToken":"$OPPORTUNITIES_TOKEN","employerId":"$EMPLOYER","yearGroup":10,"from":"2026-01-01"}`},
		"BookPlace":         {`{"idempotencyKey":"0f0f0f0f-0000-4000-8000-00000000000c","opportunityId":"$OPPORTUNITY","pupilId":"$PUPIL3"}`},
		"BookPlaces":        {`{"idempotencyKey":"0f0f0f0f-0000-4000-8000-00000000000d","opportunityId":"$OPPORTUNITY2","pupils":[{"pupilId":"$PUPIL"},{"pupilId":"$PUPIL2"}]}`},
		"GetBooking":        {`{"id":"$BOOKING"}`},
		"ListBookings":      {`{"pageSize":1,"pageToken":"$BOOKINGS_TOKEN","opportunityId":"$OPPORTUNITY","includeCancelled":true}`, `{"pupilId":"$PUPIL"}`},
		"CancelBooking":     {`{"id":"$BOOKING2","version":"1"}`},
		"RecordAttendance":  {`{"records":[{"bookingId":"$BOOKING","date":"2026-07-06","mark":"MARK_FULL_DAY"},{"bookingId":"$BOOKING","date":"2026-07-07","mark":"MARK_HALF_DAY"}]}`},
		"GetCreditedDays":   {`{"pupilIds":["$PUPIL","$PUPIL2"],"asOf":"2026-08-01"}`},
		"GetPupilsRevision": {`{"pupilIds":["$PUPIL","$PUPIL2","$PUPIL3"]}`},
		"GetEngagement":     {`{"from":"2025-09-01","to":"2026-08-31"}`},
	} {
		for _, body := range bodies {
			for _, b := range servicetest.NearValid(body) {
				f.Add(method, uint8(0), []byte(b))
			}
		}
	}
	for _, b := range servicetest.OddBodies {
		f.Add("GetBooking", uint8(1), []byte(b))
	}

	f.Fuzz(rpc.Check)
}
