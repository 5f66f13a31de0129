package adversarial_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/auth/v1"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

// caller is one column of the access matrix: a role's test principal, or
// nobody at all.
type caller struct {
	name  string
	token string // empty: no Authorization header
	role  authv1.Role
	// outside are schools out of the caller's scope, each a target the
	// caller must not reach: another hub's for every role with an area,
	// the neighbouring local authority's for a caseworker, another school
	// of the same authority for a careers leader. The service's scope is
	// everything, so it has none.
	outside []string
}

// callers are the roles in the order of the Role enumeration (the READMEs'
// columns), then the anonymous caller. Every caller's scope covers schoolA.
var callers = []caller{
	{name: "hub admin", token: servicetest.HubAdmin, role: auth.RoleHubAdmin, outside: []string{schoolX}},
	{name: "caseworker", token: servicetest.Caseworker, role: auth.RoleCaseworker, outside: []string{schoolC, schoolX}},
	{name: "careers leader", token: servicetest.CareersLeader, role: auth.RoleCareersLeader, outside: []string{schoolB, schoolX}},
	{name: "analyst", token: servicetest.Analyst, role: auth.RoleAnalyst, outside: []string{schoolX}},
	{name: "service", token: servicetest.Service, role: auth.RoleService},
	{name: "anonymous"},
}

// matrix is a world the access matrix changes as it goes (every allowed
// write succeeds), and a serial for the fresh keys, URNs and UPNs its
// writes need.
type matrix struct {
	*world
	serial int
}

func (m *matrix) next() int {
	m.serial++
	return m.serial
}

// request makes a valid request of an RPC, aimed at the school with urn:
// schoolA, in every caller's scope, or one of c.outside. It may first make
// what the request needs (an opportunity, a booking, a cohort, a task)
// through the services, as principals allowed to, so that a call out of
// scope would succeed if the service did not refuse it. A client stream's
// request is its messages in order; any other is one message.
type request func(ctx context.Context, m *matrix, c caller, urn string) ([]proto.Message, error)

// check looks at an OK answer (every message of a stream) to a call aimed
// at the school with urn.
type check func(m *matrix, urn string, res []proto.Message) error

// outcome is what a call aimed out of the caller's scope gets.
type outcome struct {
	code connect.Code
	// reason, when set, is the refusal's ErrorInfo reason.
	reason refusalv1.Reason
	// hidden checks an OK answer (a filtered list, a batch, an import
	// that refuses rows) shows nothing of the target.
	hidden check
}

// access is how the matrix calls one RPC.
type access struct {
	request request
	// shown, when set, checks that an answer in scope does show the
	// target, so that hidden proves the scope, not an empty world.
	shown check
	// outside is what a call out of scope gets; nil for an RPC whose
	// request names no record or area, with why in unscoped.
	outside  *outcome
	unscoped string
}

// codeOK is the outcome of a call that succeeds (connect names only
// failures).
const codeOK connect.Code = 0

func codeOf(err error) connect.Code {
	if err == nil {
		return codeOK
	}
	return connect.CodeOf(err)
}

func codeName(c connect.Code) string {
	if c == codeOK {
		return "ok"
	}
	return c.String()
}

var (
	notFound = &outcome{code: connect.CodeNotFound}
	// filtered answers OK without the target's records: hidden says how.
	filtered = func(hidden check) *outcome { return &outcome{code: codeOK, hidden: hidden} }
)

func one(msg proto.Message) ([]proto.Message, error) { return []proto.Message{msg}, nil }

// text is every answer as JSON; bytes fields are base64, so a check of
// file contents reads them itself.
func text(res []proto.Message) string {
	var b strings.Builder
	for _, r := range res {
		b.WriteString(protojson.Format(r))
	}
	return b.String()
}

// showing checks the answer mentions what (an id, a URN) of the target;
// hiding that it does not.
func showing(what func(m *matrix, urn string) string) check {
	return func(m *matrix, urn string, res []proto.Message) error {
		if s := what(m, urn); !strings.Contains(text(res), s) {
			return fmt.Errorf("the answer does not show %s", s)
		}
		return nil
	}
}

func hiding(what func(m *matrix, urn string) string) check {
	return func(m *matrix, urn string, res []proto.Message) error {
		if s := what(m, urn); strings.Contains(text(res), s) {
			return fmt.Errorf("the answer shows %s, out of scope", s)
		}
		return nil
	}
}

// answer is the first message of an answer, as its generated type.
func answer[T proto.Message](res []proto.Message) (T, error) {
	var zero T
	if len(res) == 0 {
		return zero, errors.New("no answer")
	}
	r, ok := res[0].(T)
	if !ok {
		return zero, fmt.Errorf("answer is a %T", res[0])
	}
	return r, nil
}

