package trackingapi

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/lifecycle"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/nccis"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
)

// kindNames maps the contract's enum to tracking.destinations.kind.
var kindNames = map[trackingv1.DestinationKind]string{
	trackingv1.DestinationKind_DESTINATION_KIND_INTENDED:  "intended",
	trackingv1.DestinationKind_DESTINATION_KIND_OFFER:     "offer",
	trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED: "confirmed",
}

var kindValues = invert(kindNames)

var groupToProto = map[nccis.Group]trackingv1.ActivityGroup{
	nccis.GroupEducation:  trackingv1.ActivityGroup_ACTIVITY_GROUP_EDUCATION,
	nccis.GroupEmployment: trackingv1.ActivityGroup_ACTIVITY_GROUP_EMPLOYMENT,
	nccis.GroupTraining:   trackingv1.ActivityGroup_ACTIVITY_GROUP_TRAINING,
	nccis.GroupNEET:       trackingv1.ActivityGroup_ACTIVITY_GROUP_NEET,
	nccis.GroupOther:      trackingv1.ActivityGroup_ACTIVITY_GROUP_OTHER,
	nccis.GroupNotKnown:   trackingv1.ActivityGroup_ACTIVITY_GROUP_NOT_KNOWN,

	nccis.GroupReEngagement:        trackingv1.ActivityGroup_ACTIVITY_GROUP_RE_ENGAGEMENT,
	nccis.GroupCompulsorySchoolAge: trackingv1.ActivityGroup_ACTIVITY_GROUP_COMPULSORY_SCHOOL_AGE,
}

// statusNames maps the contract's enum to tracking.tasks.status.
var statusNames = map[trackingv1.TaskStatus]lifecycle.Status{
	trackingv1.TaskStatus_TASK_STATUS_OPEN:        lifecycle.Open,
	trackingv1.TaskStatus_TASK_STATUS_ASSIGNED:    lifecycle.Assigned,
	trackingv1.TaskStatus_TASK_STATUS_IN_PROGRESS: lifecycle.InProgress,
	trackingv1.TaskStatus_TASK_STATUS_RESOLVED:    lifecycle.Resolved,
	trackingv1.TaskStatus_TASK_STATUS_DISMISSED:   lifecycle.Dismissed,
	trackingv1.TaskStatus_TASK_STATUS_CLOSED:      lifecycle.Closed,
}

var statusValues = invert(statusNames)

// actionNames maps the contract's enum to task_events.action.
var actionNames = map[trackingv1.ActionKind]string{
	trackingv1.ActionKind_ACTION_KIND_PLACEMENT_ARRANGED:      "placement_arranged",
	trackingv1.ActionKind_ACTION_KIND_GUIDANCE_INTERVIEW_HELD: "guidance_interview_held",
	trackingv1.ActionKind_ACTION_KIND_REFERRAL_MADE:           "referral_made",
	trackingv1.ActionKind_ACTION_KIND_CONTACT_ATTEMPTED:       "contact_attempted",
	trackingv1.ActionKind_ACTION_KIND_CONTACT_MADE:            "contact_made",
	trackingv1.ActionKind_ACTION_KIND_OFFER_SECURED:           "offer_secured",
	trackingv1.ActionKind_ACTION_KIND_OTHER:                   "other",
}

func invert[K, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

func (s *Server) destinationToProto(d store.Destination) *trackingv1.Destination {
	return &trackingv1.Destination{
		Id: d.ID, PupilId: d.PupilID, Kind: kindValues[d.Kind], ActivityCode: d.ActivityCode,
		EffectiveDate: d.EffectiveDate.Format(time.DateOnly), Source: d.Source,
		RecordedAt: timestamppb.New(d.RecordedAt), SchoolUrn: d.SchoolURN, LaCode: d.LACode, RecordedBy: d.RecordedBy,
		ReviewOn: dateString(d.ReviewOn), LapsesOn: dateString(s.lapsesOn(d)), Provider: d.Provider, EarlyLeaver: d.EarlyLeaver,
	}
}

// dateString is YYYY-MM-DD, or "" for the zero time.
func dateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func taskToProto(t store.Task, today time.Time) *trackingv1.Task {
	out := &trackingv1.Task{
		Id: t.ID, CohortKey: t.CohortKey, SchoolUrn: t.SchoolURN, LaCode: t.LACode, PupilId: t.PupilID,
		ReasonCode: t.Reason, Priority: trackingv1.Priority(t.Priority), DueDate: t.DueDate.Format(time.DateOnly),
		Summary: t.Summary, Evidence: t.Evidence, Status: statusValues[t.Status], Assignee: t.Assignee,
		Outcome: t.Outcome, DismissReason: t.DismissReason, Version: t.Version,
		CreatedAt: timestamppb.New(t.CreatedAt), UpdatedAt: timestamppb.New(t.UpdatedAt),
		Overdue: t.Status.IsActive() && t.DueDate.Before(today),
	}
	if t.SnoozeUntil != nil {
		out.SnoozeUntil = t.SnoozeUntil.Format(time.DateOnly)
	}
	return out
}

func eventToProto(e store.Event) *trackingv1.TaskEvent {
	return &trackingv1.TaskEvent{Kind: e.Kind, At: timestamppb.New(e.At), Actor: e.Actor, Status: statusValues[e.Status], Action: e.Action, Text: e.Text}
}

func countsToProto(cs []store.Count) []*trackingv1.OpenCount {
	out := make([]*trackingv1.OpenCount, 0, len(cs))
	for _, c := range cs {
		out = append(out, &trackingv1.OpenCount{ReasonCode: c.Reason, Priority: trackingv1.Priority(c.Priority), Open: int32(c.Open), Overdue: int32(c.Overdue), CohortLevel: int32(c.CohortLevel)})
	}
	return out
}
