package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	geov1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/geo/v1"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

// The synthetic region: invented schools, pupils, employers and records,
// written through the services' public APIs as a hub admin would. No real
// pupil data anywhere; the random source is seeded, so every run makes the
// same region.

type seedSchool struct {
	urn, name, la string
}

// seedCentres are the towns of the region's two LAs: Wolverhampton (336)
// and Dudley (332).
var seedCentres = map[string]*geov1.Point{
	"336": {Latitude: 52.586, Longitude: -2.129},
	"332": {Latitude: 52.512, Longitude: -2.081},
}

var seedSchools = []seedSchool{
	{"136001", "Oakfield Academy", "336"},
	{"136002", "Heathside School", "336"},
	{"136003", "St Anne's Catholic High School", "336"},
	{"136004", "Canalside Academy", "336"},
	{"132001", "Brierley Park School", "332"},
	{"132002", "Netherton Hill Academy", "332"},
}

// seedCollege is the region's further education college, where some of the
// past Year 11s are on roll in Years 12 and 13 (invented, with a UKPRN in
// the unallocated 1009xxxx range).
var seedCollege = struct {
	seedSchool
	ukprn string
}{seedSchool{"130001", "Black Country College", "336"}, "10099991"}

var (
	forenames = []string{"Amir", "Bethany", "Callum", "Daisy", "Ethan", "Freya", "Gurpreet", "Harvey", "Isla", "Jayden", "Keira", "Liam",
		"Maya", "Noah", "Olivia", "Priya", "Reuben", "Sofia", "Tyler", "Uzma", "Vinny", "Willow", "Yusuf", "Zara"}
	surnames = []string{"Adeyemi", "Bennett", "Chauhan", "Davies", "Evans", "Fletcher", "Grant", "Hussain", "Iqbal", "Jones", "Kaur",
		"Lewis", "Mahmood", "Nowak", "O'Brien", "Patel", "Quinn", "Roberts", "Singh", "Taylor", "Walker", "Young"}
)

type seedEmployer struct {
	name   string
	sector placementv1.Sector
	size   placementv1.SizeBand
}

var seedEmployers = []seedEmployer{
	{"Black Country Biotech", placementv1.Sector_SECTOR_LIFE_SCIENCES, placementv1.SizeBand_SIZE_BAND_SMALL},
	{"Tipton Precision Engineering", placementv1.Sector_SECTOR_ADVANCED_MANUFACTURING, placementv1.SizeBand_SIZE_BAND_MEDIUM},
	{"Pixel Forge Studio", placementv1.Sector_SECTOR_DIGITAL, placementv1.SizeBand_SIZE_BAND_MICRO},
	{"Midland Build Partners", placementv1.Sector_SECTOR_CONSTRUCTION, placementv1.SizeBand_SIZE_BAND_LARGE},
	{"Royal Wolverhampton Care Group", placementv1.Sector_SECTOR_HEALTH_AND_CARE, placementv1.SizeBand_SIZE_BAND_LARGE},
	{"Canal Street Theatre", placementv1.Sector_SECTOR_CREATIVE, placementv1.SizeBand_SIZE_BAND_SMALL},
	{"West Midlands Grid Services", placementv1.Sector_SECTOR_ENERGY, placementv1.SizeBand_SIZE_BAND_LARGE},
	{"Junction 10 Logistics", placementv1.Sector_SECTOR_LOGISTICS, placementv1.SizeBand_SIZE_BAND_MEDIUM},
}

// seedClients are the services' clients, called as the development hub
// admin with its access token.
type seedClients struct {
	pupil     pupilv1connect.PupilServiceClient
	placement placementv1connect.PlacementServiceClient
	tracking  trackingv1connect.TrackingServiceClient
}

