package web

// The overview: counts for a hub, a local authority or a school, never a
// young person's data, so every role (an analyst too) may see it.

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/riskscale"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/disadvantage"
)

// maxOverviewSchools bounds the schools the per-school table counts (one
// call each).
const maxOverviewSchools = 50

// overviewFilter is the overview's query: the whole scope, a local
// authority or a school, and the year group of a school's cohort.
type overviewFilter struct {
	LA, School string
	YearGroup  int32
}

func parseOverviewFilter(q url.Values) (overviewFilter, []fieldError) {
	f := overviewFilter{LA: strings.TrimSpace(q.Get("la")), School: strings.TrimSpace(q.Get("school")), YearGroup: 11}
	errs := placeErrors(f.LA, f.School)
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 7 || n > 13 {
			errs = append(errs, fieldError{"year", "Select a year group from 7 to 13"})
		} else {
			f.YearGroup = int32(n)
		}
	}
	return f, errs
}

// schoolCounts is one row of the per-school table.
type schoolCounts struct {
	URN, Name                          string
	Open, Overdue, AtRisk, Destination int32
}

// cohortFigures are a school's year group's figures, counted from the
// pupil, placement and tracking services' answers: no pupil is shown.
type cohortFigures struct {
	Year         string
	OnRoll       int
	Known        int
	KnownPercent string
	// Bands counts the pupils on roll by risk band (default bands).
	Low, Medium, High int
	// Experienced have attended any experience of work (the hub's target
	// is 90% of pupils), TenDays have 10 days credited, and Behind have an
	// open BehindTrajectory intervention: the others are on track for 10
	// days by the end of Year 11, as the reconciler judges them.
	Experienced, TenDays, Behind, OnTrack int
	ExperiencedPercent, OnTrackPercent    string
	// The gap the guarantee's priority should close: disadvantaged pupils
	// (FSM6, SEND, looked after or in need) on roll and those of them with
	// any experience of work, against the rest.
	Disadvantaged, DisadvantagedExperienced                   int
	DisadvantagedExperiencedPercent, OthersExperiencedPercent string
	// Encountered attended a meaningful employer encounter this academic
	// year (Gatsby benchmark 5).
	Encountered        int
	EncounteredPercent string
}

type overviewData struct {
	Filter  overviewFilter
	Counts  *trackingv1.CountTasksResponse
	Schools []schoolCounts
	// MoreSchools says the table stops at maxOverviewSchools.
	MoreSchools bool
	// The experiences of work booked and credited in scope this academic
	// year, and the mix of employers they were with.
	engagementFigures
	AcademicYear string
	Cohort       *cohortFigures
	// CohortOffered says the person may see a school's cohort figures.
	CohortOffered bool
	YearGroups    []int32
	// CSVPath downloads these figures (overview.csv, same filter).
	CSVPath string
}

// engagementFigures count placement GetEngagement's rows: the issue's
// impact measures of the mix of employers, as aggregates.
type engagementFigures struct {
	Bookings int32
	HalfDays int64
	// SMEBookings are with small and medium employers (fewer than 250
	// staff): the guarantee wants employers of every size.
	SMEBookings int32
	// CornerstoneBookings are with the employers the hub has a standing
	// commitment from: their contribution.
	CornerstoneBookings int32
	// GrowthBookings are in the region's growth sectors, when Growth says
	// some are configured (NEXTSTEP_GROWTH_SECTORS).
	GrowthBookings int32
	Growth         bool
	// Sectors are the bookings in each sector with an opportunity this
	// year, in the contract's order.
	Sectors []sectorBookings
}

type sectorBookings struct {
	Sector   placementv1.Sector
	Bookings int32
}

func (e engagementFigures) SMEPercent() string {
	return percent(int(e.SMEBookings), int(e.Bookings))
}

func (e engagementFigures) CornerstonePercent() string {
	return percent(int(e.CornerstoneBookings), int(e.Bookings))
}

// GrowthPercent is empty when no growth sectors are configured.
func (e engagementFigures) GrowthPercent() string {
	if !e.Growth {
		return ""
	}
	return percent(int(e.GrowthBookings), int(e.Bookings))
}

// engagement counts the experiences of work booked and credited in the
// person's scope in the academic year, by the mix of employers.
func (a *App) engagement(ctx context.Context, year academicyear.Year) (engagementFigures, error) {
	res, err := a.placement.GetEngagement(ctx, &placementv1.GetEngagementRequest{
		From: year.FirstDay().Format(time.DateOnly), To: year.LastDay().Format(time.DateOnly),
	})
	if err != nil {
		return engagementFigures{}, err
	}
	e := engagementFigures{Growth: len(a.cfg.GrowthSectors) > 0}
	for _, row := range res.GetEngagement() {
		e.Bookings += row.GetBookings()
		e.HalfDays += row.GetHalfDays()
		e.CornerstoneBookings += row.GetCornerstoneBookings()
		if b := row.GetSizeBand(); b == placementv1.SizeBand_SIZE_BAND_MICRO || b == placementv1.SizeBand_SIZE_BAND_SMALL ||
			b == placementv1.SizeBand_SIZE_BAND_MEDIUM {
			e.SMEBookings += row.GetBookings()
		}
		if slices.Contains(a.cfg.GrowthSectors, row.GetSector()) {
			e.GrowthBookings += row.GetBookings()
		}
		// Rows come ordered by sector, then size band.
		if n := len(e.Sectors); n == 0 || e.Sectors[n-1].Sector != row.GetSector() {
			e.Sectors = append(e.Sectors, sectorBookings{Sector: row.GetSector()})
		}
		e.Sectors[len(e.Sectors)-1].Bookings += row.GetBookings()
	}
	return e, nil
}

