package trackingapi

import (
	"context"
	"errors"
	"strings"
	"time"

	"connectrpc.com/connect"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/calendar"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/idempotency"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/currency"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/nccis"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
)

// RecordDestination implements TrackingService.
func (s *Server) RecordDestination(ctx context.Context, req *trackingv1.RecordDestinationRequest) (*trackingv1.RecordDestinationResponse, error) {
	p := auth.Caller(ctx)
	in := req.GetDestination()
	code, ok := nccis.Lookup(in.GetActivityCode())
	if !ok {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "destination.activity_code", RuleID: "nccis.code", Message: "is not a current-activity code in the NCCIS table"})
	}
	effective, err := s.parseDate("destination.effective_date", in.GetEffectiveDate())
	if err != nil {
		return nil, err
	}
	// A retired code still reads in old records, and may be entered for
	// one (an activity effective before it went), never for a new one.
	if !code.InUseOn(effective) {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "destination.activity_code", RuleID: "nccis.retired",
			Message: "was retired on " + code.RetiredOn.Format(time.DateOnly) + ": record what the young person is doing, as for anyone else"})
	}
	if in.GetEarlyLeaver() {
		if err := earlyLeaver(in, code); err != nil {
			return nil, err
		}
	}
	var reviewOn time.Time
	if in.GetReviewOn() != "" {
		if reviewOn, err = s.parseDate("destination.review_on", in.GetReviewOn()); err != nil {
			return nil, err
		}
	}
	// The record's school and local authority are where the pupil is on
	// roll and where they live, as the pupil service says: an LA records
	// the activity of its residents, wherever they study.
	pupilID := strings.ToLower(in.GetPupilId())
	enrolled, refused, err := enrolment.InCaseload(ctx, s.pupils, p.Scope, []string{pupilID})
	switch {
	case err != nil:
		return nil, enrolment.Unavailable(ctx, s.logger, err)
	case refused >= 0:
		return nil, rpcerror.NotFound("pupil")
	}
	d, err := store.InsertDestination(ctx, s.pool, req.GetIdempotencyKey(), idempotency.Fingerprint(req), store.Destination{
		PupilID: pupilID, SchoolURN: enrolled[0].SchoolURN, LACode: enrolled[0].CaseloadLA(), Kind: kindNames[in.GetKind()],
		ActivityCode: in.GetActivityCode(), EffectiveDate: effective, Source: in.GetSource(), RecordedBy: p.Subject,
		ReviewOn: reviewOn, RecordedAt: s.now(), Provider: in.GetProvider(), EarlyLeaver: in.GetEarlyLeaver(),
	})
	if errors.Is(err, store.ErrKeyReused) {
		return nil, rpcerror.New(connect.CodeAlreadyExists, refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED, "idempotency_key was used for a different request: nothing was saved")
	}
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "record destination", err)
	}
	audit.TouchAt(ctx, "pupil", d.PupilID, d.SchoolURN, d.LACode)
	return &trackingv1.RecordDestinationResponse{Destination: s.destinationToProto(d)}, nil
}

// earlyLeaver checks an early-leaver notification: it confirms that the
// young person's activity is not known (the provider no longer has them),
// so it is a confirmed record with a not-known code, and it names the
// provider that sent it.
func earlyLeaver(in *trackingv1.Destination, code nccis.Code) error {
	var vs []rpcerror.Violation
	if in.GetKind() != trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED {
		vs = append(vs, rpcerror.Violation{Field: "destination.kind", RuleID: "early_leaver.confirmed", Message: "must be confirmed for an early-leaver notification"})
	}
	if code.Group != nccis.GroupNotKnown {
		vs = append(vs, rpcerror.Violation{Field: "destination.activity_code", RuleID: "early_leaver.not_known",
			Message: "must be a current-situation-not-known code (810) for an early-leaver notification"})
	}
	if in.GetProvider() == "" {
		vs = append(vs, rpcerror.Violation{Field: "destination.provider", RuleID: "early_leaver.provider", Message: "must name the provider the young person left"})
	}
	if len(vs) > 0 {
		return rpcerror.InvalidArgument(vs...)
	}
	return nil
}

// caseload returns which of ids (in lower case) the scope covers where the young people
// are now, as the pupil service says: by their school, or for an LA by
// where they live, so a mover's whole history is the new LA's to read and
// no longer the old one's. A component acting as itself covers everyone
// without asking.
func (s *Server) caseload(ctx context.Context, scope auth.Scope, ids []string) (map[string]bool, error) {
	seen := make(map[string]bool, len(ids))
	lower := make([]string, 0, len(ids))
	for _, id := range ids {
		// The pupil service writes ids in lower case; a caller may not,
		// and may repeat one.
		id = strings.ToLower(id)
		if _, dup := seen[id]; !dup {
			lower = append(lower, id)
			seen[id] = scope.All
		}
	}
	if scope.All {
		return seen, nil
	}
	found, err := s.pupils.Locate(ctx, lower)
	if err != nil {
		return nil, enrolment.Unavailable(ctx, s.logger, err)
	}
	for id, e := range found {
		seen[id] = scope.CoversPupil(e.SchoolURN, e.LACode, e.ResidenceLACode)
	}
	return seen, nil
}