// confirmed checks the one place of a ConfirmAllocation's answer.
func confirmed(check func(*placementv1.ConfirmedPlace) error) check {
	return func(_ *matrix, _ string, res []proto.Message) error {
		r, err := answer[*placementv1.ConfirmAllocationResponse](res)
		if err != nil {
			return err
		}
		if len(r.GetPlaces()) != 1 {
			return fmt.Errorf("%d places answered, want 1", len(r.GetPlaces()))
		}
		return check(r.GetPlaces()[0])
	}
}

// Ways to name the target school's records.
func urnOf(_ *matrix, urn string) string { return urn }

// revised checks an answer in scope has a revision: the target was
// written, so its counter moved.
func revised[T proto.Message](revision func(T) int64) check {
	return func(_ *matrix, _ string, res []proto.Message) error {
		r, err := answer[T](res)
		if err == nil && revision(r) <= 0 {
			err = fmt.Errorf("no revision in scope: %v", r)
		}
		return err
	}
}

// unrevised checks an answer out of scope counts the target 0.
func unrevised[T proto.Message](revision func(T) int64) check {
	return func(_ *matrix, _ string, res []proto.Message) error {
		r, err := answer[T](res)
		if err == nil && revision(r) != 0 {
			err = fmt.Errorf("a revision out of scope: %v", r)
		}
		return err
	}
}

func pupilOf(m *matrix, urn string) string   { return m.pupils[urn].GetId() }
func bookingOf(m *matrix, urn string) string { return m.bookings[urn].GetId() }
func taskOf(m *matrix, urn string) string    { return m.tasks[urn].GetId() }

// freshUPNAt is a valid UPN nobody has, with the school's LA code.
func (m *matrix) freshUPNAt(urn string) string {
	n := m.next()
	rest := fmt.Sprintf("%s%04d25%03d", pupiltest.Schools[urn], 7000+n/1000, n%1000)
	return string(upn.CheckLetter(rest)) + rest
}

// freshOpportunity creates an opportunity nobody is booked on, as a hub
// admin (opportunities are every hub's).
func (m *matrix) freshOpportunity(ctx context.Context) (string, error) {
	res, err := m.placement(servicetest.HubAdmin).CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{
		IdempotencyKey: uuid.NewString(), Opportunity: m.newOpportunity()})
	return res.GetOpportunity().GetId(), err
}

// freshCohort syncs a new cohort at the school, with one open task for its
// pupil, as the reconciler does, and returns its key.
func (m *matrix) freshCohort(ctx context.Context, urn string) (string, error) {
	key := fmt.Sprintf("matrix/cohort-%d", m.next())
	_, err := m.tracking(servicetest.Service).SyncInterventions(ctx, syncRequest(m.world, key, urn, 1, false))
	return key, err
}

func syncRequest(w *world, key, urn string, pass int64, force bool) *trackingv1.SyncInterventionsRequest {
	return &trackingv1.SyncInterventionsRequest{CohortKey: key, SchoolUrn: urn, LaCode: pupiltest.Schools[urn], PassToken: pass, Force: force,
		Desired: []*trackingv1.DesiredIntervention{{PupilId: w.pupils[urn].GetId(), ReasonCode: "BEHIND_TRAJECTORY",
			Priority: trackingv1.Priority_PRIORITY_NORMAL, DueDate: time.Now().AddDate(0, 1, 0).Format(time.DateOnly), Summary: "1 of 6 expected days"}}}
}

// exportedCSV is an export's file.
func exportedCSV(res []proto.Message) string {
	var b bytes.Buffer
	for _, r := range res {
		if c, ok := r.(*trackingv1.ExportDestinationsResponse); ok {
			b.Write(c.GetChunk())
		}
	}
	return b.String()
}

