package allocation_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/placement/internal/allocation"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func week(from string) allocation.DateRange {
	return allocation.DateRange{From: day(from), To: day(from).AddDate(0, 0, 4)}
}

var wolverhampton = allocation.Point{Lat: 52.586, Lon: -2.129}

func opp(id string, capacity int, sector string) allocation.Opportunity {
	return allocation.Opportunity{ID: id, Capacity: capacity, Dates: week("2026-06-15"), Sector: sector, Location: &wolverhampton}
}

func TestOrder(t *testing.T) {
	t.Parallel()
	pupils := []allocation.Pupil{
		{ID: "on-track"},
		{ID: "fsm", FreeSchoolMeals: true},
		{ID: "behind-3", DaysBehind: 3},
		{ID: "looked-after", LookedAfter: true},
		{ID: "sen-behind", SEN: true, DaysBehind: 2},
		{ID: "in-need", ChildInNeed: true, DaysBehind: 4},
		{ID: "risky", Risk: 5},
		{ID: "a-on-track"},
	}
	var got []string
	for _, p := range allocation.Order(pupils) {
		got = append(got, p.ID)
	}
	// Tier 1 (looked after or in need) by days behind; tier 2 (SEND or
	// FSM) by days behind; then the rest by days behind, risk and id.
	want := []string{"in-need", "looked-after", "sen-behind", "fsm", "behind-3", "risky", "a-on-track", "on-track"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestEligible(t *testing.T) {
	t.Parallel()
	base := allocation.Opportunity{ID: "o", Capacity: 2, Dates: week("2026-06-15"), YearGroups: []int{10}, Location: &wolverhampton, MaxTravelKm: 20}
	pupil := allocation.Pupil{ID: "p", YearGroup: 10, School: &wolverhampton}
	birmingham := allocation.Point{Lat: 52.480, Lon: -1.903} // about 19 km away
	london := allocation.Point{Lat: 51.507, Lon: -0.128}
	cases := map[string]struct {
		mutate func(*allocation.Pupil, *allocation.Opportunity)
		want   bool
	}{
		"eligible":           {func(*allocation.Pupil, *allocation.Opportunity) {}, true},
		"another year group": {func(p *allocation.Pupil, _ *allocation.Opportunity) { p.YearGroup = 9 }, false},
		"any year group":     {func(p *allocation.Pupil, o *allocation.Opportunity) { p.YearGroup, o.YearGroups = 7, nil }, true},
		"clashes on the last day": {func(p *allocation.Pupil, _ *allocation.Opportunity) {
			p.Busy = []allocation.DateRange{week("2026-06-19")}
		}, false},
		"booked the week after": {func(p *allocation.Pupil, _ *allocation.Opportunity) {
			p.Busy = []allocation.DateRange{week("2026-06-22")}
		}, true},
		"within the travel limit":       {func(p *allocation.Pupil, _ *allocation.Opportunity) { p.School = &birmingham }, true},
		"beyond the travel limit":       {func(p *allocation.Pupil, _ *allocation.Opportunity) { p.School = &london }, false},
		"no travel limit":               {func(p *allocation.Pupil, o *allocation.Opportunity) { p.School, o.MaxTravelKm = &london, 0 }, true},
		"an opportunity with no places": {func(_ *allocation.Pupil, o *allocation.Opportunity) { o.Capacity = 0 }, false},
		"the school's place not known":  {func(p *allocation.Pupil, _ *allocation.Opportunity) { p.School = nil }, true},
		"declined for them":             {func(p *allocation.Pupil, _ *allocation.Opportunity) { p.Declined = []string{"o"} }, false},
		"declined elsewhere":            {func(p *allocation.Pupil, _ *allocation.Opportunity) { p.Declined = []string{"other"} }, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, o := pupil, base
			tc.mutate(&p, &o)
			if got := allocation.Eligible(p, o); got != tc.want {
				t.Errorf("Eligible = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestProposeByHand: small cases worked by hand.
func TestProposeByHand(t *testing.T) {
	t.Parallel()
	type place struct{ Pupil, Opp string }
	cases := map[string]struct {
		pupils   []allocation.Pupil
		opps     []allocation.Opportunity
		want     []place
		unplaced []string
	}{
		// A (looked after) prefers X, a sector she has not seen; B can only
		// go to X (Y clashes with his other booking). Handing A her first
		// choice would leave B out: A goes to Y, B to X.
		"no starving a later pupil": {
			pupils: []allocation.Pupil{
				{ID: "A", LookedAfter: true, SectorsSeen: []string{"digital"}},
				{ID: "B", Busy: []allocation.DateRange{week("2026-07-06")}},
			},
			opps: []allocation.Opportunity{
				opp("X", 1, "health"),
				{ID: "Y", Capacity: 1, Dates: week("2026-07-06"), Sector: "digital", Location: &wolverhampton},
			},
			want: []place{{"A", "Y"}, {"B", "X"}},
		},
		// One place, two eligible: the looked-after pupil has it.
		"priority decides a scarce place": {
			pupils:   []allocation.Pupil{{ID: "B-on-track"}, {ID: "A-looked-after", LookedAfter: true}},
			opps:     []allocation.Opportunity{opp("X", 1, "health")},
			want:     []place{{"A-looked-after", "X"}},
			unplaced: []string{"B-on-track"},
		},
		// Three pupils, three places across two opportunities: A and B
		// would each take X first (the same sector, size and distance, so
		// by id), but C can only go to X (Y clashes with C's booking). A
		// takes X, B takes Y, then C moves A on to Y: all three placed.
		"capacity fills across places": {
			pupils: []allocation.Pupil{
				{ID: "A", FreeSchoolMeals: true},
				{ID: "B", DaysBehind: 2},
				{ID: "C", Busy: []allocation.DateRange{week("2026-07-06")}},
			},
			opps: []allocation.Opportunity{
				opp("X", 1, "health"),
				{ID: "Y", Capacity: 2, Dates: week("2026-07-06"), Sector: "health", Location: &wolverhampton},
			},
			want: []place{{"A", "Y"}, {"B", "Y"}, {"C", "X"}},
		},
		// The looked-after pupil's place was declined: it goes to the next
		// in line, and she is left without one.
		"a declined place goes to the next in line": {
			pupils: []allocation.Pupil{
				{ID: "A-looked-after", LookedAfter: true, Declined: []string{"X"}},
				{ID: "B-fsm", FreeSchoolMeals: true},
				{ID: "C-on-track"},
			},
			opps:     []allocation.Opportunity{opp("X", 1, "health")},
			want:     []place{{"B-fsm", "X"}},
			unplaced: []string{"A-looked-after", "C-on-track"},
		},
		// Unseen sectors first, then SMEs: P has seen health.
		"unseen sector, then a small employer": {
			pupils: []allocation.Pupil{{ID: "P", SectorsSeen: []string{"health"}}},
			opps: []allocation.Opportunity{
				opp("health-sme", 1, "health"),
				opp("digital-large", 1, "digital"),
				{ID: "digital-sme", Capacity: 1, Dates: week("2026-06-15"), Sector: "digital", SME: true, Location: &wolverhampton},
			},
			want: []place{{"P", "digital-sme"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := allocation.Propose(tc.pupils, tc.opps)
			var places []place
			for _, a := range got.Assignments {
				places = append(places, place{a.PupilID, a.OpportunityID})
			}
			sortPlaces := func(p []place) {
				for i := range p {
					for j := i + 1; j < len(p); j++ {
						if p[j].Pupil < p[i].Pupil {
							p[i], p[j] = p[j], p[i]
						}
					}
				}
			}
			sortPlaces(places)
			if diff := cmp.Diff(tc.want, places); diff != "" {
				t.Errorf("places (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.unplaced, got.Unplaced); diff != "" {
				t.Errorf("unplaced (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReason(t *testing.T) {
	t.Parallel()
	got := allocation.Propose(
		[]allocation.Pupil{{ID: "p", LookedAfter: true, DaysBehind: 3, Risk: 4, SectorsSeen: []string{"health"}}},
		[]allocation.Opportunity{opp("o", 1, "digital")},
	).Assignments[0].Reason
	if want := "priority 1: looked after, 3 days behind, risk score 4; a sector not yet seen (digital)"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
}

// randomInstance is a seeded region in miniature: pupils with random
// disadvantages, bookings and year groups, and fewer places than pupils.
func randomInstance(seed uint64, pupils, opps int) ([]allocation.Pupil, []allocation.Opportunity) {
	rng := rand.New(rand.NewPCG(seed, 7))
	sectors := []string{"health", "digital", "construction", "creative", "logistics"}
	weeks := []string{"2026-06-15", "2026-06-22", "2026-06-29", "2026-07-06"}
	var ps []allocation.Pupil
	for i := range pupils {
		p := allocation.Pupil{
			ID: fmt.Sprintf("p%05d", i), YearGroup: 7 + rng.IntN(5), School: &wolverhampton,
			LookedAfter: rng.IntN(20) == 0, SEN: rng.IntN(6) == 0, FreeSchoolMeals: rng.IntN(4) == 0,
			DaysBehind: float64(rng.IntN(8)), Risk: rng.IntN(6),
			SectorsSeen: []string{sectors[rng.IntN(len(sectors))]},
		}
		if rng.IntN(3) == 0 {
			p.Busy = []allocation.DateRange{week(weeks[rng.IntN(len(weeks))])}
		}
		ps = append(ps, p)
	}
	var os []allocation.Opportunity
	for i := range opps {
		o := allocation.Opportunity{
			ID: fmt.Sprintf("o%04d", i), Capacity: 1 + rng.IntN(4), Dates: week(weeks[rng.IntN(len(weeks))]),
			Sector: sectors[rng.IntN(len(sectors))], SME: rng.IntN(2) == 0, Location: &wolverhampton,
		}
		for range 1 + rng.IntN(3) {
			o.YearGroups = append(o.YearGroups, 7+rng.IntN(5))
		}
		os = append(os, o)
	}
	return ps, os
}

// maxPlaced is the most pupils any allocation can place, by a plain
// augmenting-path maximum flow that ignores priority: the yardstick.
func maxPlaced(ps []allocation.Pupil, os []allocation.Opportunity) int {
	at := make([]int, len(ps))
	load := make([][]int, len(os))
	for i := range at {
		at[i] = -1
	}
	var try func(i int, seen []bool) bool
	try = func(i int, seen []bool) bool {
		for o := range os {
			if seen[o] || !allocation.Eligible(ps[i], os[o]) {
				continue
			}
			seen[o] = true
			if len(load[o]) < os[o].Capacity {
				load[o] = append(load[o], i)
				at[i] = o
				return true
			}
			for k, j := range load[o] {
				if try(j, seen) {
					load[o][k] = i
					at[i] = o
					return true
				}
			}
		}
		return false
	}
	n := 0
	for i := range ps {
		if try(i, make([]bool, len(os))) {
			n++
		}
	}
	return n
}

// TestProposeProperties checks, over seeded random instances, that
// capacity is never exceeded, every place is one its pupil may take, as
// many are placed as any allocation could place, no unplaced pupil was
// eligible for a place a lower-priority pupil holds, and the proposal does
// not depend on the order the input came in.
func TestProposeProperties(t *testing.T) {
	t.Parallel()
	for seed := range uint64(40) {
		ps, os := randomInstance(seed, 60, 12)
		got := allocation.Propose(ps, os)
		byID := map[string]allocation.Pupil{}
		for _, p := range ps {
			byID[p.ID] = p
		}
		opps := map[string]allocation.Opportunity{}
		for _, o := range os {
			opps[o.ID] = o
		}
		load := map[string]int{}
		rank := map[string]int{}
		for i, p := range allocation.Order(ps) {
			rank[p.ID] = i
		}
		for _, a := range got.Assignments {
			load[a.OpportunityID]++
			if !allocation.Eligible(byID[a.PupilID], opps[a.OpportunityID]) {
				t.Fatalf("seed %d: %s placed at %s, which they may not take", seed, a.PupilID, a.OpportunityID)
			}
		}
		for id, n := range load {
			if n > opps[id].Capacity {
				t.Fatalf("seed %d: %s has %d of %d places taken", seed, id, n, opps[id].Capacity)
			}
		}
		if want := maxPlaced(ps, os); len(got.Assignments) != want {
			t.Fatalf("seed %d: %d placed, the most possible is %d", seed, len(got.Assignments), want)
		}
		for _, u := range got.Unplaced {
			for _, a := range got.Assignments {
				if rank[a.PupilID] > rank[u] && allocation.Eligible(byID[u], opps[a.OpportunityID]) {
					t.Fatalf("seed %d: %s (rank %d) holds %s, which %s (rank %d) could take but has nothing",
						seed, a.PupilID, rank[a.PupilID], a.OpportunityID, u, rank[u])
				}
			}
		}
		shuffled := append([]allocation.Pupil{}, ps...)
		rand.New(rand.NewPCG(seed, 99)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if diff := cmp.Diff(got, allocation.Propose(shuffled, os)); diff != "" {
			t.Fatalf("seed %d: the proposal depends on the input order (-first +shuffled):\n%s", seed, diff)
		}
	}
}

// BenchmarkProposeRegion is a region's scale: 20,000 pupils and 5,000
// places (1,650 opportunities of one to four places) over four weeks.
func BenchmarkProposeRegion(b *testing.B) {
	ps, os := randomInstance(1, 20_000, 1_650)
	places := 0
	for _, o := range os {
		places += o.Capacity
	}
	b.ReportAllocs()
	b.ResetTimer()
	var placed int
	for b.Loop() {
		placed = len(allocation.Propose(ps, os).Assignments)
	}
	b.ReportMetric(float64(placed), "placed")
	b.ReportMetric(float64(places), "places")
}
