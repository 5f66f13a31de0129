// Package allocation proposes who gets scarce work-experience places: those
// who need them most first, as many pupils placed as the places allow, and
// each pupil sent where they have not been. It is pure: the same pupils and
// opportunities always give the same proposal, with a reason for each
// place, for a person to review before anything is booked.
//
// # Priority
//
// The guarantee targets the most disadvantaged young people first (DfE,
// careers statutory guidance 2025; ../shared/DOMAIN.md). Pupils are ordered
// by, in turn:
//
//  1. tier: 1 looked after, previously looked after or a child in need;
//     2 an EHC plan or SEN support, or free school meals; 3 everyone else;
//  2. days behind their work-experience trajectory, most first;
//  3. risk-of-NEET score, highest first;
//  4. pupil id, so equal claims are settled the same way every time.
//
// # Matching
//
// The pupils are matched to places in that order by augmenting paths (the
// greedy algorithm on the transversal matroid): each pupil in turn takes a
// place if one can be found for them, moving pupils already placed to
// other places they are eligible for when that frees one, never unplacing
// anyone. So the number placed is the largest any allocation could reach,
// and no pupil is left without a place while a lower-priority pupil holds
// one they were eligible for: a greedy loop that handed each pupil their
// first choice would place fewer, starving later pupils whose only options
// had gone to someone with alternatives. Within a pupil's options, places in
// sectors they have not seen come first, then small and medium employers,
// then the nearest.
package allocation

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Point is a place on the map, in degrees.
type Point struct{ Lat, Lon float64 }

// DateRange is a span of days, both inclusive.
type DateRange struct{ From, To time.Time }

func (r DateRange) overlaps(o DateRange) bool { return !r.To.Before(o.From) && !o.To.Before(r.From) }

// Opportunity is a set of places on the same dates with one employer.
type Opportunity struct {
	ID       string
	Capacity int
	Dates    DateRange
	Sector   string
	// SME says the employer has fewer than 250 staff.
	SME bool
	// YearGroups may take the places; empty means any.
	YearGroups []int
	// Location is where it happens, nil when not known.
	Location *Point
	// MaxTravelKm bounds the distance from a pupil's school, as the crow
	// flies; 0 for no limit. It applies when both places are known.
	MaxTravelKm float64
}

// Pupil is a young person who may be placed.
type Pupil struct {
	ID        string
	YearGroup int
	// School is where the pupil's school is, nil when not known.
	School *Point
	// Busy are the pupil's other bookings: a place on overlapping dates
	// clashes.
	Busy []DateRange
	// SectorsSeen are the sectors of their past experiences.
	SectorsSeen []string
	// Declined are the opportunities a person declined for them: they are
	// not proposed there again, so the place goes to the next in line.
	Declined []string
	// The disadvantages the priority reads.
	LookedAfter, ChildInNeed, SEN, FreeSchoolMeals bool
	// DaysBehind their trajectory (0 when on track) and their risk score.
	DaysBehind float64
	Risk       int
}

// Assignment is one pupil's proposed place, with why.
type Assignment struct {
	PupilID, OpportunityID string
	// Priority is the pupil's rank, 1 the first served.
	Priority int
	Reason   string
}

// Proposal is the allocation: who goes where, and who could not be placed.
type Proposal struct {
	Assignments []Assignment
	// Unplaced are the pupils left without a place, in priority order: no
	// eligible place was free or could be freed.
	Unplaced []string
}

// Tier is a pupil's disadvantage tier (1 first).
func Tier(p Pupil) int {
	switch {
	case p.LookedAfter || p.ChildInNeed:
		return 1
	case p.SEN || p.FreeSchoolMeals:
		return 2
	}
	return 3
}

// Order sorts pupils into priority order (see the package comment).
func Order(pupils []Pupil) []Pupil {
	out := slices.Clone(pupils)
	slices.SortStableFunc(out, func(a, b Pupil) int {
		return cmp.Or(
			cmp.Compare(Tier(a), Tier(b)),
			cmp.Compare(b.DaysBehind, a.DaysBehind),
			cmp.Compare(b.Risk, a.Risk),
			strings.Compare(a.ID, b.ID),
		)
	})
	return out
}

// Eligible reports whether p may take a place in o: their year group, no
// clash with their other bookings, within the travel limit, and not
// declined for them.
func Eligible(p Pupil, o Opportunity) bool {
	if o.Capacity <= 0 || slices.Contains(p.Declined, o.ID) {
		return false
	}
	if len(o.YearGroups) > 0 && !slices.Contains(o.YearGroups, p.YearGroup) {
		return false
	}
	for _, b := range p.Busy {
		if b.overlaps(o.Dates) {
			return false
		}
	}
	d, known := distanceKm(p.School, o.Location)
	return o.MaxTravelKm <= 0 || !known || d <= o.MaxTravelKm
}