// accessMatrix is how to call every RPC of the contracts, by the method's
// full name. TestEveryRPCIsInTheAccessMatrix keeps it complete.
func accessMatrix() map[string]access {
	pupilSvc, placementSvc, trackingSvc := pupilv1connect.PupilServiceName, placementv1connect.PlacementServiceName, trackingv1connect.TrackingServiceName
	return map[string]access{
		// --- pupil ---
		pupilSvc + ".CreateSchool": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.CreateSchoolRequest{School: &pupilv1.School{
					Urn: fmt.Sprintf("2%05d", m.next()), Name: "Matrix Academy", LaCode: pupiltest.Schools[urn], Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true}})
			},
			// A new school in a local authority outside scope: there is
			// no record to be not found, so the refusal says why.
			outside: &outcome{code: connect.CodePermissionDenied, reason: refusalv1.Reason_REASON_OUT_OF_SCOPE},
		},
		pupilSvc + ".GetSchool": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.GetSchoolRequest{Urn: urn})
			},
			outside: notFound,
		},
		pupilSvc + ".ListSchools": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.ListSchoolsRequest{LaCode: pupiltest.Schools[urn]})
			},
			shown: showing(urnOf), outside: filtered(hiding(urnOf)),
		},
		pupilSvc + ".CreatePupil": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: newPupil(m.freshUPNAt(urn), urn)})
			},
			outside: notFound,
		},
		pupilSvc + ".GetPupil": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.GetPupilRequest{Id: m.pupils[urn].GetId()})
			},
			outside: notFound,
		},
		pupilSvc + ".UpdatePupil": {
			request: func(ctx context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				got, err := m.pupil(servicetest.Service).GetPupil(ctx, &pupilv1.GetPupilRequest{Id: m.pupils[urn].GetId()})
				if err != nil {
					return nil, err
				}
				p := got.GetPupil()
				version := p.GetVersion()
				p.YearGroup, p.Risk, p.UpdatedAt, p.Version = 0, nil, nil, 0
				p.PreferredForename = fmt.Sprintf("Matrix %d", m.next())
				return one(&pupilv1.UpdatePupilRequest{Pupil: p, Version: version})
			},
			outside: notFound,
		},
		pupilSvc + ".ReviewRisk": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.ReviewRiskRequest{PupilId: pupilOf(m, urn), Review: &pupilv1.RiskReview{
					Decision: pupilv1.RiskDecision_RISK_DECISION_ADDED, Reason: fmt.Sprintf("matrix %d", m.next())}})
			},
			outside: notFound,
		},
		pupilSvc + ".ExportRiskList": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.ExportRiskListRequest{SchoolUrn: urn})
			},
			outside: notFound,
		},
		pupilSvc + ".ListCohortPupils": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.ListCohortPupilsRequest{SchoolUrn: urn, YearGroup: 9, AcademicYear: "2025/26"})
			},
			shown: showing(pupilOf), outside: notFound,
		},
		pupilSvc + ".GetCohortSnapshot": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.GetCohortSnapshotRequest{SchoolUrn: urn, YearGroup: 9, AcademicYear: "2025/26"})
			},
			shown: showing(pupilOf), outside: notFound,
		},
		pupilSvc + ".GetSchoolRevision": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.GetSchoolRevisionRequest{SchoolUrn: urn})
			},
			// Only the service may call it, and its scope is everything;
			// another caller would read 0, as for a school never written.
			shown:   revised(func(r *pupilv1.GetSchoolRevisionResponse) int64 { return r.GetRevision() }),
			outside: filtered(unrevised(func(r *pupilv1.GetSchoolRevisionResponse) int64 { return r.GetRevision() })),
		},
		pupilSvc + ".ListSchoolChanges": {
			request: func(context.Context, *matrix, caller, string) ([]proto.Message, error) {
				return one(&pupilv1.ListSchoolChangesRequest{})
			},
			unscoped: "the change feed names changes anywhere: only the service, whose scope is everything, may follow it",
		},
		pupilSvc + ".LocatePupils": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.LocatePupilsRequest{PupilIds: []string{m.pupils[urn].GetId()}})
			},
			// Only the service may call it, and its scope is everything;
			// another caller would find the pupil left out.
			shown: showing(pupilOf), outside: filtered(hiding(pupilOf)),
		},
		pupilSvc + ".ListResidenceTransfers": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&pupilv1.ListResidenceTransfersRequest{LaCode: pupiltest.Schools[urn], Since: "2020-01-01"})
			},
			// An area outside scope: no record to be not found, so the
			// refusal says why.
			outside: &outcome{code: connect.CodePermissionDenied, reason: refusalv1.Reason_REASON_OUT_OF_SCOPE},
		},
		pupilSvc + ".GetResidents": {
			request: func(context.Context, *matrix, caller, string) ([]proto.Message, error) {
				return one(&pupilv1.GetResidentsRequest{AcademicYear: "2025/26", MinAcademicAge: 16, MaxAcademicAge: 17})
			},
			unscoped: "only the service may call it, for tracking's measures of whole LAs, and its scope is everything",
		},
		pupilSvc + ".ImportPupils": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				row := m.freshUPNAt(urn) + ",Testperson,Ada,2011-10-01," + urn + ",,\n"
				return []proto.Message{
					&pupilv1.ImportPupilsRequest{Part: &pupilv1.ImportPupilsRequest_Header{Header: &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV}}},
					&pupilv1.ImportPupilsRequest{Part: &pupilv1.ImportPupilsRequest_Chunk{Chunk: []byte(csvHeader + row)}},
				}, nil
			},
			shown: func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*pupilv1.ImportPupilsResponse](res)
				if err == nil && (r.GetInserted() != 1 || r.GetRejectedRows() != 0) {
					err = fmt.Errorf("the row was not imported: %v", r)
				}
				return err
			},
			// An import refuses each row it may not write, not the file.
			outside: filtered(func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*pupilv1.ImportPupilsResponse](res)
				if err == nil && (r.GetRows() != 1 || r.GetRejectedRows() != 1 || r.GetInserted()+r.GetUpdated() != 0) {
					err = fmt.Errorf("the row was not refused: %v", r)
				}
				return err
			}),
		},

		// --- placement ---
		placementSvc + ".CreateEmployer": {
			request: func(_ context.Context, m *matrix, _ caller, _ string) ([]proto.Message, error) {
				return one(&placementv1.CreateEmployerRequest{IdempotencyKey: uuid.NewString(), Employer: &placementv1.Employer{
					Name: fmt.Sprintf("Matrix Employer %d", m.next()), Sector: placementv1.Sector_SECTOR_DIGITAL, SizeBand: placementv1.SizeBand_SIZE_BAND_SMALL}})
			},
			unscoped: "employers are one register every hub shares, with no pupil's data",
		},
		placementSvc + ".GetEmployer": {
			request: func(_ context.Context, m *matrix, _ caller, _ string) ([]proto.Message, error) {
				return one(&placementv1.GetEmployerRequest{Id: m.employer.GetId()})
			},
			unscoped: "employers are one register every hub shares",
		},
		placementSvc + ".UpdateEmployer": {
			request: func(ctx context.Context, m *matrix, _ caller, _ string) ([]proto.Message, error) {
				got, err := m.placement(servicetest.HubAdmin).GetEmployer(ctx, &placementv1.GetEmployerRequest{Id: m.employer.GetId()})
				if err != nil {
					return nil, err
				}
				e := got.GetEmployer()
				e.Name = fmt.Sprintf("Midlands Metro %d", m.next())
				return one(&placementv1.UpdateEmployerRequest{Employer: e})
			},
			unscoped: "employers are one register every hub shares",
		},
		placementSvc + ".ListEmployers": {
			request: func(context.Context, *matrix, caller, string) ([]proto.Message, error) {
				return one(&placementv1.ListEmployersRequest{})
			},
			unscoped: "employers are one register every hub shares",
		},
		placementSvc + ".CreateOpportunity": {
			request: func(_ context.Context, m *matrix, _ caller, _ string) ([]proto.Message, error) {
				return one(&placementv1.CreateOpportunityRequest{IdempotencyKey: uuid.NewString(), Opportunity: m.newOpportunity()})
			},
			unscoped: "opportunities are one register every hub shares, with no pupil's data",
		},
		placementSvc + ".GetOpportunity": {
			request: func(_ context.Context, m *matrix, _ caller, _ string) ([]proto.Message, error) {
				return one(&placementv1.GetOpportunityRequest{Id: m.opportunity.GetId()})
			},
			unscoped: "opportunities are one register every hub shares",
		},
		placementSvc + ".UpdateOpportunity": {
			request: func(ctx context.Context, m *matrix, _ caller, _ string) ([]proto.Message, error) {
				got, err := m.placement(servicetest.HubAdmin).GetOpportunity(ctx, &placementv1.GetOpportunityRequest{Id: m.opportunity.GetId()})
				if err != nil {
					return nil, err
				}
				o := got.GetOpportunity()
				o.Title = fmt.Sprintf("Two days at the depot (%d)", m.next())
				return one(&placementv1.UpdateOpportunityRequest{Opportunity: o})
			},
			unscoped: "opportunities are one register every hub shares",
		},
		placementSvc + ".ListOpportunities": {
			request: func(context.Context, *matrix, caller, string) ([]proto.Message, error) {
				return one(&placementv1.ListOpportunitiesRequest{})
			},
			unscoped: "opportunities are one register every hub shares",
		},
		placementSvc + ".BookPlace": {
			request: func(ctx context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				o, err := m.freshOpportunity(ctx)
				if err != nil {
					return nil, err
				}
				return one(&placementv1.BookPlaceRequest{IdempotencyKey: uuid.NewString(), OpportunityId: o, PupilId: m.pupils[urn].GetId()})
			},
			outside: notFound,
		},
		placementSvc + ".BookPlaces": {
			request: func(ctx context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				o, err := m.freshOpportunity(ctx)
				if err != nil {
					return nil, err
				}
				return one(&placementv1.BookPlacesRequest{IdempotencyKey: uuid.NewString(), OpportunityId: o,
					Pupils: []*placementv1.PupilPlace{{PupilId: m.pupils[urn].GetId()}}})
			},
			outside: notFound,
		},
		placementSvc + ".ProposeAllocation": {
			request: func(ctx context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				o, err := m.freshOpportunity(ctx)
				if err != nil {
					return nil, err
				}
				return one(&placementv1.ProposeAllocationRequest{OpportunityIds: []string{o},
					Cohorts: []*placementv1.CohortRef{{SchoolUrn: urn, YearGroup: m.pupils[urn].GetYearGroup()}}})
			},
			shown: showing(pupilOf), outside: notFound,
		},
		placementSvc + ".ConfirmAllocation": {
			request: func(ctx context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				o, err := m.freshOpportunity(ctx)
				if err != nil {
					return nil, err
				}
				return one(&placementv1.ConfirmAllocationRequest{IdempotencyKey: uuid.NewString(),
					Places: []*placementv1.PlacementRef{{PupilId: m.pupils[urn].GetId(), OpportunityId: o}}})
			},
			// Each place is answered on its own: one out of scope is
			// refused as not found, and nothing is booked for it.
			shown: confirmed(func(p *placementv1.ConfirmedPlace) error {
				if p.GetRefusal() == refusalv1.Reason_REASON_NOT_FOUND {
					return errors.New("the pupil in scope was not found")
				}
				return nil
			}),
			outside: filtered(confirmed(func(p *placementv1.ConfirmedPlace) error {
				if p.GetRefusal() != refusalv1.Reason_REASON_NOT_FOUND || p.GetBooking() != nil {
					return fmt.Errorf("the place out of scope was answered %v, booking %v", p.GetRefusal(), p.GetBooking())
				}
				return nil
			})),
		},
		placementSvc + ".GetBooking": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&placementv1.GetBookingRequest{Id: m.bookings[urn].GetId()})
			},
			outside: notFound,
		},
		placementSvc + ".ListBookings": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&placementv1.ListBookingsRequest{Of: &placementv1.ListBookingsRequest_PupilId{PupilId: m.pupils[urn].GetId()}})
			},
			shown: showing(bookingOf), outside: filtered(hiding(bookingOf)),
		},
		placementSvc + ".CancelBooking": {
			request: func(ctx context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				o, err := m.freshOpportunity(ctx)
				if err != nil {
					return nil, err
				}
				b, err := m.placement(adminOf(urn)).BookPlace(ctx, &placementv1.BookPlaceRequest{IdempotencyKey: uuid.NewString(), OpportunityId: o, PupilId: m.pupils[urn].GetId()})
				if err != nil {
					return nil, err
				}
				return one(&placementv1.CancelBookingRequest{Id: b.GetBooking().GetId(), Version: b.GetBooking().GetVersion()})
			},
			outside: notFound,
		},
		placementSvc + ".RecordAttendance": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&placementv1.RecordAttendanceRequest{Records: []*placementv1.AttendanceRecord{
					{BookingId: m.bookings[urn].GetId(), Date: m.days[0], Mark: placementv1.Mark_MARK_FULL_DAY}}})
			},
			outside: notFound,
		},
		placementSvc + ".GetCreditedDays": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&placementv1.GetCreditedDaysRequest{PupilIds: []string{m.pupils[urn].GetId()}})
			},
			// Every seeded pupil has attended (see TestAccessMatrix).
			shown: func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*placementv1.GetCreditedDaysResponse](res)
				if err == nil && r.GetCredits()[0].GetHalfDays() == 0 {
					err = errors.New("no half days credited in scope")
				}
				return err
			},
			// One entry per pupil asked for: zero out of scope.
			outside: filtered(func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*placementv1.GetCreditedDaysResponse](res)
				if c := r.GetCredits(); err == nil && (len(c) != 1 || c[0].GetHalfDays() != 0 || c[0].GetExperiences() != 0) {
					err = fmt.Errorf("credits out of scope: %v", c)
				}
				return err
			}),
		},
		placementSvc + ".GetPupilsRevision": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&placementv1.GetPupilsRevisionRequest{PupilIds: []string{pupilOf(m, urn)}})
			},
			// Only the service may call it; pupils out of scope count 0.
			shown:   revised(func(r *placementv1.GetPupilsRevisionResponse) int64 { return r.GetRevision() }),
			outside: filtered(unrevised(func(r *placementv1.GetPupilsRevisionResponse) int64 { return r.GetRevision() })),
		},
		placementSvc + ".ListPupilChanges": {
			request: func(context.Context, *matrix, caller, string) ([]proto.Message, error) {
				return one(&placementv1.ListPupilChangesRequest{})
			},
			unscoped: "the change feed names changes anywhere: only the service, whose scope is everything, may follow it",
		},
		placementSvc + ".GetEngagement": {
			request: func(context.Context, *matrix, caller, string) ([]proto.Message, error) {
				return one(&placementv1.GetEngagementRequest{})
			},
			unscoped: "aggregates over the caller's whole scope: the request names no record or area",
		},

		// --- tracking ---
		trackingSvc + ".RecordDestination": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(destinationRequest(m.pupils[urn].GetId(), "2026-09-01"))
			},
			outside: notFound,
		},
		trackingSvc + ".ListDestinations": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.ListDestinationsRequest{PupilId: m.pupils[urn].GetId()})
			},
			shown: showing(pupilOf), outside: filtered(hiding(pupilOf)),
		},
		trackingSvc + ".ConfirmCurrency": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.ConfirmCurrencyRequest{PupilIds: []string{pupilOf(m, urn)}, Source: "matrix"})
			},
			shown: func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*trackingv1.ConfirmCurrencyResponse](res)
				if err == nil && r.GetConfirmed() != 1 {
					err = fmt.Errorf("not confirmed in scope: %v", r)
				}
				return err
			},
			outside: filtered(func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*trackingv1.ConfirmCurrencyResponse](res)
				if err == nil {
					err = currencyRefused(r, nil)
				}
				return err
			}),
		},
		trackingSvc + ".GetLatestDestinations": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.GetLatestDestinationsRequest{PupilIds: []string{m.pupils[urn].GetId()}})
			},
			shown: func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*trackingv1.GetLatestDestinationsResponse](res)
				if err == nil && r.GetDestinations()[0].GetDestination() == nil {
					err = errors.New("no destination in scope")
				}
				return err
			},
			// One entry per pupil asked for: none out of scope.
			outside: filtered(func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*trackingv1.GetLatestDestinationsResponse](res)
				if d := r.GetDestinations(); err == nil && (len(d) != 1 || d[0].GetDestination() != nil || d[0].GetKnown()) {
					err = fmt.Errorf("a destination out of scope: %v", d)
				}
				return err
			}),
		},
		trackingSvc + ".GetCohortRevision": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.GetCohortRevisionRequest{CohortKey: m.tasks[urn].GetCohortKey(), PupilIds: []string{pupilOf(m, urn)}})
			},
			// Only the service may call it; pupils out of scope count 0.
			shown: revised(func(r *trackingv1.GetCohortRevisionResponse) int64 {
				return r.GetPupilsRevision() * r.GetTasksRevision()
			}),
			outside: filtered(unrevised(func(r *trackingv1.GetCohortRevisionResponse) int64 { return r.GetPupilsRevision() })),
		},
		trackingSvc + ".ListCohortChanges": {
			request: func(context.Context, *matrix, caller, string) ([]proto.Message, error) {
				return one(&trackingv1.ListCohortChangesRequest{})
			},
			unscoped: "the change feed names changes anywhere: only the service, whose scope is everything, may follow it",
		},
		trackingSvc + ".ListActivityCodes": {
			request: func(context.Context, *matrix, caller, string) ([]proto.Message, error) {
				return one(&trackingv1.ListActivityCodesRequest{})
			},
			unscoped: "the NCCIS code table is the same for everyone",
		},
		trackingSvc + ".GetMeasures": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.GetMeasuresRequest{AcademicYear: "2025/26", LaCode: pupiltest.Schools[urn]})
			},
			// An area outside scope: aggregates, no record to be not
			// found, so the refusal says why.
			outside: &outcome{code: connect.CodePermissionDenied, reason: refusalv1.Reason_REASON_OUT_OF_SCOPE},
		},
		trackingSvc + ".ExportMeasures": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.ExportMeasuresRequest{AcademicYear: "2025/26", LaCode: pupiltest.Schools[urn]})
			},
			outside: &outcome{code: connect.CodePermissionDenied, reason: refusalv1.Reason_REASON_OUT_OF_SCOPE},
		},
		trackingSvc + ".ExportDestinations": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.ExportDestinationsRequest{SchoolUrn: urn})
			},
			shown: func(m *matrix, urn string, res []proto.Message) error {
				if !strings.Contains(exportedCSV(res), m.pupils[urn].GetId()) {
					return errors.New("the export lacks the pupil in scope")
				}
				return nil
			},
			outside: filtered(func(m *matrix, urn string, res []proto.Message) error {
				if strings.Contains(exportedCSV(res), m.pupils[urn].GetId()) {
					return errors.New("the export has a pupil out of scope")
				}
				return nil
			}),
		},
		trackingSvc + ".SyncInterventions": {
			// The reconciler makes a cohort's first sync; a hub admin may
			// only force a held sync of one that exists, a pass ahead.
			request: func(ctx context.Context, m *matrix, c caller, urn string) ([]proto.Message, error) {
				if c.role != auth.RoleHubAdmin {
					return one(syncRequest(m.world, fmt.Sprintf("matrix/cohort-%d", m.next()), urn, 1, false))
				}
				key, err := m.freshCohort(ctx, urn)
				if err != nil {
					return nil, err
				}
				return one(syncRequest(m.world, key, urn, 2, true))
			},
			outside: notFound,
		},
		trackingSvc + ".ListTasks": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.ListTasksRequest{SchoolUrn: urn})
			},
			shown: showing(taskOf), outside: filtered(hiding(taskOf)),
		},
		trackingSvc + ".CountTasks": {
			request: func(_ context.Context, _ *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.CountTasksRequest{SchoolUrn: urn})
			},
			shown: func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*trackingv1.CountTasksResponse](res)
				if err == nil && r.GetOpen() == 0 {
					err = errors.New("no open task counted in scope")
				}
				return err
			},
			outside: filtered(func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*trackingv1.CountTasksResponse](res)
				if err == nil && (r.GetOpen() != 0 || r.GetOverdue() != 0 || r.GetUnassigned() != 0 || len(r.GetCounts()) != 0) {
					err = fmt.Errorf("tasks counted out of scope: %v", r)
				}
				return err
			}),
		},
		trackingSvc + ".GetTask": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.GetTaskRequest{TaskId: m.tasks[urn].GetId()})
			},
			outside: notFound,
		},
		trackingSvc + ".UpdateTask": {
			request: func(ctx context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				key, err := m.freshCohort(ctx, urn)
				if err != nil {
					return nil, err
				}
				tasks, err := m.tracking(servicetest.Service).ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: key})
				if err != nil {
					return nil, err
				}
				if len(tasks.GetTasks()) != 1 {
					return nil, fmt.Errorf("%d tasks in a fresh cohort", len(tasks.GetTasks()))
				}
				return one(assign(tasks.GetTasks()[0]))
			},
			outside: notFound,
		},
		trackingSvc + ".BulkUpdateTasks": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.BulkUpdateTasksRequest{TaskIds: []string{m.tasks[urn].GetId()},
					Change: &trackingv1.BulkUpdateTasksRequest_Log{Log: &trackingv1.BulkLogAction{Action: trackingv1.ActionKind_ACTION_KIND_CONTACT_ATTEMPTED, Text: "letter sent"}}})
			},
			shown: func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*trackingv1.BulkUpdateTasksResponse](res)
				if err == nil && r.GetUpdated() != 1 {
					err = fmt.Errorf("not updated in scope: %v", r)
				}
				return err
			},
			outside: filtered(func(_ *matrix, _ string, res []proto.Message) error {
				r, err := answer[*trackingv1.BulkUpdateTasksResponse](res)
				if err == nil {
					err = bulkRefused(r, nil)
				}
				return err
			}),
		},
		trackingSvc + ".AddTaskNote": {
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.AddTaskNoteRequest{TaskId: m.tasks[urn].GetId(), Text: "seen"})
			},
			outside: notFound,
		},
		trackingSvc + ".ListAuditEvents": {
			// The pupil's task was made by a sync, which the log recorded
			// where the pupil is on roll.
			request: func(_ context.Context, m *matrix, _ caller, urn string) ([]proto.Message, error) {
				return one(&trackingv1.ListAuditEventsRequest{Target: "pupil:" + pupilOf(m, urn)})
			},
			shown: showing(pupilOf), outside: filtered(hiding(pupilOf)),
		},
	}
}

