package web

// The young person's page: their profile, risk of NEET score and the
// review of their place on the at-risk list, experiences and days
// credited, destinations; with forms to review the risk and to record a
// destination.

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"golang.org/x/sync/errgroup"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/riskscale"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

var (
	activityPattern = regexp.MustCompile(`^[0-9]{3}$`)
	providerPattern = regexp.MustCompile(`^([0-9]{6}|[0-9]{8})$`)
)

// maxExperiences bounds the bookings a page lists (each costs a call for
// its opportunity's title).
const maxExperiences = 50

type pupilData struct {
	ID    string
	Young *young
	Risk  *pupilv1.RiskScore
	// Factors are the score's contributions, in words.
	Factors []factor
	// Band is the score's band on nextstep's default bands.
	Band   string
	Review *pupilv1.RiskReview
	// Credit is the half days and experiences credited so far.
	Credit      *placementv1.PupilCredit
	Experiences []experience
	// MoreExperiences says the list was cut at maxExperiences.
	MoreExperiences bool
	Destinations    []destinationRow
	Activities      []activityGroup
	Edition         string
	// The forms, as typed when shown again with their errors.
	ReviewForm      reviewForm
	DestinationForm destinationForm
}

// experience is one booking on an opportunity, in words.
type experience struct {
	Title, Kind, Dates, Year string
	Credited                 string
	Cancelled                bool
}

// destinationRow is one record of the destination history.
type destinationRow struct {
	Kind, Code, Activity, Effective, Source, Provider, ReviewOn, RecordedBy, RecordedAt string
	// LapsesOn is when a confirmed activity stops being current; Lapsed
	// says that day has come.
	LapsesOn string
	Lapsed   bool
}

// activityGroup is the NCCIS codes of one group, for the picker.
type activityGroup struct {
	Label string
	Codes []*trackingv1.ActivityCode
}

type reviewForm struct {
	Decision, Reason, Day, Month, Year string
}

type destinationForm struct {
	Key, Kind, Code, Source, Provider  string
	Day, Month, Year                   string
	ReviewDay, ReviewMonth, ReviewYear string
}

// loadPupil reads everything the page shows. found is false for a pupil
// that does not exist or is out of scope (the same to the person).
func (a *App) loadPupil(r *http.Request, id string) (data *pupilData, found bool, err error) {
	if !uuidPattern.MatchString(id) {
		return nil, false, nil
	}
	ctx := r.Context()
	res, err := a.pupils.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: id})
	if isNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	p := res.GetPupil()
	data = &pupilData{
		ID:     id,
		Risk:   p.GetRisk(),
		Band:   bandText(riskscale.DefaultBands.Of(p.GetRisk().GetScore())),
		Review: p.GetRiskReview(),
	}
	for _, c := range p.GetRisk().GetContributions() {
		data.Factors = append(data.Factors, factor{Name: factorText(c.GetFactor()), Weight: fmt.Sprint(c.GetWeight()), Evidence: c.GetEvidence()})
	}
	var (
		bookings []*placementv1.Booking
		more     bool
		dests    []*trackingv1.Destination
		codes    *trackingv1.ListActivityCodesResponse
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		data.Young = a.youngPerson(gctx, p)
		return nil
	})
	g.Go(func() error {
		res, err := a.placement.GetCreditedDays(gctx, &placementv1.GetCreditedDaysRequest{PupilIds: []string{id}})
		if err != nil {
			return err
		}
		if c := res.GetCredits(); len(c) == 1 {
			data.Credit = c[0]
		}
		return nil
	})
	g.Go(func() error {
		res, err := a.placement.ListBookings(gctx, &placementv1.ListBookingsRequest{
			Of: &placementv1.ListBookingsRequest_PupilId{PupilId: id}, IncludeCancelled: true, PageSize: maxExperiences,
		})
		if err != nil {
			return err
		}
		bookings, more = res.GetBookings(), res.GetNextPageToken() != ""
		return nil
	})
	g.Go(func() error {
		res, err := a.tracking.ListDestinations(gctx, &trackingv1.ListDestinationsRequest{PupilId: id, PageSize: 100})
		dests = res.GetDestinations()
		return err
	})
	g.Go(func() (err error) {
		codes, err = a.tracking.ListActivityCodes(gctx, &trackingv1.ListActivityCodesRequest{})
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, false, err
	}
	data.MoreExperiences = more
	if data.Experiences, err = a.experiences(r, bookings); err != nil {
		return nil, false, err
	}
	describe := map[string]string{}
	for _, c := range codes.GetCodes() {
		describe[c.GetCode()] = c.GetDescription()
	}
	data.Activities, data.Edition = activityGroups(codes.GetCodes()), codes.GetEdition()
	today := a.now().In(london).Format(time.DateOnly)
	for _, d := range dests {
		row := destinationRow{
			Kind: destinationKindText(d.GetKind()), Code: d.GetActivityCode(), Activity: describe[d.GetActivityCode()],
			Effective: dateText(d.GetEffectiveDate()), Source: d.GetSource(), Provider: d.GetProvider(),
			ReviewOn: dateText(d.GetReviewOn()), RecordedBy: d.GetRecordedBy(), RecordedAt: timeText(d.GetRecordedAt()),
		}
		if on := d.GetLapsesOn(); on != "" {
			row.LapsesOn, row.Lapsed = dateText(on), on <= today
		}
		data.Destinations = append(data.Destinations, row)
	}
	return data, true, nil
}

