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

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// Year 11 in June, through the real services and operator: the September
// Guarantee's cohort is fixed, each young person without an offer gets an
// intervention and one with an offer does not; one whose activity changed
// from college to NEET is disengaged. Recording an offer closes its
// intervention.
func TestSeptemberGuaranteeAndDisengagement(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.today = time.Date(2026, time.June, 10, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	_, err := s.pupil.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
		Urn: schoolURN, Name: "Test Academy", LaCode: laCode, Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true,
	}})
	check(t, "create school", err)
	for i, name := range []string{"offered", "nooffer", "dropped"} {
		res, err := s.pupil.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: &pupilv1.Pupil{
			Upn: testUPN(i + 1), LegalSurname: "Pupil", LegalForename: name,
			DateOfBirth: "2010-03-15", // Year 11 in 2025/26
			SchoolUrn:   schoolURN, JoinedOn: "2021-09-01",
		}})
		check(t, "create "+name, err)
		s.pupils[name] = res.GetPupil().GetId()
	}
	destination := func(name string, kind trackingv1.DestinationKind, code, date string) {
		t.Helper()
		_, err := s.tracking.RecordDestination(ctx, &trackingv1.RecordDestinationRequest{IdempotencyKey: uuid.NewString(), Destination: &trackingv1.Destination{
			PupilId: s.pupils[name], Kind: kind, ActivityCode: code, EffectiveDate: date, Source: "school return",
		}})
		check(t, "destination for "+name, err)
	}
	destination("offered", trackingv1.DestinationKind_DESTINATION_KIND_OFFER, "230", "2026-09-07")
	destination("dropped", trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, "230", "2026-01-10")
	destination("dropped", trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, "619", "2026-05-01")

	// Year 11 only; no work-experience rule, which is another test's.
	p := &nextstepv1alpha1.Programme{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: "hub"},
		Spec: nextstepv1alpha1.ProgrammeSpec{
			AcademicYear: "2025/26", Schools: nextstepv1alpha1.SchoolSelector{LACodes: []string{laCode}},
			YearGroups: []int32{11}, ResyncIntervalSeconds: 1,
			Rules: []nextstepv1alpha1.InterventionRule{{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Enabled: ptr.To(false)}},
		},
	}
	if err := k8sClient.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	s.startManager(t, false)

	waitFor := func(want []string) {
		t.Helper()
		eventually(t, 60*time.Second, func() error {
			res, err := s.tracking.ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: s.ns + "/hub-" + schoolURN + "-y11", PageSize: 50,
				Statuses: []trackingv1.TaskStatus{trackingv1.TaskStatus_TASK_STATUS_OPEN, trackingv1.TaskStatus_TASK_STATUS_CLOSED}})
			if err != nil {
				return err
			}
			names := map[string]string{}
			for name, id := range s.pupils {
				names[id] = name
			}
			var got []string
			for _, tk := range res.GetTasks() {
				got = append(got, fmt.Sprintf("%s %s %s", names[tk.GetPupilId()], tk.GetReasonCode(), tk.GetStatus()))
			}
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("tasks %v, want %v", got, want)
			}
			return nil
		})
	}
	waitFor([]string{
		"dropped DISENGAGED TASK_STATUS_OPEN",
		"dropped NO_SEPTEMBER_GUARANTEE_OFFER TASK_STATUS_OPEN",
		"nooffer NO_SEPTEMBER_GUARANTEE_OFFER TASK_STATUS_OPEN",
	})
	eventually(t, 30*time.Second, func() error {
		c, err := s.cohortNamed(t, "hub-"+schoolURN+"-y11")
		if err != nil {
			return err
		}
		if got := c.Status.Pupils; got.SeptemberGuarantee != 3 || got.SeptemberGuaranteeOffers != 1 {
			return fmt.Errorf("status pupils %+v", got)
		}
		return nil
	})

	// An offer for the one without: their intervention closes.
	destination("nooffer", trackingv1.DestinationKind_DESTINATION_KIND_OFFER, "310", "2026-09-07")
	waitFor([]string{
		"dropped DISENGAGED TASK_STATUS_OPEN",
		"dropped NO_SEPTEMBER_GUARANTEE_OFFER TASK_STATUS_OPEN",
		"nooffer NO_SEPTEMBER_GUARANTEE_OFFER TASK_STATUS_CLOSED",
	})
}
