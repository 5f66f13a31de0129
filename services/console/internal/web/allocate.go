package web

// Allocating scarce places: a person chooses a school's year group and the
// opportunities whose free places to share out, reviews the placement
// service's proposal (who, where and why), declines what should not happen
// (those places go to the next in line) and books the rest. The proposal
// is the placement service's (ProposeAllocation); the booking is its
// booking path (ConfirmAllocation). What the person chose is kept in the
// session between the pages, never in a URL.

import (
	"encoding/gob"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
)

const (
	// allocationKey is where the session keeps the allocation in hand.
	allocationKey = "allocation"
	// maxAllocationOpportunities is how many opportunities the choice
	// lists: those open to the year group with a day from today.
	maxAllocationOpportunities = 100
)

// allocation is what the person chose: the cohort, the opportunities and
// the places declined so far ("pupil:opportunity").
type allocation struct {
	School        string
	YearGroup     int32
	Opportunities []string
	Declined      []string
}

func init() { gob.Register(allocation{}) }

// allocateChoice is the first page: the cohort and the opportunities.
type allocateChoice struct {
	School        string
	YearGroup     int32
	YearGroups    []int32
	Opportunities []choiceOpportunity
	// Listed says the cohort was chosen and its opportunities listed.
	Listed bool
}

// choiceOpportunity is an opportunity the person may choose.
type choiceOpportunity struct {
	ID, Title      string
	Free, Capacity int32
	Chosen         bool
}

// proposalRow is one proposed place as the review page shows it.
type proposalRow struct {
	PupilID, Name, OpportunityID, Title, Reason string
	Priority                                    int32
}

type proposalPage struct {
	Allocation allocation
	Rows       []proposalRow
	Unplaced   []proposalRow
	FreePlaces int32
	AsOf       string
	// Key makes booking the proposal twice (a double click) book once.
	Key string
}

type allocateResult struct {
	Booked  []proposalRow
	Refused []proposalRow // Reason holds why
}

// allocate shows the choice of cohort and opportunities.
func (a *App) allocate(w http.ResponseWriter, r *http.Request) {
	if !a.canActOr404(w, r) {
		return
	}
	u := userFrom(r)
	c := allocateChoice{School: strings.TrimSpace(r.URL.Query().Get("school")), YearGroups: []int32{7, 8, 9, 10, 11, 12, 13}}
	if c.School == "" && u.Scope.SchoolURN != "" {
		c.School = u.Scope.SchoolURN
	}
	var errs []fieldError
	if y := r.URL.Query().Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 7 || n > 13 {
			errs = append(errs, fieldError{"year", "Select a year group from 7 to 13"})
		} else {
			c.YearGroup = int32(n)
		}
	}
	if c.School != "" && !urnPattern.MatchString(c.School) {
		errs = append(errs, fieldError{"school", "Enter a school URN of 6 digits, like 136001"})
	}
	if len(errs) == 0 {
		errs = outsideScope(u.Scope, "", c.School)
	}
	if len(errs) > 0 {
		a.render(w, r, http.StatusBadRequest, "allocate", page{Title: "Allocate places", Nav: "allocate", Errors: errs, Data: c})
		return
	}
	if c.School != "" && c.YearGroup != 0 {
		res, err := a.placement.ListOpportunities(r.Context(), &placementv1.ListOpportunitiesRequest{
			YearGroup: c.YearGroup, From: a.now().In(london).Format(time.DateOnly), PageSize: maxAllocationOpportunities,
		})
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		var chosen []string
		if prev, ok := a.sessions.manager.Get(r.Context(), allocationKey).(allocation); ok && prev.School == c.School && prev.YearGroup == c.YearGroup {
			chosen = prev.Opportunities
		}
		for _, o := range res.GetOpportunities() {
			if o.GetBooked() < o.GetCapacity() {
				c.Opportunities = append(c.Opportunities, choiceOpportunity{
					ID: o.GetId(), Title: o.GetTitle(), Free: o.GetCapacity() - o.GetBooked(), Capacity: o.GetCapacity(),
					Chosen: slices.Contains(chosen, o.GetId()),
				})
			}
		}
		c.Listed = true
	}
	a.render(w, r, http.StatusOK, "allocate", page{Title: "Allocate places", Nav: "allocate", Data: c})
}

