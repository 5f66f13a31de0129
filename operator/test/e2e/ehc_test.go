package e2e_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// Past Year 13, through the real services and operator: a programme that
// tracks EHC plans to 25 makes the school's cohort past Year 13 (y14). Of
// its former pupils aged 19, the one with an EHC plan whose college place
// lapsed yesterday gets an intervention, in the queue of the LA she lives
// in; the one with a plan and a current place gets none; the one without a
// plan is not in the cohort at all.
func TestPastYear13EHCPlan(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	now := time.Now().UTC()
	s.today = now
	year := academicyear.Containing(now)
	ctx := context.Background()
	_, err := s.pupil.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
		Urn: schoolURN, Name: "Test Special School", LaCode: laCode, Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true,
	}})
	check(t, "create school", err)
	// Academic age 19: born between September 20 years and August 19
	// years before the academic year starts; left school at 16.
	born := fmt.Sprintf("%d-01-15", year.Start-19)
	left := fmt.Sprintf("%d-07-19", year.Start-3)
	ehc := &pupilv1.RiskFactors{Sen: &pupilv1.SENFactor{Status: pupilv1.SENStatus_SEN_STATUS_EHC_PLAN, AsAt: year.FirstDay().Format(time.DateOnly)}}
	for i, c := range []struct {
		name    string
		factors *pupilv1.RiskFactors
	}{{"lapsed", ehc}, {"current", ehc}, {"no-plan", nil}} {
		res, err := s.pupil.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: &pupilv1.Pupil{
			Upn: testUPN(60 + i), LegalSurname: "Young", LegalForename: c.name, DateOfBirth: born, SchoolUrn: schoolURN,
			JoinedOn: fmt.Sprintf("%d-09-01", year.Start-8), LeftOn: left, LeavingReason: pupilv1.LeavingReason_LEAVING_REASON_END_OF_COMPULSORY_SCHOOLING,
			ResidenceLaCode: "330", RiskFactors: c.factors,
		}})
		check(t, "create "+c.name, err)
		s.pupils[c.name] = res.GetPupil().GetId()
	}
	college := func(name, reviewOn string) {
		t.Helper()
		_, err := s.tracking.RecordDestination(ctx, &trackingv1.RecordDestinationRequest{IdempotencyKey: uuid.NewString(), Destination: &trackingv1.Destination{
			PupilId: s.pupils[name], Kind: trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, ActivityCode: "230",
			EffectiveDate: year.FirstDay().Format(time.DateOnly), Source: "college return", ReviewOn: reviewOn,
		}})
		check(t, "college place for "+name, err)
	}
	college("lapsed", now.AddDate(0, 0, -1).Format(time.DateOnly))
	college("current", "")

	p := &nextstepv1alpha1.Programme{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: "send"},
		Spec: nextstepv1alpha1.ProgrammeSpec{
			AcademicYear: year.String(), Schools: nextstepv1alpha1.SchoolSelector{LACodes: []string{laCode}},
			YearGroups: []int32{13}, EHCPlanToAge: 25, ResyncIntervalSeconds: 1,
			Rules: []nextstepv1alpha1.InterventionRule{
				{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Enabled: ptr.To(false)},
			},
		},
	}
	if err := k8sClient.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	s.startManager(t, false)

	names := map[string]string{}
	for name, id := range s.pupils {
		names[id] = name
	}
	eventually(t, 60*time.Second, func() error {
		c, err := s.cohortNamed(t, "send-"+schoolURN+"-y14")
		if err != nil {
			return err
		}
		if c.Status.Pupils.Total != 2 {
			return fmt.Errorf("the cohort past Year 13 has %d young people, want the 2 with a plan", c.Status.Pupils.Total)
		}
		res, err := s.tracking.ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: s.ns + "/send-" + schoolURN + "-y14", PageSize: 50})
		if err != nil {
			return err
		}
		var got []string
		for _, tk := range res.GetTasks() {
			got = append(got, fmt.Sprintf("%s %s %s", names[tk.GetPupilId()], tk.GetReasonCode(), tk.GetLaCode()))
		}
		sort.Strings(got)
		if want := []string{"lapsed DESTINATION_UNKNOWN 330"}; fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("tasks %v, want %v", got, want)
		}
		return nil
	})
}