// overview shows the intervention tasks, experiences of work and, for a
// school, its cohort's destinations known and risk bands, in the person's
// scope or the part of it the filter names.
func (a *App) overview(w http.ResponseWriter, r *http.Request) {
	if data, ok := a.readOverview(w, r, true); ok {
		a.render(w, r, http.StatusOK, "overview", page{Title: "Overview", Nav: "overview", Data: data})
	}
}

// readOverview reads the figures of the overview's filter (the tasks too
// when withTasks), or renders the overview's errors and returns false.
func (a *App) readOverview(w http.ResponseWriter, r *http.Request, withTasks bool) (overviewData, bool) {
	u := userFrom(r)
	f, errs := parseOverviewFilter(r.URL.Query())
	if len(errs) == 0 {
		errs = outsideScope(u.Scope, f.LA, f.School)
	}
	data := overviewData{Filter: f, CohortOffered: u.CanAct(), YearGroups: []int32{7, 8, 9, 10, 11, 12, 13}, CSVPath: f.csvPath()}
	year := academicyear.Containing(a.now().In(london))
	data.AcademicYear = year.String()
	if len(errs) > 0 {
		a.render(w, r, http.StatusBadRequest, "overview", page{Title: "Overview", Nav: "overview", Errors: errs, Data: data})
		return data, false
	}
	ctx := r.Context()
	g, gctx := errgroup.WithContext(ctx)
	if withTasks {
		g.Go(func() (err error) {
			data.Counts, err = a.tracking.CountTasks(gctx, &trackingv1.CountTasksRequest{LaCode: f.LA, SchoolUrn: f.School})
			return err
		})
		g.Go(func() (err error) {
			data.Schools, data.MoreSchools, err = a.schoolCounts(gctx, f)
			return err
		})
	}
	g.Go(func() (err error) {
		data.engagementFigures, err = a.engagement(gctx, year)
		return err
	})
	if f.School != "" && u.CanAct() {
		g.Go(func() (err error) {
			data.Cohort, err = a.cohortFigures(gctx, f.School, f.YearGroup, year)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		if isNotFound(err) {
			// A school or local authority outside the person's scope.
			errs = append(errs, fieldError{"school", "Enter a school or local authority in your area"})
			a.render(w, r, http.StatusBadRequest, "overview", page{Title: "Overview", Nav: "overview", Errors: errs, Data: overviewData{Filter: f, YearGroups: data.YearGroups}})
			return data, false
		}
		a.serverError(w, r, err)
		return data, false
	}
	return data, true
}

// outsideScope names a filter that asks for a part of the scope the person
// does not have: another school than a careers leader's, a local authority
// outside a hub's. The services would count nothing there; the page says
// so rather than show zeros. (A school in another authority is left to the
// services, which know where it is.)
func outsideScope(scope auth.Scope, la, school string) []fieldError {
	switch {
	case scope.All:
		return nil
	case scope.SchoolURN != "":
		if school != "" && school != scope.SchoolURN {
			return []fieldError{{"school", "Enter your school's URN, " + scope.SchoolURN}}
		}
	case la != "" && !slices.Contains(scope.LACodes, la):
		return []fieldError{{"la", "Enter a local authority in your area, like " + strings.Join(scope.LACodes, " or ")}}
	}
	return nil
}

// schoolCounts counts the tasks of each school in the filter's part of
// the scope, up to maxOverviewSchools of them.
func (a *App) schoolCounts(ctx context.Context, f overviewFilter) ([]schoolCounts, bool, error) {
	var schools []*pupilv1.School
	more := false
	if f.School != "" {
		schools = []*pupilv1.School{{Urn: f.School}}
		if res, err := a.pupils.GetSchool(ctx, &pupilv1.GetSchoolRequest{Urn: f.School}); err == nil {
			schools = []*pupilv1.School{res.GetSchool()}
		}
	} else {
		res, err := a.pupils.ListSchools(ctx, &pupilv1.ListSchoolsRequest{LaCode: f.LA, PageSize: maxOverviewSchools})
		if err != nil {
			return nil, false, err
		}
		schools, more = res.GetSchools(), res.GetNextPageToken() != ""
	}
	rows := make([]schoolCounts, len(schools))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, s := range schools {
		g.Go(func() error {
			res, err := a.tracking.CountTasks(gctx, &trackingv1.CountTasksRequest{SchoolUrn: s.GetUrn()})
			if err != nil {
				return err
			}
			row := schoolCounts{URN: s.GetUrn(), Name: s.GetName(), Open: res.GetOpen(), Overdue: res.GetOverdue()}
			for _, c := range res.GetCounts() {
				switch c.GetReasonCode() {
				case "AT_RISK_OF_NEET":
					row.AtRisk += c.GetOpen()
				case "DESTINATION_UNKNOWN":
					row.Destination += c.GetOpen()
				}
			}
			rows[i] = row
			return nil
		})
	}
	return rows, more, g.Wait()
}

// cohortFigures counts a school's year group: the pupils on roll by risk
// band (pupil GetCohortSnapshot, which carries no names), how many have a
// destination known (tracking GetLatestDestinations) and how many have
// any experience of work and 10 days credited (placement GetCreditedDays).
func (a *App) cohortFigures(ctx context.Context, urn string, yearGroup int32, year academicyear.Year) (*cohortFigures, error) {
	stream, err := a.pupils.GetCohortSnapshot(ctx, &pupilv1.GetCohortSnapshotRequest{SchoolUrn: urn, YearGroup: yearGroup, AcademicYear: year.String()})
	if err != nil {
		return nil, err
	}
	defer func() { _ = stream.Close() }()
	c := &cohortFigures{Year: year.String()}
	var ids []string
	disadvantaged := map[string]bool{}
	for stream.Receive() {
		for _, m := range stream.Msg().GetMembers() {
			if m.GetLeftOn() != "" {
				continue
			}
			ids = append(ids, m.GetPupilId())
			if disadvantage.Disadvantaged(m.GetRiskFactors()) {
				disadvantaged[m.GetPupilId()] = true
				c.Disadvantaged++
			}
			switch riskscale.DefaultBands.Of(m.GetRisk().GetScore()) {
			case riskscale.High:
				c.High++
			case riskscale.Medium:
				c.Medium++
			default:
				c.Low++
			}
		}
	}
	if err := stream.Err(); err != nil {
		return nil, err
	}
	c.OnRoll = len(ids)
	if len(ids) == 0 {
		return c, nil
	}
	latest, err := a.tracking.GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: ids})
	if err != nil {
		return nil, err
	}
	for _, d := range latest.GetDestinations() {
		if d.GetKnown() {
			c.Known++
		}
	}
	c.KnownPercent = percent(c.Known, c.OnRoll)
	credits, err := a.placement.GetCreditedDays(ctx, &placementv1.GetCreditedDaysRequest{PupilIds: ids, EncountersFrom: year.FirstDay().Format(time.DateOnly)})
	if err != nil {
		return nil, err
	}
	for i, cr := range credits.GetCredits() {
		if cr.GetExperiences() > 0 {
			c.Experienced++
			if disadvantaged[ids[i]] {
				c.DisadvantagedExperienced++
			}
		}
		if cr.GetHalfDays() >= 20 {
			c.TenDays++
		}
		if cr.GetEncounters() > 0 {
			c.Encountered++
		}
	}
	c.ExperiencedPercent = percent(c.Experienced, c.OnRoll)
	c.DisadvantagedExperiencedPercent = percent(c.DisadvantagedExperienced, c.Disadvantaged)
	c.OthersExperiencedPercent = percent(c.Experienced-c.DisadvantagedExperienced, c.OnRoll-c.Disadvantaged)
	c.EncounteredPercent = percent(c.Encountered, c.OnRoll)
	if c.Behind, err = a.behind(ctx, urn, yearGroup, ids); err != nil {
		return nil, err
	}
	c.OnTrack = c.OnRoll - c.Behind
	c.OnTrackPercent = percent(c.OnTrack, c.OnRoll)
	return c, nil
}

