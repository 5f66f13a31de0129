package e2e_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"k8s.io/utils/ptr"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/preview"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// TestCohortWideGapIsOneTask: all twelve of a Year 9 are booked on a week in
// February and nobody has attended, so all are behind. Before the
// programme applies, a preview says the defaults would raise three tasks
// (the cohort's own and the two looked-after pupils') and a stricter
// grouping (at least 20 pupils) twelve, writing nothing. The reconciler
// then raises the three; once the ten others attend the week, the
// cohort's task closes and nothing new is raised.
func TestCohortWideGapIsOneTask(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	ctx := context.Background()
	_, err := s.pupil.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
		Urn: schoolURN, Name: "Test Academy", LaCode: laCode, Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true,
	}})
	check(t, "create school", err)
	var names []string
	for i := range 12 {
		name := fmt.Sprintf("p%02d", i)
		p := &pupilv1.Pupil{Upn: testUPN(i + 1), LegalSurname: "Pupil", LegalForename: name, DateOfBirth: "2012-03-15", SchoolUrn: schoolURN, JoinedOn: "2023-09-01"}
		if i < 2 {
			name = fmt.Sprintf("looked-after-%d", i)
			p.RiskFactors = &pupilv1.RiskFactors{LookedAfter: &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER, AsAt: "2026-02-01"}}
		}
		res, err := s.pupil.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: p})
		check(t, "create pupil", err)
		s.pupils[name] = res.GetPupil().GetId()
		names = append(names, name)
	}
	employer, err := s.placement.CreateEmployer(ctx, &placementv1.CreateEmployerRequest{IdempotencyKey: uuid.NewString(),
		Employer: &placementv1.Employer{Name: "Midlands Metro", Sector: placementv1.Sector_SECTOR_LOGISTICS, SizeBand: placementv1.SizeBand_SIZE_BAND_LARGE}})
	check(t, "create employer", err)
	s.opportunityDays = []string{"2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06"}
	var days []*placementv1.OpportunityDay
	for _, d := range s.opportunityDays {
		days = append(days, &placementv1.OpportunityDay{Date: d, Session: placementv1.Session_SESSION_FULL_DAY})
	}
	opp, err := s.placement.CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: uuid.NewString(),
		Opportunity: &placementv1.Opportunity{EmployerId: employer.GetEmployer().GetId(), Title: "A week at the depot", Kind: placementv1.Kind_KIND_PLACEMENT,
			Days: days, Capacity: 12, YearGroups: []int32{9}, Location: "Wolverhampton"}})
	check(t, "create opportunity", err)
	for _, name := range names {
		b, err := s.placement.BookPlace(ctx, &placementv1.BookPlaceRequest{IdempotencyKey: uuid.NewString(), OpportunityId: opp.GetOpportunity().GetId(), PupilId: s.pupils[name]})
		check(t, "book "+name, err)
		s.bookings[name] = b.GetBooking().GetId()
	}

	// Previews, before anything is applied.
	clients := sources.New(sources.Config{
		PupilURL: s.pupilSrv.URL, PlacementURL: s.placementSrv.URL, TrackingURL: s.trackingSrv.URL,
		Token: credentials.StaticToken(servicetest.Service),
	})
	cohort := s.ns + "/hub-" + schoolURN + "-y9"
	for name, tc := range map[string]struct {
		rules []nextstepv1alpha1.InterventionRule
		want  preview.Change
	}{
		"the defaults": {want: preview.Change{Cohort: cohort, Raise: 3, RaiseByReason: map[string]int{"BEHIND_TRAJECTORY": 3}}},
		"grouping from 20 pupils": {
			rules: []nextstepv1alpha1.InterventionRule{{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Grouping: &nextstepv1alpha1.Grouping{MinPupils: 20}}},
			want:  preview.Change{Cohort: cohort, Raise: 12, RaiseByReason: map[string]int{"BEHIND_TRAJECTORY": 12}},
		},
	} {
		p := &nextstepv1alpha1.Programme{}
		p.Namespace, p.Name = s.ns, "hub"
		p.Spec = nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", Schools: nextstepv1alpha1.SchoolSelector{LACodes: []string{laCode}},
			YearGroups: []int32{9}, ResyncIntervalSeconds: 1, MaxClosePercent: 50, Rules: tc.rules}
		report, err := preview.Run(ctx, clients, p, s.today)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]preview.Change{tc.want}, report.Cohorts, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("preview of %s (-want +got):\n%s", name, diff)
		}
	}
	var rows int
	check(t, "count tasks", s.trackingDB.QueryRow(ctx, `SELECT count(*) FROM tracking.tasks`).Scan(&rows))
	if rows != 0 {
		t.Fatalf("the previews wrote %d tasks", rows)
	}

	s.startManager(t, false)
	s.applyProgramme(t)
	s.waitForTasks(t, []task{
		{Pupil: "", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
		{Pupil: "looked-after-0", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
		{Pupil: "looked-after-1", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
	})
	grouped := func(want []nextstepv1alpha1.GroupedIntervention) {
		t.Helper()
		eventually(t, 30*time.Second, func() error {
			c, err := s.cohort(t)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(want, c.Status.GroupedInterventions, cmpopts.EquateEmpty()); diff != "" {
				return fmt.Errorf("grouped interventions (-want +got):\n%s", diff)
			}
			return nil
		})
	}
	grouped([]nextstepv1alpha1.GroupedIntervention{{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Pupils: ptr.To[int32](12), Individual: ptr.To[int32](2)}})

	// One register: a pass between two pupils' marks (the change feed
	// queues the cohort within a second) could release the grouping
	// while some are still behind, and raise their own tasks.
	s.attendAll(t, names[2:], s.opportunityDays...)
	s.waitForTasks(t, []task{
		{Pupil: "", Reason: "BEHIND_TRAJECTORY", Status: "CLOSED"},
		{Pupil: "looked-after-0", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
		{Pupil: "looked-after-1", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
	})
	grouped(nil)
}
