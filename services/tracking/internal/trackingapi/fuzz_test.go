package trackingapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/trackingapi"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// FuzzJSONBody posts arbitrary JSON bodies, as curl would, to the tracking
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
// placeholders such as $TASK stand for the fixtures' ids, so that the seeds
// reach past "not found". The services are started once per fuzzing
// process, so state carries over between inputs, as it does in production.
func FuzzJSONBody(f *testing.F) {
	tag := dbtest.TagConnections(f)
	e := startOnce(f)
	ctx := context.Background()

	// Fixtures: three pupils at Heath Park, two destinations of the first,
	// an intervention task for each of the first two, and a second page of
	// each list.
	p1, p2, p3 := e.pupils.Enrol(f, "100001"), e.pupils.Enrol(f, "100001"), e.pupils.Enrol(f, "100001")
	admin := e.client(servicetest.HubAdmin)
	for i, d := range []*trackingv1.Destination{
		{PupilId: p1, Kind: trackingv1.DestinationKind_DESTINATION_KIND_INTENDED, ActivityCode: "230", EffectiveDate: "2026-03-01", Source: "careers interview"},
		{PupilId: p1, Kind: trackingv1.DestinationKind_DESTINATION_KIND_OFFER, ActivityCode: "230", EffectiveDate: "2026-05-01", Source: "school return"},
	} {
		key := fmt.Sprintf("0f0f0f0f-0000-4000-8000-%012d", i+1)
		if _, err := admin.RecordDestination(ctx, &trackingv1.RecordDestinationRequest{IdempotencyKey: key, Destination: d}); err != nil {
			f.Fatalf("RecordDestination: %v", err)
		}
	}
	c := heathPark()
	if _, err := e.client(servicetest.Service).SyncInterventions(ctx, c.request(desired(p1, "BEHIND_TRAJECTORY", "2026-12-01"), desired(p2, "DESTINATION_UNKNOWN", "2026-04-01"))); err != nil {
		f.Fatalf("SyncInterventions: %v", err)
	}
	tasks, err := admin.ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: c.key, PageSize: 1})
	if err != nil || len(tasks.GetTasks()) != 1 {
		f.Fatalf("ListTasks: %v", err)
	}
	destinations, err := admin.ListDestinations(ctx, &trackingv1.ListDestinationsRequest{PupilId: p1, PageSize: 1})
	if err != nil {
		f.Fatalf("ListDestinations: %v", err)
	}
	events, err := admin.ListAuditEvents(ctx, &trackingv1.ListAuditEventsRequest{PageSize: 1})
	if err != nil {
		f.Fatalf("ListAuditEvents: %v", err)
	}
	dbtest.DropFirst(f, tag)
	rpc := servicetest.NewJSONFuzz(e.srv.URL, trackingv1.File_nextstep_tracking_v1_tracking_proto.Services().Get(0), strings.NewReplacer(
		"$TASKS_TOKEN", tasks.GetNextPageToken(),
		"$TASK", tasks.GetTasks()[0].GetId(),
		"$DESTINATIONS_TOKEN", destinations.GetNextPageToken(),
		"$EVENTS_TOKEN", events.GetNextPageToken(),
		"$PUPIL2", p2,
		"$PUPIL3", p3,
		"$PUPIL", p1,
	))

	for method, bodies := range map[string][]string{
		"RecordDestination": {`{"idempotencyKey":"0f0f0f0f-0000-4000-8000-00000000000a","destination":{"pupilId":"$PUPIL3","kind":"DESTINATION_KIND_CONFIRMED",` +
			`"activityCode":"230","effectiveDate":"2026-09-01","source":"school return","reviewOn":"2027-07-31"}}`},
		"ListDestinations":      {`{"pupilId":"$PUPIL","pageSize":1,"pageToken":"$DESTINATIONS_TOKEN"}`},
		"ConfirmCurrency":       {`{"pupilIds":["$PUPIL","$PUPIL2","0f0f0f0f-0000-4000-8000-000000000099"],"source":"phone call"}`},
		"GetLatestDestinations": {`{"pupilIds":["$PUPIL","$PUPIL2","0f0f0f0f-0000-4000-8000-000000000099"]}`},
		"GetCohortRevision":     {`{"cohortKey":"wolverhampton/heath-park-y11","pupilIds":["$PUPIL","$PUPIL2","0f0f0f0f-0000-4000-8000-000000000099"]}`},
		"ListActivityCodes":     {`{}`},
		"SyncInterventions": {`{"cohortKey":"wolverhampton/heath-park-y11","schoolUrn":"100001","laCode":"336","passToken":"2","maxCloseFraction":0.5,"holdMinCloses":1,` +
			`"desired":[{"pupilId":"$PUPIL","reasonCode":"BEHIND_TRAJECTORY","priority":"PRIORITY_HIGH","dueDate":"2026-12-01","summary":"3 of 6 expected days",` +
			`"evidence":{"days_credited":"3","days_expected":"6"}},{"pupilId":"$PUPIL3","reasonCode":"DESTINATION_UNKNOWN","priority":"PRIORITY_URGENT","dueDate":"2026-05-01","summary":"no destination"}]}`},
		"ListTasks": {`{"laCode":"336","schoolUrn":"100001","cohortKey":"wolverhampton/heath-park-y11","reasonCode":"BEHIND_TRAJECTORY","priority":"PRIORITY_NORMAL",` +
			`"statuses":["TASK_STATUS_OPEN","TASK_STATUS_ASSIGNED"],"pupilId":"$PUPIL","overdueOnly":false,"pageSize":1,"pageToken":"$TASKS_TOKEN"}`,
			`{"cohortKey":"wolverhampton/heath-park-y11","pageSize":1,"pageToken":"$TASKS_TOKEN"}`},
		"CountTasks":  {`{"laCode":"336","schoolUrn":"100001","cohortKey":"wolverhampton/heath-park-y11","assignee":"caseworker"}`},
		"GetTask":     {`{"taskId":"$TASK"}`},
		"UpdateTask":  {`{"taskId":"$TASK","version":"1","assign":{"assignee":"caseworker"}}`, `{"taskId":"$TASK","version":2,"dismiss":{"reason":"moved away","snoozeUntil":"2026-09-01"}}`},
		"AddTaskNote": {`{"taskId":"$TASK","action":"ACTION_KIND_CONTACT_MADE","text":"left a voicemail\nand an email"}`},
		"BulkUpdateTasks": {`{"taskIds":["$TASK","0f0f0f0f-0000-4000-8000-000000000099"],"assign":{"assignee":"lead-worker"}}`,
			`{"taskIds":["$TASK"],"log":{"action":"ACTION_KIND_CONTACT_ATTEMPTED","text":"letter sent"}}`},
		"ListAuditEvents": {`{"subject":"hub-admin","target":"pupil:$PUPIL","since":"2020-01-01T00:00:00Z","until":"9999-12-31T23:59:59Z","pageSize":1,"pageToken":"$EVENTS_TOKEN"}`},
	} {
		// The operator syncs; a hub admin only forces a held sync.
		who := uint8(0)
		if method == "SyncInterventions" || method == "GetCohortRevision" {
			who = rpc.As(method, servicetest.Service)
		}
		for _, body := range bodies {
			for _, b := range servicetest.NearValid(body) {
				f.Add(method, who, []byte(b))
			}
		}
	}
	f.Add("SyncInterventions", uint8(0), []byte(`{"cohortKey":"wolverhampton/heath-park-y11","schoolUrn":"100001","laCode":"336","passToken":"3","force":true}`))
	for _, b := range servicetest.OddBodies {
		f.Add("GetTask", uint8(1), []byte(b))
	}

	f.Fuzz(rpc.Check)
}

// startOnce is start for a fuzz target, which has no *testing.T outside
// the fuzz function: the services live as long as the fuzzing process.
func startOnce(tb testing.TB) env {
	tb.Helper()
	pupils := pupiltest.Start(tb)
	for urn := range pupiltest.Schools {
		pupils.School(tb, urn)
	}
	pool := dbtest.NewPool(tb, "tracking", migrations.FS)
	srv := servicetest.Start(tb, "tracking", pool, trackingapi.Services(server.Deps{
		Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Pupils: pupils.Directory(),
		Now: clockFrom(today),
	})...)
	return env{srv: srv, pool: pool, pupils: pupils}
}
