package pupilapi

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

var leavingReasons = map[pupilv1.LeavingReason]intake.LeavingReason{
	pupilv1.LeavingReason_LEAVING_REASON_TRANSFERRED:                 intake.LeftTransferred,
	pupilv1.LeavingReason_LEAVING_REASON_ELECTIVE_HOME_EDUCATION:     intake.LeftHomeEducation,
	pupilv1.LeavingReason_LEAVING_REASON_MOVED_ABROAD:                intake.LeftMovedAbroad,
	pupilv1.LeavingReason_LEAVING_REASON_PERMANENTLY_EXCLUDED:        intake.LeftExcluded,
	pupilv1.LeavingReason_LEAVING_REASON_END_OF_COMPULSORY_SCHOOLING: intake.LeftEndOfSchooling,
	pupilv1.LeavingReason_LEAVING_REASON_CHILD_MISSING_EDUCATION:     intake.LeftMissingEducation,
	pupilv1.LeavingReason_LEAVING_REASON_OTHER:                       intake.LeftOther,
}

var senStatuses = map[pupilv1.SENStatus]risk.SEN{
	pupilv1.SENStatus_SEN_STATUS_NONE:        risk.SENNone,
	pupilv1.SENStatus_SEN_STATUS_SEN_SUPPORT: risk.SENSupport,
	pupilv1.SENStatus_SEN_STATUS_EHC_PLAN:    risk.SENEHCPlan,
}

var careStatuses = map[pupilv1.CareStatus]risk.Care{
	pupilv1.CareStatus_CARE_STATUS_NONE:              risk.CareNone,
	pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER:      risk.CareLookedAfter,
	pupilv1.CareStatus_CARE_STATUS_EVER_LOOKED_AFTER: risk.CareEverLookedAfter,
}

func reverse[K comparable, V comparable](m map[K]V) map[V]K {
	r := make(map[V]K, len(m))
	for k, v := range m {
		r[v] = k
	}
	return r
}

var (
	leavingReasonsToProto = reverse(leavingReasons)
	senToProto            = reverse(senStatuses)
	careToProto           = reverse(careStatuses)
)

// protoFields names a Pupil message's fields in violations.
var protoFields = intake.Fields{
	UPN: "pupil.upn", LegalSurname: "pupil.legal_surname", LegalForename: "pupil.legal_forename",
	PreferredSurname: "pupil.preferred_surname", PreferredForename: "pupil.preferred_forename",
	DateOfBirth: "pupil.date_of_birth", SchoolURN: "pupil.school_urn", JoinedOn: "pupil.joined_on",
	LeftOn: "pupil.left_on", LeavingReason: "pupil.leaving_reason", YearGroupOffset: "pupil.year_group_offset",
	Attendance:          "pupil.risk_factors.attendance.percent",
	Suspensions:         "pupil.risk_factors.suspensions.count",
	PermanentExclusions: "pupil.risk_factors.permanent_exclusions.count",
	SchoolMoves:         "pupil.risk_factors.school_moves.count",
	RiskAsAt:            "pupil.risk_factors.%s.as_at",
	ResidenceLACode:     "pupil.residence_la_code",
	ResidentSince:       "pupil.resident_since",
}

