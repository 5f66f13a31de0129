package trackingapi

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"time"

	"connectrpc.com/connect"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/calendar"
	"github.com/nextstep-uk/nextstep/services/kit/csvexport"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/measures"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/nccis"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
)

// The measured academic ages: DfE's NEET and participation measures count
// 16 and 17 year olds; the Activity Survey, 16 (Year 11 leavers).
const (
	minMeasuredAge = 16
	maxMeasuredAge = 17
)

// GetMeasures implements TrackingService.
func (s *Server) GetMeasures(ctx context.Context, req *trackingv1.GetMeasuresRequest) (*trackingv1.GetMeasuresResponse, error) {
	return s.measures(ctx, req.GetAcademicYear(), req.GetLaCode())
}

// measures computes the measures of the academic year (the current one
// when empty) for the LAs in the caller's scope, or for la alone.
func (s *Server) measures(ctx context.Context, academicYear, la string) (*trackingv1.GetMeasuresResponse, error) {
	scope := auth.Caller(ctx).Scope
	if la != "" && !scope.CoversLA(la) {
		return nil, rpcerror.New(connect.CodePermissionDenied, refusalv1.Reason_REASON_OUT_OF_SCOPE, "la_code is outside your scope")
	}
	today := s.today()
	year := academicyear.Containing(today)
	if academicYear != "" {
		var err error
		if year, err = academicyear.Parse(academicYear); err != nil {
			return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "academic_year", RuleID: "academic_year.valid", Message: err.Error()})
		}
	}
	residents, err := s.pupils.Residents(ctx, year.String(), la, minMeasuredAge, maxMeasuredAge)
	if err != nil {
		return nil, enrolment.Unavailable(ctx, s.logger, err)
	}
	covered := func(code string) bool {
		return (la == "" || code == la) && scope.CoversLA(code)
	}
	people := make([]measures.Person, 0, len(residents))
	for _, r := range residents {
		if covered(r.LACode) {
			people = append(people, measures.Person{ID: r.PupilID, LACode: r.LACode, AcademicAge: r.AcademicAge})
		}
	}
	if err := s.addActivities(ctx, people); err != nil {
		return nil, err
	}
	return s.measuresOf(people, year, today), nil
}

