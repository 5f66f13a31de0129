// Package enrolment tells placement and tracking where a pupil is on roll:
// their school and its local authority, as the pupil service holds them.
// Those two services decide the scope of every write that names a pupil
// from it, never from labels in the caller's request.
//
// Every write asks once, in one batched call (LocatePupils), and nothing is
// cached: writes come at the pace of people and registers, so the lookup
// costs one round trip per call, and a pupil who moves school is in the new
// school's scope, and out of the old one's, at once. If the pupil service
// cannot answer, the write is refused as Unavailable, never let through.
package enrolment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"

	geov1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/geo/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

// Enrolment is where a pupil is on roll, and where they live.
type Enrolment struct {
	SchoolURN string
	// LACode is the school's local authority.
	LACode string
	// ResidenceLACode is the local authority the young person lives in,
	// empty until the pupil service has it recorded.
	ResidenceLACode string
}

// CaseloadLA is the local authority whose tracking caseload the young
// person is in: where they live (NCCIS counts residents, wherever they
// study), or their school's until a residence is recorded.
func (e Enrolment) CaseloadLA() string {
	if e.ResidenceLACode != "" {
		return e.ResidenceLACode
	}
	return e.LACode
}

// School is a school as the pupil service holds it.
type School struct {
	URN    string
	LACode string
	Open   bool
	// Location is where it is, nil when not known.
	Location *geov1.Point
}

// ErrNoSchool is returned by School for a URN the pupil service does not
// know.
var ErrNoSchool = errors.New("no such school")

// Directory answers where pupils are on roll.
type Directory interface {
	// Locate returns the enrolment of each of ids the pupil service knows;
	// an unknown id is absent from the map.
	Locate(ctx context.Context, ids []string) (map[string]Enrolment, error)
	// School returns the school with urn, or ErrNoSchool.
	School(ctx context.Context, urn string) (School, error)
	// Residents returns the young people of academic age minAge to maxAge
	// in the academic year ("2025/26"), each with their caseload LA: those
	// of every LA, or of laCode alone when it is not empty.
	Residents(ctx context.Context, academicYear, laCode string, minAge, maxAge int) ([]Resident, error)
	// Cohort returns the members of a school's year group in the academic
	// year ("2025/26"), with their risk factors and score: no names.
	Cohort(ctx context.Context, schoolURN string, yearGroup int32, academicYear string) ([]*pupilv1.CohortMember, error)
}

// Resident is a young person as the measures count them: an id, the LA
// whose caseload they are in, and their academic age.
type Resident struct {
	PupilID     string
	LACode      string
	AcademicAge int
}

// maxBatch is LocatePupils' limit on ids per call.
const maxBatch = 10_000

// Client is a Directory over the pupil service's Connect API, calling as
// the service itself.
type Client struct {
	pupil pupilv1connect.PupilServiceClient
}

// NewClient returns a Directory calling the pupil service at url with the
// bearer token token gives, over gRPC (unencrypted HTTP/2, as the services
// serve it; TLS is terminated in front of them).
func NewClient(url string, token credentials.TokenSource) *Client {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	p.SetHTTP2(true)
	hc := &http.Client{Transport: &http.Transport{Protocols: p}, Timeout: 30 * time.Second}
	return &Client{pupil: pupilv1connect.NewPupilServiceClient(hc, url, credentials.ClientOptions(token)...)}
}

// Locate implements Directory.
func (c *Client) Locate(ctx context.Context, ids []string) (map[string]Enrolment, error) {
	out := make(map[string]Enrolment, len(ids))
	for start := 0; start < len(ids); start += maxBatch {
		batch := ids[start:min(start+maxBatch, len(ids))]
		res, err := c.pupil.LocatePupils(ctx, &pupilv1.LocatePupilsRequest{PupilIds: batch})
		if err != nil {
			return nil, fmt.Errorf("locate pupils: %w", err)
		}
		for _, l := range res.GetLocations() {
			out[l.GetPupilId()] = Enrolment{SchoolURN: l.GetSchoolUrn(), LACode: l.GetLaCode(), ResidenceLACode: l.GetResidenceLaCode()}
		}
	}
	return out, nil
}

// School implements Directory.
func (c *Client) School(ctx context.Context, urn string) (School, error) {
	res, err := c.pupil.GetSchool(ctx, &pupilv1.GetSchoolRequest{Urn: urn})
	if connect.CodeOf(err) == connect.CodeNotFound {
		return School{}, ErrNoSchool
	}
	if err != nil {
		return School{}, fmt.Errorf("get school: %w", err)
	}
	s := res.GetSchool()
	return School{URN: s.GetUrn(), LACode: s.GetLaCode(), Open: s.GetOpen(), Location: s.GetLocation()}, nil
}

