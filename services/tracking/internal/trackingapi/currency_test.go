package trackingapi_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// TestCurrency: a confirmed activity is known until its currency lapses
// (its group's period after it was ascertained, or its review date if
// sooner), then not known and lapsed; a caseworker confirms currency in
// bulk, pupil by pupil, within their scope, and the activity is known again
// from that day.
func TestCurrency(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	neet, college, intends, elsewhere := e.pupilAt(t, "100001"), e.pupilAt(t, "100002"), e.pupilAt(t, "100001"), e.pupilAt(t, "100009")
	record(t, e, servicetest.Caseworker, destination(neet, confirmed, "540", "2026-05-20")) // NEET: 91 days
	course := destination(college, confirmed, "230", "2026-05-20")                          // education: a year, or the course's end
	course.ReviewOn = "2026-07-31"
	if got := record(t, e, servicetest.Caseworker, course); got.GetLapsesOn() != "2026-07-31" || got.GetReviewOn() != "2026-07-31" {
		t.Errorf("the course lapses on %q (review on %q), want its end", got.GetLapsesOn(), got.GetReviewOn())
	}
	record(t, e, servicetest.Caseworker, destination(intends, intended, "230", "2026-09-01"))
	record(t, e, servicetest.OtherHubAdmin, destination(elsewhere, confirmed, "230", "2026-05-20"))

	type standing struct {
		Known, Lapsed bool
		LapsesOn      string
	}
	latest := func(e env) map[string]standing {
		t.Helper()
		res, err := e.client(servicetest.Caseworker).GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: []string{neet, college}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]standing{}
		for _, d := range res.GetDestinations() {
			out[d.GetPupilId()] = standing{d.GetKnown(), d.GetLapsed(), d.GetDestination().GetLapsesOn()}
		}
		return out
	}
	// Today (2026-06-01) both are current.
	if diff := cmp.Diff(map[string]standing{neet: {true, false, "2026-08-31"}, college: {true, false, "2026-07-31"}}, latest(e)); diff != "" {
		t.Errorf("today (-want +got):\n%s", diff)
	}
	// On 2026-08-31 the NEET record has lapsed, and the course ended a month ago.
	later := e.at(t, time.Date(2026, time.August, 31, 9, 0, 0, 0, time.UTC))
	if diff := cmp.Diff(map[string]standing{neet: {false, true, "2026-08-31"}, college: {false, true, "2026-07-31"}}, latest(later)); diff != "" {
		t.Errorf("on 2026-08-31 (-want +got):\n%s", diff)
	}

	res, err := later.client(servicetest.Caseworker).ConfirmCurrency(ctx, &trackingv1.ConfirmCurrencyRequest{
		PupilIds: []string{neet, elsewhere, intends, "0f0f0f0f-0000-4000-8000-000000000099"}, Source: "phone call"})
	if err != nil {
		t.Fatal(err)
	}
	want := &trackingv1.ConfirmCurrencyResponse{Confirmed: 1, Outcomes: []*trackingv1.CurrencyOutcome{
		{PupilId: neet, Result: trackingv1.CurrencyResult_CURRENCY_RESULT_CONFIRMED, LapsesOn: "2026-11-30"},
		{PupilId: elsewhere, Result: trackingv1.CurrencyResult_CURRENCY_RESULT_NOT_FOUND},
		{PupilId: intends, Result: trackingv1.CurrencyResult_CURRENCY_RESULT_NO_CONFIRMED_ACTIVITY},
		{PupilId: "0f0f0f0f-0000-4000-8000-000000000099", Result: trackingv1.CurrencyResult_CURRENCY_RESULT_NOT_FOUND},
	}}
	if diff := cmp.Diff(want, res, protocmp.Transform()); diff != "" {
		t.Errorf("confirm currency (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]standing{neet: {true, false, "2026-11-30"}, college: {false, true, "2026-07-31"}}, latest(later)); diff != "" {
		t.Errorf("after confirming (-want +got):\n%s", diff)
	}
	// The confirmation is a record of its own, with who and where from.
	hist, err := later.client(servicetest.Caseworker).ListDestinations(ctx, &trackingv1.ListDestinationsRequest{PupilId: neet})
	if err != nil || len(hist.GetDestinations()) != 2 || hist.GetDestinations()[0].GetSource() != "phone call" || hist.GetDestinations()[0].GetRecordedBy() != "caseworker" {
		t.Errorf("history after confirming: %v (err %v)", hist.GetDestinations(), err)
	}
	// A careers leader may not confirm currency, and a pupil twice is refused.
	_, err = later.client(servicetest.CareersLeader).ConfirmCurrency(ctx, &trackingv1.ConfirmCurrencyRequest{PupilIds: []string{neet}, Source: "x"})
	checkCode(t, err, connect.CodePermissionDenied, 0)
	_, err = later.client(servicetest.Caseworker).ConfirmCurrency(ctx, &trackingv1.ConfirmCurrencyRequest{PupilIds: []string{neet, neet}, Source: "x"})
	checkCode(t, err, connect.CodeInvalidArgument, 0)
}

