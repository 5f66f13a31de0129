package placementapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

func TestGetEngagement(t *testing.T) {
	t.Parallel()
	s := newCreditScenario(t)
	ctx := context.Background()
	// A large digital employer's careers fair, which nobody has booked.
	digital := smallEmployer()
	digital.Name, digital.CompaniesHouseNumber = "Big Digital plc", "01234567"
	digital.Sector, digital.SizeBand = placementv1.Sector_SECTOR_DIGITAL, placementv1.SizeBand_SIZE_BAND_LARGE
	createOpportunity(t, s.e, opportunity(createEmployer(t, s.e, digital).GetId(), placementv1.Kind_KIND_CAREERS_FAIR, 200, day("2026-10-01", false)))
	// The scenario's employer is a cornerstone; a second small
	// manufacturer, which is not, gives the pupil with nothing yet a
	// workplace visit attended in full: 1 booking, 2 half days, in the
	// same sector and size band but not the cornerstone's part.
	tooling := smallEmployer()
	tooling.Name, tooling.CompaniesHouseNumber, tooling.Cornerstone = "Tipton Tooling Ltd", "07654321", false
	visit := createOpportunity(t, s.e, opportunity(createEmployer(t, s.e, tooling).GetId(), placementv1.Kind_KIND_WORKPLACE_VISIT, 10, day("2026-06-15", false))).GetId()
	record(t, s.e, mark(book(t, s.e, visit, s.none).GetId(), "2026-06-15", full))

	// The cornerstone's figures are the scenario's; the manufacturing row
	// adds the visit's opportunity, booking, pupil and 2 half days.
	manufacturing := func(opportunities, experiences, cornerstoneBookings, pupils int32, cornerstoneHalfDays int64) *placementv1.Engagement {
		return &placementv1.Engagement{Sector: placementv1.Sector_SECTOR_ADVANCED_MANUFACTURING, SizeBand: placementv1.SizeBand_SIZE_BAND_SMALL,
			Opportunities: opportunities + 1, Experiences: experiences + 1, Bookings: cornerstoneBookings + 1, Pupils: pupils + 1, HalfDays: cornerstoneHalfDays + 2,
			CornerstoneBookings: cornerstoneBookings, CornerstoneHalfDays: cornerstoneHalfDays}
	}
	fair := &placementv1.Engagement{Sector: placementv1.Sector_SECTOR_DIGITAL, SizeBand: placementv1.SizeBand_SIZE_BAND_LARGE, Opportunities: 1}
	cases := map[string]struct {
		token    string
		from, to string
		want     []*placementv1.Engagement
	}{
		// Live bookings: the varied pupil's 3, the cancelled pupil's talk,
		// the shadow's 2, the absentee's and the other school's week.
		"the hub":                             {token: servicetest.HubAdmin, want: []*placementv1.Engagement{manufacturing(5, 4, 8, 5, 8+3+4), fair}},
		"an analyst sees the same aggregates": {token: servicetest.Analyst, want: []*placementv1.Engagement{manufacturing(5, 4, 8, 5, 8+3+4), fair}},
		"a careers leader's school":           {token: servicetest.CareersLeader, want: []*placementv1.Engagement{manufacturing(5, 4, 7, 4, 8+3), fair}},
		// The week and the shadowing run in the summer term, with the visit.
		"the summer term": {token: servicetest.Analyst, from: "2026-04-20", to: "2026-07-24", want: []*placementv1.Engagement{manufacturing(2, 2, 4, 4, 7+3+4)}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := s.e.as(tc.token).GetEngagement(ctx, &placementv1.GetEngagementRequest{From: tc.from, To: tc.to})
			if err != nil {
				t.Fatalf("GetEngagement: %v", err)
			}
			if diff := cmp.Diff(tc.want, res.GetEngagement(), protocmp.Transform()); diff != "" {
				t.Errorf("engagement (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("a period that ends before it starts", func(t *testing.T) {
		t.Parallel()
		_, err := s.e.as(servicetest.Analyst).GetEngagement(ctx, &placementv1.GetEngagementRequest{From: "2026-09-01", To: "2026-08-31"})
		checkRefusal(t, err, refusal{code: connect.CodeInvalidArgument, fields: []string{"to"}})
	})
}

// TestJSONOverHTTP calls the service the way curl does.
func TestJSONOverHTTP(t *testing.T) {
	t.Parallel()
	e := start(t)
	emp := createEmployer(t, e, smallEmployer())
	req, _ := http.NewRequest(http.MethodPost, e.url+placementv1connect.PlacementServiceGetEmployerProcedure, strings.NewReader(`{"id":"`+emp.GetId()+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", servicetest.Bearer(servicetest.Analyst))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"sizeBand":"SIZE_BAND_SMALL"`) {
		t.Fatalf("status %d, body %s", res.StatusCode, body)
	}
}
