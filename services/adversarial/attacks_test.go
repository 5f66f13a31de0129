package adversarial_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// kind is a class of attack every write RPC must be tried with.
type kind string

const (
	byID      kind = "an out-of-scope target by id"
	byKey     kind = "an out-of-scope target by natural key"
	byLabels  kind = "scope claimed through labels in the request"
	replay    kind = "an idempotency key replayed with a different body"
	malformed kind = "malformed input"
)

var kinds = []kind{byID, byKey, byLabels, replay, malformed}

// attack is one hostile call and the refusal it must get.
type attack struct {
	kind kind
	name string
	// setup, when set, makes what the attack needs (the first call of a
	// replay) before the services' data is read; do gets what it returns.
	setup func(ctx context.Context, w *world) (string, error)
	do    func(ctx context.Context, w *world, prep string) error
	// want is the code of the refusal; 0 (OK) for an import, whose refusal
	// is per row and which do checks itself.
	want connect.Code
	// reason, when set, is the ErrorInfo reason the refusal carries.
	reason refusalv1.Reason
}

// target is a write RPC's attacks, and for each kind of attack that cannot
// apply to it, why.
type target struct {
	attacks       []attack
	notApplicable map[kind]string
}

// errNotRefused says an import accepted a row it should have refused.
var errNotRefused = errors.New("the row was not refused as it should have been")

// importFile uploads a file as token and checks that every row was refused
// with rule; it returns nil if so.
func importFile(ctx context.Context, w *world, token string, header *pupilv1.ImportHeader, data, rule string) error {
	stream, err := w.pupil(token).ImportPupils(ctx)
	if err != nil {
		return err
	}
	_ = stream.Send(&pupilv1.ImportPupilsRequest{Part: &pupilv1.ImportPupilsRequest_Header{Header: header}})
	_ = stream.Send(&pupilv1.ImportPupilsRequest{Part: &pupilv1.ImportPupilsRequest_Chunk{Chunk: []byte(data)}})
	res, err := stream.CloseAndReceive()
	if err != nil {
		return err
	}
	if res.GetInserted()+res.GetUpdated() != 0 || res.GetRejectedRows() != res.GetRows() {
		return fmt.Errorf("%w: %v", errNotRefused, res)
	}
	for _, r := range res.GetRejections() {
		if r.GetRuleId() != rule {
			return fmt.Errorf("%w: rule %s, want %s", errNotRefused, r.GetRuleId(), rule)
		}
	}
	return nil
}

const csvHeader = "upn,legal_surname,legal_forename,date_of_birth,school_urn,risk_as_at,attendance_percent\n"

// pupilAs returns the pupil at the school as an update would send it back.
func pupilAs(w *world, urn string) *pupilv1.Pupil {
	p := cloneOf(w.pupils[urn])
	p.YearGroup, p.Risk, p.UpdatedAt, p.Version = 0, nil, nil, 0
	return p
}

func cloneOf[T proto.Message](m T) T { return proto.Clone(m).(T) }

func newPupil(upn, urn string) *pupilv1.Pupil {
	return &pupilv1.Pupil{Upn: upn, LegalSurname: "Mallory", LegalForename: "Eve", DateOfBirth: "2011-10-01", SchoolUrn: urn}
}

// freshUPN is registered by one replay's setup; newUPN by nobody.
const (
	freshUPN = "B801200005001"
	newUPN   = "H801200001001"
)

func procedure(service, method string) string { return "/" + service + "/" + method }

