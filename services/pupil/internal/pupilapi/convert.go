package pupilapi

import (
	"github.com/jackc/pgx/v5/pgtype"

	geov1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/geo/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/establishment"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
)

// phases maps the contract's enum to the value stored in pupil.schools.
var phases = map[pupilv1.Phase]string{
	pupilv1.Phase_PHASE_SECONDARY:               "secondary",
	pupilv1.Phase_PHASE_MIDDLE_DEEMED_SECONDARY: "middle_deemed_secondary",
	pupilv1.Phase_PHASE_ALL_THROUGH:             "all_through",
	pupilv1.Phase_PHASE_SIXTEEN_PLUS:            "sixteen_plus",
	pupilv1.Phase_PHASE_NOT_APPLICABLE:          "not_applicable",
}

func phaseFromString(s string) pupilv1.Phase {
	for k, v := range phases {
		if v == s {
			return k
		}
	}
	return pupilv1.Phase_PHASE_UNSPECIFIED
}

func schoolFromProto(s *pupilv1.School) store.School {
	out := store.School{URN: s.GetUrn(), Name: s.GetName(), LACode: s.GetLaCode(), Phase: phases[s.GetPhase()], Open: s.GetOpen(),
		UKPRN: s.GetUkprn(), EstablishmentType: s.GetEstablishmentType()}
	if l := s.GetLocation(); l != nil {
		out.Latitude = pgtype.Float8{Float64: l.GetLatitude(), Valid: true}
		out.Longitude = pgtype.Float8{Float64: l.GetLongitude(), Valid: true}
	}
	return out
}

func schoolToProto(s store.School) *pupilv1.School {
	out := &pupilv1.School{Urn: s.URN, Name: s.Name, LaCode: s.LACode, Phase: phaseFromString(s.Phase), Open: s.Open,
		Ukprn: s.UKPRN, EstablishmentType: s.EstablishmentType,
		EstablishmentTypeName: establishment.Types[s.EstablishmentType], Post16: establishment.Post16(s.EstablishmentType)}
	if s.Latitude.Valid && s.Longitude.Valid {
		out.Location = &geov1.Point{Latitude: s.Latitude.Float64, Longitude: s.Longitude.Float64}
	}
	return out
}