// chooseOpportunities keeps the choice in the session and shows the
// proposal.
func (a *App) chooseOpportunities(w http.ResponseWriter, r *http.Request) {
	if !a.canActOr404(w, r) {
		return
	}
	form := r.PostForm
	year, err := strconv.Atoi(form.Get("year"))
	school := form.Get("school")
	if err != nil || year < 7 || year > 13 || !urnPattern.MatchString(school) {
		http.Redirect(w, r, "/allocate", http.StatusSeeOther)
		return
	}
	back := "/allocate?school=" + school + "&year=" + strconv.Itoa(year)
	var chosen []string
	for _, id := range form["opportunity"] {
		if uuidPattern.MatchString(id) && !slices.Contains(chosen, id) {
			chosen = append(chosen, id)
		}
	}
	if len(chosen) == 0 {
		a.notice(r, "Select at least one opportunity whose places to allocate.")
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	a.sessions.manager.Put(r.Context(), allocationKey, allocation{School: school, YearGroup: int32(year), Opportunities: chosen})
	http.Redirect(w, r, "/allocate/proposal", http.StatusSeeOther)
}

// proposal shows the placement service's proposal for the allocation in
// hand, with the pupils' names (from the cohort's list, one call).
func (a *App) proposal(w http.ResponseWriter, r *http.Request) {
	if !a.canActOr404(w, r) {
		return
	}
	al, ok := a.sessions.manager.Get(r.Context(), allocationKey).(allocation)
	if !ok {
		http.Redirect(w, r, "/allocate", http.StatusSeeOther)
		return
	}
	req := &placementv1.ProposeAllocationRequest{
		Cohorts:        []*placementv1.CohortRef{{SchoolUrn: al.School, YearGroup: al.YearGroup}},
		OpportunityIds: al.Opportunities,
	}
	for _, d := range al.Declined {
		pupil, opp, _ := strings.Cut(d, ":")
		req.Declined = append(req.Declined, &placementv1.PlacementRef{PupilId: pupil, OpportunityId: opp})
	}
	res, err := a.placement.ProposeAllocation(r.Context(), req)
	switch {
	case isNotFound(err):
		// The school or an opportunity is gone from the person's reach.
		a.sessions.manager.Remove(r.Context(), allocationKey)
		a.notice(r, "The school or one of the opportunities could not be found: choose again.")
		http.Redirect(w, r, "/allocate", http.StatusSeeOther)
		return
	case err != nil:
		a.serverError(w, r, err)
		return
	}
	names, titles, err := a.allocationNames(r, al)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	p := proposalPage{Allocation: al, FreePlaces: res.GetFreePlaces(), AsOf: res.GetAsOf(), Key: newUUID()}
	for _, pl := range res.GetPlaces() {
		p.Rows = append(p.Rows, proposalRow{
			PupilID: pl.GetPupilId(), Name: names[pl.GetPupilId()], OpportunityID: pl.GetOpportunityId(),
			Title: titles[pl.GetOpportunityId()], Reason: pl.GetReason(), Priority: pl.GetPriority(),
		})
	}
	for _, id := range res.GetUnplaced() {
		p.Unplaced = append(p.Unplaced, proposalRow{PupilID: id, Name: names[id]})
	}
	a.render(w, r, http.StatusOK, "allocate-proposal", page{Title: "Proposed places", Nav: "allocate", Data: p})
}

// allocationNames returns the names of the cohort's pupils and the titles
// of the chosen opportunities, for the review.
func (a *App) allocationNames(r *http.Request, al allocation) (names, titles map[string]string, err error) {
	names, titles = map[string]string{}, map[string]string{}
	year := academicyear.Containing(a.now().In(london)).String()
	token := ""
	for {
		res, err := a.pupils.ListCohortPupils(r.Context(), &pupilv1.ListCohortPupilsRequest{
			SchoolUrn: al.School, YearGroup: al.YearGroup, AcademicYear: year, PageSize: 500, PageToken: token,
		})
		if err != nil {
			return nil, nil, err
		}
		for _, p := range res.GetPupils() {
			names[p.GetId()] = displayName(p)
		}
		if token = res.GetNextPageToken(); token == "" {
			break
		}
	}
	for _, id := range al.Opportunities {
		res, err := a.placement.GetOpportunity(r.Context(), &placementv1.GetOpportunityRequest{Id: id})
		if err != nil {
			return nil, nil, err
		}
		titles[id] = res.GetOpportunity().GetTitle()
	}
	return names, titles, nil
}

// decide declines the ticked places and shows the proposal again, or books
// the places shown.
func (a *App) decide(w http.ResponseWriter, r *http.Request) {
	if !a.canActOr404(w, r) {
		return
	}
	al, ok := a.sessions.manager.Get(r.Context(), allocationKey).(allocation)
	if !ok {
		http.Redirect(w, r, "/allocate", http.StatusSeeOther)
		return
	}
	form := r.PostForm
	var places, declined []string
	for _, p := range form["place"] {
		if validPlace(p) {
			places = append(places, p)
		}
	}
	for _, p := range form["decline"] {
		if validPlace(p) && slices.Contains(places, p) {
			declined = append(declined, p)
		}
	}
	if form.Get("action") == "decline" {
		if len(declined) == 0 {
			a.notice(r, "Nothing was declined: tick the places that should not go ahead.")
		} else {
			al.Declined = append(al.Declined, declined...)
			a.sessions.manager.Put(r.Context(), allocationKey, al)
			a.flash(r, plural(len(declined), "place")+" declined: each goes to the next in line where someone can take it.")
		}
		http.Redirect(w, r, "/allocate/proposal", http.StatusSeeOther)
		return
	}
	key := form.Get("key")
	if !uuidPattern.MatchString(key) || len(places) == 0 {
		a.notice(r, "Nothing was booked: the proposal had expired. Check it and book again.")
		http.Redirect(w, r, "/allocate/proposal", http.StatusSeeOther)
		return
	}
	req := &placementv1.ConfirmAllocationRequest{IdempotencyKey: key}
	for _, p := range places {
		if slices.Contains(declined, p) {
			continue
		}
		pupil, opp, _ := strings.Cut(p, ":")
		req.Places = append(req.Places, &placementv1.PlacementRef{PupilId: pupil, OpportunityId: opp})
	}
	if len(req.Places) == 0 {
		a.notice(r, "Nothing was booked: every place was ticked to decline.")
		http.Redirect(w, r, "/allocate/proposal", http.StatusSeeOther)
		return
	}
	res, err := a.placement.ConfirmAllocation(r.Context(), req)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	names, titles, err := a.allocationNames(r, al)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	var out allocateResult
	for _, p := range res.GetPlaces() {
		row := proposalRow{PupilID: p.GetPupilId(), Name: names[p.GetPupilId()], OpportunityID: p.GetOpportunityId(), Title: titles[p.GetOpportunityId()]}
		if p.GetRefusal() == refusalv1.Reason_REASON_UNSPECIFIED {
			out.Booked = append(out.Booked, row)
			continue
		}
		row.Reason = refusalText[p.GetRefusal()]
		if row.Reason == "" {
			row.Reason = p.GetMessage()
		}
		out.Refused = append(out.Refused, row)
	}
	a.sessions.manager.Remove(r.Context(), allocationKey)
	a.render(w, r, http.StatusOK, "allocate-result", page{Title: "Places booked", Nav: "allocate", Data: out})
}

// refusalText says, for the person, why a place was not booked.
var refusalText = map[refusalv1.Reason]string{
	refusalv1.Reason_REASON_OPPORTUNITY_FULL: "The opportunity filled up after the proposal was made.",
	refusalv1.Reason_REASON_ALREADY_BOOKED:   "They already have a place on this opportunity.",
	refusalv1.Reason_REASON_NOT_ELIGIBLE:     "They were booked on something else on the same dates after the proposal was made.",
	refusalv1.Reason_REASON_NOT_FOUND:        "They are no longer on a roll in your area.",
}

// validPlace reports whether s is "pupil id:opportunity id".
func validPlace(s string) bool {
	pupil, opp, ok := strings.Cut(s, ":")
	return ok && uuidPattern.MatchString(pupil) && uuidPattern.MatchString(opp)
}