// writes are the attacks on every write RPC, by the method's full name.
func writes() map[string]target {
	leader, caseworker, admin, service := servicetest.CareersLeader, servicetest.Caseworker, servicetest.HubAdmin, servicetest.Service
	soon := func() string { return time.Now().AddDate(0, 1, 0).Format(time.DateOnly) }
	pupilSvc, placementSvc, trackingSvc := pupilv1connect.PupilServiceName, placementv1connect.PlacementServiceName, trackingv1connect.TrackingServiceName
	return map[string]target{
		// --- pupil ---
		pupilSvc + ".CreateSchool": {
			attacks: []attack{
				{kind: byKey, name: "a hub admin re-registers another hub's school under their own LA",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(admin).CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
							Urn: schoolX, Name: "Taken Over", LaCode: "336", Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true}})
						return err
					}, want: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_SCHOOL_EXISTS},
				{kind: byLabels, name: "a hub admin registers a school in an LA outside the hub",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(admin).CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
							Urn: "100099", Name: "Elsewhere", LaCode: "201", Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true}})
						return err
					}, want: connect.CodePermissionDenied, reason: refusalv1.Reason_REASON_OUT_OF_SCOPE},
				{kind: malformed, name: "a school name with a direction override",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(admin).CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
							Urn: "100098", Name: "Academy\u202e", LaCode: "336", Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true}})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byID:   "a school is named by its URN, its natural key, tried above",
				replay: "it has no idempotency key: registering the same school twice is a no-op",
			},
		},
		pupilSvc + ".CreatePupil": {
			attacks: []attack{
				{kind: byKey, name: "a careers leader registers another hub's pupil's UPN at their school",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(leader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: newPupil(w.pupils[schoolX].GetUpn(), schoolA)})
						return err
					}, want: connect.CodeInvalidArgument},
				{kind: byLabels, name: "a careers leader registers a pupil at another school",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(leader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: newPupil(newUPN, schoolB)})
						return err
					}, want: connect.CodeNotFound},
				{kind: replay, name: "the key of an earlier pupil with another pupil",
					setup: func(ctx context.Context, w *world) (string, error) {
						key := uuid.NewString()
						_, err := w.pupil(leader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: key, Pupil: newPupil(freshUPN, schoolA)})
						return key, err
					},
					do: func(ctx context.Context, w *world, key string) error {
						second := newPupil(freshUPN, schoolA)
						second.LegalForename = "Someone Else"
						_, err := w.pupil(leader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: key, Pupil: second})
						return err
					}, want: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED},
				{kind: malformed, name: "born in 9999",
					do: func(ctx context.Context, w *world, _ string) error {
						p := newPupil(newUPN, schoolA)
						p.DateOfBirth = "9999-12-31"
						_, err := w.pupil(leader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: p})
						return err
					}, want: connect.CodeInvalidArgument},
				{kind: malformed, name: "a risk factor true as at 2099",
					do: func(ctx context.Context, w *world, _ string) error {
						p := newPupil(newUPN, schoolA)
						p.RiskFactors = &pupilv1.RiskFactors{Attendance: &pupilv1.AttendanceFactor{Percent: 99, AsAt: "2099-01-01"}}
						_, err := w.pupil(leader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: p})
						return err
					}, want: connect.CodeInvalidArgument},
				{kind: malformed, name: "a zero-width space in a name",
					do: func(ctx context.Context, w *world, _ string) error {
						p := newPupil(newUPN, schoolA)
						p.LegalSurname = "Mal\u200blory"
						_, err := w.pupil(leader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: p})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{byID: "it creates: the service issues the id"},
		},
		pupilSvc + ".UpdatePupil": {
			attacks: []attack{
				{kind: byID, name: "a careers leader updates another hub's pupil",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(leader).UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: pupilAs(w, schoolX), Version: w.pupils[schoolX].GetVersion()})
						return err
					}, want: connect.CodeNotFound},
				{kind: byID, name: "a caseworker updates a pupil of the neighbouring LA",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(caseworker).UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: pupilAs(w, schoolC), Version: w.pupils[schoolC].GetVersion()})
						return err
					}, want: connect.CodeNotFound},
				{kind: byLabels, name: "a careers leader moves their pupil to another school",
					do: func(ctx context.Context, w *world, _ string) error {
						p := pupilAs(w, schoolA)
						p.SchoolUrn = schoolB
						_, err := w.pupil(leader).UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: p, Version: w.pupils[schoolA].GetVersion()})
						return err
					}, want: connect.CodeNotFound},
				{kind: byLabels, name: "a careers leader pulls another school's pupil into theirs",
					do: func(ctx context.Context, w *world, _ string) error {
						p := pupilAs(w, schoolB)
						p.SchoolUrn = schoolA
						_, err := w.pupil(leader).UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: p, Version: w.pupils[schoolB].GetVersion()})
						return err
					}, want: connect.CodeNotFound},
				{kind: byKey, name: "a careers leader gives their pupil another hub's pupil's UPN",
					do: func(ctx context.Context, w *world, _ string) error {
						p := pupilAs(w, schoolA)
						p.Upn = w.pupils[schoolX].GetUpn()
						_, err := w.pupil(leader).UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: p, Version: w.pupils[schoolA].GetVersion()})
						return err
					}, want: connect.CodeFailedPrecondition, reason: refusalv1.Reason_REASON_UPN_IMMUTABLE},
				{kind: malformed, name: "a misspelt field in JSON, which must not erase the preferred surname",
					do: func(ctx context.Context, w *world, _ string) error {
						p := w.pupils[schoolA]
						body := fmt.Sprintf(`{"pupil":{"id":%q,"upn":%q,"legalSurname":%q,"legalForename":%q,"preferredSurnme":"X","dateOfBirth":%q,"schoolUrn":%q},"version":"%d"}`,
							p.GetId(), p.GetUpn(), p.GetLegalSurname(), p.GetLegalForename(), p.GetDateOfBirth(), p.GetSchoolUrn(), p.GetVersion())
						return postJSON(ctx, w.pupilURL, procedure(pupilSvc, "UpdatePupil"), leader, body)
					}, want: connect.CodeInvalidArgument},
				{kind: malformed, name: "joined in 9999",
					do: func(ctx context.Context, w *world, _ string) error {
						p := pupilAs(w, schoolA)
						p.JoinedOn = "9999-01-01"
						_, err := w.pupil(leader).UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: p, Version: w.pupils[schoolA].GetVersion()})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{replay: "it has no idempotency key: the version it carries refuses a stale update"},
		},
		pupilSvc + ".ReviewRisk": {
			attacks: []attack{
				{kind: byID, name: "a careers leader suppresses another hub's pupil's flag",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(leader).ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: w.pupils[schoolX].GetId(), Review: &pupilv1.RiskReview{
							Decision: pupilv1.RiskDecision_RISK_DECISION_SUPPRESSED, Reason: "not ours", ReviewOn: soon()}})
						return err
					}, want: connect.CodeNotFound},
				{kind: byID, name: "a caseworker adds a pupil of the neighbouring LA to the risk list",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(caseworker).ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: w.pupils[schoolC].GetId(), Review: &pupilv1.RiskReview{
							Decision: pupilv1.RiskDecision_RISK_DECISION_ADDED, Reason: "not ours"}})
						return err
					}, want: connect.CodeNotFound},
				{kind: malformed, name: "a suppression until 9999",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(leader).ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: w.pupils[schoolA].GetId(), Review: &pupilv1.RiskReview{
							Decision: pupilv1.RiskDecision_RISK_DECISION_SUPPRESSED, Reason: "forever", ReviewOn: "9999-01-01"}})
						return err
					}, want: connect.CodeInvalidArgument},
				{kind: malformed, name: "a reason with a right-to-left override",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.pupil(leader).ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: w.pupils[schoolA].GetId(), Review: &pupilv1.RiskReview{
							Decision: pupilv1.RiskDecision_RISK_DECISION_ADDED, Reason: "fine\u202etxt.exe"}})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byKey:    "it names the pupil by id only",
				byLabels: "the request carries no school or LA: scope is the pupil's record's",
				replay:   "it has no idempotency key: the same review recorded again changes nothing",
			},
		},
		pupilSvc + ".ImportPupils": {
			attacks: []attack{
				{kind: byKey, name: "a careers leader's CSV names another hub's pupil's UPN at their school",
					do: func(ctx context.Context, w *world, _ string) error {
						return importFile(ctx, w, leader, &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV},
							csvHeader+w.pupils[schoolX].GetUpn()+",Takeover,Mallory,2011-10-01,"+schoolA+",2026-01-01,50\n", "upn.registered_elsewhere")
					}, want: 0},
				{kind: byKey, name: "a caseworker's CTF names a pupil of the neighbouring LA",
					do: func(ctx context.Context, w *world, _ string) error {
						ctf := `<CTfile><Header><DateTime>2026-01-01T10:00:00</DateTime></Header><CTFpupilData><Pupil><UPN>` + w.pupils[schoolC].GetUpn() +
							`</UPN><Surname>Takeover</Surname><Forename>Mallory</Forename><DOB>2011-10-01</DOB></Pupil></CTFpupilData></CTfile>`
						return importFile(ctx, w, caseworker, &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CTF, SchoolUrn: schoolA}, ctf, "upn.registered_elsewhere")
					}, want: 0},
				{kind: byLabels, name: "a careers leader's CSV puts a new pupil at another school",
					do: func(ctx context.Context, w *world, _ string) error {
						return importFile(ctx, w, leader, &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV},
							csvHeader+newUPN+",Testperson,Ada,2011-10-01,"+schoolB+",,\n", "school.unknown")
					}, want: 0},
				{kind: byLabels, name: "a caseworker's CTF sent for another hub's school",
					do: func(ctx context.Context, w *world, _ string) error {
						ctf := `<CTfile><Header><DateTime>2026-01-01T10:00:00</DateTime></Header><CTFpupilData><Pupil><UPN>` + newUPN +
							`</UPN><Surname>Testperson</Surname><Forename>Ada</Forename><DOB>2011-10-01</DOB></Pupil></CTFpupilData></CTfile>`
						return importFile(ctx, w, caseworker, &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CTF, SchoolUrn: schoolX}, ctf, "school.unknown")
					}, want: 0},
				{kind: malformed, name: "a Latin-1 name refuses its row, not the file",
					do: func(ctx context.Context, w *world, _ string) error {
						return importFile(ctx, w, leader, &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV},
							csvHeader+newUPN+",Zo\xeb,Ada,2011-10-01,"+schoolA+",,\n", "text.utf8")
					}, want: 0},
				{kind: malformed, name: "a NUL byte refuses its row, not the file",
					do: func(ctx context.Context, w *world, _ string) error {
						return importFile(ctx, w, leader, &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV},
							csvHeader+newUPN+",Nul\x00,Ada,2011-10-01,"+schoolA+",,\n", "text.control")
					}, want: 0},
				{kind: malformed, name: "a risk factor as at 2099",
					do: func(ctx context.Context, w *world, _ string) error {
						return importFile(ctx, w, leader, &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV},
							csvHeader+newUPN+",Testperson,Ada,2011-10-01,"+schoolA+",2099-01-01,99\n", "as_at.range")
					}, want: 0},
				{kind: malformed, name: "one UPN twice: both rows refused",
					do: func(ctx context.Context, w *world, _ string) error {
						row := newUPN + ",Testperson,Ada,2011-10-01," + schoolA + ",,\n"
						return importFile(ctx, w, leader, &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV}, csvHeader+row+row, "upn.duplicate")
					}, want: 0},
			},
			notApplicable: map[kind]string{
				byID:   "rows name pupils by UPN, their natural key, tried above",
				replay: "it has no idempotency key: importing the same file again changes nothing",
			},
		},

		// --- placement ---
		placementSvc + ".CreateEmployer": {
			attacks: []attack{
				{kind: byKey, name: "another hub registers the same Companies House number",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(servicetest.OtherHubAdmin).CreateEmployer(ctx, &placementv1.CreateEmployerRequest{IdempotencyKey: uuid.NewString(),
							Employer: &placementv1.Employer{Name: "Copy", CompaniesHouseNumber: w.employer.GetCompaniesHouseNumber(),
								Sector: placementv1.Sector_SECTOR_OTHER, SizeBand: placementv1.SizeBand_SIZE_BAND_MICRO}})
						return err
					}, want: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_EMPLOYER_EXISTS},
				{kind: replay, name: "the key of an earlier employer with another employer",
					setup: func(ctx context.Context, w *world) (string, error) {
						key := uuid.NewString()
						_, err := w.placement(admin).CreateEmployer(ctx, &placementv1.CreateEmployerRequest{IdempotencyKey: key,
							Employer: &placementv1.Employer{Name: "First", Sector: placementv1.Sector_SECTOR_OTHER, SizeBand: placementv1.SizeBand_SIZE_BAND_MICRO}})
						return key, err
					},
					do: func(ctx context.Context, w *world, key string) error {
						_, err := w.placement(admin).CreateEmployer(ctx, &placementv1.CreateEmployerRequest{IdempotencyKey: key,
							Employer: &placementv1.Employer{Name: "Second", Sector: placementv1.Sector_SECTOR_OTHER, SizeBand: placementv1.SizeBand_SIZE_BAND_MICRO}})
						return err
					}, want: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED},
				{kind: malformed, name: "a careers leader may not register employers",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(leader).CreateEmployer(ctx, &placementv1.CreateEmployerRequest{IdempotencyKey: uuid.NewString(),
							Employer: &placementv1.Employer{Name: "Mine", Sector: placementv1.Sector_SECTOR_OTHER, SizeBand: placementv1.SizeBand_SIZE_BAND_MICRO}})
						return err
					}, want: connect.CodePermissionDenied},
			},
			notApplicable: map[kind]string{
				byID:     "it creates: the service issues the id",
				byLabels: "employers are one register every hub shares (they hold no pupil's data): there is no scope to claim",
			},
		},
		placementSvc + ".UpdateEmployer": {
			attacks: []attack{
				{kind: byID, name: "a caseworker may not update an employer",
					do: func(ctx context.Context, w *world, _ string) error {
						e := cloneOf(w.employer)
						e.Name = "Renamed"
						_, err := w.placement(caseworker).UpdateEmployer(ctx, &placementv1.UpdateEmployerRequest{Employer: e})
						return err
					}, want: connect.CodePermissionDenied},
				{kind: byKey, name: "another employer's Companies House number",
					setup: func(ctx context.Context, w *world) (string, error) {
						res, err := w.placement(admin).CreateEmployer(ctx, &placementv1.CreateEmployerRequest{IdempotencyKey: uuid.NewString(),
							Employer: &placementv1.Employer{Name: "Second", CompaniesHouseNumber: "07654321", Sector: placementv1.Sector_SECTOR_OTHER, SizeBand: placementv1.SizeBand_SIZE_BAND_MICRO}})
						return res.GetEmployer().GetId(), err
					},
					do: func(ctx context.Context, w *world, id string) error {
						res, err := w.placement(admin).GetEmployer(ctx, &placementv1.GetEmployerRequest{Id: id})
						if err != nil {
							return fmt.Errorf("read: %w", err)
						}
						e := res.GetEmployer()
						e.CompaniesHouseNumber = w.employer.GetCompaniesHouseNumber()
						_, err = w.placement(admin).UpdateEmployer(ctx, &placementv1.UpdateEmployerRequest{Employer: e})
						return err
					}, want: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_EMPLOYER_EXISTS},
				{kind: malformed, name: "a contact name with a NUL byte",
					do: func(ctx context.Context, w *world, _ string) error {
						e := cloneOf(w.employer)
						e.Contact = &placementv1.Contact{Name: "Jo\x00"}
						_, err := w.placement(admin).UpdateEmployer(ctx, &placementv1.UpdateEmployerRequest{Employer: e})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byLabels: "employers are one register every hub shares: there is no scope to claim",
				replay:   "it has no idempotency key: the version it carries refuses a stale update",
			},
		},
		placementSvc + ".CreateOpportunity": {
			attacks: []attack{
				{kind: replay, name: "the key of an earlier opportunity with another opportunity",
					setup: func(ctx context.Context, w *world) (string, error) {
						key := uuid.NewString()
						_, err := w.placement(admin).CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: key, Opportunity: w.newOpportunity()})
						return key, err
					},
					do: func(ctx context.Context, w *world, key string) error {
						o := w.newOpportunity()
						o.Capacity++
						_, err := w.placement(admin).CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: key, Opportunity: o})
						return err
					}, want: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED},
				{kind: malformed, name: "a day in 9999",
					do: func(ctx context.Context, w *world, _ string) error {
						o := w.newOpportunity()
						o.Days = []*placementv1.OpportunityDay{{Date: "9999-07-06", Session: placementv1.Session_SESSION_FULL_DAY}}
						_, err := w.placement(admin).CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: uuid.NewString(), Opportunity: o})
						return err
					}, want: connect.CodeInvalidArgument},
				{kind: byID, name: "an employer that does not exist",
					do: func(ctx context.Context, w *world, _ string) error {
						o := w.newOpportunity()
						o.EmployerId = uuid.NewString()
						_, err := w.placement(admin).CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: uuid.NewString(), Opportunity: o})
						return err
					}, want: connect.CodeNotFound},
			},
			notApplicable: map[kind]string{
				byKey:    "opportunities have no natural key",
				byLabels: "opportunities are offered to every hub's pupils: there is no scope to claim",
			},
		},
		placementSvc + ".UpdateOpportunity": {
			attacks: []attack{
				{kind: byID, name: "a careers leader may not change an opportunity",
					do: func(ctx context.Context, w *world, _ string) error {
						o := cloneOf(w.opportunity)
						o.Capacity = 1
						_, err := w.placement(leader).UpdateOpportunity(ctx, &placementv1.UpdateOpportunityRequest{Opportunity: o})
						return err
					}, want: connect.CodePermissionDenied},
				{kind: malformed, name: "capacity below the places booked",
					do: func(ctx context.Context, w *world, _ string) error {
						o := cloneOf(w.opportunity)
						o.Capacity = 1
						_, err := w.placement(admin).UpdateOpportunity(ctx, &placementv1.UpdateOpportunityRequest{Opportunity: o})
						return err
					}, want: connect.CodeFailedPrecondition, reason: refusalv1.Reason_REASON_CAPACITY_BELOW_BOOKED},
				{kind: malformed, name: "a title with a direction override",
					do: func(ctx context.Context, w *world, _ string) error {
						o := cloneOf(w.opportunity)
						o.Title = "Visit\u202e"
						_, err := w.placement(admin).UpdateOpportunity(ctx, &placementv1.UpdateOpportunityRequest{Opportunity: o})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byKey:    "opportunities have no natural key",
				byLabels: "opportunities are offered to every hub's pupils: there is no scope to claim",
				replay:   "it has no idempotency key: the version it carries refuses a stale update",
			},
		},
		placementSvc + ".BookPlace": {
			attacks: []attack{
				{kind: byID, name: "a careers leader books another hub's pupil",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(leader).BookPlace(ctx, &placementv1.BookPlaceRequest{IdempotencyKey: uuid.NewString(), OpportunityId: w.opportunity.GetId(), PupilId: w.pupils[schoolX].GetId()})
						return err
					}, want: connect.CodeNotFound},
				{kind: byID, name: "a careers leader books a pupil nobody registered",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(leader).BookPlace(ctx, &placementv1.BookPlaceRequest{IdempotencyKey: uuid.NewString(), OpportunityId: w.opportunity.GetId(), PupilId: uuid.NewString()})
						return err
					}, want: connect.CodeNotFound},
				{kind: byLabels, name: "a careers leader labels another school's pupil with their own school",
					do: func(ctx context.Context, w *world, _ string) error {
						body := fmt.Sprintf(`{"idempotencyKey":%q,"opportunityId":%q,"pupilId":%q,"schoolUrn":%q,"laCode":"336"}`,
							uuid.NewString(), w.opportunity.GetId(), w.pupils[schoolB].GetId(), schoolA)
						return postJSON(ctx, w.placementURL, procedure(placementSvc, "BookPlace"), leader, body)
					}, want: connect.CodeInvalidArgument},
				{kind: replay, name: "the key of an earlier booking for another pupil",
					setup: func(ctx context.Context, w *world) (string, error) {
						key := uuid.NewString()
						o, err := w.placement(admin).CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: uuid.NewString(), Opportunity: w.newOpportunity()})
						if err == nil {
							_, err = w.placement(admin).BookPlace(ctx, &placementv1.BookPlaceRequest{IdempotencyKey: key, OpportunityId: o.GetOpportunity().GetId(), PupilId: w.pupils[schoolA].GetId()})
						}
						return key, err
					},
					do: func(ctx context.Context, w *world, key string) error {
						_, err := w.placement(admin).BookPlace(ctx, &placementv1.BookPlaceRequest{IdempotencyKey: key, OpportunityId: w.opportunity.GetId(), PupilId: w.pupils[schoolC].GetId()})
						return err
					}, want: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED},
			},
			notApplicable: map[kind]string{
				byKey:     "a booking names its pupil by id; UPNs never leave the pupil service",
				malformed: "its fields are ids, covered by the contract's rules and the generated tests",
			},
		},
		placementSvc + ".BookPlaces": {
			attacks: []attack{
				{kind: byID, name: "a careers leader's group includes another school's pupil",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(leader).BookPlaces(ctx, &placementv1.BookPlacesRequest{IdempotencyKey: uuid.NewString(), OpportunityId: w.opportunity.GetId(),
							Pupils: []*placementv1.PupilPlace{{PupilId: w.pupils[schoolB].GetId()}}})
						return err
					}, want: connect.CodeNotFound},
				{kind: byLabels, name: "a caseworker labels a neighbouring LA's pupil with their own LA",
					do: func(ctx context.Context, w *world, _ string) error {
						body := fmt.Sprintf(`{"idempotencyKey":%q,"opportunityId":%q,"pupils":[{"pupilId":%q,"schoolUrn":%q,"laCode":"336"}]}`,
							uuid.NewString(), w.opportunity.GetId(), w.pupils[schoolC].GetId(), schoolC)
						return postJSON(ctx, w.placementURL, procedure(placementSvc, "BookPlaces"), caseworker, body)
					}, want: connect.CodeInvalidArgument},
				{kind: replay, name: "the key of an earlier group booking for another group",
					setup: func(ctx context.Context, w *world) (string, error) {
						key := uuid.NewString()
						o, err := w.placement(admin).CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: uuid.NewString(), Opportunity: w.newOpportunity()})
						if err == nil {
							_, err = w.placement(admin).BookPlaces(ctx, &placementv1.BookPlacesRequest{IdempotencyKey: key, OpportunityId: o.GetOpportunity().GetId(),
								Pupils: []*placementv1.PupilPlace{{PupilId: w.pupils[schoolA].GetId()}}})
						}
						return key, err
					},
					do: func(ctx context.Context, w *world, key string) error {
						_, err := w.placement(admin).BookPlaces(ctx, &placementv1.BookPlacesRequest{IdempotencyKey: key, OpportunityId: w.opportunity.GetId(),
							Pupils: []*placementv1.PupilPlace{{PupilId: w.pupils[schoolC].GetId()}}})
						return err
					}, want: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED},
			},
			notApplicable: map[kind]string{
				byKey:     "a booking names its pupils by id; UPNs never leave the pupil service",
				malformed: "its fields are ids, covered by the contract's rules and the generated tests",
			},
		},
		placementSvc + ".ConfirmAllocation": {
			attacks: []attack{
				{kind: byID, name: "a careers leader confirms a place for another school's pupil",
					do: func(ctx context.Context, w *world, _ string) error {
						res, err := w.placement(leader).ConfirmAllocation(ctx, &placementv1.ConfirmAllocationRequest{IdempotencyKey: uuid.NewString(),
							Places: []*placementv1.PlacementRef{{PupilId: w.pupils[schoolB].GetId(), OpportunityId: w.opportunity.GetId()}}})
						if err != nil {
							return err
						}
						if p := res.GetPlaces()[0]; p.GetRefusal() != refusalv1.Reason_REASON_NOT_FOUND || p.GetBooking() != nil || res.GetBooked() != 0 {
							return fmt.Errorf("%w: %v", errNotRefused, res)
						}
						return nil
					}, want: codeOK},
				{kind: byLabels, name: "a caseworker labels a neighbouring LA's pupil with their own LA",
					do: func(ctx context.Context, w *world, _ string) error {
						body := fmt.Sprintf(`{"idempotencyKey":%q,"places":[{"pupilId":%q,"opportunityId":%q,"schoolUrn":%q,"laCode":"336"}]}`,
							uuid.NewString(), w.pupils[schoolC].GetId(), w.opportunity.GetId(), schoolA)
						return postJSON(ctx, w.placementURL, procedure(placementSvc, "ConfirmAllocation"), caseworker, body)
					}, want: connect.CodeInvalidArgument},
				{kind: replay, name: "the key of an earlier confirmation for another pupil",
					setup: func(ctx context.Context, w *world) (string, error) {
						// On other days than the pupil's booking, so that the
						// first confirmation books the place.
						key, other := uuid.NewString(), w.newOpportunity()
						other.Days = []*placementv1.OpportunityDay{{Date: "2026-03-02", Session: placementv1.Session_SESSION_FULL_DAY}}
						o, err := w.placement(admin).CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: uuid.NewString(), Opportunity: other})
						if err != nil {
							return "", err
						}
						res, err := w.placement(admin).ConfirmAllocation(ctx, &placementv1.ConfirmAllocationRequest{IdempotencyKey: key,
							Places: []*placementv1.PlacementRef{{PupilId: w.pupils[schoolA].GetId(), OpportunityId: o.GetOpportunity().GetId()}}})
						if err == nil && res.GetBooked() != 1 {
							err = fmt.Errorf("the first confirmation booked nothing: %v", res)
						}
						return key, err
					},
					do: func(ctx context.Context, w *world, key string) error {
						_, err := w.placement(admin).ConfirmAllocation(ctx, &placementv1.ConfirmAllocationRequest{IdempotencyKey: key,
							Places: []*placementv1.PlacementRef{{PupilId: w.pupils[schoolC].GetId(), OpportunityId: w.opportunity.GetId()}}})
						return err
					}, want: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED},
				{kind: malformed, name: "one pupil given two places",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(admin).ConfirmAllocation(ctx, &placementv1.ConfirmAllocationRequest{IdempotencyKey: uuid.NewString(),
							Places: []*placementv1.PlacementRef{
								{PupilId: w.pupils[schoolA].GetId(), OpportunityId: w.opportunity.GetId()},
								{PupilId: w.pupils[schoolA].GetId(), OpportunityId: w.opportunity.GetId()},
							}})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byKey: "a place names its pupil by id; UPNs never leave the pupil service",
			},
		},
		placementSvc + ".CancelBooking": {
			attacks: []attack{
				{kind: byID, name: "a careers leader cancels another school's booking",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(leader).CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: w.bookings[schoolB].GetId(), Version: w.bookings[schoolB].GetVersion()})
						return err
					}, want: connect.CodeNotFound},
				{kind: byID, name: "a hub admin cancels another hub's booking",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(admin).CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: w.bookings[schoolX].GetId(), Version: w.bookings[schoolX].GetVersion()})
						return err
					}, want: connect.CodeNotFound},
			},
			notApplicable: map[kind]string{
				byKey:     "bookings have no natural key",
				byLabels:  "the request names the booking only",
				replay:    "it has no idempotency key: cancelling twice changes nothing, and the version refuses a stale one",
				malformed: "its fields are an id and a version, covered by the contract's rules",
			},
		},
		placementSvc + ".RecordAttendance": {
			attacks: []attack{
				{kind: byID, name: "a careers leader credits another hub's pupil's booking",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(leader).RecordAttendance(ctx, &placementv1.RecordAttendanceRequest{Records: []*placementv1.AttendanceRecord{
							{BookingId: w.bookings[schoolX].GetId(), Date: w.days[0], Mark: placementv1.Mark_MARK_FULL_DAY}}})
						return err
					}, want: connect.CodeNotFound},
				{kind: byID, name: "a register of their own pupil and a neighbour's writes neither",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(caseworker).RecordAttendance(ctx, &placementv1.RecordAttendanceRequest{Records: []*placementv1.AttendanceRecord{
							{BookingId: w.bookings[schoolA].GetId(), Date: w.days[0], Mark: placementv1.Mark_MARK_FULL_DAY},
							{BookingId: w.bookings[schoolC].GetId(), Date: w.days[0], Mark: placementv1.Mark_MARK_FULL_DAY}}})
						return err
					}, want: connect.CodeNotFound},
				{kind: malformed, name: "a mark for a day in 9999",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.placement(leader).RecordAttendance(ctx, &placementv1.RecordAttendanceRequest{Records: []*placementv1.AttendanceRecord{
							{BookingId: w.bookings[schoolA].GetId(), Date: "9999-01-01", Mark: placementv1.Mark_MARK_FULL_DAY}}})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byKey:    "attendance names bookings by id",
				byLabels: "a record names the booking only; its scope is the booking's, which came from the pupil service",
				replay:   "it has no idempotency key: a register sent twice sets the same marks",
			},
		},

		// --- tracking ---
		trackingSvc + ".RecordDestination": {
			attacks: []attack{
				{kind: byID, name: "a careers leader records a destination for another hub's pupil",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(leader).RecordDestination(ctx, destinationRequest(w.pupils[schoolX].GetId(), "2026-09-01"))
						return err
					}, want: connect.CodeNotFound},
				{kind: byID, name: "a careers leader records a destination for a pupil nobody registered",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(leader).RecordDestination(ctx, destinationRequest(uuid.NewString(), "2026-09-01"))
						return err
					}, want: connect.CodeNotFound},
				{kind: byLabels, name: "a caseworker labels a neighbouring LA's pupil with their own LA",
					do: func(ctx context.Context, w *world, _ string) error {
						req := destinationRequest(w.pupils[schoolC].GetId(), "2026-09-01")
						req.Destination.SchoolUrn, req.Destination.LaCode = schoolA, "336"
						_, err := w.tracking(caseworker).RecordDestination(ctx, req)
						return err
					}, want: connect.CodeInvalidArgument},
				{kind: replay, name: "the key of an earlier destination with another activity",
					setup: func(ctx context.Context, w *world) (string, error) {
						req := destinationRequest(w.pupils[schoolA].GetId(), "2026-09-01")
						_, err := w.tracking(leader).RecordDestination(ctx, req)
						return req.GetIdempotencyKey(), err
					},
					do: func(ctx context.Context, w *world, key string) error {
						req := destinationRequest(w.pupils[schoolA].GetId(), "2026-09-01")
						req.IdempotencyKey, req.Destination.ActivityCode = key, "619"
						_, err := w.tracking(leader).RecordDestination(ctx, req)
						return err
					}, want: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED},
				{kind: malformed, name: "a destination dated 2999",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(leader).RecordDestination(ctx, destinationRequest(w.pupils[schoolA].GetId(), "2999-09-01"))
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{byKey: "destinations name pupils by id; UPNs never leave the pupil service"},
		},
		trackingSvc + ".BulkUpdateTasks": {
			attacks: []attack{
				{kind: byID, name: "a caseworker assigns another hub's and the neighbouring LA's tasks to themselves",
					do: func(ctx context.Context, w *world, _ string) error {
						return bulkRefused(w.tracking(caseworker).BulkUpdateTasks(ctx, &trackingv1.BulkUpdateTasksRequest{
							TaskIds: []string{w.tasks[schoolX].GetId(), w.tasks[schoolC].GetId()},
							Change:  &trackingv1.BulkUpdateTasksRequest_Assign{Assign: &trackingv1.UpdateTaskRequest_Assign{Assignee: "caseworker"}}}))
					}, want: 0},
				{kind: byID, name: "a caseworker logs a contact on another hub's task",
					do: func(ctx context.Context, w *world, _ string) error {
						return bulkRefused(w.tracking(caseworker).BulkUpdateTasks(ctx, &trackingv1.BulkUpdateTasksRequest{
							TaskIds: []string{w.tasks[schoolX].GetId()},
							Change:  &trackingv1.BulkUpdateTasksRequest_Log{Log: &trackingv1.BulkLogAction{Action: trackingv1.ActionKind_ACTION_KIND_CONTACT_MADE, Text: "spoke to them"}}}))
					}, want: 0},
				{kind: malformed, name: "a change that is neither",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(caseworker).BulkUpdateTasks(ctx, &trackingv1.BulkUpdateTasksRequest{TaskIds: []string{w.tasks[schoolA].GetId()}})
						return err
					}, want: connect.CodeInvalidArgument},
				{kind: malformed, name: "a logged action with a NUL byte",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(caseworker).BulkUpdateTasks(ctx, &trackingv1.BulkUpdateTasksRequest{TaskIds: []string{w.tasks[schoolA].GetId()},
							Change: &trackingv1.BulkUpdateTasksRequest_Log{Log: &trackingv1.BulkLogAction{Action: trackingv1.ActionKind_ACTION_KIND_OTHER, Text: "a\x00b"}}})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byKey:    "it names tasks by id",
				byLabels: "the request carries no school or LA: each task's scope is its own record's",
				replay:   "it has no idempotency key: assigning again changes nothing, and a logged action is the caller's to repeat",
			},
		},
		trackingSvc + ".ConfirmCurrency": {
			attacks: []attack{
				{kind: byID, name: "a caseworker confirms another hub's and the neighbouring LA's pupils' activities",
					do: func(ctx context.Context, w *world, _ string) error {
						return currencyRefused(w.tracking(caseworker).ConfirmCurrency(ctx, &trackingv1.ConfirmCurrencyRequest{
							PupilIds: []string{w.pupils[schoolX].GetId(), w.pupils[schoolC].GetId()}, Source: "phone call"}))
					}, want: 0},
				{kind: byID, name: "a caseworker confirms a pupil nobody registered",
					do: func(ctx context.Context, w *world, _ string) error {
						return currencyRefused(w.tracking(caseworker).ConfirmCurrency(ctx, &trackingv1.ConfirmCurrencyRequest{
							PupilIds: []string{uuid.NewString()}, Source: "phone call"}))
					}, want: 0},
				{kind: malformed, name: "one pupil twice, in two spellings",
					do: func(ctx context.Context, w *world, _ string) error {
						id := w.pupils[schoolA].GetId()
						_, err := w.tracking(caseworker).ConfirmCurrency(ctx, &trackingv1.ConfirmCurrencyRequest{
							PupilIds: []string{id, strings.ToUpper(id)}, Source: "phone call"})
						return err
					}, want: connect.CodeInvalidArgument},
				{kind: malformed, name: "a source with a zero-width space",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(caseworker).ConfirmCurrency(ctx, &trackingv1.ConfirmCurrencyRequest{
							PupilIds: []string{w.pupils[schoolA].GetId()}, Source: "phone\u200bcall"})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byKey:    "it names pupils by id; UPNs never leave the pupil service",
				byLabels: "the request carries no school or LA: each pupil's scope is where the pupil service says they are on roll",
				replay:   "it has no idempotency key: confirming again only moves the date ascertained on",
			},
		},
		trackingSvc + ".SyncInterventions": {
			attacks: []attack{
				{kind: byID, name: "a hub admin forces another hub's cohort",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(admin).SyncInterventions(ctx, &trackingv1.SyncInterventionsRequest{CohortKey: w.cohorts[schoolX],
							SchoolUrn: schoolX, LaCode: "201", PassToken: w.passes[schoolX] + 1, Force: true})
						return err
					}, want: connect.CodeNotFound},
				{kind: byLabels, name: "a hub admin relabels another hub's cohort with a school of theirs",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(admin).SyncInterventions(ctx, &trackingv1.SyncInterventionsRequest{CohortKey: w.cohorts[schoolX],
							SchoolUrn: schoolA, LaCode: "336", PassToken: w.passes[schoolX] + 1, Force: true})
						return err
					}, want: connect.CodeNotFound},
				{kind: byLabels, name: "the reconciler's sync naming another school for a cohort",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(service).SyncInterventions(ctx, &trackingv1.SyncInterventionsRequest{CohortKey: w.cohorts[schoolA],
							SchoolUrn: schoolB, LaCode: "336", PassToken: w.passes[schoolA] + 1})
						return err
					}, want: connect.CodeFailedPrecondition, reason: refusalv1.Reason_REASON_COHORT_MISMATCH},
				{kind: byID, name: "a hub admin forces a task for another hub's pupil into their cohort",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(admin).SyncInterventions(ctx, &trackingv1.SyncInterventionsRequest{CohortKey: w.cohorts[schoolA],
							SchoolUrn: schoolA, LaCode: "336", PassToken: w.passes[schoolA] + 1, Force: true,
							Desired: []*trackingv1.DesiredIntervention{{PupilId: w.pupils[schoolX].GetId(), ReasonCode: "BEHIND_TRAJECTORY",
								Priority: trackingv1.Priority_PRIORITY_NORMAL, DueDate: soon(), Summary: "x"}}})
						return err
					}, want: connect.CodeNotFound},
				{kind: malformed, name: "a hub admin's pass token far ahead, which would fence the reconciler out",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(admin).SyncInterventions(ctx, &trackingv1.SyncInterventionsRequest{CohortKey: w.cohorts[schoolA],
							SchoolUrn: schoolA, LaCode: "336", PassToken: 1<<63 - 1, Force: true})
						return err
					}, want: connect.CodeFailedPrecondition, reason: refusalv1.Reason_REASON_PASS_TOKEN_AHEAD},
				{kind: malformed, name: "a due date in 9999",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(service).SyncInterventions(ctx, &trackingv1.SyncInterventionsRequest{CohortKey: w.cohorts[schoolA],
							SchoolUrn: schoolA, LaCode: "336", PassToken: w.passes[schoolA] + 1,
							Desired: []*trackingv1.DesiredIntervention{{PupilId: w.pupils[schoolA].GetId(), ReasonCode: "BEHIND_TRAJECTORY",
								Priority: trackingv1.Priority_PRIORITY_NORMAL, DueDate: "9999-01-01", Summary: "x"}}})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byKey:  "a cohort is named by its key, tried above by id",
				replay: "it has no idempotency key: the pass token fences it (an older pass is refused, and a hub admin's may be one ahead at most, tried above)",
			},
		},
		trackingSvc + ".UpdateTask": {
			attacks: []attack{
				{kind: byID, name: "a caseworker assigns another hub's task",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(caseworker).UpdateTask(ctx, assign(w.tasks[schoolX]))
						return err
					}, want: connect.CodeNotFound},
				{kind: byID, name: "a caseworker assigns a neighbouring LA's task",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(caseworker).UpdateTask(ctx, assign(w.tasks[schoolC]))
						return err
					}, want: connect.CodeNotFound},
				{kind: malformed, name: "a snooze until 9999",
					do: func(ctx context.Context, w *world, _ string) error {
						t := w.tasks[schoolA]
						_, err := w.tracking(caseworker).UpdateTask(ctx, &trackingv1.UpdateTaskRequest{TaskId: t.GetId(), Version: t.GetVersion(),
							Change: &trackingv1.UpdateTaskRequest_Dismiss_{Dismiss: &trackingv1.UpdateTaskRequest_Dismiss{Reason: "moved away", SnoozeUntil: "9999-01-01"}}})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byKey:    "tasks have no natural key",
				byLabels: "the request names the task only; its scope is the cohort's, fixed by the reconciler's first sync",
				replay:   "it has no idempotency key: the version it carries refuses a stale update",
			},
		},
		trackingSvc + ".AddTaskNote": {
			attacks: []attack{
				{kind: byID, name: "a caseworker notes on another hub's task",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(caseworker).AddTaskNote(ctx, &trackingv1.AddTaskNoteRequest{TaskId: w.tasks[schoolX].GetId(), Text: "seen"})
						return err
					}, want: connect.CodeNotFound},
				{kind: malformed, name: "a note with a NUL byte",
					do: func(ctx context.Context, w *world, _ string) error {
						_, err := w.tracking(caseworker).AddTaskNote(ctx, &trackingv1.AddTaskNoteRequest{TaskId: w.tasks[schoolA].GetId(), Text: "seen\x00"})
						return err
					}, want: connect.CodeInvalidArgument},
			},
			notApplicable: map[kind]string{
				byKey:    "tasks have no natural key",
				byLabels: "the request names the task only",
				replay:   "notes are appended; it has no idempotency key",
			},
		},
	}
}

