// Package nccis is the table of NCCIS current-activity codes that local
// authorities report to DfE, and what each code means for the tracking
// service: whether a destination is known, NEET, or in education,
// employment or training, whether it meets the duty to participate, and
// whether the code may still be recorded. Every such judgement is read from
// the table (the code's group and its columns), never from numeric ranges,
// so a new edition of the requirement is a change to the table alone.
package nccis

import "time"

// Edition names the source of the table.
//
// The codes are the current-activity codes of DfE's "NCCIS management
// information requirement" as they have stood since the 2020 to 2021
// edition, when 440 became "DWP training and support programme". The DfE
// document itself could not be retrieved when this table was written (only
// the contents pages of the 2015-16, 2017-18 and 2018-19 editions were
// reachable), so the list was taken from two public analysis code bases
// that transcribe it for NCCIS and LEO data, which agree on every code but
// one: 550, "working not for reward combined with study", is NEET (active)
// in the older transcription and employment in the newer, which follows
// the regulated-qualification wording used since the participation age
// rose; the newer is followed here. Check the table against the annex of
// the edition in force before each annual return and update this note.
const Edition = "NCCIS management information requirement (DfE), current-activity codes as since the 2020 to 2021 edition; transcribed from secondary sources, to be checked against the published annex"

// Group is the heading a code sits under in the requirement.
type Group int

// The groups, in the requirement's order.
const (
	GroupEducation Group = iota + 1
	GroupEmployment
	GroupTraining
	// GroupReEngagement is re-engagement provision: known, and neither EET
	// nor NEET in DfE's measures.
	GroupReEngagement
	GroupNEET
	// GroupOther is known but neither EET nor NEET (custody, refugees and
	// asylum seekers not allowed to work).
	GroupOther
	// GroupCompulsorySchoolAge holds the codes for young people who have not
	// yet reached the compulsory school leaving age.
	GroupCompulsorySchoolAge
	// GroupNotKnown is "current situation not known": the 8xx codes, and
	// 150 for those of compulsory school age.
	GroupNotKnown
)

// Code is one current-activity code.
type Code struct {
	Code        string
	Description string
	Group       Group
	// Participating is whether the activity meets the duty to participate
	// (DfE's participation measure), which is not the same as being EET:
	// see the note on Table.
	Participating bool
	// RetiredOn is the first day the code may no longer be recorded; zero
	// for a code in use.
	RetiredOn time.Time
}

// Retired reports whether the code has been withdrawn from the requirement:
// it is kept so that old records still read, but is not offered for new
// ones.
func (c Code) Retired() bool { return !c.RetiredOn.IsZero() }

// InUseOn reports whether an activity effective on day may be recorded
// with the code: always for a code in use, and for a retired one only
// before it was retired (an old record).
func (c Code) InUseOn(day time.Time) bool { return !c.Retired() || day.Before(c.RetiredOn) }

// The values of the table's last two columns, named so that a row reads.
const (
	participates     = true
	notParticipating = false
)

var (
	inUse time.Time
	// retiredApril2018 is when 720 went: since April 2018 refugees and
	// asylum seekers are recorded like everyone else, by what they do (LG
	// Inform metric 20112; ../shared/DOMAIN.md).
	retiredApril2018 = time.Date(2018, time.April, 1, 0, 0, 0, 0, time.UTC)
)

