// Package sources reads a cohort's records from the three services and
// syncs its interventions to tracking, in a constant number of calls per
// cohort: one school lookup and one snapshot stream from pupil, one batch
// from placement, one batch and one sync at tracking, beside a revision
// read at each service (Revisions). A pass that finds the revisions as its
// last full pass left them reads only those: three calls.
package sources

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/metrics"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/kit/disadvantage"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

// Error is a failed read or write of one source service.
type Error struct {
	Source string // metrics.SourcePupil, SourcePlacement or SourceTracking
	Op     string
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("%s %s: %v", e.Source, e.Op, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// ErrIncomplete says a snapshot stream ended before its last message.
var ErrIncomplete = errors.New("the snapshot ended before it was complete")

// School is what the operator needs of a school.
type School struct {
	URN, LACode string
	Open        bool
}

// Clients are the three services' Connect clients.
type Clients struct {
	Pupil     pupilv1connect.PupilServiceClient
	Placement placementv1connect.PlacementServiceClient
	Tracking  trackingv1connect.TrackingServiceClient
}

// Config says where the services are and how to call them.
type Config struct {
	PupilURL, PlacementURL, TrackingURL string
	Token                               credentials.TokenSource
	// Timeout bounds each call; 30s if zero.
	Timeout time.Duration
}

// New returns clients for cfg, over gRPC with HTTP/2 (h2c).
func New(cfg Config) *Clients {
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	p.SetHTTP2(true)
	hc := &http.Client{Transport: &http.Transport{Protocols: p}, Timeout: 2 * cfg.Timeout}
	opts := credentials.ClientOptions(cfg.Token)
	return &Clients{
		Pupil:     pupilv1connect.NewPupilServiceClient(hc, cfg.PupilURL, opts...),
		Placement: placementv1connect.NewPlacementServiceClient(hc, cfg.PlacementURL, opts...),
		Tracking:  trackingv1connect.NewTrackingServiceClient(hc, cfg.TrackingURL, opts...),
	}
}

// School returns one school.
func (c *Clients) School(ctx context.Context, urn string) (School, error) {
	res, err := c.Pupil.GetSchool(ctx, &pupilv1.GetSchoolRequest{Urn: urn})
	if err != nil {
		return School{}, &Error{Source: metrics.SourcePupil, Op: "get school", Err: err}
	}
	s := res.GetSchool()
	return School{URN: s.GetUrn(), LACode: s.GetLaCode(), Open: s.GetOpen()}, nil
}

// Schools returns every school the pupil service knows, page by page.
func (c *Clients) Schools(ctx context.Context) ([]School, error) {
	var out []School
	token := ""
	for {
		res, err := c.Pupil.ListSchools(ctx, &pupilv1.ListSchoolsRequest{PageSize: 500, PageToken: token})
		if err != nil {
			return nil, &Error{Source: metrics.SourcePupil, Op: "list schools", Err: err}
		}
		for _, s := range res.GetSchools() {
			out = append(out, School{URN: s.GetUrn(), LACode: s.GetLaCode(), Open: s.GetOpen()})
		}
		if token = res.GetNextPageToken(); token == "" {
			return out, nil
		}
	}
}

// Snapshot reads a cohort's members with their credited days and latest
// destinations. Any failure, or a snapshot stream that ends before its
// final message, is an error: a partial snapshot must never be acted on.
func (c *Clients) Snapshot(ctx context.Context, urn string, yearGroup, ehcPlanToAge int32, year rules.AcademicYear, today time.Time) ([]rules.Member, error) {
	return c.snapshot(ctx, urn, yearGroup, ehcPlanToAge, year, today, "", nil)
}

// Revisions are a cohort's revisions in the three services: counters
// each bumps in the transaction of every write to what a pass reads
// (pupil's GetSchoolRevision, placement's GetPupilsRevision, tracking's
// GetCohortRevision). Read at the same points, equal revisions mean the
// same records; a counter per key, summed, moves with every committed
// write, however late it commits.
type Revisions struct {
	// School is the school's: itself, its pupils past and present.
	School int64
	// Credits sums the members' in placement: bookings and attendance.
	Credits int64
	// Destinations sums the members' in tracking.
	Destinations int64
	// Tasks is the cohort's tasks' in tracking, as the last sync left it.
	Tasks int64
	// LastPassToken is the pass token of the last sync tracking applied
	// to the cohort.
	LastPassToken int64
}

// RevisedSnapshot is Snapshot, with the cohort's revisions (all but Tasks
// and LastPassToken, which the sync settles), each read before the records
// it counts:
// the school's before the members, the members' before their credits and
// destinations. A write the snapshot did not see has moved a revision past
// what it returns.
func (c *Clients) RevisedSnapshot(ctx context.Context, key, urn string, yearGroup, ehcPlanToAge int32, year rules.AcademicYear, today time.Time) ([]rules.Member, Revisions, error) {
	var rev Revisions
	members, err := c.snapshot(ctx, urn, yearGroup, ehcPlanToAge, year, today, key, &rev)
	return members, rev, err
}

// Revisions reads the cohort's revisions now: the school's, and its
// members' (ids, those of its last full pass) in placement and tracking,
// with the cohort's tasks revision. Three small calls, no personal data.
func (c *Clients) Revisions(ctx context.Context, key, urn string, ids []string) (Revisions, error) {
	var rev Revisions
	school, err := c.Pupil.GetSchoolRevision(ctx, &pupilv1.GetSchoolRevisionRequest{SchoolUrn: urn})
	if err != nil {
		return rev, &Error{Source: metrics.SourcePupil, Op: "get school revision", Err: err}
	}
	rev.School = school.GetRevision()
	if err := c.memberRevisions(ctx, key, ids, &rev); err != nil {
		return rev, err
	}
	return rev, nil
}

// memberRevisions reads the members' revisions in placement and tracking,
// and the cohort's tasks revision, into rev.
func (c *Clients) memberRevisions(ctx context.Context, key string, ids []string, rev *Revisions) error {
	if len(ids) > 0 {
		credits, err := c.Placement.GetPupilsRevision(ctx, &placementv1.GetPupilsRevisionRequest{PupilIds: ids})
		if err != nil {
			return &Error{Source: metrics.SourcePlacement, Op: "get pupils revision", Err: err}
		}
		rev.Credits = credits.GetRevision()
	}
	tracked, err := c.Tracking.GetCohortRevision(ctx, &trackingv1.GetCohortRevisionRequest{CohortKey: key, PupilIds: ids})
	if err != nil {
		return &Error{Source: metrics.SourceTracking, Op: "get cohort revision", Err: err}
	}
	rev.Destinations, rev.Tasks, rev.LastPassToken = tracked.GetPupilsRevision(), tracked.GetTasksRevision(), tracked.GetLastPassToken()
	return nil
}

// snapshot reads the snapshot and, when rev is not nil, the revisions
// (RevisedSnapshot).
func (c *Clients) snapshot(ctx context.Context, urn string, yearGroup, ehcPlanToAge int32, year rules.AcademicYear, today time.Time, key string, rev *Revisions) ([]rules.Member, error) {
	if rev != nil {
		school, err := c.Pupil.GetSchoolRevision(ctx, &pupilv1.GetSchoolRevisionRequest{SchoolUrn: urn})
		if err != nil {
			return nil, &Error{Source: metrics.SourcePupil, Op: "get school revision", Err: err}
		}
		rev.School = school.GetRevision()
	}
	members, err := c.members(ctx, urn, yearGroup, ehcPlanToAge, year)
	if err != nil {
		return nil, err
	}
	if len(members) == 0 {
		return nil, nil
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.PupilID
	}
	if rev != nil {
		if err := c.memberRevisions(ctx, key, ids, rev); err != nil {
			return nil, err
		}
		rev.Tasks, rev.LastPassToken = 0, 0 // the sync's answer says
	}
	credits, err := c.Placement.GetCreditedDays(ctx, &placementv1.GetCreditedDaysRequest{
		PupilIds: ids, AsOf: today.Format(time.DateOnly), EncountersFrom: year.FirstDay().Format(time.DateOnly),
	})
	if err != nil {
		return nil, &Error{Source: metrics.SourcePlacement, Op: "get credited days", Err: err}
	}
	dests, err := c.Tracking.GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: ids})
	if err != nil {
		return nil, &Error{Source: metrics.SourceTracking, Op: "get latest destinations", Err: err}
	}
	byID := make(map[string]*rules.Member, len(members))
	for i := range members {
		byID[members[i].PupilID] = &members[i]
	}
	seen := 0
	for _, cr := range credits.GetCredits() {
		if m := byID[cr.GetPupilId()]; m != nil {
			m.HalfDays, m.Experiences, m.Encounters = cr.GetHalfDays(), cr.GetExperiences(), cr.GetEncounters()
			seen++
		}
	}
	if seen != len(members) {
		return nil, &Error{Source: metrics.SourcePlacement, Op: "get credited days", Err: fmt.Errorf("%w: credits for %d of %d pupils", ErrIncomplete, seen, len(members))}
	}
	seen = 0
	for _, d := range dests.GetDestinations() {
		if m := byID[d.GetPupilId()]; m != nil {
			m.DestinationKnown, m.DestinationLapsed, m.HasOffer = d.GetKnown(), d.GetLapsed(), d.GetOffer()
			if on := d.GetDisengagedOn(); on != "" {
				day, err := rules.ParseDate(on)
				if err != nil {
					return nil, &Error{Source: metrics.SourceTracking, Op: "get latest destinations", Err: fmt.Errorf("disengaged_on: %w", err)}
				}
				m.DisengagedOn, m.DisengagedFrom, m.DisengagedEarlyLeaver = day, d.GetDisengagedFrom(), d.GetDisengagedEarlyLeaver()
			}
			seen++
		}
	}
	if seen != len(members) {
		return nil, &Error{Source: metrics.SourceTracking, Op: "get latest destinations", Err: fmt.Errorf("%w: destinations for %d of %d pupils", ErrIncomplete, seen, len(members))}
	}
	return members, nil
}