// behind counts the pupils of ids behind the trajectory, as the
// reconciler judges them: those with an active BehindTrajectory
// intervention at the school, or, while the year group is behind as a
// whole, the pupils its cohort-level intervention says it stands for
// (its evidence; their own interventions are grouped into it).
func (a *App) behind(ctx context.Context, urn string, yearGroup int32, ids []string) (int, error) {
	members := make(map[string]bool, len(ids))
	for _, id := range ids {
		members[id] = true
	}
	n, token := 0, ""
	for {
		res, err := a.tracking.ListTasks(ctx, &trackingv1.ListTasksRequest{SchoolUrn: urn, ReasonCode: "BEHIND_TRAJECTORY", PageSize: 500, PageToken: token})
		if err != nil {
			return 0, err
		}
		for _, t := range res.GetTasks() {
			ev := t.GetEvidence()
			if t.GetPupilId() == "" && ev["year_group"] == strconv.Itoa(int(yearGroup)) {
				if pupils, err := strconv.Atoi(ev["pupils"]); err == nil {
					return pupils, nil
				}
			}
			if members[t.GetPupilId()] {
				n++
			}
		}
		if token = res.GetNextPageToken(); token == "" {
			return n, nil
		}
	}
}

// percent is part of whole as a whole percentage: "83%".
func percent(part, whole int) string {
	return strconv.Itoa(wholePercent(part, whole)) + "%"
}

// wholePercent is part of whole in percent, rounded half up; 0 of none is
// 0.
func wholePercent(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return (part*100 + whole/2) / whole
}