func newSeedClients(token string) seedClients {
	opts := connect.WithInterceptors(credentials.NewInterceptor(credentials.StaticToken(token)))
	return seedClients{
		pupil:     pupilv1connect.NewPupilServiceClient(http.DefaultClient, "http://"+pupilAddr, opts),
		placement: placementv1connect.NewPlacementServiceClient(http.DefaultClient, "http://"+placementAddr, opts),
		tracking:  trackingv1connect.NewTrackingServiceClient(http.DefaultClient, "http://"+trackingAddr, opts),
	}
}

// seedPupil is one invented pupil and the school it is at.
type seedPupil struct {
	id, urn, la string
	yearGroup   int // in the current academic year; 12 and 13 for the last two years' leavers
	entryYear   int // the academic year they started Year 7
	target      float64
}

// seed writes the region unless the first school exists already, and
// returns whether it wrote anything.
func seed(ctx context.Context, token string, today time.Time) (bool, error) {
	c := newSeedClients(token)
	_, err := c.pupil.GetSchool(ctx, &pupilv1.GetSchoolRequest{Urn: seedSchools[0].urn})
	if err == nil {
		return false, nil
	}
	if connect.CodeOf(err) != connect.CodeNotFound {
		return false, fmt.Errorf("look for seeded data: %w", err)
	}
	rng := rand.New(rand.NewPCG(2025, 26))
	year := academicyear.Containing(today).Start

	for i, s := range seedSchools {
		// Invented schools, placed round their LA's centre a kilometre or
		// so apart, so that allocation's travel limits have somewhere to
		// measure from.
		centre := seedCentres[s.la]
		at := &geov1.Point{Latitude: centre.GetLatitude() + 0.01*float64(i%3), Longitude: centre.GetLongitude() + 0.012*float64(i%2)}
		if _, err := c.pupil.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
			Urn: s.urn, Name: s.name, LaCode: s.la, Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true, Location: at,
		}}); err != nil {
			return false, fmt.Errorf("create school %s: %w", s.urn, err)
		}
	}
	if _, err := c.pupil.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
		Urn: seedCollege.urn, Name: seedCollege.name, LaCode: seedCollege.la, Phase: pupilv1.Phase_PHASE_SIXTEEN_PLUS, Open: true,
		Ukprn: seedCollege.ukprn, EstablishmentType: "18", // further education
	}}); err != nil {
		return false, fmt.Errorf("create college %s: %w", seedCollege.urn, err)
	}
	pupils, err := seedPupils(ctx, c, rng, year)
	if err != nil {
		return false, err
	}
	fmt.Printf("      %d schools and a college, %d pupils\n", len(seedSchools), len(pupils))
	bookings, err := seedPlacements(ctx, c, rng, year, today, pupils)
	if err != nil {
		return false, err
	}
	fmt.Printf("      %d employers, %d bookings with attendance\n", len(seedEmployers), bookings)
	destinations, err := seedDestinations(ctx, c, rng, year, pupils)
	if err != nil {
		return false, err
	}
	fmt.Printf("      %d post-16 destinations\n", destinations)
	return true, nil
}