// TestEveryRPCIsInTheAccessMatrix fails for an RPC of the contracts the
// matrix cannot call, for an entry the contracts no longer have, for an
// entry that neither says what out of scope gets nor why nothing can be,
// and for a role no caller has.
func TestEveryRPCIsInTheAccessMatrix(t *testing.T) {
	t.Parallel()
	entries := accessMatrix()
	seen := map[string]bool{}
	for _, r := range rpcs() {
		seen[r.name()] = true
		e, ok := entries[r.name()]
		switch {
		case !ok:
			t.Errorf("%s has no entry in accessMatrix()", r.name())
		case e.request == nil:
			t.Errorf("%s: no request", r.name())
		case (e.outside == nil) == (e.unscoped == ""):
			t.Errorf("%s: say what a call out of scope gets, or why its request names nothing to be out of scope of (not both)", r.name())
		case e.outside != nil && e.outside.code == codeOK && e.outside.hidden == nil:
			t.Errorf("%s: an OK answer out of scope needs a check that it shows nothing of the target", r.name())
		}
	}
	for name := range entries {
		if !seen[name] {
			t.Errorf("accessMatrix() has %s, which is not an RPC of the contracts", name)
		}
	}
	values := authv1.Role(0).Descriptor().Values()
	for i := 1; i < values.Len(); i++ {
		role := authv1.Role(values.Get(i).Number())
		if !slices.ContainsFunc(callers, func(c caller) bool { return c.role == role }) {
			t.Errorf("no caller has the role %s", role)
		}
	}
}

