package placementapi

// Allocation: who should take scarce places (ProposeAllocation, pure Go in
// package allocation over the records read here) and booking what a person
// confirmed (ConfirmAllocation, through the booking path).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/api/trajectory"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/calendar"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/idempotency"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/placement/internal/allocation"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store"
)

// ProposeAllocation implements PlacementService.
func (s *Server) ProposeAllocation(ctx context.Context, req *placementv1.ProposeAllocationRequest) (*placementv1.ProposeAllocationResponse, error) {
	today := s.today()
	if req.GetAsOf() != "" {
		var err error
		if today, err = parseDate("as_of", req.GetAsOf()); err != nil {
			return nil, err
		}
		if !calendar.Plausible(today, s.today()) {
			return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "as_of", RuleID: "date.range", Message: "value must be from 2000 to two years from today"})
		}
	}
	year := academicyear.Containing(today)
	pupils, err := s.allocationPupils(ctx, req.GetCohorts(), year, today)
	if err != nil {
		return nil, err
	}
	opps, free, err := s.allocationOpportunities(ctx, req.GetOpportunityIds())
	if err != nil {
		return nil, err
	}
	declined := map[string][]string{}
	for _, d := range req.GetDeclined() {
		id := strings.ToLower(d.GetPupilId())
		declined[id] = append(declined[id], strings.ToLower(d.GetOpportunityId()))
	}
	for i := range pupils {
		pupils[i].Declined = declined[pupils[i].ID]
	}
	proposal := allocation.Propose(pupils, opps)
	res := &placementv1.ProposeAllocationResponse{
		FreePlaces: int32(free), Unplaced: proposal.Unplaced,
		AcademicYear: year.String(), AsOf: today.Format(time.DateOnly),
	}
	for _, a := range proposal.Assignments {
		audit.Touch(ctx, "pupil", a.PupilID)
		res.Places = append(res.Places, &placementv1.ProposedPlace{
			PupilId: a.PupilID, OpportunityId: a.OpportunityID, Priority: int32(a.Priority), Reason: a.Reason,
		})
	}
	for _, id := range proposal.Unplaced {
		audit.Touch(ctx, "pupil", id)
	}
	return res, nil
}

// allocationPupils reads the cohorts' pupils on roll today as the
// allocation package needs them: their disadvantages and risk score from
// the pupil service, and from this service's records their days behind the
// guarantee's default pace, the dates they are booked on and the sectors
// they have seen. A cohort's school outside the caller's scope is
// NotFound, as an unknown one is.
func (s *Server) allocationPupils(ctx context.Context, cohorts []*placementv1.CohortRef, year academicyear.Year, today time.Time) ([]allocation.Pupil, error) {
	scope := auth.Caller(ctx).Scope
	var pupils []allocation.Pupil
	seen := map[string]bool{}
	for i, c := range cohorts {
		school, err := s.pupils.School(ctx, c.GetSchoolUrn())
		switch {
		case errors.Is(err, enrolment.ErrNoSchool):
			return nil, rpcerror.New(connect.CodeNotFound, refusalv1.Reason_REASON_NOT_FOUND, "cohort %d: school not found", i+1)
		case err != nil:
			return nil, enrolment.Unavailable(ctx, s.logger, err)
		case !scope.Covers(school.URN, school.LACode):
			return nil, rpcerror.New(connect.CodeNotFound, refusalv1.Reason_REASON_NOT_FOUND, "cohort %d: school not found", i+1)
		}
		members, err := s.pupils.Cohort(ctx, c.GetSchoolUrn(), c.GetYearGroup(), year.String())
		if err != nil {
			return nil, enrolment.Unavailable(ctx, s.logger, err)
		}
		expected := trajectory.Expected(trajectory.Default, c.GetYearGroup(), year, today)
		var at *allocation.Point
		if l := school.Location; l != nil {
			at = &allocation.Point{Lat: l.GetLatitude(), Lon: l.GetLongitude()}
		}
		for _, m := range members {
			if seen[m.GetPupilId()] || !onRoll(m, today) {
				continue
			}
			seen[m.GetPupilId()] = true
			f := m.GetRiskFactors()
			sen, care := f.GetSen().GetStatus(), f.GetLookedAfter().GetStatus()
			pupils = append(pupils, allocation.Pupil{
				ID: m.GetPupilId(), YearGroup: int(m.GetYearGroup()), School: at,
				LookedAfter:     care == pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER || care == pupilv1.CareStatus_CARE_STATUS_EVER_LOOKED_AFTER,
				ChildInNeed:     f.GetChildInNeed().GetValue(),
				SEN:             sen == pupilv1.SENStatus_SEN_STATUS_SEN_SUPPORT || sen == pupilv1.SENStatus_SEN_STATUS_EHC_PLAN,
				FreeSchoolMeals: f.GetFreeSchoolMeals().GetValue(),
				Risk:            int(m.GetRisk().GetScore()),
				// Expected for now; credit is taken off below.
				DaysBehind: float64(expected),
			})
		}
	}
	if len(pupils) == 0 {
		return nil, nil
	}
	ids := make([]string, len(pupils))
	for i, p := range pupils {
		ids[i] = p.ID
	}
	credits, err := store.CreditedDays(ctx, s.pool, auth.Everything(), ids, today, year.FirstDay())
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "credited days", err)
	}
	booked, err := store.PupilsBookedDates(ctx, s.pool, ids)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "booked dates", err)
	}
	for i := range pupils {
		p := &pupils[i]
		p.DaysBehind = max(0, p.DaysBehind-float64(credits[i].HalfDays)) / 2
		for _, b := range booked[p.ID] {
			p.Busy = append(p.Busy, allocation.DateRange{From: b.FirstDay, To: b.LastDay})
			p.SectorsSeen = append(p.SectorsSeen, b.Sector)
		}
	}
	return pupils, nil
}