func seedPupils(ctx context.Context, c seedClients, rng *rand.Rand, year int) ([]seedPupil, error) {
	var out []seedPupil
	serial := 0
	for si, s := range seedSchools {
		// Years 7 to 11 now, and the last two years' Year 11 (left in
		// July): Years 12 and 13, academic age 16 and 17, the cohort of
		// DfE's NEET and participation measures.
		for yg := 7; yg <= 13; yg++ {
			for i := 0; i < 12; i++ {
				serial++
				entry := year - (yg - 7)
				p, err := newPupil(rng, s, si, serial, entry, yg, year)
				if err != nil {
					return nil, err
				}
				at := s
				if yg >= 12 && i%3 == 0 {
					// On roll at the college since September.
					at = seedCollege.seedSchool
					p.SchoolUrn, p.LeftOn, p.LeavingReason = at.urn, "", pupilv1.LeavingReason_LEAVING_REASON_UNSPECIFIED
					p.JoinedOn = time.Date(year-(yg-12), time.September, 4, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
				}
				res, err := c.pupil.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: p})
				if err != nil {
					return nil, fmt.Errorf("create pupil %d: %w", serial, err)
				}
				// Most pupils keep pace with the trajectory; a tail falls behind.
				target := 0.55 + rng.Float64()*0.7
				if rng.Float64() < 0.2 {
					target = rng.Float64() * 0.4
				}
				// One year group has fallen well behind (Year 10 at
				// Canalside Academy): a cohort-wide gap, as a hub sees one,
				// and what make e2e's mass-closure check closes at once.
				if s.urn == "136004" && yg == 10 && i < 10 {
					target = rng.Float64() * 0.3
				}
				out = append(out, seedPupil{id: res.GetPupil().GetId(), urn: at.urn, la: at.la, yearGroup: yg, entryYear: entry, target: target})
			}
		}
	}
	return out, nil
}

