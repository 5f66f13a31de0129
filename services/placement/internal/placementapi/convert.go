package placementapi

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"google.golang.org/protobuf/types/known/timestamppb"

	geov1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/geo/v1"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
	"github.com/nextstep-uk/nextstep/services/placement/internal/schedule"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store"
)

// The contract's enums and the values stored for them. The .proto rules
// refuse unspecified and unknown values before these are consulted.
var (
	sectors = map[placementv1.Sector]string{
		placementv1.Sector_SECTOR_LIFE_SCIENCES:                     "life_sciences",
		placementv1.Sector_SECTOR_ADVANCED_MANUFACTURING:            "advanced_manufacturing",
		placementv1.Sector_SECTOR_DIGITAL:                           "digital",
		placementv1.Sector_SECTOR_CONSTRUCTION:                      "construction",
		placementv1.Sector_SECTOR_HEALTH_AND_CARE:                   "health_and_care",
		placementv1.Sector_SECTOR_CREATIVE:                          "creative",
		placementv1.Sector_SECTOR_ENERGY:                            "energy",
		placementv1.Sector_SECTOR_LOGISTICS:                         "logistics",
		placementv1.Sector_SECTOR_PUBLIC_SERVICES:                   "public_services",
		placementv1.Sector_SECTOR_RETAIL_AND_HOSPITALITY:            "retail_and_hospitality",
		placementv1.Sector_SECTOR_FINANCE_AND_PROFESSIONAL_SERVICES: "finance_and_professional_services",
		placementv1.Sector_SECTOR_OTHER:                             "other",
	}
	sizeBands = map[placementv1.SizeBand]string{
		placementv1.SizeBand_SIZE_BAND_MICRO:  "micro",
		placementv1.SizeBand_SIZE_BAND_SMALL:  "small",
		placementv1.SizeBand_SIZE_BAND_MEDIUM: "medium",
		placementv1.SizeBand_SIZE_BAND_LARGE:  "large",
	}
	kinds = map[placementv1.Kind]credit.Kind{
		placementv1.Kind_KIND_PLACEMENT:          credit.Placement,
		placementv1.Kind_KIND_WORKPLACE_VISIT:    credit.WorkplaceVisit,
		placementv1.Kind_KIND_JOB_SHADOWING:      credit.JobShadowing,
		placementv1.Kind_KIND_VIRTUAL_EXPERIENCE: credit.VirtualExperience,
		placementv1.Kind_KIND_TALK:               credit.Talk,
		placementv1.Kind_KIND_CAREERS_FAIR:       credit.CareersFair,
		placementv1.Kind_KIND_MENTORING:          credit.Mentoring,
	}
	sessions = map[placementv1.Session]credit.Session{
		placementv1.Session_SESSION_FULL_DAY: credit.FullDaySession,
		placementv1.Session_SESSION_HALF_DAY: credit.HalfDaySession,
	}
	marks = map[placementv1.Mark]credit.Mark{
		placementv1.Mark_MARK_FULL_DAY: credit.FullDay,
		placementv1.Mark_MARK_HALF_DAY: credit.HalfDay,
		placementv1.Mark_MARK_ABSENT:   credit.Absent,
	}
)

// reverse looks a stored value up in one of the maps above.
func reverse[K comparable, V comparable](m map[K]V, v V) K {
	for k, mv := range m {
		if mv == v {
			return k
		}
	}
	var zero K
	return zero
}

func employerFromProto(e *placementv1.Employer) store.Employer {
	return store.Employer{
		ID:                   e.GetId(),
		Name:                 e.GetName(),
		CompaniesHouseNumber: e.GetCompaniesHouseNumber(),
		Sector:               sectors[e.GetSector()],
		SizeBand:             sizeBands[e.GetSizeBand()],
		Cornerstone:          e.GetCornerstone(),
		ContactName:          e.GetContact().GetName(),
		ContactEmail:         e.GetContact().GetEmail(),
		ContactPhone:         e.GetContact().GetPhone(),
		Version:              e.GetVersion(),
	}
}