// TestOffers: an offer of a place, or a current confirmed activity in
// education, employment or training, counts as an offer for the September
// Guarantee; an intention or a NEET activity does not. The provider is
// kept.
func TestOffers(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	offered, working, neet, intends := e.pupilAt(t, "100001"), e.pupilAt(t, "100001"), e.pupilAt(t, "100001"), e.pupilAt(t, "100001")
	offer := destination(offered, trackingv1.DestinationKind_DESTINATION_KIND_OFFER, "230", "2026-09-01")
	offer.Provider = "10012345"
	if got := record(t, e, servicetest.Caseworker, offer); got.GetProvider() != "10012345" {
		t.Errorf("provider = %q", got.GetProvider())
	}
	record(t, e, servicetest.Caseworker, destination(working, confirmed, "310", "2026-05-20"))
	record(t, e, servicetest.Caseworker, destination(neet, confirmed, "540", "2026-05-20"))
	record(t, e, servicetest.Caseworker, destination(intends, intended, "230", "2026-09-01"))
	res, err := e.client(servicetest.Caseworker).GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: []string{offered, working, neet, intends}})
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	for _, d := range res.GetDestinations() {
		got = append(got, d.GetOffer())
	}
	if diff := cmp.Diff([]bool{true, true, false, false}, got); diff != "" {
		t.Errorf("offers (-want +got):\n%s", diff)
	}
	bad := destination(offered, trackingv1.DestinationKind_DESTINATION_KIND_OFFER, "230", "2026-09-01")
	bad.Provider = "1234"
	_, err = e.client(servicetest.Caseworker).RecordDestination(ctx, &trackingv1.RecordDestinationRequest{IdempotencyKey: newID(t), Destination: bad})
	checkCode(t, err, connect.CodeInvalidArgument, 0)
}

// TestDisengaged: a young person whose confirmed activity changes from
// education, employment or training to NEET is disengaged from the new
// activity's date; one NEET all along, or back in education, is not.
func TestDisengaged(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	dropped, always, back := e.pupilAt(t, "100001"), e.pupilAt(t, "100001"), e.pupilAt(t, "100001")
	record(t, e, servicetest.Caseworker, destination(dropped, confirmed, "230", "2026-01-10"))
	record(t, e, servicetest.Caseworker, destination(dropped, confirmed, "619", "2026-05-01"))
	record(t, e, servicetest.Caseworker, destination(always, confirmed, "619", "2026-05-01"))
	record(t, e, servicetest.Caseworker, destination(back, confirmed, "619", "2026-02-01"))
	record(t, e, servicetest.Caseworker, destination(back, confirmed, "230", "2026-05-01"))
	res, err := e.client(servicetest.Caseworker).GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: []string{dropped, always, back}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.GetDestinations() {
		got = append(got, d.GetDisengagedOn()+" "+d.GetDisengagedFrom())
	}
	if diff := cmp.Diff([]string{"2026-05-01 230", " ", " "}, got); diff != "" {
		t.Errorf("disengaged (-want +got):\n%s", diff)
	}
}
