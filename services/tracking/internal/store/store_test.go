package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

func TestWhere(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		build    func(w *where)
		wantSQL  string
		wantArgs []any
	}{
		"nothing":  {build: func(*where) {}, wantSQL: "true"},
		"sees all": {build: func(w *where) { w.scope(auth.Scope{All: true}, "") }, wantSQL: "true"},
		"one LA is an equality": {build: func(w *where) { w.scope(auth.Scope{LACodes: []string{"336"}}, "t.") },
			wantSQL: "t.la_code = $1", wantArgs: []any{"336"}},
		"a hub's LAs": {build: func(w *where) { w.scope(auth.Scope{LACodes: []string{"336", "330"}}, "") },
			wantSQL: "la_code = ANY($1)", wantArgs: []any{[]string{"336", "330"}}},
		"no LA sees nothing": {build: func(w *where) { w.scope(auth.Scope{}, "") },
			wantSQL: "la_code = ANY($1)", wantArgs: []any{[]string(nil)}},
		"a school, then filters numbered on": {build: func(w *where) {
			w.scope(auth.Scope{SchoolURN: "100001"}, "")
			w.add("status = 'open'")
			w.add("(a, b) > (?, ?)", 1, "x")
		}, wantSQL: "school_urn = $1 AND status = 'open' AND (a, b) > ($2, $3)", wantArgs: []any{"100001", 1, "x"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var w where
			tc.build(&w)
			if diff := cmp.Diff(tc.wantSQL, w.sql()); diff != "" {
				t.Errorf("sql (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantArgs, w.args); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScopeCovers(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		scope auth.Scope
		urn   string
		la    string
		want  bool
	}{
		"all":               {scope: auth.Scope{All: true}, urn: "100001", la: "201", want: true},
		"own school":        {scope: auth.Scope{SchoolURN: "100001"}, urn: "100001", la: "336", want: true},
		"another school":    {scope: auth.Scope{SchoolURN: "100001"}, urn: "100002", la: "336", want: false},
		"an LA of the hub":  {scope: auth.Scope{LACodes: []string{"336", "330"}}, urn: "100003", la: "330", want: true},
		"outside the hub":   {scope: auth.Scope{LACodes: []string{"336", "330"}}, urn: "100009", la: "201", want: false},
		"nothing sees none": {scope: auth.Scope{}, urn: "100001", la: "336", want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := tc.scope.Covers(tc.urn, tc.la); got != tc.want {
				t.Errorf("Covers = %v, want %v", got, tc.want)
			}
		})
	}
}
