package e2e_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/preview"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// A hub lead previews a stricter threshold for BehindTrajectory before
// applying it: after the first pass raised three interventions, allowing
// 12 half days behind would close both BEHIND_TRAJECTORY tasks (the pupil
// 8 short and the one 10 short) and keep the AT_RISK_OF_NEET one. The
// preview says so and writes nothing: tracking's rows are as they were.
func TestPreviewWritesNothing(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.seed(t)
	s.startManager(t, false)
	s.applyProgramme(t)
	s.waitForTasks(t, firstPass)

	rows := func() string {
		t.Helper()
		var snapshot string
		err := s.trackingDB.QueryRow(context.Background(),
			`SELECT coalesce(string_agg(t::text, E'\n' ORDER BY t.id), '') FROM tracking.tasks t`).Scan(&snapshot)
		if err != nil {
			t.Fatal(err)
		}
		return snapshot
	}
	before := rows()

	stricter := &nextstepv1alpha1.Programme{}
	stricter.Namespace, stricter.Name = s.ns, "hub"
	stricter.Spec = nextstepv1alpha1.ProgrammeSpec{
		AcademicYear: "2025/26", Schools: nextstepv1alpha1.SchoolSelector{LACodes: []string{laCode}},
		YearGroups: []int32{9}, ResyncIntervalSeconds: 1, MaxClosePercent: 50,
		Rules: []nextstepv1alpha1.InterventionRule{{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Threshold: ptr.To[int32](12)}},
	}
	clients := sources.New(sources.Config{
		PupilURL: s.pupilSrv.URL, PlacementURL: s.placementSrv.URL, TrackingURL: s.trackingSrv.URL,
		Token: credentials.StaticToken(servicetest.Service),
	})
	report, err := preview.Run(context.Background(), clients, stricter, s.today)
	if err != nil {
		t.Fatal(err)
	}
	want := []preview.Change{{
		Cohort: s.ns + "/hub-" + schoolURN + "-y9", Keep: 1, Close: 2,
		CloseByReason: map[string]int{"BEHIND_TRAJECTORY": 2},
	}}
	if diff := cmp.Diff(want, report.Cohorts, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	if after := rows(); after != before {
		t.Errorf("the preview changed tracking's tasks:\nbefore\n%s\nafter\n%s", before, after)
	}
}