// experiences turns bookings into rows, with each opportunity's title and
// kind (one call per opportunity, each asked once).
func (a *App) experiences(r *http.Request, bookings []*placementv1.Booking) ([]experience, error) {
	opps := map[string]*placementv1.Opportunity{}
	var out []experience
	for _, b := range bookings {
		o, ok := opps[b.GetOpportunityId()]
		if !ok {
			res, err := a.placement.GetOpportunity(r.Context(), &placementv1.GetOpportunityRequest{Id: b.GetOpportunityId()})
			if err != nil && !isNotFound(err) {
				return nil, err
			}
			o = res.GetOpportunity()
			opps[b.GetOpportunityId()] = o
		}
		e := experience{Title: o.GetTitle(), Kind: kindText(o.GetKind()), Credited: halfDays(fmt.Sprint(b.GetCreditedHalfDays())), Cancelled: b.GetCancelled()}
		if days := o.GetDays(); len(days) > 0 {
			first, last := days[0].GetDate(), days[len(days)-1].GetDate()
			e.Dates = dateText(first)
			if last != first {
				e.Dates += " to " + dateText(last)
			}
			e.Year = academicYearOf(first)
		}
		if e.Title == "" {
			e.Title = "An opportunity you cannot see"
		}
		out = append(out, e)
	}
	return out, nil
}

// pupilPage shows the young person's page.
func (a *App) pupilPage(w http.ResponseWriter, r *http.Request) {
	a.showPupil(w, r, http.StatusOK, nil, nil)
}

// showPupil renders the page as it is now, with errs on its forms and the
// forms as edit fills them.
func (a *App) showPupil(w http.ResponseWriter, r *http.Request, status int, errs []fieldError, edit func(*pupilData)) {
	data, found, err := a.loadPupil(r, r.PathValue("id"))
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !found {
		a.notFound(w, r)
		return
	}
	data.DestinationForm.Key = newUUID()
	if edit != nil {
		edit(data)
	}
	// The title never names the young person.
	a.render(w, r, status, "pupil", page{Title: "Young person", Nav: "queue", Errors: errs, Data: data})
}

// maxReviewReason is the longest reason the pupil service keeps.
const maxReviewReason = 500