// addActivities gives each person their confirmed activities. An activity
// counts from the later of the day it began and the day it was recorded:
// the measures as at a day are what the records said on that day, so a
// record made in January does not change December's figures.
func (s *Server) addActivities(ctx context.Context, people []measures.Person) error {
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	confirmed, err := store.MeasureActivities(ctx, s.pool, ids)
	if err != nil {
		return rpcerror.Internal(ctx, s.logger, "measure activities", err)
	}
	for i := range people {
		for _, c := range confirmed[people[i].ID] {
			code, _ := nccis.Lookup(c.Code)
			recorded := calendar.Today(c.RecordedAt)
			people[i].Activities = append(people[i].Activities, measures.Activity{
				Code:      c.Code,
				Effective: later(c.EffectiveDate, recorded),
				LapsesOn:  s.currency.LapsesOn(code.Group, recorded, c.ReviewOn),
			})
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// measuresOf is the response for people in year, computed as at today:
// each dated measure only once its day has come.
func (s *Server) measuresOf(people []measures.Person, year academicyear.Year, today time.Time) *trackingv1.GetMeasuresResponse {
	current := measures.At(people, today)
	dates := measures.HeadlineDates(year.Start)
	var monthly [4]map[string]measures.Counts
	for i, d := range dates {
		if !d.After(today) {
			monthly[i] = measures.At(people, d)
		}
	}
	var survey map[string]measures.Survey
	surveyDay := measures.SurveyDate(year.Start)
	if !surveyDay.After(today) {
		survey = measures.ActivitySurvey(people, year.Start)
	}
	res := &trackingv1.GetMeasuresResponse{AcademicYear: year.String(), AsAt: today.Format(time.DateOnly)}
	for _, la := range sortedKeys(current) {
		a := &trackingv1.AuthorityMeasures{LaCode: la, Current: countsToMeasure(current[la], today)}
		// A month not yet come is a nil map, whose counts are zero: the
		// headline averages the months with a cohort.
		at := func(i int) measures.Counts { return monthly[i][la] }
		h := measures.Headline{December: at(0), January: at(1), February: at(2), March: at(3)}
		for i, m := range []**trackingv1.MeasureCounts{&a.December, &a.January, &a.February, &a.March} {
			if monthly[i] != nil {
				*m = countsToMeasure(at(i), dates[i])
			}
		}
		for _, c := range []measures.Counts{h.December, h.January, h.February} {
			if c.Cohort > 0 {
				a.HeadlineMonths++
			}
		}
		a.NeetOrNotKnownShare, a.NeetShare, a.NotKnownShare = h.NEETOrNotKnownShare(), h.NEETShare(), h.NotKnownShare()
		a.ParticipationShare = h.ParticipationShare()
		if survey != nil {
			v := survey[la]
			a.ActivitySurvey = &trackingv1.ActivitySurvey{
				AsAt: surveyDay.Format(time.DateOnly), Education: int32(v.Education), Employment: int32(v.Employment),
				Training: int32(v.Training), Neet: int32(v.NEET), NotKnown: int32(v.NotKnown), Other: int32(v.Other),
			}
		}
		res.Authorities = append(res.Authorities, a)
	}
	return res
}

func countsToMeasure(c measures.Counts, day time.Time) *trackingv1.MeasureCounts {
	return &trackingv1.MeasureCounts{
		AsAt: day.Format(time.DateOnly), Cohort: int32(c.Cohort), Neet: int32(c.NEET), NotKnown: int32(c.NotKnown),
		NeetOrNotKnown: int32(c.NEETOrNotKnown()), Participating: int32(c.Participating),
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// measuresHeader is ExportMeasures' header row (the README documents it).
var measuresHeader = []string{
	"la_code", "academic_year", "as_at",
	"cohort", "neet", "not_known", "neet_or_not_known", "participating",
	"headline_neet_or_not_known_share", "headline_neet_share", "headline_not_known_share", "headline_months",
	"participation_share_march",
	"survey_education", "survey_employment", "survey_training", "survey_neet", "survey_not_known", "survey_other",
}

// ExportMeasures implements TrackingService: GetMeasures as CSV, one row
// per local authority; the survey's cells are empty until 1 November.
func (s *Server) ExportMeasures(ctx context.Context, req *trackingv1.ExportMeasuresRequest, stream *connect.ServerStream[trackingv1.ExportMeasuresResponse]) error {
	res, err := s.measures(ctx, req.GetAcademicYear(), req.GetLaCode())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf)
	n := func(v int32) string { return strconv.Itoa(int(v)) }
	share := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	rows := [][]string{measuresHeader}
	for _, a := range res.GetAuthorities() {
		c, v := a.GetCurrent(), a.GetActivitySurvey()
		row := []string{
			a.GetLaCode(), res.GetAcademicYear(), res.GetAsAt(),
			n(c.GetCohort()), n(c.GetNeet()), n(c.GetNotKnown()), n(c.GetNeetOrNotKnown()), n(c.GetParticipating()),
			share(a.GetNeetOrNotKnownShare()), share(a.GetNeetShare()), share(a.GetNotKnownShare()), n(a.GetHeadlineMonths()),
			share(a.GetParticipationShare()),
		}
		if v != nil {
			row = append(row, n(v.GetEducation()), n(v.GetEmployment()), n(v.GetTraining()), n(v.GetNeet()), n(v.GetNotKnown()), n(v.GetOther()))
		} else {
			row = append(row, "", "", "", "", "", "")
		}
		rows = append(rows, row)
	}
	for _, row := range rows {
		if err := w.Write(row); err != nil {
			return rpcerror.Internal(ctx, s.logger, "export measures", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return rpcerror.Internal(ctx, s.logger, "export measures", err)
	}
	return stream.Send(&trackingv1.ExportMeasuresResponse{Chunk: buf.Bytes()})
}
