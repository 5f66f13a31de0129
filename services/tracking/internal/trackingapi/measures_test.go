package trackingapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/testing/protocmp"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// TestMeasuresFromTheRecords computes 2025/26's measures on 1 June 2026
// through the real pupil and tracking services. The young people, all on
// roll at Heath Park (school 100001, LA 336):
//
//	A, 16: FE (230) from 5 Sep 2025, recorded 15 Oct 2025: participating
//	       all year; in education at the survey (1 Nov 2025).
//	B, 17: seeking work (619, NEET) from 5 Jan 2026, recorded 10 Jan 2026:
//	       not known at the end of December (nothing recorded), NEET from
//	       January to March, lapsed by 1 June (NEET is current 91 days:
//	       to 11 April), so not known today.
//	C, 17: lives in LA 330; apprenticeship (310) from 1 Sep 2025, recorded
//	       15 Oct 2025: 330's, participating to the end of March; lapsed
//	       by 1 June (employment is current 182 days: to 15 April).
//	D, 16: nothing recorded: not known throughout; not known at the survey.
//	E, 15: not of a measured age.
//
// So LA 336's cohort is A, B and D: December 2 not known of 3; January,
// February and March 1 NEET and 1 not known of 3; today 2 not known. The
// headline shares average December to February: NEET or not known
// (2/3 + 2/3 + 2/3) / 3 = 0.6667, NEET (0 + 1/3 + 1/3) / 3 = 0.2222, not
// known (2/3 + 1/3 + 1/3) / 3 = 0.4444; participation in March 1/3. LA
// 330's cohort is C alone, participating until not known today; its
// survey counts nobody (C is 17).
func TestMeasuresFromTheRecords(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	a := e.pupils.EnrolBorn(t, "100001", "2009-03-01")
	b := e.pupils.EnrolBorn(t, "100001", "2008-03-01")
	c := e.pupils.EnrolBorn(t, "100001", "2008-05-01")
	e.pupils.EnrolBorn(t, "100001", "2009-06-01") // D
	e.pupils.EnrolBorn(t, "100001", "2010-01-01") // E
	e.pupils.Reside(t, c, "330", "2025-08-01")

	october := e.at(t, time.Date(2025, time.October, 15, 10, 0, 0, 0, time.UTC))
	record(t, october, servicetest.Caseworker, destination(a, confirmed, "230", "2025-09-05"))
	record(t, october, servicetest.Caseworker, destination(c, confirmed, "310", "2025-09-01"))
	january := e.at(t, time.Date(2026, time.January, 10, 10, 0, 0, 0, time.UTC))
	record(t, january, servicetest.Caseworker, destination(b, confirmed, "619", "2026-01-05"))

	counts := func(asAt string, cohort, neet, notKnown, participating int32) *trackingv1.MeasureCounts {
		return &trackingv1.MeasureCounts{AsAt: asAt, Cohort: cohort, Neet: neet, NotKnown: notKnown,
			NeetOrNotKnown: neet + notKnown, Participating: participating}
	}
	wolverhampton := &trackingv1.AuthorityMeasures{
		LaCode:   "336",
		Current:  counts("2026-06-01", 3, 0, 2, 1),
		December: counts("2025-12-31", 3, 0, 2, 1), January: counts("2026-01-31", 3, 1, 1, 1),
		February: counts("2026-02-28", 3, 1, 1, 1), March: counts("2026-03-31", 3, 1, 1, 1),
		NeetOrNotKnownShare: 2.0 / 3, NeetShare: 2.0 / 9, NotKnownShare: 4.0 / 9, HeadlineMonths: 3,
		ParticipationShare: 1.0 / 3,
		ActivitySurvey:     &trackingv1.ActivitySurvey{AsAt: "2025-11-01", Education: 1, NotKnown: 1},
	}
	sandwell := &trackingv1.AuthorityMeasures{
		LaCode:   "330",
		Current:  counts("2026-06-01", 1, 0, 1, 0),
		December: counts("2025-12-31", 1, 0, 0, 1), January: counts("2026-01-31", 1, 0, 0, 1),
		February: counts("2026-02-28", 1, 0, 0, 1), March: counts("2026-03-31", 1, 0, 0, 1),
		HeadlineMonths: 3, ParticipationShare: 1,
		ActivitySurvey: &trackingv1.ActivitySurvey{AsAt: "2025-11-01"},
	}
	approx := cmpopts.EquateApprox(0, 1e-9)
	for name, tc := range map[string]struct {
		token string
		want  []*trackingv1.AuthorityMeasures
	}{
		"a hub sees both LAs":     {servicetest.HubAdmin, []*trackingv1.AuthorityMeasures{sandwell, wolverhampton}},
		"336 sees its residents":  {servicetest.Caseworker, []*trackingv1.AuthorityMeasures{wolverhampton}},
		"330 sees its resident":   {servicetest.OtherCaseworker, []*trackingv1.AuthorityMeasures{sandwell}},
		"another hub sees no one": {servicetest.OtherHubAdmin, nil},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := e.client(tc.token).GetMeasures(ctx, &trackingv1.GetMeasuresRequest{AcademicYear: "2025/26"})
			if err != nil {
				t.Fatal(err)
			}
			want := &trackingv1.GetMeasuresResponse{AcademicYear: "2025/26", AsAt: "2026-06-01", Authorities: tc.want}
			if diff := cmp.Diff(want, res, protocmp.Transform(), approx); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	_, err := e.client(servicetest.Caseworker).GetMeasures(ctx, &trackingv1.GetMeasuresRequest{LaCode: "201"})
	checkCode(t, err, connect.CodePermissionDenied, refusalv1.Reason_REASON_OUT_OF_SCOPE)

	stream, err := e.client(servicetest.Caseworker).ExportMeasures(ctx, &trackingv1.ExportMeasuresRequest{AcademicYear: "2025/26"})
	if err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	for stream.Receive() {
		csv.Write(stream.Msg().GetChunk())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	wantCSV := "la_code,academic_year,as_at,cohort,neet,not_known,neet_or_not_known,participating," +
		"headline_neet_or_not_known_share,headline_neet_share,headline_not_known_share,headline_months,participation_share_march," +
		"survey_education,survey_employment,survey_training,survey_neet,survey_not_known,survey_other\n" +
		"336,2025/26,2026-06-01,3,0,2,2,1,0.6667,0.2222,0.4444,3,0.3333,1,0,0,0,1,0\n"
	if diff := cmp.Diff(wantCSV, csv.String()); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
}
