package pupilapi_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilapi"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
)

func TestConfiguredWeights(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	bad := risk.DefaultWeights()
	bad.EAL = -1
	if _, err := pupilapi.ServicesWith(server.Deps{Logger: logger}, pupilapi.Options{Weights: &bad}); err == nil {
		t.Error("negative weights accepted")
	}

	pool := dbtest.NewPool(t, "pupil", migrations.FS)
	w := risk.DefaultWeights()
	w.LookedAfter, w.AttendanceBelow, w.Attendance = 4, 80, 1
	svcs, err := pupilapi.ServicesWith(server.Deps{Pool: pool, Logger: logger, Now: func() time.Time { return today }}, pupilapi.Options{Weights: &w})
	if err != nil {
		t.Fatal(err)
	}
	srv := servicetest.Start(t, "pupil", pool, svcs...)
	if _, _, err := store.InsertSchool(context.Background(), pool, store.School{URN: "100001", Name: "Heath Park School", LACode: "336", Phase: "secondary", Open: true}); err != nil {
		t.Fatal(err)
	}
	client := pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), srv.URL, servicetest.Options(servicetest.CareersLeader, true)...)
	res, err := client.CreatePupil(context.Background(), &pupilv1.CreatePupilRequest{IdempotencyKey: key1, Pupil: newPupil()})
	if err != nil {
		t.Fatal(err)
	}
	// Attendance of 88% is above the configured 80%, so only care counts.
	want := &pupilv1.RiskScore{Score: 4, Contributions: []*pupilv1.RiskContribution{
		{Factor: "looked_after", Weight: 4, Evidence: "looked after (as at 2025-09-01)"},
	}, NotKnown: []string{"suspensions", "permanent_exclusions", "sen", "free_school_meals", "young_carer", "english_additional_language",
		"school_moves", "prior_attainment", "child_in_need", "alternative_provision", "youth_justice", "young_parent", "home_educated", "mental_health"},
		WeightsVersion: risk.DefaultWeightsVersion}
	if diff := cmp.Diff(want, res.GetPupil().GetRisk(), protocmp.Transform()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDefaultWeights(t *testing.T) {
	t.Parallel()
	if err := risk.DefaultWeights().Validate(); err != nil {
		t.Fatal(err)
	}
}