// distanceKm is the great-circle distance (haversine, Earth radius 6,371
// km), and whether both places are known.
func distanceKm(pa, pb *Point) (float64, bool) {
	if pa == nil || pb == nil {
		return 0, false
	}
	a, b := *pa, *pb
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(h)), true
}

// Propose matches pupils to the opportunities' places.
func Propose(pupils []Pupil, opps []Opportunity) Proposal {
	ordered := Order(pupils)
	m := newMatcher(ordered, opps)
	for i := range ordered {
		if m.full() {
			break // every place is taken: nobody placed is ever unplaced
		}
		if m.augment(i) {
			m.free--
			m.gen++ // the matching changed: the next search starts afresh
		}
	}
	var out Proposal
	for i, p := range ordered {
		o := m.at[i]
		if o < 0 {
			out.Unplaced = append(out.Unplaced, p.ID)
			continue
		}
		out.Assignments = append(out.Assignments, Assignment{
			PupilID: p.ID, OpportunityID: opps[o].ID, Priority: i + 1, Reason: reason(i+1, p, opps[o]),
		})
	}
	return out
}

// reason is an assignment's explanation, naming no pupil:
// "priority 3: looked after, 3 days behind; a sector not yet seen (digital)".
func reason(rank int, p Pupil, o Opportunity) string {
	var why []string
	switch {
	case p.LookedAfter:
		why = append(why, "looked after")
	case p.ChildInNeed:
		why = append(why, "a child in need")
	}
	if p.SEN {
		why = append(why, "SEND")
	}
	if p.FreeSchoolMeals {
		why = append(why, "free school meals")
	}
	if p.DaysBehind > 0 {
		why = append(why, fmt.Sprintf("%g days behind", p.DaysBehind))
	}
	if p.Risk > 0 {
		why = append(why, fmt.Sprintf("risk score %d", p.Risk))
	}
	if len(why) == 0 {
		why = append(why, "on track")
	}
	s := fmt.Sprintf("priority %d: %s", rank, strings.Join(why, ", "))
	if !slices.Contains(p.SectorsSeen, o.Sector) {
		s += "; a sector not yet seen (" + o.Sector + ")"
	}
	return s
}

// matcher is the b-matching under construction: pupils (in priority
// order) to opportunities with capacities.
type matcher struct {
	options [][]int // per pupil, eligible opportunities in preference order
	at      []int   // per pupil, the opportunity placed at, or -1
	members [][]int // per opportunity, the pupils placed there
	capac   []int
	free    int // places not taken
	// seen marks the opportunities a search has visited with its
	// generation. A search that fails changes nothing, so what it found
	// unreachable stays so, and its marks stand for the next search until
	// one succeeds and the generation moves on.
	seen []int
	gen  int
}

func newMatcher(pupils []Pupil, opps []Opportunity) *matcher {
	m := &matcher{
		options: make([][]int, len(pupils)), at: make([]int, len(pupils)),
		members: make([][]int, len(opps)), capac: make([]int, len(opps)), seen: make([]int, len(opps)), gen: 1,
	}
	for o, op := range opps {
		m.capac[o] = max(op.Capacity, 0)
		m.free += m.capac[o]
	}
	type option struct {
		o      int
		unseen bool
		dist   float64
	}
	var opts []option
	for i, p := range pupils {
		m.at[i] = -1
		opts = opts[:0]
		for o, op := range opps {
			if Eligible(p, op) {
				// Unknown places sort after every known distance.
				d, known := distanceKm(p.School, op.Location)
				if !known {
					d = math.Inf(1)
				}
				opts = append(opts, option{o, !slices.Contains(p.SectorsSeen, op.Sector), d})
			}
		}
		slices.SortFunc(opts, func(a, b option) int {
			return cmp.Or(
				boolFirst(a.unseen, b.unseen),
				boolFirst(opps[a.o].SME, opps[b.o].SME),
				cmp.Compare(a.dist, b.dist),
				strings.Compare(opps[a.o].ID, opps[b.o].ID),
			)
		})
		m.options[i] = make([]int, len(opts))
		for k, op := range opts {
			m.options[i][k] = op.o
		}
	}
	return m
}

// boolFirst orders true before false.
func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func (m *matcher) full() bool { return m.free == 0 }

// augment finds pupil i a place, depth first in i's order of preference:
// a free one, or one held by a pupil who can be moved to another of theirs.
// It records i there; the caller, when i is being moved, gives i's old
// slot to the pupil who displaced them.
func (m *matcher) augment(i int) bool {
	for _, o := range m.options[i] {
		if m.seen[o] == m.gen {
			continue
		}
		m.seen[o] = m.gen
		if len(m.members[o]) < m.capac[o] {
			m.members[o] = append(m.members[o], i)
			m.at[i] = o
			return true
		}
		for k, j := range m.members[o] {
			if m.augment(j) {
				m.members[o][k] = i
				m.at[i] = o
				return true
			}
		}
	}
	return false
}