// Table is every code, in code order.
//
// Participating follows DfE's methodology "Participation in education,
// training and NEET age 16 to 17 by local authority", section "Type of
// activity"
// (https://explore-education-statistics.service.gov.uk/methodology/participation-in-education-training-and-neet-age-16-to-17-by-local-authority),
// which counts as participating:
//   - full-time education and training: school sixth form, sixth form
//     college, further and higher education, other full-time education,
//     special post-16 institutions and custodial institutions (210, 220,
//     230, 240, 270, 280, 290);
//   - apprenticeships (310);
//   - work-based learning: ESFA-funded work-based learning, traineeships
//     and supported internships (410, 450, 460), and other training (430);
//   - part-time education (250): "overall education and training figures
//     include young people in part time education, but not those in
//     reengagement provision, gap years or those with an agreed education
//     and training start date";
//   - employment combined with study towards a regulated qualification
//     (320), and likewise self-employment (381) and voluntary work (550)
//     with such study, since "full time self-employment, holding a public
//     office or voluntary work may be regarded in the same way as full time
//     employment".
//
// Nothing else participates, though some of it is EET: a gap year (260),
// re-engagement (530) and agreed start dates (615, 616) by the quotation
// above; employment without regulated study (330, 340, 350, 360, 380),
// which the duty does not accept on its own; DWP programmes (440), which
// are not in the methodology's list of work-based learning; and every NEET
// code, custody (710), 720, the compulsory-school-age codes and the
// not-known codes.
var Table = []Code{
	{"110", "Registered at a school or other educational establishment in the area", GroupCompulsorySchoolAge, notParticipating, inUse},
	{"120", "Educated at home", GroupCompulsorySchoolAge, notParticipating, inUse},
	{"130", "Custodial sentence", GroupCompulsorySchoolAge, notParticipating, inUse},
	{"140", "Not registered at a school or other educational establishment", GroupCompulsorySchoolAge, notParticipating, inUse},
	{"150", "Current situation not known (compulsory school age)", GroupNotKnown, notParticipating, inUse},
	{"210", "Full time education - school sixth form", GroupEducation, participates, inUse},
	{"220", "Full time education - sixth form college", GroupEducation, participates, inUse},
	{"230", "Full time education - further education", GroupEducation, participates, inUse},
	{"240", "Full time education - higher education", GroupEducation, participates, inUse},
	{"250", "Part time education", GroupEducation, participates, inUse},
	{"260", "Gap year student", GroupEducation, notParticipating, inUse},
	{"270", "Full time education - other", GroupEducation, participates, inUse},
	{"280", "Special post-16 institution", GroupEducation, participates, inUse},
	{"290", "Full time education - custodial institution (juvenile offender)", GroupEducation, participates, inUse},
	{"310", "Apprenticeship", GroupEmployment, participates, inUse},
	{"320", "Full time employment with study (regulated qualification)", GroupEmployment, participates, inUse},
	{"330", "Employment without training", GroupEmployment, notParticipating, inUse},
	{"340", "Employment with training (other)", GroupEmployment, notParticipating, inUse},
	{"350", "Temporary employment", GroupEmployment, notParticipating, inUse},
	{"360", "Part time employment", GroupEmployment, notParticipating, inUse},
	{"380", "Self-employment", GroupEmployment, notParticipating, inUse},
	{"381", "Self-employment with study (regulated qualification)", GroupEmployment, participates, inUse},
	{"410", "Work-based learning funded by the ESFA", GroupTraining, participates, inUse},
	{"430", "Other training", GroupTraining, participates, inUse},
	{"440", "DWP training and support programme", GroupTraining, notParticipating, inUse},
	{"450", "Traineeship", GroupTraining, participates, inUse},
	{"460", "Supported internship", GroupTraining, participates, inUse},
	{"530", "Re-engagement provision", GroupReEngagement, notParticipating, inUse},
	{"540", "Working not for reward", GroupNEET, notParticipating, inUse},
	{"550", "Working not for reward combined with study (regulated qualification)", GroupEmployment, participates, inUse},
	{"610", "Not yet ready for work or learning", GroupNEET, notParticipating, inUse},
	{"615", "Start date agreed (other)", GroupNEET, notParticipating, inUse},
	{"616", "Start date agreed (RPA compliant)", GroupNEET, notParticipating, inUse},
	{"619", "Seeking employment, education or training", GroupNEET, notParticipating, inUse},
	{"620", "Not available to labour market or learning - young carer", GroupNEET, notParticipating, inUse},
	{"630", "Not available to labour market or learning - teenage parent", GroupNEET, notParticipating, inUse},
	{"640", "Not available to labour market or learning - illness", GroupNEET, notParticipating, inUse},
	{"650", "Not available to labour market or learning - pregnancy", GroupNEET, notParticipating, inUse},
	{"660", "Not available to labour market or learning - religious grounds", GroupNEET, notParticipating, inUse},
	{"670", "Not available to labour market or learning - unlikely ever to be economically active", GroupNEET, notParticipating, inUse},
	{"680", "Not available to labour market or learning - other reason", GroupNEET, notParticipating, inUse},
	{"710", "Custody (young adult offender)", GroupOther, notParticipating, inUse},
	{"720", "Refugee or asylum seeker not allowed to work", GroupOther, notParticipating, retiredApril2018},
	{"810", "Current situation not known", GroupNotKnown, notParticipating, inUse},
	{"820", "Cannot be contacted - no current address", GroupNotKnown, notParticipating, inUse},
	{"830", "Refused to disclose activity", GroupNotKnown, notParticipating, inUse},
}

var byCode = func() map[string]Code {
	m := make(map[string]Code, len(Table))
	for _, c := range Table {
		m[c.Code] = c
	}
	return m
}()

// Lookup returns the code's entry; ok is false for a code not in the table.
func Lookup(code string) (c Code, ok bool) {
	c, ok = byCode[code]
	return c, ok
}

// Known reports whether the group says where the young person is.
func (g Group) Known() bool { return g != 0 && g != GroupNotKnown }

// NEET reports whether the group is not in education, employment or
// training.
func (g Group) NEET() bool { return g == GroupNEET }

// EET reports whether the group is education, employment or training.
func (g Group) EET() bool {
	return g == GroupEducation || g == GroupEmployment || g == GroupTraining
}

// String is the group's name as the CSV export writes it.
func (g Group) String() string {
	switch g {
	case GroupEducation:
		return "education"
	case GroupEmployment:
		return "employment"
	case GroupTraining:
		return "training"
	case GroupReEngagement:
		return "re_engagement"
	case GroupNEET:
		return "neet"
	case GroupOther:
		return "other"
	case GroupCompulsorySchoolAge:
		return "compulsory_school_age"
	case GroupNotKnown:
		return "not_known"
	}
	return "unknown"
}