func (c *Clients) members(ctx context.Context, urn string, yearGroup, ehcPlanToAge int32, year rules.AcademicYear) ([]rules.Member, error) {
	fail := func(err error) error { return &Error{Source: metrics.SourcePupil, Op: "get cohort snapshot", Err: err} }
	req := &pupilv1.GetCohortSnapshotRequest{SchoolUrn: urn, YearGroup: yearGroup, AcademicYear: year.String()}
	if yearGroup == nextstepv1alpha1.PastYear13 {
		req.EhcPlanToAge = ehcPlanToAge
	}
	stream, err := c.Pupil.GetCohortSnapshot(ctx, req)
	if err != nil {
		return nil, fail(err)
	}
	defer func() { _ = stream.Close() }() // the stream is read to its end or abandoned
	var members []rules.Member
	complete := false
	for stream.Receive() {
		msg := stream.Msg()
		for _, m := range msg.GetMembers() {
			member, err := toMember(m)
			if err != nil {
				return nil, fail(err)
			}
			members = append(members, member)
		}
		if msg.GetComplete() {
			if int(msg.GetTotal()) != len(members) {
				return nil, fail(fmt.Errorf("%w: %d members received, %d sent", ErrIncomplete, len(members), msg.GetTotal()))
			}
			complete = true
		}
	}
	if err := stream.Err(); err != nil {
		return nil, fail(err)
	}
	if !complete {
		return nil, fail(ErrIncomplete)
	}
	return members, nil
}

