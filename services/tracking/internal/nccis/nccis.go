// Package nccis is the table of NCCIS current-activity codes that local
// authorities report to DfE, and what each code means for the tracking
// service: whether a destination is known, NEET, or in education,
// employment or training. Every such judgement is read from the table by
// the code's group, never from numeric ranges, so a new edition of the
// requirement is a change to the table alone.
package nccis

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
}

// Table is every code, in code order.
var Table = []Code{
	{"110", "Registered at a school or other educational establishment in the area", GroupCompulsorySchoolAge},
	{"120", "Educated at home", GroupCompulsorySchoolAge},
	{"130", "Custodial sentence", GroupCompulsorySchoolAge},
	{"140", "Not registered at a school or other educational establishment", GroupCompulsorySchoolAge},
	{"150", "Current situation not known (compulsory school age)", GroupNotKnown},
	{"210", "Full time education - school sixth form", GroupEducation},
	{"220", "Full time education - sixth form college", GroupEducation},
	{"230", "Full time education - further education", GroupEducation},
	{"240", "Full time education - higher education", GroupEducation},
	{"250", "Part time education", GroupEducation},
	{"260", "Gap year student", GroupEducation},
	{"270", "Full time education - other", GroupEducation},
	{"280", "Special post-16 institution", GroupEducation},
	{"290", "Full time education - custodial institution (juvenile offender)", GroupEducation},
	{"310", "Apprenticeship", GroupEmployment},
	{"320", "Full time employment with study (regulated qualification)", GroupEmployment},
	{"330", "Employment without training", GroupEmployment},
	{"340", "Employment with training (other)", GroupEmployment},
	{"350", "Temporary employment", GroupEmployment},
	{"360", "Part time employment", GroupEmployment},
	{"380", "Self-employment", GroupEmployment},
	{"381", "Self-employment with study (regulated qualification)", GroupEmployment},
	{"410", "Work-based learning funded by the ESFA", GroupTraining},
	{"430", "Other training", GroupTraining},
	{"440", "DWP training and support programme", GroupTraining},
	{"450", "Traineeship", GroupTraining},
	{"460", "Supported internship", GroupTraining},
	{"530", "Re-engagement provision", GroupReEngagement},
	{"540", "Working not for reward", GroupNEET},
	{"550", "Working not for reward combined with study (regulated qualification)", GroupEmployment},
	{"610", "Not yet ready for work or learning", GroupNEET},
	{"615", "Start date agreed (other)", GroupNEET},
	{"616", "Start date agreed (RPA compliant)", GroupNEET},
	{"619", "Seeking employment, education or training", GroupNEET},
	{"620", "Not available to labour market or learning - young carer", GroupNEET},
	{"630", "Not available to labour market or learning - teenage parent", GroupNEET},
	{"640", "Not available to labour market or learning - illness", GroupNEET},
	{"650", "Not available to labour market or learning - pregnancy", GroupNEET},
	{"660", "Not available to labour market or learning - religious grounds", GroupNEET},
	{"670", "Not available to labour market or learning - unlikely ever to be economically active", GroupNEET},
	{"680", "Not available to labour market or learning - other reason", GroupNEET},
	{"710", "Custody (young adult offender)", GroupOther},
	{"720", "Refugee or asylum seeker not allowed to work", GroupOther},
	{"810", "Current situation not known", GroupNotKnown},
	{"820", "Cannot be contacted - no current address", GroupNotKnown},
	{"830", "Refused to disclose activity", GroupNotKnown},
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
