package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// seedDestinations records, for each of six pupils, destinations at three
// schools in two local authorities, with ties on kind and effective date
// that only the later tie-breaks settle.
func seedDestinations(t *testing.T, db store.DB) (pupils []string, all []store.Destination) {
	t.Helper()
	ctx := context.Background()
	schools := []struct{ urn, la string }{{"100001", "336"}, {"100002", "336"}, {"100009", "330"}}
	n := 0
	for p := range 6 {
		pupil := fmt.Sprintf("00000000-0000-4000-8000-%012d", p+1)
		pupils = append(pupils, pupil)
		for i, kind := range []string{"intended", "offer", "confirmed", "offer", "intended"} {
			switch {
			case p%3 == 0 && kind == "confirmed":
				continue // an offer is the firmest held
			case p%3 == 1 && kind != "intended":
				continue // two intentions of one date: the later recorded wins
			}
			n++
			at := schools[(p+i)%len(schools)]
			d, err := store.InsertDestination(ctx, db, fmt.Sprintf("10000000-0000-4000-8000-%012d", n), []byte{byte(n)}, store.Destination{
				PupilID: pupil, SchoolURN: at.urn, LACode: at.la, Kind: kind, ActivityCode: "540",
				EffectiveDate: time.Date(2026, 9, 1+i%2, 0, 0, 0, 0, time.UTC), Source: "test", RecordedBy: "tester",
				RecordedAt: time.Date(2026, 9, 2, 9, 0, n, 0, time.UTC),
			})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, d)
		}
	}
	return pupils, all
}

// The export (built in store) and LatestDestinations (generated) must agree
// on which record is a pupil's latest. The export walks every pupil with a
// record in scope, wherever their latest one is, and those it is told of.
func TestLatestDestinationsAgreeWithExport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewPool(t, "tracking", migrations.FS)
	pupils, all := seedDestinations(t, pool)
	latest, err := store.LatestDestinations(ctx, pool, pupils, auth.Everything())
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		scope auth.Scope
		also  []string
	}{
		"all":               {scope: auth.Scope{All: true}},
		"LA":                {scope: auth.Scope{LACodes: []string{"336"}}},
		"hub":               {scope: auth.Scope{LACodes: []string{"336", "330"}}},
		"school":            {scope: auth.Scope{SchoolURN: "100009"}},
		"none":              {scope: auth.Scope{LACodes: []string{}}},
		"none, told of one": {scope: auth.Scope{LACodes: []string{}}, also: pupils[2:3]},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			want := map[string]store.Destination{}
			for _, d := range all {
				if c.scope.Covers(d.SchoolURN, d.LACode) || slices.Contains(c.also, d.PupilID) {
					want[d.PupilID] = latest[d.PupilID]
				}
			}
			exported := map[string]store.Destination{}
			if err := store.EachLatestDestination(ctx, pool, c.scope, "", "", c.also, func(d store.Destination) error {
				exported[d.PupilID] = d
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, exported); diff != "" {
				t.Errorf("LatestDestinations (-) and the export (+) differ:\n%s", diff)
			}
		})
	}
}

// ListDestinations' scope, written in its SQL, covers what Scope.Covers
// covers, page after page.
func TestListDestinationsScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewPool(t, "tracking", migrations.FS)
	pupils, all := seedDestinations(t, pool)
	scopes := map[string]auth.Scope{
		"all":              {All: true},
		"LA":               {LACodes: []string{"336"}},
		"hub":              {LACodes: []string{"336", "330"}},
		"school":           {SchoolURN: "100009"},
		"school wins":      {SchoolURN: "100009", LACodes: []string{"336"}},
		"no LAs":           {LACodes: []string{}},
		"nil LAs":          {},
		"LA of no records": {LACodes: []string{"201"}},
	}
	for name, s := range scopes {
		t.Run(name, func(t *testing.T) {
			for _, pupil := range pupils {
				var want []store.Destination
				for _, d := range all {
					if d.PupilID == pupil && s.Covers(d.SchoolURN, d.LACode) {
						want = append(want, d)
					}
				}
				slices.SortFunc(want, func(a, b store.Destination) int {
					if c := b.RecordedAt.Compare(a.RecordedAt); c != 0 {
						return c
					}
					return -cmpString(a.ID, b.ID)
				})
				var got []store.Destination
				var after *store.DestinationCursor
				for {
					page, err := store.ListDestinations(ctx, pool, pupil, s, after, 2)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, page...)
					if len(page) < 2 {
						break
					}
					last := page[len(page)-1]
					after = &store.DestinationCursor{RecordedAt: last.RecordedAt, ID: last.ID}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("pupil %s (-want +got):\n%s", pupil, diff)
				}
			}
		})
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