func newPupil(rng *rand.Rand, s seedSchool, si, serial, entry, yg, year int) (*pupilv1.Pupil, error) {
	// Born in the year that puts them in Year 7 in September of entry.
	born := time.Date(entry-12, time.September, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(365))
	rest := fmt.Sprintf("%s%04d%02d%03d", s.la, 4000+si, entry%100, serial%1000)
	code := string(upn.CheckLetter(rest)) + rest
	if p := upn.Validate(code); p != nil {
		return nil, fmt.Errorf("generated UPN is invalid: %w", p)
	}
	asAt := time.Date(year, time.October, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	if yg >= 12 {
		asAt = time.Date(year-(yg-12), time.June, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	attendance := 96 - rng.ExpFloat64()*4
	if attendance < 55 {
		attendance = 55
	}
	// Risk factors cluster: a few pupils in every school carry several
	// (persistently absent, suspended, on free school meals, with SEN), so
	// the region has pupils in each risk band, as a real one does.
	chance := func(usual, _ float64) bool { return rng.Float64() < usual }
	if rng.Float64() < 0.07 {
		attendance = 75 + rng.Float64()*14
		chance = func(_, vulnerable float64) bool { return rng.Float64() < vulnerable }
	}
	p := &pupilv1.Pupil{
		Upn:           code,
		LegalForename: forenames[rng.IntN(len(forenames))],
		LegalSurname:  surnames[rng.IntN(len(surnames))],
		DateOfBirth:   born.Format(time.DateOnly),
		SchoolUrn:     s.urn,
		JoinedOn:      time.Date(entry, time.September, 3, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
		RiskFactors: &pupilv1.RiskFactors{
			Attendance:                &pupilv1.AttendanceFactor{Percent: float64(int(attendance*10)) / 10, AsAt: asAt},
			FreeSchoolMeals:           &pupilv1.FlagFactor{Value: chance(0.25, 0.7), AsAt: asAt},
			EnglishAdditionalLanguage: &pupilv1.FlagFactor{Value: rng.Float64() < 0.15, AsAt: asAt},
			YoungCarer:                &pupilv1.FlagFactor{Value: chance(0.03, 0.1), AsAt: asAt},
			Suspensions:               &pupilv1.CountFactor{Count: int32(boolInt(chance(0.06, 0.5)) * (1 + rng.IntN(3))), AsAt: asAt},
			PermanentExclusions:       &pupilv1.CountFactor{Count: int32(boolInt(chance(0, 0.1))), AsAt: asAt},
			SchoolMoves:               &pupilv1.CountFactor{Count: int32(boolInt(chance(0.1, 0.3)) * (1 + rng.IntN(2))), AsAt: asAt},
			Sen:                       &pupilv1.SENFactor{Status: senStatus(rng, chance(0, 1)), AsAt: asAt},
			LookedAfter:               &pupilv1.CareFactor{Status: careStatus(rng, chance(0, 1)), AsAt: asAt},
		},
	}
	if yg >= 12 {
		// A past Year 11, who left after their exams.
		p.LeftOn = time.Date(year-(yg-12), time.July, 17, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		p.LeavingReason = pupilv1.LeavingReason_LEAVING_REASON_END_OF_COMPULSORY_SCHOOLING
	}
	// Most live in their school's LA; some come from a neighbouring one
	// (educated out of area: their home LA tracks them) and a few moved
	// there last spring.
	switch r := rng.Float64(); {
	case r < 0.12:
		p.ResidenceLaCode = neighbour(s.la)
	case r < 0.15:
		p.ResidenceLaCode = neighbour(s.la)
		p.ResidentSince = time.Date(year, time.April, 20, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	default:
		p.ResidenceLaCode = s.la
	}
	return p, nil
}

// neighbour is an LA next to la in the region: Wolverhampton (336),
// Dudley (332) and Sandwell (333) border one another.
func neighbour(la string) string {
	switch la {
	case "336":
		return "332"
	case "332":
		return "333"
	}
	return "336"
}

// senStatus draws a pupil's SEN provision, five times as often for a
// vulnerable pupil.
func senStatus(rng *rand.Rand, vulnerable bool) pupilv1.SENStatus {
	r := rng.Float64()
	if vulnerable {
		r /= 5
	}
	switch {
	case r < 0.03:
		return pupilv1.SENStatus_SEN_STATUS_EHC_PLAN
	case r < 0.15:
		return pupilv1.SENStatus_SEN_STATUS_SEN_SUPPORT
	}
	return pupilv1.SENStatus_SEN_STATUS_NONE
}

// careStatus draws whether a pupil is or was looked after, eight times as
// often for a vulnerable pupil.
func careStatus(rng *rand.Rand, vulnerable bool) pupilv1.CareStatus {
	r := rng.Float64()
	if vulnerable {
		r /= 8
	}
	switch {
	case r < 0.01:
		return pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER
	case r < 0.02:
		return pupilv1.CareStatus_CARE_STATUS_EVER_LOOKED_AFTER
	}
	return pupilv1.CareStatus_CARE_STATUS_NONE
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// seedOpportunity is an experience offered in one academic year.
type seedOpportunity struct {
	id   string
	days []string
}

// seedPlacements offers experiences in every academic year from the oldest
// pupils' Year 7 to today, books each pupil onto enough of them to reach
// their share of the trajectory, and records the attendance.
func seedPlacements(ctx context.Context, c seedClients, rng *rand.Rand, year int, today time.Time, pupils []seedPupil) (int, error) {
	var employerIDs []string
	for _, e := range seedEmployers {
		res, err := c.placement.CreateEmployer(ctx, &placementv1.CreateEmployerRequest{
			IdempotencyKey: uuid.NewString(),
			Employer:       &placementv1.Employer{Name: e.name, Sector: e.sector, SizeBand: e.size, Cornerstone: e.size == placementv1.SizeBand_SIZE_BAND_LARGE},
		})
		if err != nil {
			return 0, fmt.Errorf("create employer: %w", err)
		}
		employerIDs = append(employerIDs, res.GetEmployer().GetId())
	}
	if err := seedScarcePlaces(ctx, c, today, employerIDs); err != nil {
		return 0, err
	}
	// Per academic year: a week's placement in February, a two-day job
	// shadow in October, a half-day virtual experience in November, and a
	// careers talk (an encounter: it credits nothing).
	byYear := map[int][]seedOpportunity{}
	for y := year - 5; y <= year; y++ {
		plans := []struct {
			title string
			kind  placementv1.Kind
			start time.Time
			days  int
			half  bool
		}{
			{"Job shadowing", placementv1.Kind_KIND_JOB_SHADOWING, time.Date(y, time.October, 13, 0, 0, 0, 0, time.UTC), 2, false},
			{"Virtual experience", placementv1.Kind_KIND_VIRTUAL_EXPERIENCE, time.Date(y, time.November, 3, 0, 0, 0, 0, time.UTC), 1, true},
			{"Work experience week", placementv1.Kind_KIND_PLACEMENT, time.Date(y+1, time.February, 2, 0, 0, 0, 0, time.UTC), 5, false},
			{"Careers talk", placementv1.Kind_KIND_TALK, time.Date(y, time.November, 20, 0, 0, 0, 0, time.UTC), 1, true},
		}
		for i, p := range plans {
			var days []*placementv1.OpportunityDay
			var dates []string
			date := weekday(p.start)
			for d := 0; d < p.days; d, date = d+1, weekday(date.AddDate(0, 0, 1)) {
				if !date.Before(today) {
					break
				}
				session := placementv1.Session_SESSION_FULL_DAY
				if p.half {
					session = placementv1.Session_SESSION_HALF_DAY
				}
				days = append(days, &placementv1.OpportunityDay{Date: date.Format(time.DateOnly), Session: session})
				dates = append(dates, date.Format(time.DateOnly))
			}
			if len(days) == 0 {
				continue
			}
			res, err := c.placement.CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{
				IdempotencyKey: uuid.NewString(),
				Opportunity: &placementv1.Opportunity{
					EmployerId: employerIDs[(y+i)%len(employerIDs)], Title: p.title, Kind: p.kind, Days: days,
					Capacity: 1000, YearGroups: []int32{7, 8, 9, 10, 11}, Location: location(p.kind), Virtual: p.kind == placementv1.Kind_KIND_VIRTUAL_EXPERIENCE,
				},
			})
			if err != nil {
				return 0, fmt.Errorf("create opportunity: %w", err)
			}
			if p.kind != placementv1.Kind_KIND_TALK {
				byYear[y] = append(byYear[y], seedOpportunity{id: res.GetOpportunity().GetId(), days: dates})
			}
		}
	}

	// Each opportunity's class is booked in one call, as a school would.
	var records []*placementv1.AttendanceRecord
	bookings := 0
	// Years in order: the random source is drawn from in a fixed order, so
	// every run makes the same region (a map's order is random).
	for _, y := range slices.Sorted(maps.Keys(byYear)) {
		for _, o := range byYear[y] {
			var places []*placementv1.PupilPlace
			target := map[string]float64{}
			for _, p := range pupils {
				if y < p.entryYear || y > p.entryYear+4 || rng.Float64() > p.target {
					continue
				}
				places = append(places, &placementv1.PupilPlace{PupilId: p.id})
				target[p.id] = p.target
			}
			if len(places) == 0 {
				continue
			}
			res, err := c.placement.BookPlaces(ctx, &placementv1.BookPlacesRequest{IdempotencyKey: uuid.NewString(), OpportunityId: o.id, Pupils: places})
			if err != nil {
				return 0, fmt.Errorf("book places: %w", err)
			}
			for _, b := range res.GetBookings() {
				bookings++
				for _, d := range o.days {
					mark := placementv1.Mark_MARK_FULL_DAY
					if rng.Float64() > target[b.GetPupilId()]+0.2 {
						mark = placementv1.Mark_MARK_ABSENT
					}
					records = append(records, &placementv1.AttendanceRecord{BookingId: b.GetId(), Date: d, Mark: mark})
				}
			}
		}
	}
	for len(records) > 0 {
		n := min(len(records), 5000)
		if _, err := c.placement.RecordAttendance(ctx, &placementv1.RecordAttendanceRequest{Records: records[:n]}); err != nil {
			return 0, fmt.Errorf("record attendance: %w", err)
		}
		records = records[n:]
	}
	return bookings, nil
}

func location(k placementv1.Kind) string {
	if k == placementv1.Kind_KIND_VIRTUAL_EXPERIENCE {
		return ""
	}
	return "Wolverhampton"
}

// weekday moves a Saturday or Sunday to the Monday after.
func weekday(t time.Time) time.Time {
	switch t.Weekday() {
	case time.Saturday:
		return t.AddDate(0, 0, 2)
	case time.Sunday:
		return t.AddDate(0, 0, 1)
	}
	return t
}

// seedDestinations records the last two years' leavers' confirmed
// activities (most in education, employment or training, some NEET, some
// not yet known, some lapsed past their review date) and this year's Year
// 11 intentions, with codes from tracking's own table.
func seedDestinations(ctx context.Context, c seedClients, rng *rand.Rand, year int, pupils []seedPupil) (int, error) {
	codes, err := c.tracking.ListActivityCodes(ctx, &trackingv1.ListActivityCodesRequest{})
	if err != nil {
		return 0, fmt.Errorf("list activity codes: %w", err)
	}
	byGroup := map[trackingv1.ActivityGroup][]string{}
	for _, code := range codes.GetCodes() {
		byGroup[code.GetGroup()] = append(byGroup[code.GetGroup()], code.GetCode())
	}
	pick := func(g trackingv1.ActivityGroup) (string, error) {
		list := byGroup[g]
		if len(list) == 0 {
			return "", errors.New("tracking's code table has no code in group " + g.String())
		}
		return list[rng.IntN(len(list))], nil
	}
	n := 0
	for _, p := range pupils {
		var kind trackingv1.DestinationKind
		var group trackingv1.ActivityGroup
		var month time.Month
		reviewOn := ""
		switch r := rng.Float64(); {
		case p.yearGroup == 13 && r < 0.12:
			// Confirmed, but due for review in October and not confirmed
			// since: lapsed, so not known until someone checks.
			kind, group, month = trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, trackingv1.ActivityGroup_ACTIVITY_GROUP_EDUCATION, time.September
			reviewOn = time.Date(year, time.October, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		case p.yearGroup == 13 && r < 0.75:
			kind, group, month = trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, trackingv1.ActivityGroup_ACTIVITY_GROUP_EDUCATION, time.September
		case p.yearGroup == 13 && r < 0.85:
			kind, group, month = trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, trackingv1.ActivityGroup_ACTIVITY_GROUP_TRAINING, time.September
		case p.yearGroup == 13 && r < 0.9:
			kind, group, month = trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, trackingv1.ActivityGroup_ACTIVITY_GROUP_NEET, time.October
		case p.yearGroup == 12 && r < 0.7:
			kind, group, month = trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, trackingv1.ActivityGroup_ACTIVITY_GROUP_EDUCATION, time.September
		case p.yearGroup == 12 && r < 0.8:
			kind, group, month = trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, trackingv1.ActivityGroup_ACTIVITY_GROUP_EMPLOYMENT, time.September
		case p.yearGroup == 12 && r < 0.86:
			kind, group, month = trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, trackingv1.ActivityGroup_ACTIVITY_GROUP_NEET, time.October
		case p.yearGroup == 11 && r < 0.5:
			kind, group, month = trackingv1.DestinationKind_DESTINATION_KIND_INTENDED, trackingv1.ActivityGroup_ACTIVITY_GROUP_EDUCATION, time.October
		default:
			continue
		}
		date := time.Date(year, month, 8, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		code, err := pick(group)
		if err != nil {
			return 0, err
		}
		if _, err := c.tracking.RecordDestination(ctx, &trackingv1.RecordDestinationRequest{
			IdempotencyKey: uuid.NewString(),
			Destination: &trackingv1.Destination{PupilId: p.id, Kind: kind, ActivityCode: code, EffectiveDate: date,
				Source: "seeded example", ReviewOn: reviewOn},
		}); err != nil {
			return 0, fmt.Errorf("record destination: %w", err)
		}
		n++
	}
	return n, nil
}