func toMember(m *pupilv1.CohortMember) (rules.Member, error) {
	joined, err := rules.ParseDate(m.GetJoinedOn())
	if err != nil {
		return rules.Member{}, fmt.Errorf("member joined_on: %w", err)
	}
	left, err := rules.ParseDate(m.GetLeftOn())
	if err != nil {
		return rules.Member{}, fmt.Errorf("member left_on: %w", err)
	}
	member := rules.Member{PupilID: m.GetPupilId(), JoinedOn: joined, LeftOn: left, Risk: rules.Risk{Score: m.GetRisk().GetScore(), WeightsVersion: m.GetRisk().GetWeightsVersion()},
		Disadvantaged: disadvantage.Disadvantaged(m.GetRiskFactors()), InCare: disadvantage.InCare(m.GetRiskFactors())}
	for _, c := range m.GetRisk().GetContributions() {
		member.Risk.Factors = append(member.Risk.Factors, rules.RiskFactor{Factor: c.GetFactor(), Weight: c.GetWeight(), Evidence: c.GetEvidence()})
	}
	if r := m.GetRiskReview(); r != nil {
		on, err := rules.ParseDate(r.GetReviewOn())
		if err != nil {
			return rules.Member{}, fmt.Errorf("risk review date: %w", err)
		}
		member.Risk.Review = &rules.RiskReview{Added: r.GetDecision() == pupilv1.RiskDecision_RISK_DECISION_ADDED, Reason: r.GetReason(), ReviewOn: on}
	}
	return member, nil
}

// ErrHeld is returned by Sync when tracking holds a mass closure.
var ErrHeld = errors.New("tracking held the sync as a mass closure")

// ErrStalePass is returned by Sync, inside a *StalePassError, when a newer
// pass has already synced.
var ErrStalePass = errors.New("a newer pass has already synced this cohort")

// StalePassError says which pass tracking last applied to the cohort.
type StalePassError struct {
	// Last is the last pass tracking applied; 0 if it did not say.
	Last int64
	Err  error
}

func (e *StalePassError) Error() string { return fmt.Sprintf("%v: %v", ErrStalePass, e.Err) }
func (e *StalePassError) Unwrap() error { return ErrStalePass }

// Sync sends the cohort's complete desired set of open interventions.
func (c *Clients) Sync(ctx context.Context, req *trackingv1.SyncInterventionsRequest) (*trackingv1.SyncInterventionsResponse, error) {
	res, err := c.Tracking.SyncInterventions(ctx, req)
	if err != nil {
		switch rpcerror.Reason(err) {
		case refusalv1.Reason_REASON_MASS_CLOSURE_HELD:
			return nil, fmt.Errorf("%w: %w", ErrHeld, err)
		case refusalv1.Reason_REASON_STALE_PASS:
			last, _ := strconv.ParseInt(rpcerror.Metadata(err)["last_pass_token"], 10, 64)
			return nil, &StalePassError{Last: last, Err: err}
		}
		return nil, &Error{Source: metrics.SourceTracking, Op: "sync interventions", Err: err}
	}
	return res, nil
}
