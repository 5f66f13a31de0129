// Package credit is the arithmetic of the work-experience guarantee: which
// opportunities count, and how many half days a pupil's attendance earns.
// Only experiences (time in or of a workplace) count; encounters such as
// talks and careers fairs count zero. Everything is counted in half days.
//
// The placement store's GetCreditedDays aggregate computes the same sums in
// SQL, for many pupils at once; its tests check it against Tally.
package credit

// Kind is what a pupil does at an opportunity.
type Kind string

// The kinds. The first four are experiences, the rest encounters.
const (
	Placement         Kind = "placement"
	WorkplaceVisit    Kind = "workplace_visit"
	JobShadowing      Kind = "job_shadowing"
	VirtualExperience Kind = "virtual_experience"
	Talk              Kind = "talk"
	CareersFair       Kind = "careers_fair"
	Mentoring         Kind = "mentoring"
)

var experiences = map[Kind]bool{
	Placement:         true,
	WorkplaceVisit:    true,
	JobShadowing:      true,
	VirtualExperience: true,
	Talk:              false,
	CareersFair:       false,
	Mentoring:         false,
}

// Kinds are every kind, experiences first.
func Kinds() []Kind {
	return []Kind{Placement, WorkplaceVisit, JobShadowing, VirtualExperience, Talk, CareersFair, Mentoring}
}

// IsExperience reports whether attending k counts towards the guarantee.
func (k Kind) IsExperience() bool { return experiences[k] }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	_, ok := experiences[k]
	return ok
}

// ExperienceKinds are the kinds that count, for SQL filters.
func ExperienceKinds() []string {
	var out []string
	for _, k := range Kinds() {
		if k.IsExperience() {
			out = append(out, string(k))
		}
	}
	return out
}

// HalfDays is a length of time in half days: a full day is 2.
type HalfDays int

// Session is how long an opportunity runs on one of its days.
type Session HalfDays

// The sessions.
const (
	HalfDaySession Session = 1
	FullDaySession Session = 2
)

// Valid reports whether s is a half or a full day.
func (s Session) Valid() bool { return s == HalfDaySession || s == FullDaySession }

// Mark is a pupil's attendance on one day: the half days they were there.
type Mark HalfDays

// The marks.
const (
	Absent  Mark = 0
	HalfDay Mark = 1
	FullDay Mark = 2
)

// Valid reports whether m is absent, a half day or a full day.
func (m Mark) Valid() bool { return m >= Absent && m <= FullDay }

// Day is one attendance mark with what it counts against.
type Day struct {
	Kind    Kind
	Session Session
	Mark    Mark
	// Cancelled bookings credit nothing, whatever was marked.
	Cancelled bool
}

// Credit is what one day of attendance earns: the half days attended, but
// never more than the session ran (a full-day mark on a half-day session is
// one half day), and nothing for an encounter or a cancelled booking.
func Credit(d Day) HalfDays {
	if d.Cancelled || !d.Kind.IsExperience() || !d.Session.Valid() || !d.Mark.Valid() {
		return 0
	}
	return HalfDays(min(int(d.Mark), int(d.Session)))
}

// Attendance is one marked day of one pupil's booking.
type Attendance struct {
	PupilID       string
	OpportunityID string
	Day
}

// Attended reports whether d counts as attending an encounter (a talk, a
// careers fair, mentoring: Gatsby benchmark 5's meaningful employer
// encounters, which earn no days): marked present on a live booking.
func Attended(d Day) bool {
	return !d.Cancelled && !d.Kind.IsExperience() && d.Kind.Valid() && d.Mark.Valid() && d.Mark != Absent
}

// Total is a pupil's credit.
type Total struct {
	HalfDays HalfDays
	// Experiences is the number of distinct experience opportunities the
	// pupil attended for at least half a day.
	Experiences int
	// Encounters is the number of distinct encounters the pupil attended.
	Encounters int
}

// Tally totals attendance by pupil. Every mark is in the period counted
// (the SQL counts encounters from a date; the caller passes the marks of
// that period).
func Tally(marks []Attendance) map[string]Total {
	out := map[string]Total{}
	seen := map[[2]string]bool{}
	for _, a := range marks {
		c := Credit(a.Day)
		t := out[a.PupilID]
		t.HalfDays += c
		key := [2]string{a.PupilID, a.OpportunityID}
		switch {
		case seen[key]:
		case c > 0:
			seen[key] = true
			t.Experiences++
		case Attended(a.Day):
			seen[key] = true
			t.Encounters++
		}
		out[a.PupilID] = t
	}
	return out
}