// TestAccessMatrix calls every RPC of every service, unary and streaming,
// as every role and anonymously, and expects exactly what the access
// policy declared on the method says: Unauthenticated without a token,
// PermissionDenied for a role the policy does not list, and for one it
// lists, OK on a target in scope and, on each target out of the caller's
// scope, the outcome the matrix declares for the RPC (NotFound for a
// record, an OK answer without the target for a list or a batch). A
// refused write must change nothing. Every audit row the calls wrote names
// the verified subject and its issuer.
func TestAccessMatrix(t *testing.T) {
	w := newWorld(t)
	m := &matrix{world: w}
	ctx := context.Background()
	// Attendance for every seeded booking, so that credited days out of
	// scope have something to withhold.
	for urn, b := range w.bookings {
		if _, err := w.placement(adminOf(urn)).RecordAttendance(ctx, &placementv1.RecordAttendanceRequest{Records: []*placementv1.AttendanceRecord{
			{BookingId: b.GetId(), Date: w.days[0], Mark: placementv1.Mark_MARK_FULL_DAY}}}); err != nil {
			t.Fatalf("seed attendance: %v", err)
		}
	}
	entries := accessMatrix()
	for _, r := range rpcs() {
		e, ok := entries[r.name()]
		if !ok {
			t.Errorf("%s has no entry in accessMatrix()", r.name())
			continue
		}
		roles := auth.Policy(r.method).GetRoles()
		for _, c := range callers {
			allowed := c.token != "" && slices.Contains(roles, c.role)
			want := &outcome{code: codeOK}
			switch {
			case c.token == "":
				want = &outcome{code: connect.CodeUnauthenticated}
			case !allowed:
				want = &outcome{code: connect.CodePermissionDenied}
			}
			t.Run(fmt.Sprintf("%s/%s/in_scope", r.method.Name(), c.name), func(t *testing.T) {
				m.try(ctx, t, r, e, c, schoolA, want, e.shown)
			})
			if !allowed || e.outside == nil {
				continue
			}
			for _, urn := range c.outside {
				t.Run(fmt.Sprintf("%s/%s/school_%s", r.method.Name(), c.name, urn), func(t *testing.T) {
					m.try(ctx, t, r, e, c, urn, e.outside, e.outside.hidden)
				})
			}
		}
	}

	// Every row of every audit log names who called, as verified.
	for schema, db := range w.dbs {
		var rows, unnamed int
		// People signed in with the development provider; the service
		// role has a development token.
		q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE subject = '' OR issuer <> CASE role WHEN 'ROLE_SERVICE' THEN $1 ELSE $2 END) FROM %s.audit_events`, schema)
		if err := db.QueryRow(ctx, q, auth.DevelopmentIssuer, servicetest.Issuer()).Scan(&rows, &unnamed); err != nil {
			t.Fatal(err)
		}
		if rows == 0 || unnamed != 0 {
			t.Errorf("%s.audit_events: %d rows, %d without the subject and its issuer", schema, rows, unnamed)
		}
	}
}

// try makes one call of the matrix and checks its outcome; an OK answer is
// checked with ok, when set.
func (m *matrix) try(ctx context.Context, t *testing.T, r rpc, e access, c caller, urn string, want *outcome, ok check) {
	t.Helper()
	msgs, err := e.request(ctx, m, c, urn)
	if err != nil {
		t.Fatalf("making the request: %v", err)
	}
	var before map[string]string
	refusedWrite := r.write() && want.code != codeOK
	if refusedWrite {
		before = m.state(t)
	}
	res, err := exchange(ctx, r.url(m.world), r.method, c.token, msgs...)
	switch got := codeOf(err); {
	case got != want.code:
		t.Errorf("%s, want %s (err %v)", codeName(got), codeName(want.code), err)
	case want.reason != 0 && rpcerror.Reason(err) != want.reason:
		t.Errorf("reason = %v, want %v (err %v)", rpcerror.Reason(err), want.reason, err)
	case err == nil && ok != nil:
		if cerr := ok(m, urn, res); cerr != nil {
			t.Error(cerr)
		}
	}
	if refusedWrite {
		if diff := changed(before, m.state(t)); diff != "" {
			t.Errorf("a refused call changed data: %s", diff)
		}
	}
}
