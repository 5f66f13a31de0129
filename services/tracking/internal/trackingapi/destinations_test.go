package trackingapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

func destination(pupil string, kind trackingv1.DestinationKind, code, date string) *trackingv1.Destination {
	return &trackingv1.Destination{PupilId: pupil, Kind: kind, ActivityCode: code, EffectiveDate: date, Source: "school return"}
}

const (
	intended  = trackingv1.DestinationKind_DESTINATION_KIND_INTENDED
	offer     = trackingv1.DestinationKind_DESTINATION_KIND_OFFER
	confirmed = trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED
)

func record(t *testing.T, e env, token string, d *trackingv1.Destination) *trackingv1.Destination {
	t.Helper()
	res, err := e.client(token).RecordDestination(context.Background(), &trackingv1.RecordDestinationRequest{IdempotencyKey: newID(t), Destination: d})
	if err != nil {
		t.Fatalf("RecordDestination: %v", err)
	}
	return res.GetDestination()
}

func TestRecordDestinationIsIdempotent(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	key, pupil := newID(t), e.pupilAt(t, "100001")
	req := &trackingv1.RecordDestinationRequest{IdempotencyKey: key, Destination: destination(pupil, intended, "230", "2026-09-01")}
	first, err := e.client(servicetest.CareersLeader).RecordDestination(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.client(servicetest.CareersLeader).RecordDestination(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again, protocmp.Transform()); diff != "" {
		t.Errorf("retry (-first +retry):\n%s", diff)
	}
	if first.GetDestination().GetRecordedBy() != "careers-leader" {
		t.Errorf("recorded_by = %q", first.GetDestination().GetRecordedBy())
	}
	hist, err := e.client(servicetest.Caseworker).ListDestinations(ctx, &trackingv1.ListDestinationsRequest{PupilId: pupil})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.GetDestinations()) != 1 {
		t.Errorf("history has %d records, want 1", len(hist.GetDestinations()))
	}
}

func TestRecordDestinationRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	pupil := e.pupilAt(t, "100001")
	otherSchool := destination(e.pupilAt(t, "100002"), confirmed, "230", "2026-09-01")
	labelled := destination(pupil, confirmed, "230", "2026-09-01")
	labelled.SchoolUrn, labelled.LaCode = "100001", "336"
	cases := map[string]struct {
		token      string
		d          *trackingv1.Destination
		wantCode   connect.Code
		wantFields []string
	}{
		"code not in the table": {token: servicetest.Caseworker, d: destination(pupil, confirmed, "999", "2026-09-01"), wantCode: connect.CodeInvalidArgument, wantFields: []string{"destination.activity_code"}},
		"not a calendar date":   {token: servicetest.Caseworker, d: destination(pupil, confirmed, "230", "2026-02-30"), wantCode: connect.CodeInvalidArgument, wantFields: []string{"destination.effective_date"}},
		"every field wrong": {token: servicetest.Caseworker, d: &trackingv1.Destination{PupilId: "x", ActivityCode: "1", EffectiveDate: "soon", SchoolUrn: "1", LaCode: "1"}, wantCode: connect.CodeInvalidArgument,
			wantFields: []string{"destination.pupil_id", "destination.kind", "destination.activity_code", "destination.effective_date", "destination.source", "destination.school_urn", "destination.la_code"}},
		// Whose pupil it is comes from the pupil service: another school's
		// pupil, or one nobody registered, is not found.
		"another school's leader":   {token: servicetest.OtherLeader, d: destination(pupil, confirmed, "230", "2026-09-01"), wantCode: connect.CodeNotFound},
		"leader for another school": {token: servicetest.CareersLeader, d: otherSchool, wantCode: connect.CodeNotFound},
		"a pupil nobody registered": {token: servicetest.HubAdmin, d: destination(newID(t), confirmed, "230", "2026-09-01"), wantCode: connect.CodeNotFound},
		"labels the caller chose":   {token: servicetest.CareersLeader, d: labelled, wantCode: connect.CodeInvalidArgument, wantFields: []string{"destination.school_urn", "destination.la_code"}},
		"a date in 2999":            {token: servicetest.Caseworker, d: destination(pupil, confirmed, "230", "2999-09-01"), wantCode: connect.CodeInvalidArgument, wantFields: []string{"destination.effective_date"}},
		"analyst may not":           {token: servicetest.Analyst, d: destination(pupil, confirmed, "230", "2026-09-01"), wantCode: connect.CodePermissionDenied},
		// 720 went in April 2018: refused for anything since, still
		// accepted for an old record.
		"a retired code":                  {token: servicetest.Caseworker, d: destination(pupil, confirmed, "720", "2026-09-01"), wantCode: connect.CodeInvalidArgument, wantFields: []string{"destination.activity_code"}},
		"a retired code, the day it went": {token: servicetest.Caseworker, d: destination(pupil, confirmed, "720", "2018-04-01"), wantCode: connect.CodeInvalidArgument, wantFields: []string{"destination.activity_code"}},
		"a retired code, an old record":   {token: servicetest.Caseworker, d: destination(pupil, confirmed, "720", "2018-03-31"), wantCode: ok},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.client(tc.token).RecordDestination(context.Background(), &trackingv1.RecordDestinationRequest{IdempotencyKey: newID(t), Destination: tc.d})
			checkCode(t, err, tc.wantCode, 0)
			if tc.wantFields != nil {
				if diff := cmp.Diff(tc.wantFields, rpcerror.Fields(err)); diff != "" {
					t.Errorf("violated fields (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestLatestDestinations(t *testing.T) {
	t.Parallel()
	e := start(t)
	p := func() string { return e.pupilAt(t, "100001") }
	intends, offered, neet, notKnown, college, none, moved := p(), p(), p(), p(), p(), p(), p()
	record(t, e, servicetest.CareersLeader, destination(intends, intended, "230", "2026-03-01"))
	record(t, e, servicetest.CareersLeader, destination(offered, intended, "230", "2026-03-01"))
	record(t, e, servicetest.CareersLeader, destination(offered, offer, "310", "2026-06-01"))
	record(t, e, servicetest.Caseworker, destination(neet, offer, "230", "2026-06-01"))
	record(t, e, servicetest.Caseworker, destination(neet, confirmed, "619", "2026-10-01"))
	record(t, e, servicetest.Caseworker, destination(notKnown, confirmed, "810", "2026-11-01"))
	record(t, e, servicetest.Caseworker, destination(college, confirmed, "810", "2026-09-01"))
	record(t, e, servicetest.Caseworker, destination(college, confirmed, "230", "2026-10-01"))
	// An intention recorded later does not outrank a confirmed activity.
	record(t, e, servicetest.Caseworker, destination(college, intended, "310", "2026-11-01"))
	// A pupil whose latest record is in a school outside the caller's scope:
	// they moved, and their new school recorded it.
	record(t, e, servicetest.Caseworker, destination(moved, confirmed, "230", "2026-09-01"))
	e.pupils.Move(t, moved, "100003")
	record(t, e, servicetest.HubAdmin, destination(moved, confirmed, "230", "2026-10-01"))

	ids := []string{intends, offered, neet, notKnown, college, none, moved}
	res, err := e.client(servicetest.Caseworker).GetLatestDestinations(context.Background(), &trackingv1.GetLatestDestinationsRequest{PupilIds: ids})
	if err != nil {
		t.Fatal(err)
	}
	type latest struct {
		Code             string
		Known, NEET, EET bool
	}
	want := []latest{
		{Code: "230"},
		{Code: "310"},
		{Code: "619", Known: true, NEET: true},
		{Code: "810"},
		{Code: "230", Known: true, EET: true},
		{},
		{},
	}
	var got []latest
	for i, l := range res.GetDestinations() {
		if l.GetPupilId() != ids[i] {
			t.Fatalf("answer %d is for another pupil", i)
		}
		got = append(got, latest{l.GetDestination().GetActivityCode(), l.GetKnown(), l.GetNeet(), l.GetEet()})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("latest (-want +got):\n%s", diff)
	}
	_, err = e.client(servicetest.CareersLeader).GetLatestDestinations(context.Background(), &trackingv1.GetLatestDestinationsRequest{PupilIds: ids})
	checkCode(t, err, connect.CodePermissionDenied, 0)
	_, err = e.client(servicetest.Service).GetLatestDestinations(context.Background(), &trackingv1.GetLatestDestinationsRequest{})
	checkCode(t, err, connect.CodeInvalidArgument, 0)
}

func TestListDestinationsPages(t *testing.T) {
	t.Parallel()
	e := start(t)
	pupil := e.pupilAt(t, "100001")
	for _, code := range []string{"230", "310", "540", "810", "230"} {
		record(t, e, servicetest.Caseworker, destination(pupil, confirmed, code, "2026-09-01"))
	}
	var got []string
	token := ""
	for {
		res, err := e.client(servicetest.CareersLeader).ListDestinations(context.Background(), &trackingv1.ListDestinationsRequest{PupilId: pupil, PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.GetDestinations() {
			got = append(got, d.GetActivityCode())
		}
		if token = res.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff([]string{"230", "810", "540", "310", "230"}, got); diff != "" {
		t.Errorf("history, newest first (-want +got):\n%s", diff)
	}
	res, err := e.client(servicetest.OtherLeader).ListDestinations(context.Background(), &trackingv1.ListDestinationsRequest{PupilId: pupil})
	if err != nil || len(res.GetDestinations()) != 0 {
		t.Errorf("another school's leader got %d records (err %v), want none", len(res.GetDestinations()), err)
	}
}

func TestExportDestinations(t *testing.T) {
	t.Parallel()
	e := start(t)
	a, b, far := e.pupilAt(t, "100001"), e.pupilAt(t, "100001"), e.pupilAt(t, "100003")
	record(t, e, servicetest.Caseworker, destination(a, confirmed, "230", "2026-09-01"))
	record(t, e, servicetest.Caseworker, destination(a, intended, "310", "2026-03-01"))
	record(t, e, servicetest.Caseworker, destination(b, confirmed, "440", "2026-10-01"))
	record(t, e, servicetest.HubAdmin, destination(far, confirmed, "230", "2026-09-01"))

	rows := exportRows(t, e, servicetest.Caseworker, &trackingv1.ExportDestinationsRequest{})
	want := [][]string{
		{"pupil_id", "la_code", "school_urn", "activity_code", "activity_description", "activity_group", "destination_kind", "start_date", "date_ascertained", "source"},
	}
	for _, r := range []struct{ id, code, desc, group, date string }{
		{a, "230", "Full time education - further education", "education", "2026-09-01"},
		{b, "440", "DWP training and support programme", "training", "2026-10-01"},
	} {
		want = append(want, []string{r.id, "336", "100001", r.code, r.desc, r.group, "confirmed", r.date, "", "school return"})
	}
	if a > b {
		want[1], want[2] = want[2], want[1]
	}
	for _, row := range rows[1:] {
		row[8] = "" // the date ascertained is today
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("export (-want +got):\n%s", diff)
	}

	// A hub admin narrows the export to one local authority.
	rows = exportRows(t, e, servicetest.HubAdmin, &trackingv1.ExportDestinationsRequest{LaCode: "330"})
	if len(rows) != 2 || rows[1][0] != far {
		t.Errorf("LA 330's export = %v, want the header and one pupil", rows)
	}

	stream, err := e.client(servicetest.CareersLeader).ExportDestinations(context.Background(), &trackingv1.ExportDestinationsRequest{})
	if err == nil {
		for stream.Receive() {
		}
		err = stream.Err()
	}
	var cerr *connect.Error
	if !errors.As(err, &cerr) || cerr.Code() != connect.CodePermissionDenied {
		t.Errorf("careers leader export: %v, want PermissionDenied", err)
	}
}

func TestListActivityCodes(t *testing.T) {
	t.Parallel()
	e := start(t)
	res, err := e.client(servicetest.Analyst).ListActivityCodes(context.Background(), &trackingv1.ListActivityCodesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if res.GetEdition() == "" {
		t.Error("no edition")
	}
	groups := map[string]trackingv1.ActivityGroup{}
	for _, c := range res.GetCodes() {
		groups[c.GetCode()] = c.GetGroup()
	}
	for code, want := range map[string]trackingv1.ActivityGroup{
		"440": trackingv1.ActivityGroup_ACTIVITY_GROUP_TRAINING,
		"540": trackingv1.ActivityGroup_ACTIVITY_GROUP_NEET,
		"710": trackingv1.ActivityGroup_ACTIVITY_GROUP_OTHER,
		"810": trackingv1.ActivityGroup_ACTIVITY_GROUP_NOT_KNOWN,
	} {
		if groups[code] != want {
			t.Errorf("code %s is in %v, want %v", code, groups[code], want)
		}
	}
	if _, offered := groups["720"]; offered {
		t.Error("720 is offered, though it was retired in April 2018")
	}
}

// TestExportNeutralisesFormulas: text a caller wrote that a spreadsheet
// would run as a formula is exported with a leading quote, as text.
func TestExportNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	e := start(t)
	sources := []string{`=HYPERLINK("http://example.invalid","x")`, "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"}
	for _, src := range sources {
		d := destination(e.pupilAt(t, "100001"), confirmed, "230", "2026-09-01")
		d.Source = src
		record(t, e, servicetest.Caseworker, d)
	}
	rows := exportRows(t, e, servicetest.Caseworker, &trackingv1.ExportDestinationsRequest{})
	got := map[string]bool{}
	for _, row := range rows[1:] {
		got[row[9]] = true
	}
	for _, src := range sources {
		if !got["'"+src] {
			t.Errorf("source %q not exported as '%s; got %v", src, src, got)
		}
	}
}

// TestEarlyLeaverNotification: a college tells the LA a young person left
// their course: recorded as a confirmed not-known activity from the day
// they left, naming the provider, it makes them not known and disengaged
// from the course they left. A notification that is not a confirmed
// not-known record naming its provider is refused, field by field.
func TestEarlyLeaverNotification(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	student := e.pupilAt(t, "100001")
	record(t, e, servicetest.Caseworker, destination(student, confirmed, "230", "2025-09-08"))
	left := destination(student, confirmed, "810", "2026-03-13")
	left.Provider, left.EarlyLeaver, left.Source = "10099991", true, "college early-leaver notification"
	got := record(t, e, servicetest.Caseworker, left)
	if !got.GetEarlyLeaver() || got.GetProvider() != "10099991" {
		t.Errorf("recorded %v", got)
	}
	res, err := e.client(servicetest.Caseworker).GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: []string{student}})
	if err != nil {
		t.Fatal(err)
	}
	l := res.GetDestinations()[0]
	if l.GetKnown() || l.GetDisengagedOn() != "2026-03-13" || l.GetDisengagedFrom() != "230" || !l.GetDisengagedEarlyLeaver() {
		t.Errorf("latest: known %v, disengaged on %q from %q, early leaver %v; want not known, disengaged on 2026-03-13 from 230 by an early leaver notification",
			l.GetKnown(), l.GetDisengagedOn(), l.GetDisengagedFrom(), l.GetDisengagedEarlyLeaver())
	}

	for name, tc := range map[string]struct {
		kind     trackingv1.DestinationKind
		code     string
		provider string
		field    string
	}{
		"an offer":         {offer, "810", "10099991", "destination.kind"},
		"a NEET code":      {confirmed, "619", "10099991", "destination.activity_code"},
		"with no provider": {confirmed, "810", "", "destination.provider"},
	} {
		t.Run(name, func(t *testing.T) {
			d := destination(student, tc.kind, tc.code, "2026-03-13")
			d.Provider, d.EarlyLeaver = tc.provider, true
			_, err := e.client(servicetest.Caseworker).RecordDestination(ctx, &trackingv1.RecordDestinationRequest{IdempotencyKey: newID(t), Destination: d})
			checkCode(t, err, connect.CodeInvalidArgument, 0)
			if diff := cmp.Diff([]string{tc.field}, rpcerror.Fields(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

// exportRows reads the whole export as token, header first.
func exportRows(t *testing.T, e env, token string, req *trackingv1.ExportDestinationsRequest) [][]string {
	t.Helper()
	stream, err := e.client(token).ExportDestinations(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for stream.Receive() {
		buf.Write(stream.Msg().GetChunk())
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("export as %s: %v", token, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("export as %s is not CSV with a header: %v", token, err)
	}
	return rows
}
