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
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// Year 12 now, in a school's sixth form, through the real services and
// operator, under a post-16 Programme with its own rules: a young person
// whose sixth-form place was due for review yesterday and has not been
// confirmed since is not known and gets an intervention; one confirmed
// there gets none; one the sixth form notifies left early is disengaged;
// and one with no activity who moves from Wolverhampton (336, the school's LA) to
// Birmingham (330) takes their intervention to Birmingham's queue.
//
// The services judge currency on the real clock, so the operator's runs on
// it too, in whatever academic year the test runs.
func TestPost16LapseAndMover(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	now := time.Now().UTC()
	s.today = now
	year := academicyear.Containing(now)
	ctx := context.Background()
	_, err := s.pupil.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
		Urn: schoolURN, Name: "Test Sixth Form", LaCode: laCode, Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true,
	}})
	check(t, "create school", err)
	// Year 12: born between September 17 years and August 16 years before
	// the academic year starts.
	born := fmt.Sprintf("%d-01-15", year.Start-16)
	for i, name := range []string{"lapsed", "current", "mover", "leaver"} {
		res, err := s.pupil.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: &pupilv1.Pupil{
			Upn: testUPN(40 + i), LegalSurname: "Student", LegalForename: name, DateOfBirth: born,
			SchoolUrn: schoolURN, JoinedOn: fmt.Sprintf("%d-09-01", year.Start-5), ResidenceLaCode: laCode,
		}})
		check(t, "create "+name, err)
		s.pupils[name] = res.GetPupil().GetId()
	}
	sixthForm := func(name, reviewOn string) {
		t.Helper()
		_, err := s.tracking.RecordDestination(ctx, &trackingv1.RecordDestinationRequest{IdempotencyKey: uuid.NewString(), Destination: &trackingv1.Destination{
			PupilId: s.pupils[name], Kind: trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, ActivityCode: "210",
			EffectiveDate: year.FirstDay().Format(time.DateOnly), Source: "sixth form enrolment return", ReviewOn: reviewOn,
		}})
		check(t, "sixth form place for "+name, err)
	}
	sixthForm("lapsed", now.AddDate(0, 0, -1).Format(time.DateOnly))
	sixthForm("current", "")
	sixthForm("leaver", "")
	// The sixth form tells the LA the leaver left their course today.
	_, err = s.tracking.RecordDestination(ctx, &trackingv1.RecordDestinationRequest{IdempotencyKey: uuid.NewString(), Destination: &trackingv1.Destination{
		PupilId: s.pupils["leaver"], Kind: trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, ActivityCode: "810",
		EffectiveDate: now.Format(time.DateOnly), Source: "sixth form early-leaver notification", Provider: schoolURN, EarlyLeaver: true,
	}})
	check(t, "early-leaver notification", err)

	// Years 12 and 13, whose activity must be known from the start of the
	// year; no work-experience or September Guarantee rule.
	p := &nextstepv1alpha1.Programme{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: "post16"},
		Spec: nextstepv1alpha1.ProgrammeSpec{
			AcademicYear: year.String(), Schools: nextstepv1alpha1.SchoolSelector{LACodes: []string{laCode}},
			YearGroups: []int32{12, 13}, ResyncIntervalSeconds: 1,
			DestinationDeadlines: []nextstepv1alpha1.DestinationDeadline{
				{YearGroup: 12, Date: "09-01", LeadDays: ptr.To[int32](0)},
				{YearGroup: 13, Date: "09-01", LeadDays: ptr.To[int32](0)},
			},
			Rules: []nextstepv1alpha1.InterventionRule{
				{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Enabled: ptr.To(false)},
				{Reason: nextstepv1alpha1.ReasonNoSeptemberGuaranteeOffer, Enabled: ptr.To(false)},
			},
		},
	}
	if err := k8sClient.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	s.startManager(t, false)

	hc := servicetest.HTTPClient()
	queueOf := func(token string) trackingv1connect.TrackingServiceClient {
		return trackingv1connect.NewTrackingServiceClient(hc, s.trackingSrv.URL, servicetest.Options(token, false)...)
	}
	waitForQueue := func(token string, want []string) {
		t.Helper()
		eventually(t, 60*time.Second, func() error {
			res, err := queueOf(token).ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: s.ns + "/post16-" + schoolURN + "-y12", PageSize: 50})
			if err != nil {
				return err
			}
			names := map[string]string{}
			for name, id := range s.pupils {
				names[id] = name
			}
			var got []string
			for _, tk := range res.GetTasks() {
				got = append(got, fmt.Sprintf("%s %s %s", names[tk.GetPupilId()], tk.GetReasonCode(), tk.GetLaCode()))
			}
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("%s's queue %v, want %v", token, got, want)
			}
			return nil
		})
	}
	waitForQueue(servicetest.Caseworker, []string{
		"lapsed DESTINATION_UNKNOWN 336", "leaver DESTINATION_UNKNOWN 336", "leaver DISENGAGED 336", "mover DESTINATION_UNKNOWN 336",
	})
	waitForQueue(servicetest.OtherCaseworker, nil)

	// The mover goes to live in Birmingham (330).
	got, err := s.pupil.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: s.pupils["mover"]})
	check(t, "get mover", err)
	mover := got.GetPupil()
	version := mover.GetVersion()
	mover.ResidenceLaCode, mover.ResidentSince = "330", now.Format(time.DateOnly)
	mover.Version, mover.YearGroup, mover.Risk, mover.UpdatedAt, mover.ResidenceHistory = 0, 0, nil, nil, nil
	_, err = s.pupil.UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: mover, Version: version})
	check(t, "move", err)
	waitForQueue(servicetest.OtherCaseworker, []string{"mover DESTINATION_UNKNOWN 330"})
	waitForQueue(servicetest.Caseworker, []string{"lapsed DESTINATION_UNKNOWN 336", "leaver DESTINATION_UNKNOWN 336", "leaver DISENGAGED 336"})
}