// reviewRisk adds the young person to, or suppresses them from, the
// at-risk list, or clears the review in force.
func (a *App) reviewRisk(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	form := r.PostForm
	f := reviewForm{
		Decision: form.Get("decision"), Reason: strings.TrimSpace(form.Get("reason")),
		Day: strings.TrimSpace(form.Get("review-on-day")), Month: strings.TrimSpace(form.Get("review-on-month")), Year: strings.TrimSpace(form.Get("review-on-year")),
	}
	req := &pupilv1.ReviewRiskRequest{PupilId: id}
	done := "The review was cleared: the score alone decides now."
	if form.Get("action") != "clear" {
		var errs []fieldError
		var decision pupilv1.RiskDecision
		switch f.Decision {
		case "add":
			decision = pupilv1.RiskDecision_RISK_DECISION_ADDED
		case "suppress":
			decision = pupilv1.RiskDecision_RISK_DECISION_SUPPRESSED
		default:
			errs = append(errs, fieldError{"decision", "Select whether to add the young person to the list or suppress them from it"})
		}
		switch {
		case f.Reason == "":
			errs = append(errs, fieldError{"reason", "Enter why"})
		case utf8.RuneCountInString(f.Reason) > maxReviewReason:
			errs = append(errs, fieldError{"reason", fmt.Sprintf("Enter no more than %d characters", maxReviewReason)})
		}
		ifEmpty := ""
		if f.Decision == "suppress" {
			ifEmpty = "Enter the date to review the suppression by"
		}
		reviewOn, msg := futureDate("review date", ifEmpty, f.Day, f.Month, f.Year, a.now().In(london))
		if msg != "" {
			errs = append(errs, fieldError{"review-on-day", msg})
		}
		if len(errs) > 0 {
			a.showPupil(w, r, http.StatusBadRequest, errs, func(d *pupilData) { d.ReviewForm = f })
			return
		}
		req.Review = &pupilv1.RiskReview{Decision: decision, Reason: f.Reason, ReviewOn: reviewOn}
		done = "Added to the at-risk list."
		if decision == pupilv1.RiskDecision_RISK_DECISION_SUPPRESSED {
			done = "Suppressed from the at-risk list until " + dateText(reviewOn) + "."
		}
	}
	_, err := a.pupils.ReviewRisk(r.Context(), req)
	switch {
	case err == nil:
		a.flash(r, done)
		http.Redirect(w, r, "/pupils/"+id, http.StatusSeeOther)
	case connect.CodeOf(err) == connect.CodeInvalidArgument && uuidPattern.MatchString(id):
		// A rule only the service knows (the date moved past midnight, say).
		a.showPupil(w, r, http.StatusBadRequest, serviceErrors(err, map[string]fieldError{
			"review.review_on": {"review-on-day", "Enter a review date after today and within a year"},
			"review.reason":    {"reason", "Enter why, in no more than 500 characters"},
		}, fieldError{"decision", "The review could not be saved: check your answers"}), func(d *pupilData) { d.ReviewForm = f })
	case isNotFound(err):
		a.notFound(w, r)
	default:
		a.serverError(w, r, err)
	}
}

// serviceErrors turns a service's InvalidArgument into the form's errors:
// each violated field the form has, by its path; otherwise fallback.
func serviceErrors(err error, byPath map[string]fieldError, fallback fieldError) []fieldError {
	var errs []fieldError
	for _, f := range rpcerror.Fields(err) {
		if e, ok := byPath[f]; ok && !slices.Contains(errs, e) {
			errs = append(errs, e)
		}
	}
	if len(errs) == 0 {
		errs = append(errs, fallback)
	}
	return errs
}

// destinationKinds are the kinds of record, by the form's value.
var destinationKinds = map[string]trackingv1.DestinationKind{
	"intended":  trackingv1.DestinationKind_DESTINATION_KIND_INTENDED,
	"offer":     trackingv1.DestinationKind_DESTINATION_KIND_OFFER,
	"confirmed": trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED,
}

// maxSource is the longest source the tracking service keeps.
const maxSource = 100

