package pupilapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilapi"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

// FuzzJSONBody posts arbitrary JSON bodies, as curl would, to the pupil
// service's unary methods through the whole handler stack (authentication,
// authorization, hygiene, validation, audit) on a real database, as a
// principal the method's policy allows. Whatever the body, the service must
// answer: a 2xx carrying the method's response message, or a Connect
// refusal a client can act on (a 4xx: invalid_argument, not_found, ...);
// never a 5xx, internal or unknown, and never a dropped connection (a
// handler that panicked).
//
// The input names the method (an unknown name picks one by its hash), the
// principal (an index into those the method allows) and the body, in which
// placeholders such as $PUPIL stand for the fixtures' ids, so that the seeds
// reach past "not found". The service is started once per fuzzing process,
// so state carries over between inputs, as it does in production.
func FuzzJSONBody(f *testing.F) {
	tag := dbtest.TagConnections(f)
	pool := dbtest.NewPool(f, "pupil", migrations.FS)
	svcs, err := pupilapi.ServicesWith(server.Deps{Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return today }}, pupilapi.Options{})
	if err != nil {
		f.Fatal(err)
	}
	srv := servicetest.Start(f, "pupil", pool, svcs...)
	ctx := context.Background()
	for _, s := range []store.School{
		{URN: "100001", Name: "Heath Park School", LACode: "336", Phase: "secondary", Open: true},
		{URN: "100002", Name: "Another Academy", LACode: "336", Phase: "secondary", Open: true},
		{URN: "100003", Name: "Birmingham High", LACode: "330", Phase: "secondary", Open: true},
		{URN: "100009", Name: "City School", LACode: "201", Phase: "secondary", Open: true},
	} {
		if _, _, err := store.InsertSchool(ctx, pool, s); err != nil {
			f.Fatal(err)
		}
	}

	// Fixtures: two Year 9 pupils at 100001, and a second page of schools
	// and of the pupils' cohort.
	admin := pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), srv.URL, servicetest.Options(servicetest.HubAdmin, false)...)
	validUPN := func(n int) string {
		rest := fmt.Sprintf("336400125%03d", n)
		return string(upn.CheckLetter(rest)) + rest
	}
	var ids []string
	for n := range 2 {
		res, err := admin.CreatePupil(ctx, &pupilv1.CreatePupilRequest{
			IdempotencyKey: fmt.Sprintf("0f0f0f0f-0000-4000-8000-%012d", n+1),
			Pupil:          &pupilv1.Pupil{Upn: validUPN(n + 1), LegalSurname: "Fuzzperson", LegalForename: "Ada", DateOfBirth: "2011-10-01", SchoolUrn: "100001"},
		})
		if err != nil {
			f.Fatalf("CreatePupil: %v", err)
		}
		ids = append(ids, res.GetPupil().GetId())
	}
	schools, err := admin.ListSchools(ctx, &pupilv1.ListSchoolsRequest{PageSize: 1})
	if err != nil {
		f.Fatalf("ListSchools: %v", err)
	}
	cohort, err := admin.ListCohortPupils(ctx, &pupilv1.ListCohortPupilsRequest{SchoolUrn: "100001", YearGroup: 9, AcademicYear: "2025/26", PageSize: 1})
	if err != nil {
		f.Fatalf("ListCohortPupils: %v", err)
	}
	dbtest.DropFirst(f, tag)
	rpc := servicetest.NewJSONFuzz(srv.URL, pupilv1.File_nextstep_pupil_v1_pupil_proto.Services().Get(0), strings.NewReplacer(
		"$PUPIL2", ids[1],
		"$PUPIL", ids[0],
		"$SCHOOLS_TOKEN", schools.GetNextPageToken(),
		"$COHORT_TOKEN", cohort.GetNextPageToken(),
	))

	pupil := `{"upn":"` + validUPN(3) + `","legalSurname":"Testperson","legalForename":"Ada","preferredForename":"Addie",` +
		`"dateOfBirth":"2011-10-01","schoolUrn":"100001","joinedOn":"2022-09-01","yearGroupOffset":0,` +
		`"riskFactors":{"attendance":{"percent":84.5,"asAt":"2025-10-01"},"suspensions":{"count":1,"asAt":"2025-10-01"},` +
		`"sen":{"status":"SEN_STATUS_SEN_SUPPORT","asAt":"2025-10-01"},"freeSchoolMeals":{"value":true,"asAt":"2025-10-01"}}}`
	moved := `{"id":"$PUPIL2","upn":"` + validUPN(2) + `","legalSurname":"Fuzzperson","legalForename":"Ada","dateOfBirth":"2011-10-01",` +
		`"schoolUrn":"100002","leftOn":"","leavingReason":"LEAVING_REASON_UNSPECIFIED"}`
	left := `{"id":"$PUPIL2","upn":"` + validUPN(2) + `","legalSurname":"Fuzzperson","legalForename":"Ada","dateOfBirth":"2011-10-01",` +
		`"schoolUrn":"100001","joinedOn":"2022-09-01","leftOn":"2025-11-01","leavingReason":"LEAVING_REASON_MOVED_ABROAD"}`
	for method, bodies := range map[string][]string{
		"CreateSchool":     {`{"school":{"urn":"100004","name":"New School","laCode":"336","phase":"PHASE_SECONDARY","open":true}}`},
		"GetSchool":        {`{"urn":"100001"}`},
		"ListSchools":      {`{"pageSize":1,"pageToken":"$SCHOOLS_TOKEN"}`, `{"laCode":"330"}`},
		"CreatePupil":      {`{"idempotencyKey":"0f0f0f0f-0000-4000-8000-00000000000a","pupil":` + pupil + `}`},
		"GetPupil":         {`{"id":"$PUPIL"}`},
		"UpdatePupil":      {`{"pupil":` + moved + `,"version":"1"}`, `{"pupil":` + left + `,"version":1}`},
		"ListCohortPupils": {`{"schoolUrn":"100001","yearGroup":9,"academicYear":"2025/26","pageSize":1,"pageToken":"$COHORT_TOKEN"}`},
		"LocatePupils":     {`{"pupilIds":["$PUPIL","$PUPIL2","0f0f0f0f-0000-4000-8000-000000000099"]}`},
		"ReviewRisk": {`{"pupilId":"$PUPIL","review":{"decision":"RISK_DECISION_SUPPRESSED","reason":"hospital stay","reviewOn":"2026-01-15"}}`,
			`{"pupilId":"$PUPIL2","review":{"decision":"RISK_DECISION_ADDED","reason":"young carer"}}`, `{"pupilId":"$PUPIL"}`},
	} {
		for _, body := range bodies {
			for _, b := range servicetest.NearValid(body) {
				f.Add(method, uint8(0), []byte(b))
			}
		}
	}
	for _, b := range servicetest.OddBodies {
		f.Add("GetPupil", uint8(1), []byte(b))
	}

	f.Fuzz(rpc.Check)
}