func employerToProto(e store.Employer) *placementv1.Employer {
	return &placementv1.Employer{
		Id:                   e.ID,
		Name:                 e.Name,
		CompaniesHouseNumber: e.CompaniesHouseNumber,
		Sector:               reverse(sectors, e.Sector),
		SizeBand:             reverse(sizeBands, e.SizeBand),
		Cornerstone:          e.Cornerstone,
		Contact:              &placementv1.Contact{Name: e.ContactName, Email: e.ContactEmail, Phone: e.ContactPhone},
		Version:              e.Version,
	}
}

// opportunityPlan is the part of an opportunity the schedule package checks.
func opportunityPlan(o *placementv1.Opportunity, today time.Time) schedule.Plan {
	p := schedule.Plan{Location: o.GetLocation(), Virtual: o.GetVirtual(), Today: today}
	for _, d := range o.GetDays() {
		p.Dates = append(p.Dates, d.GetDate())
		p.Sessions = append(p.Sessions, sessions[d.GetSession()])
	}
	return p
}

func opportunityFromProto(o *placementv1.Opportunity, days []schedule.Day) store.Opportunity {
	out := store.Opportunity{
		ID:          o.GetId(),
		EmployerID:  o.GetEmployerId(),
		Title:       o.GetTitle(),
		Kind:        kinds[o.GetKind()],
		Days:        days,
		Capacity:    o.GetCapacity(),
		YearGroups:  o.GetYearGroups(),
		Sectors:     []string{},
		Location:    o.GetLocation(),
		Virtual:     o.GetVirtual(),
		Version:     o.GetVersion(),
		MaxTravelKm: o.GetMaxTravelKm(),
	}
	if p := o.GetPoint(); p != nil {
		out.Latitude = pgtype.Float8{Float64: p.GetLatitude(), Valid: true}
		out.Longitude = pgtype.Float8{Float64: p.GetLongitude(), Valid: true}
	}
	for _, s := range o.GetSectors() {
		out.Sectors = append(out.Sectors, sectors[s])
	}
	return out
}

func opportunityToProto(o store.Opportunity) *placementv1.Opportunity {
	out := &placementv1.Opportunity{
		Id:          o.ID,
		EmployerId:  o.EmployerID,
		Title:       o.Title,
		Kind:        reverse(kinds, o.Kind),
		Capacity:    o.Capacity,
		YearGroups:  o.YearGroups,
		Location:    o.Location,
		Virtual:     o.Virtual,
		Booked:      o.Booked,
		Version:     o.Version,
		MaxTravelKm: o.MaxTravelKm,
	}
	if o.Latitude.Valid && o.Longitude.Valid {
		out.Point = &geov1.Point{Latitude: o.Latitude.Float64, Longitude: o.Longitude.Float64}
	}
	for _, d := range o.Days {
		out.Days = append(out.Days, &placementv1.OpportunityDay{Date: d.Date.Format(schedule.DateLayout), Session: reverse(sessions, d.Session)})
	}
	for _, s := range o.Sectors {
		out.Sectors = append(out.Sectors, reverse(sectors, s))
	}
	return out
}

func bookingToProto(b store.Booking) *placementv1.Booking {
	out := &placementv1.Booking{
		Id:               b.ID,
		OpportunityId:    b.OpportunityID,
		PupilId:          b.PupilID,
		SchoolUrn:        b.SchoolURN,
		LaCode:           b.LACode,
		Cancelled:        b.Cancelled,
		CreditedHalfDays: int32(b.CreditedHalfDays()),
		Version:          b.Version,
		CreateTime:       timestamppb.New(b.CreatedAt),
	}
	for _, m := range b.Attendance {
		out.Attendance = append(out.Attendance, &placementv1.DayAttendance{Date: m.Date.Format(schedule.DateLayout), Mark: reverse(marks, m.Mark)})
	}
	return out
}