// newOpportunity is a copy of the world's opportunity, ready to create.
func (w *world) newOpportunity() *placementv1.Opportunity {
	o := cloneOf(w.opportunity)
	o.Id, o.Version, o.Booked = "", 0, 0
	return o
}

func destinationRequest(pupil, date string) *trackingv1.RecordDestinationRequest {
	return &trackingv1.RecordDestinationRequest{IdempotencyKey: uuid.NewString(), Destination: &trackingv1.Destination{
		PupilId: pupil, Kind: trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, ActivityCode: "230", EffectiveDate: date, Source: "phone call",
	}}
}

func assign(t *trackingv1.Task) *trackingv1.UpdateTaskRequest {
	return &trackingv1.UpdateTaskRequest{TaskId: t.GetId(), Version: t.GetVersion(),
		Change: &trackingv1.UpdateTaskRequest_Assign_{Assign: &trackingv1.UpdateTaskRequest_Assign{Assignee: "caseworker"}}}
}

// currencyRefused checks that a ConfirmCurrency answer confirmed nothing
// and reported every pupil not found; it returns nil if so.
func currencyRefused(res *trackingv1.ConfirmCurrencyResponse, err error) error {
	if err != nil {
		return err
	}
	for _, o := range res.GetOutcomes() {
		if o.GetResult() != trackingv1.CurrencyResult_CURRENCY_RESULT_NOT_FOUND {
			return fmt.Errorf("%w: %v", errNotRefused, o)
		}
	}
	if res.GetConfirmed() != 0 {
		return fmt.Errorf("%w: %d confirmed", errNotRefused, res.GetConfirmed())
	}
	return nil
}

// bulkRefused checks that a BulkUpdateTasks answer updated nothing and
// reported every task not found; it returns nil if so.
func bulkRefused(res *trackingv1.BulkUpdateTasksResponse, err error) error {
	if err != nil {
		return err
	}
	for _, o := range res.GetOutcomes() {
		if o.GetResult() != trackingv1.BulkTaskResult_BULK_TASK_RESULT_NOT_FOUND {
			return fmt.Errorf("%w: %v", errNotRefused, o)
		}
	}
	if res.GetUpdated() != 0 {
		return fmt.Errorf("%w: %d updated", errNotRefused, res.GetUpdated())
	}
	return nil
}
