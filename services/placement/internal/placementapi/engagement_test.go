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

	manufacturing := func(bookings, pupils int32, halfDays int64) *placementv1.Engagement {
		return &placementv1.Engagement{Sector: placementv1.Sector_SECTOR_ADVANCED_MANUFACTURING, SizeBand: placementv1.SizeBand_SIZE_BAND_SMALL,
			Opportunities: 5, Experiences: 4, Bookings: bookings, Pupils: pupils, HalfDays: halfDays}
	}
	fair := &placementv1.Engagement{Sector: placementv1.Sector_SECTOR_DIGITAL, SizeBand: placementv1.SizeBand_SIZE_BAND_LARGE, Opportunities: 1}
	cases := map[string]struct {
		token    string
		from, to string
		want     []*placementv1.Engagement
	}{
		// Live bookings: the varied pupil's 3, the cancelled pupil's talk,
		// the shadow's 2, the absentee's and the other school's week.
		"the hub":                             {token: servicetest.HubAdmin, want: []*placementv1.Engagement{manufacturing(8, 5, 8+3+4), fair}},
		"an analyst sees the same aggregates": {token: servicetest.Analyst, want: []*placementv1.Engagement{manufacturing(8, 5, 8+3+4), fair}},
		"a careers leader's school":           {token: servicetest.CareersLeader, want: []*placementv1.Engagement{manufacturing(7, 4, 8+3), fair}},
		"the summer term": {token: servicetest.Analyst, from: "2026-04-20", to: "2026-07-24", want: []*placementv1.Engagement{
			{Sector: placementv1.Sector_SECTOR_ADVANCED_MANUFACTURING, SizeBand: placementv1.SizeBand_SIZE_BAND_SMALL,
				Opportunities: 2, Experiences: 2, Bookings: 4, Pupils: 4, HalfDays: 7 + 3 + 4},
		}},
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