// recordDestination adds a destination to the young person's history. The
// form carries an idempotency key made when it was shown, so sending it
// twice (a double click, a retry) records it once.
func (a *App) recordDestination(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	form := r.PostForm
	f := destinationForm{
		Key: form.Get("key"), Kind: form.Get("kind"), Code: form.Get("activity"),
		Source: strings.TrimSpace(form.Get("source")), Provider: strings.TrimSpace(form.Get("provider")),
		Day: strings.TrimSpace(form.Get("effective-day")), Month: strings.TrimSpace(form.Get("effective-month")), Year: strings.TrimSpace(form.Get("effective-year")),
		ReviewDay: strings.TrimSpace(form.Get("dest-review-day")), ReviewMonth: strings.TrimSpace(form.Get("dest-review-month")), ReviewYear: strings.TrimSpace(form.Get("dest-review-year")),
	}
	// The form is shown again as typed, with its key, so sending it again
	// once corrected is still one record; a key that is not one is
	// replaced by the fresh key showPupil made.
	keep := func(d *pupilData) {
		fresh := d.DestinationForm.Key
		d.DestinationForm = f
		if !uuidPattern.MatchString(f.Key) {
			d.DestinationForm.Key = fresh
		}
	}
	var errs []fieldError
	kind, ok := destinationKinds[f.Kind]
	if !ok {
		errs = append(errs, fieldError{"kind", "Select what kind of destination this is"})
	}
	if !activityPattern.MatchString(f.Code) {
		errs = append(errs, fieldError{"activity", "Select the activity"})
	}
	effective, empty, msg := dateInput("date", f.Day, f.Month, f.Year)
	switch {
	case empty:
		errs = append(errs, fieldError{"effective-day", "Enter the date the activity starts or was found to be true"})
	case msg != "":
		errs = append(errs, fieldError{"effective-day", msg})
	}
	reviewOn, _, msg := dateInput("review date", f.ReviewDay, f.ReviewMonth, f.ReviewYear)
	if msg != "" {
		errs = append(errs, fieldError{"dest-review-day", msg})
	}
	switch {
	case f.Source == "":
		errs = append(errs, fieldError{"source", "Enter where the information came from"})
	case utf8.RuneCountInString(f.Source) > maxSource:
		errs = append(errs, fieldError{"source", fmt.Sprintf("Enter no more than %d characters", maxSource)})
	}
	if f.Provider != "" && !providerPattern.MatchString(f.Provider) {
		errs = append(errs, fieldError{"provider", "Enter the provider's URN of 6 digits or UKPRN of 8 digits, like 130001"})
	}
	if !uuidPattern.MatchString(f.Key) {
		// A form from before the page had keys, or one tampered with: show
		// it again with a fresh key rather than record without one.
		errs = append(errs, fieldError{"kind", "The form had expired: check your answers and record the destination again"})
	}
	if len(errs) > 0 {
		a.showPupil(w, r, http.StatusBadRequest, errs, keep)
		return
	}
	d := &trackingv1.Destination{
		PupilId: id, Kind: kind, ActivityCode: f.Code, EffectiveDate: effective.Format(time.DateOnly),
		Source: f.Source, Provider: f.Provider,
	}
	if !reviewOn.IsZero() {
		d.ReviewOn = reviewOn.Format(time.DateOnly)
	}
	_, err := a.tracking.RecordDestination(r.Context(), &trackingv1.RecordDestinationRequest{IdempotencyKey: f.Key, Destination: d})
	switch {
	case err == nil:
		a.flash(r, "Destination recorded.")
		http.Redirect(w, r, "/pupils/"+id, http.StatusSeeOther)
	case connect.CodeOf(err) == connect.CodeInvalidArgument && uuidPattern.MatchString(id):
		a.showPupil(w, r, http.StatusBadRequest, serviceErrors(err, map[string]fieldError{
			"destination.activity_code":  {"activity", "Select the activity from the list"},
			"destination.effective_date": {"effective-day", "The date must be from 2000 to two years from today"},
			"destination.review_on":      {"dest-review-day", "The review date must be from 2000 to two years from today"},
			"destination.source":         {"source", "Enter where the information came from, in no more than 100 characters"},
			"destination.provider":       {"provider", "Enter the provider's URN of 6 digits or UKPRN of 8 digits"},
		}, fieldError{"kind", "The destination could not be recorded: check your answers"}), keep)
	case connect.CodeOf(err) == connect.CodeAlreadyExists:
		// The key was used for a different record: the form was sent,
		// changed and sent again. Nothing was saved; a fresh key lets the
		// person send it as it is now.
		a.showPupil(w, r, http.StatusConflict, []fieldError{{"kind", "This form was already used to record a destination: check the history, then record this one again if you need to"}},
			func(d *pupilData) {
				fresh := d.DestinationForm.Key
				d.DestinationForm = f
				d.DestinationForm.Key = fresh
			})
	case isNotFound(err):
		a.notFound(w, r)
	default:
		a.serverError(w, r, err)
	}
}

// newUUID is a random (version 4) UUID, for idempotency keys.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