// onRoll reports whether the cohort member is on the school's roll today.
func onRoll(m *pupilv1.CohortMember, today time.Time) bool {
	left, err := time.Parse(time.DateOnly, m.GetLeftOn())
	return err != nil || left.After(today)
}

// allocationOpportunities reads the opportunities of ids with their free
// places; an unknown one is NotFound, naming its position. Opportunities
// are visible to all staff, so no scope applies.
func (s *Server) allocationOpportunities(ctx context.Context, ids []string) ([]allocation.Opportunity, int, error) {
	lower := make([]string, len(ids))
	for i, id := range ids {
		lower[i] = strings.ToLower(id)
	}
	rows, err := store.AllocationOpportunities(ctx, s.pool, lower)
	if err != nil {
		return nil, 0, rpcerror.Internal(ctx, s.logger, "allocation opportunities", err)
	}
	byID := make(map[string]store.AllocationOpportunity, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	opps := make([]allocation.Opportunity, len(lower))
	free := 0
	for i, id := range lower {
		r, ok := byID[id]
		if !ok {
			return nil, 0, rpcerror.New(connect.CodeNotFound, refusalv1.Reason_REASON_NOT_FOUND, "opportunity %d not found", i+1)
		}
		years := make([]int, len(r.YearGroups))
		for k, y := range r.YearGroups {
			years[k] = int(y)
		}
		opps[i] = allocation.Opportunity{
			ID: r.ID, Capacity: r.Capacity - r.Booked, Dates: allocation.DateRange{From: r.FirstDay, To: r.LastDay},
			Sector: r.Sector, SME: r.SizeBand != "large", YearGroups: years,
		}
		if r.Latitude.Valid && r.Longitude.Valid {
			opps[i].Location = &allocation.Point{Lat: r.Latitude.Float64, Lon: r.Longitude.Float64}
			opps[i].MaxTravelKm = r.MaxTravelKm
		}
		free += r.Capacity - r.Booked
	}
	return opps, free, nil
}

// ConfirmAllocation implements PlacementService.
func (s *Server) ConfirmAllocation(ctx context.Context, req *placementv1.ConfirmAllocationRequest) (*placementv1.ConfirmAllocationResponse, error) {
	places := req.GetPlaces()
	ids := make([]string, len(places))
	first := map[string]int{}
	for i, p := range places {
		ids[i] = strings.ToLower(p.GetPupilId())
		if j, dup := first[ids[i]]; dup {
			return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "places.pupil_id", RuleID: "places.unique",
				Message: fmt.Sprintf("place %d names the pupil of place %d: each pupil once", i+1, j+1)})
		}
		first[ids[i]] = i
	}
	found, err := s.pupils.Locate(ctx, ids)
	if err != nil {
		return nil, enrolment.Unavailable(ctx, s.logger, err)
	}
	// What changed since the proposal is read once, for every place.
	booked, err := store.PupilsBookedDates(ctx, s.pool, ids)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "booked dates", err)
	}
	oppIDs := make([]string, len(places))
	for i, p := range places {
		oppIDs[i] = strings.ToLower(p.GetOpportunityId())
	}
	opps, err := store.AllocationOpportunities(ctx, s.pool, oppIDs)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "allocation opportunities", err)
	}
	dates := make(map[string]allocation.DateRange, len(opps))
	for _, o := range opps {
		dates[o.ID] = allocation.DateRange{From: o.FirstDay, To: o.LastDay}
	}

	scope := auth.Caller(ctx).Scope
	res := &placementv1.ConfirmAllocationResponse{}
	for i := range places {
		out := &placementv1.ConfirmedPlace{PupilId: ids[i], OpportunityId: oppIDs[i]}
		res.Places = append(res.Places, out)
		refuse := func(r refusalv1.Reason, msg string) {
			out.Refusal, out.Message = r, msg
			res.Refused++
		}
		e, ok := found[ids[i]]
		span, exists := dates[oppIDs[i]]
		switch {
		case !ok || !scope.Covers(e.SchoolURN, e.LACode):
			refuse(refusalv1.Reason_REASON_NOT_FOUND, "pupil not found")
			continue
		case !exists:
			refuse(refusalv1.Reason_REASON_NOT_FOUND, "opportunity not found")
			continue
		case clashes(booked[ids[i]], oppIDs[i], span):
			refuse(refusalv1.Reason_REASON_NOT_ELIGIBLE, "the pupil has a booking on overlapping dates now")
			continue
		}
		audit.Touch(ctx, "pupil", ids[i])
		// Each place is a BookPlace of its own, keyed from the request's
		// key and its position, so a retry finds the first call's booking.
		key := store.MemberKey(req.GetIdempotencyKey(), i)
		b, err := store.BookPlace(ctx, s.pool, key, idempotency.Fingerprint(&placementv1.BookPlaceRequest{
			IdempotencyKey: key, OpportunityId: oppIDs[i], PupilId: ids[i],
		}), store.Booking{OpportunityID: oppIDs[i], PupilID: ids[i], SchoolURN: e.SchoolURN, LACode: e.LACode})
		switch {
		case err == nil:
			out.Booking = bookingToProto(b)
			res.Booked++
		case errors.Is(err, store.ErrOpportunityFull):
			refuse(refusalv1.Reason_REASON_OPPORTUNITY_FULL, "every place on the opportunity is booked now")
		case errors.Is(err, store.ErrAlreadyBooked):
			refuse(refusalv1.Reason_REASON_ALREADY_BOOKED, "the pupil already has a place on this opportunity")
		case errors.Is(err, store.ErrKeyReused):
			return nil, s.refusal(ctx, "confirm allocation", "opportunity", err)
		default:
			// Places booked so far stay booked; a retry with the same key
			// books the rest and finds those.
			return nil, rpcerror.Internal(ctx, s.logger, "confirm allocation", err)
		}
	}
	return res, nil
}

// clashes reports whether a pupil booked on bookings is busy during span
// with another opportunity: a booking of the same one is the store's to
// refuse (or, on a retry, to find).
func clashes(bookings []store.BookedDates, opportunityID string, span allocation.DateRange) bool {
	for _, b := range bookings {
		if b.OpportunityID != opportunityID && !b.LastDay.Before(span.From) && !span.To.Before(b.FirstDay) {
			return true
		}
	}
	return false
}