// recordFromProto reads a Pupil message into a row whose problems are the
// domain rules protovalidate cannot express (the UPN's check letter, real
// dates, leaving reason with date left).
func recordFromProto(p *pupilv1.Pupil) intake.Row {
	row := intake.Row{}
	rec := &row.Record
	rec.UPN = p.GetUpn()
	rec.LegalSurname, rec.LegalForename = p.GetLegalSurname(), p.GetLegalForename()
	rec.PreferredSurname, rec.PreferredForename = p.GetPreferredSurname(), p.GetPreferredForename()
	rec.SchoolURN = p.GetSchoolUrn()
	d := dateReader{row: &row}
	rec.DateOfBirth = d.read("pupil.date_of_birth", p.GetDateOfBirth())
	rec.JoinedOn = d.read("pupil.joined_on", p.GetJoinedOn())
	rec.LeftOn = d.read("pupil.left_on", p.GetLeftOn())
	rec.LeavingReason = leavingReasons[p.GetLeavingReason()]
	rec.YearGroupOffset = int(p.GetYearGroupOffset())
	rec.Risk = factorsFromProto(p.GetRiskFactors(), d)
	if a := p.GetRiskFactors().GetPriorAttainment(); a != nil {
		asAt := d.read("pupil.risk_factors.prior_attainment.as_at", a.GetAsAt())
		if a.GetKs2Reading() != 0 {
			rec.KS2Reading = &intake.Score{Value: int(a.GetKs2Reading()), AsAt: asAt}
		}
		if a.GetKs2Maths() != 0 {
			rec.KS2Maths = &intake.Score{Value: int(a.GetKs2Maths()), AsAt: asAt}
		}
	}
	if la := p.GetResidenceLaCode(); la != "" {
		rec.Residence = &intake.Residence{LACode: la, Since: d.read("pupil.resident_since", p.GetResidentSince())}
	} else if p.GetResidentSince() != "" {
		row.Reject("pupil.resident_since", "resident_since.without_la", "is given only with residence_la_code")
	}
	row.Check(protoFields)
	return row
}

type dateReader struct{ row *intake.Row }

func (d dateReader) read(field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, ok := intake.ParseDate(s)
	if !ok {
		d.row.Reject(field, "date.valid", "is not a real date")
	}
	return t
}

func factorsFromProto(f *pupilv1.RiskFactors, d dateReader) risk.Factors {
	const base = "pupil.risk_factors."
	var r risk.Factors
	if a := f.GetAttendance(); a != nil {
		r.Attendance = &risk.Percent{Value: a.GetPercent(), AsAt: d.read(base+"attendance.as_at", a.GetAsAt())}
	}
	count := func(name string, c *pupilv1.CountFactor) *risk.Count {
		if c == nil {
			return nil
		}
		return &risk.Count{Value: int(c.GetCount()), AsAt: d.read(base+name+".as_at", c.GetAsAt())}
	}
	flag := func(name string, c *pupilv1.FlagFactor) *risk.Flag {
		if c == nil {
			return nil
		}
		return &risk.Flag{Value: c.GetValue(), AsAt: d.read(base+name+".as_at", c.GetAsAt())}
	}
	r.Suspensions = count("suspensions", f.GetSuspensions())
	r.PermanentExclusions = count("permanent_exclusions", f.GetPermanentExclusions())
	r.SchoolMoves = count("school_moves", f.GetSchoolMoves())
	r.FreeSchoolMeals = flag("free_school_meals", f.GetFreeSchoolMeals())
	r.YoungCarer = flag("young_carer", f.GetYoungCarer())
	r.EAL = flag("english_additional_language", f.GetEnglishAdditionalLanguage())
	r.ChildInNeed = flag("child_in_need", f.GetChildInNeed())
	r.AlternativeProvision = flag("alternative_provision", f.GetAlternativeProvision())
	r.YouthJustice = flag("youth_justice", f.GetYouthJustice())
	r.YoungParent = flag("young_parent", f.GetYoungParent())
	r.HomeEducated = flag("home_educated", f.GetHomeEducated())
	r.MentalHealth = flag("mental_health", f.GetMentalHealth())
	if s := f.GetSen(); s != nil {
		r.SEN = &risk.SENStatus{Value: senStatuses[s.GetStatus()], AsAt: d.read(base+"sen.as_at", s.GetAsAt())}
	}
	if c := f.GetLookedAfter(); c != nil {
		r.Care = &risk.CareStatus{Value: careStatuses[c.GetStatus()], AsAt: d.read(base+"looked_after.as_at", c.GetAsAt())}
	}
	return r
}

func dateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func factorsToProto(f risk.Factors) *pupilv1.RiskFactors {
	r := &pupilv1.RiskFactors{}
	if a := f.Attendance; a != nil {
		r.Attendance = &pupilv1.AttendanceFactor{Percent: a.Value, AsAt: dateString(a.AsAt)}
	}
	count := func(c *risk.Count) *pupilv1.CountFactor {
		if c == nil {
			return nil
		}
		return &pupilv1.CountFactor{Count: int32(c.Value), AsAt: dateString(c.AsAt)}
	}
	flag := func(c *risk.Flag) *pupilv1.FlagFactor {
		if c == nil {
			return nil
		}
		return &pupilv1.FlagFactor{Value: c.Value, AsAt: dateString(c.AsAt)}
	}
	r.Suspensions = count(f.Suspensions)
	r.PermanentExclusions = count(f.PermanentExclusions)
	r.SchoolMoves = count(f.SchoolMoves)
	r.FreeSchoolMeals = flag(f.FreeSchoolMeals)
	r.YoungCarer = flag(f.YoungCarer)
	r.EnglishAdditionalLanguage = flag(f.EAL)
	r.ChildInNeed = flag(f.ChildInNeed)
	r.AlternativeProvision = flag(f.AlternativeProvision)
	r.YouthJustice = flag(f.YouthJustice)
	r.YoungParent = flag(f.YoungParent)
	r.HomeEducated = flag(f.HomeEducated)
	r.MentalHealth = flag(f.MentalHealth)
	if a := f.PriorAttainment; a != nil {
		r.PriorAttainment = &pupilv1.AttainmentFactor{Ks2Reading: int32(a.Reading), Ks2Maths: int32(a.Maths), AsAt: dateString(a.AsAt)}
	}
	if s := f.SEN; s != nil {
		r.Sen = &pupilv1.SENFactor{Status: senToProto[s.Value], AsAt: dateString(s.AsAt)}
	}
	if c := f.Care; c != nil {
		r.LookedAfter = &pupilv1.CareFactor{Status: careToProto[c.Value], AsAt: dateString(c.AsAt)}
	}
	return r
}

func scoreToProto(s risk.Score) *pupilv1.RiskScore {
	r := &pupilv1.RiskScore{Score: int32(s.Total), NotKnown: s.NotKnown, WeightsVersion: s.WeightsVersion}
	for _, c := range s.Contributions {
		r.Contributions = append(r.Contributions, &pupilv1.RiskContribution{Factor: c.Factor, Weight: int32(c.Weight), Evidence: c.Evidence})
	}
	return r
}

// pupilToProto renders a stored pupil, with their year group in the
// academic year and their risk score under weights.
func pupilToProto(p store.Pupil, year yeargroup.AcademicYear, weights risk.Weights) *pupilv1.Pupil {
	r := p.Record
	return &pupilv1.Pupil{
		Id:                p.ID,
		Upn:               r.UPN,
		LegalSurname:      r.LegalSurname,
		LegalForename:     r.LegalForename,
		PreferredSurname:  r.PreferredSurname,
		PreferredForename: r.PreferredForename,
		DateOfBirth:       dateString(r.DateOfBirth),
		SchoolUrn:         r.SchoolURN,
		JoinedOn:          dateString(r.JoinedOn),
		LeftOn:            dateString(r.LeftOn),
		LeavingReason:     leavingReasonsToProto[r.LeavingReason],
		YearGroupOffset:   int32(r.YearGroupOffset),
		YearGroup:         int32(yeargroup.Of(r.DateOfBirth, r.YearGroupOffset, year)),
		RiskFactors:       factorsToProto(r.RiskFactors()),
		Risk:              scoreToProto(risk.Compute(r.RiskFactors(), weights)),
		Version:           p.Version,
		UpdatedAt:         timestamppb.New(p.UpdatedAt),
		ResidenceLaCode:   p.ResidenceLACode(),
		ResidentSince:     residentSince(r.Residence),
	}
}

func residentSince(r *intake.Residence) string {
	if r == nil {
		return ""
	}
	return dateString(r.Since)
}

func movesToProto(moves []store.Move) []*pupilv1.ResidenceMove {
	out := make([]*pupilv1.ResidenceMove, len(moves))
	for i, m := range moves {
		out[i] = &pupilv1.ResidenceMove{
			LaCode: m.LACode, ResidentSince: dateString(m.Since), MovedOn: dateString(m.MovedOn), TransferredTo: m.TransferredTo,
		}
	}
	return out
}
