package web

// A year group's pupils: the list a cohort-level task links to, so the
// people who work it can see whom it stands for. Names are personal data:
// only the roles that see cases get the page, and the pupil service and
// placement decide the scope (a school outside the person's is not found).

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
)

// cohortRow is one pupil of the list.
type cohortRow struct {
	ID, Name              string
	HalfDays, Experiences int32
	Encounters            int32
}

type cohortPage struct {
	School       string
	YearGroup    int32
	AcademicYear string
	Rows         []cohortRow
}

// maxCohortPupils bounds the list: a year group is a few hundred at most.
const maxCohortPupils = 2000

// cohortPupils lists a school's year group with each pupil's days credited
// and encounters this year, fewest days first: those the year group's
// BehindTrajectory task stands for are at the top.
func (a *App) cohortPupils(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	school := strings.TrimSpace(q.Get("school"))
	year, err := strconv.Atoi(q.Get("year"))
	if !urnPattern.MatchString(school) || err != nil || year < 7 || year > 13 {
		a.notFound(w, r)
		return
	}
	if errs := outsideScope(userFrom(r).Scope, "", school); len(errs) > 0 {
		a.notFound(w, r)
		return
	}
	ay := academicyear.Containing(a.now().In(london))
	p := cohortPage{School: school, YearGroup: int32(year), AcademicYear: ay.String()}
	ctx := r.Context()
	token := ""
	for len(p.Rows) < maxCohortPupils {
		res, err := a.pupils.ListCohortPupils(ctx, &pupilv1.ListCohortPupilsRequest{
			SchoolUrn: school, YearGroup: int32(year), AcademicYear: ay.String(), PageSize: 500, PageToken: token,
		})
		if isNotFound(err) {
			a.notFound(w, r)
			return
		}
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		for _, pu := range res.GetPupils() {
			p.Rows = append(p.Rows, cohortRow{ID: pu.GetId(), Name: displayName(pu)})
		}
		if token = res.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(p.Rows) > 0 {
		ids := make([]string, len(p.Rows))
		for i, row := range p.Rows {
			ids[i] = row.ID
		}
		credits, err := a.placement.GetCreditedDays(ctx, &placementv1.GetCreditedDaysRequest{PupilIds: ids})
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		for i, c := range credits.GetCredits() {
			p.Rows[i].HalfDays, p.Rows[i].Experiences, p.Rows[i].Encounters = c.GetHalfDays(), c.GetExperiences(), c.GetEncounters()
		}
		slices.SortStableFunc(p.Rows, func(x, y cohortRow) int { return int(x.HalfDays - y.HalfDays) })
	}
	a.render(w, r, http.StatusOK, "cohort", page{Title: "Year " + strconv.Itoa(year) + " at school " + school, Nav: "overview", Data: p})
}