// ListDestinations implements TrackingService.
func (s *Server) ListDestinations(ctx context.Context, req *trackingv1.ListDestinationsRequest) (*trackingv1.ListDestinationsResponse, error) {
	after, err := decodeCursor[store.DestinationCursor](req.GetPageToken())
	if err != nil {
		return nil, err
	}
	limit := pagetoken.Size(req.GetPageSize(), 100, maxPageSize)
	id := strings.ToLower(req.GetPupilId())
	seen, err := s.caseload(ctx, auth.Caller(ctx).Scope, []string{id})
	if err != nil {
		return nil, err
	}
	if !seen[id] {
		// Out of scope reads as no records, as an unknown pupil does.
		return &trackingv1.ListDestinationsResponse{}, nil
	}
	ds, err := store.ListDestinations(ctx, s.pool, id, auth.Everything(), after, limit+1)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "list destinations", err)
	}
	res := &trackingv1.ListDestinationsResponse{}
	if len(ds) > limit {
		ds = ds[:limit]
		last := ds[limit-1]
		res.NextPageToken = pagetoken.Encode(store.DestinationCursor{RecordedAt: last.RecordedAt, ID: last.ID})
	}
	if len(ds) > 0 {
		// The pupil's newest record says where they are now.
		audit.TouchAt(ctx, "pupil", req.GetPupilId(), ds[0].SchoolURN, ds[0].LACode)
	}
	for _, d := range ds {
		res.Destinations = append(res.Destinations, s.destinationToProto(d))
	}
	return res, nil
}

// GetLatestDestinations implements TrackingService.
func (s *Server) GetLatestDestinations(ctx context.Context, req *trackingv1.GetLatestDestinationsRequest) (*trackingv1.GetLatestDestinationsResponse, error) {
	seen, err := s.caseload(ctx, auth.Caller(ctx).Scope, req.GetPupilIds())
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, id := range req.GetPupilIds() {
		if seen[strings.ToLower(id)] {
			ids = append(ids, id)
		}
	}
	latest, err := store.LatestDestinations(ctx, s.pool, ids, auth.Everything())
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "latest destinations", err)
	}
	// Those now NEET, or whose provider says they left: what did they do
	// before? One more query, for them alone.
	var neet []string
	for id, d := range latest {
		if g, _ := s.standing(d); g.NEET() || d.EarlyLeaver {
			neet = append(neet, id)
		}
	}
	var history map[string][]store.Activity
	if len(neet) > 0 {
		if history, err = store.ConfirmedActivities(ctx, s.pool, neet); err != nil {
			return nil, rpcerror.Internal(ctx, s.logger, "confirmed activities", err)
		}
	}
	res := &trackingv1.GetLatestDestinationsResponse{Destinations: make([]*trackingv1.LatestDestination, 0, len(req.GetPupilIds()))}
	for _, id := range req.GetPupilIds() {
		out := &trackingv1.LatestDestination{PupilId: id}
		if d, ok := latest[id]; ok {
			audit.TouchAt(ctx, "pupil", id, d.SchoolURN, d.LACode)
			out.Destination = s.destinationToProto(d)
			g, lapsed := s.standing(d)
			out.Known, out.Neet, out.Eet, out.Lapsed = g.Known(), g.NEET(), g.EET(), lapsed
			out.Offer = d.Kind == "offer" || g.EET()
			if from, ok := disengagedFrom(d, history[id]); ok && (g.NEET() || d.EarlyLeaver) {
				out.DisengagedOn, out.DisengagedFrom = d.EffectiveDate.Format(time.DateOnly), from
				out.DisengagedEarlyLeaver = d.EarlyLeaver
			}
		}
		res.Destinations = append(res.Destinations, out)
	}
	return res, nil
}

// disengagedFrom is the code of the activity a NEET one (latest) followed,
// when that was education, employment or training: the confirmed activity
// before it (activities newest first; a re-confirmation of latest itself,
// the same code and date, is passed over).
func disengagedFrom(latest store.Destination, activities []store.Activity) (string, bool) {
	for _, a := range activities {
		if !a.EffectiveDate.Before(latest.EffectiveDate) {
			continue
		}
		c, _ := nccis.Lookup(a.Code)
		return a.Code, c.Group.EET()
	}
	return "", false
}

// standing is what d says of the young person today: the code's group when
// d is a confirmed activity that is current, else no group (not known);
// lapsed when it is a confirmed, known activity past its currency. An
// intention or an offer does not tell where the young person is.
func (s *Server) standing(d store.Destination) (g nccis.Group, lapsed bool) {
	if d.Kind != "confirmed" {
		return 0, false
	}
	c, _ := nccis.Lookup(d.ActivityCode)
	if !c.Group.Known() {
		return c.Group, false
	}
	if !currency.Current(s.lapsesOn(d), s.today()) {
		return 0, true
	}
	return c.Group, false
}

// lapsesOn is when d stops being current: its group's period after the day
// it was recorded (ascertained) in England, or its review date if sooner;
// zero for anything but a confirmed activity that can be current.
func (s *Server) lapsesOn(d store.Destination) time.Time {
	if d.Kind != "confirmed" {
		return time.Time{}
	}
	c, _ := nccis.Lookup(d.ActivityCode)
	return s.currency.LapsesOn(c.Group, calendar.Today(d.RecordedAt), d.ReviewOn)
}

// ListActivityCodes implements TrackingService. It offers the codes that
// may be recorded now: not the retired ones.
func (s *Server) ListActivityCodes(context.Context, *trackingv1.ListActivityCodesRequest) (*trackingv1.ListActivityCodesResponse, error) {
	res := &trackingv1.ListActivityCodesResponse{Edition: nccis.Edition}
	for _, c := range nccis.Table {
		if c.Retired() {
			continue
		}
		res.Codes = append(res.Codes, &trackingv1.ActivityCode{Code: c.Code, Description: c.Description, Group: groupToProto[c.Group]})
	}
	return res, nil
}