// Residents implements Directory, reading the pupil service's stream to
// its end: a list that stops early is an error, never a short cohort.
func (c *Client) Residents(ctx context.Context, academicYear, laCode string, minAge, maxAge int) ([]Resident, error) {
	stream, err := c.pupil.GetResidents(ctx, &pupilv1.GetResidentsRequest{
		AcademicYear: academicYear, MinAcademicAge: int32(minAge), MaxAcademicAge: int32(maxAge), LaCode: laCode,
	})
	if err != nil {
		return nil, fmt.Errorf("get residents: %w", err)
	}
	defer func() { _ = stream.Close() }() // the stream is read to its end or abandoned
	var out []Resident
	complete := false
	for stream.Receive() {
		for _, r := range stream.Msg().GetResidents() {
			out = append(out, Resident{PupilID: r.GetPupilId(), LACode: r.GetLaCode(), AcademicAge: int(r.GetAcademicAge())})
		}
		complete = stream.Msg().GetComplete()
	}
	if err := stream.Err(); err != nil {
		return nil, fmt.Errorf("get residents: %w", err)
	}
	if !complete {
		return nil, errors.New("get residents: the list ended before it was complete")
	}
	return out, nil
}

// Cohort implements Directory, reading the pupil service's snapshot to its
// end: a snapshot that stops early or counts differently is an error,
// never a short cohort.
func (c *Client) Cohort(ctx context.Context, schoolURN string, yearGroup int32, academicYear string) ([]*pupilv1.CohortMember, error) {
	stream, err := c.pupil.GetCohortSnapshot(ctx, &pupilv1.GetCohortSnapshotRequest{SchoolUrn: schoolURN, YearGroup: yearGroup, AcademicYear: academicYear})
	if err != nil {
		return nil, fmt.Errorf("get cohort snapshot: %w", err)
	}
	defer func() { _ = stream.Close() }() // the stream is read to its end or abandoned
	var out []*pupilv1.CohortMember
	complete := false
	for stream.Receive() {
		out = append(out, stream.Msg().GetMembers()...)
		if stream.Msg().GetComplete() {
			complete = int(stream.Msg().GetTotal()) == len(out)
		}
	}
	if err := stream.Err(); err != nil {
		return nil, fmt.Errorf("get cohort snapshot: %w", err)
	}
	if !complete {
		return nil, errors.New("get cohort snapshot: the snapshot ended before it was complete")
	}
	return out, nil
}

// InScope looks up every pupil of ids and returns their enrolments in the
// same order, or the index of the first pupil who is unknown or outside
// the filter's scope by their school (the two are not told apart, so scope
// cannot be probed), with a nil slice. ids may repeat. It is the scope of
// school business: work experience.
func InScope(ctx context.Context, d Directory, f auth.Scope, ids []string) (enrolments []Enrolment, refused int, err error) {
	return locateAll(ctx, d, ids, func(e Enrolment) bool { return f.Covers(e.SchoolURN, e.LACode) })
}

// InCaseload is InScope for tracking: an LA's scope also covers the young
// people who live in it, wherever they study (auth.Scope.CoversPupil).
func InCaseload(ctx context.Context, d Directory, f auth.Scope, ids []string) (enrolments []Enrolment, refused int, err error) {
	return locateAll(ctx, d, ids, func(e Enrolment) bool { return f.CoversPupil(e.SchoolURN, e.LACode, e.ResidenceLACode) })
}

func locateAll(ctx context.Context, d Directory, ids []string, covers func(Enrolment) bool) (enrolments []Enrolment, refused int, err error) {
	// The pupil service writes ids in lower case; a caller may not.
	lower := make([]string, len(ids))
	for i, id := range ids {
		lower[i] = strings.ToLower(id)
	}
	found, err := d.Locate(ctx, unique(lower))
	if err != nil {
		return nil, -1, err
	}
	enrolments = make([]Enrolment, len(ids))
	for i, id := range lower {
		e, ok := found[id]
		if !ok || !covers(e) {
			return nil, i, nil
		}
		enrolments[i] = e
	}
	return enrolments, -1, nil
}

func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Unavailable logs why the pupil service could not be asked and returns the
// error a write refused for it answers: Unavailable, so the caller retries.
func Unavailable(ctx context.Context, logger *slog.Logger, err error) error {
	logger.ErrorContext(ctx, "pupil service lookup", "error", rpcerror.Loggable(err))
	return rpcerror.New(connect.CodeUnavailable, refusalv1.Reason_REASON_PUPIL_SERVICE_UNAVAILABLE, "the pupil's school cannot be checked now: nothing was changed; try again")
}
