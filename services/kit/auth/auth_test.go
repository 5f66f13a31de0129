package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	authv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/auth/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

func TestParseDevTokens(t *testing.T) {
	cases := map[string]struct {
		json    string
		wantErr string
	}{
		"hub admin": {json: `{"tokens":[{"token":"dev-hub-admin","subject":"a","role":"hub_admin","scope":{"kind":"hub","id":"wmca","la_codes":["336"]}}]}`},
		"service":   {json: `{"tokens":[{"token":"dev-operator","subject":"op","role":"service","scope":{"kind":"all"}}]}`},
		"unknown role": {json: `{"tokens":[{"token":"dev-12345","subject":"a","role":"superuser","scope":{"kind":"all"}}]}`,
			wantErr: `unknown role "superuser"`},
		"typo in a key is refused": {json: `{"tokens":[{"token":"dev-12345","subject":"a","role":"analyst","scope":{"kind":"la","idd":"336"}}]}`,
			wantErr: "unknown field"},
		"school scope needs a URN": {json: `{"tokens":[{"token":"dev-12345","subject":"a","role":"careers_leader","scope":{"kind":"school","id":"12"}}]}`,
			wantErr: "6-digit URN"},
		"hub scope needs its LAs": {json: `{"tokens":[{"token":"dev-12345","subject":"a","role":"caseworker","scope":{"kind":"hub","id":"wmca"}}]}`,
			wantErr: "la_codes"},
		"all takes no id": {json: `{"tokens":[{"token":"dev-12345","subject":"a","role":"service","scope":{"kind":"all","id":"x"}}]}`,
			wantErr: "no id"},
		"short token": {json: `{"tokens":[{"token":"abc","subject":"a","role":"service","scope":{"kind":"all"}}]}`,
			wantErr: "at least 8"},
		"no subject": {json: `{"tokens":[{"token":"dev-12345","role":"service","scope":{"kind":"all"}}]}`,
			wantErr: "subject"},
		"repeated token": {json: `{"tokens":[{"token":"dev-12345","subject":"a","role":"service","scope":{"kind":"all"}},{"token":"dev-12345","subject":"b","role":"analyst","scope":{"kind":"all"}}]}`,
			wantErr: "repeats"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := auth.ParseDevTokens([]byte(tc.json))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("ParseDevTokens: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("ParseDevTokens error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestDevTokensAuthenticate(t *testing.T) {
	d, err := auth.ParseDevTokens([]byte(`{"tokens":[{"token":"dev-leader","subject":"leader","role":"careers_leader","scope":{"kind":"school","id":"100001"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.Authenticate(context.Background(), "dev-leader")
	if err != nil {
		t.Fatal(err)
	}
	want := auth.Principal{Subject: "leader", Issuer: "development", Role: auth.RoleCareersLeader, Scope: auth.School("100001")}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}
	if _, err := d.Authenticate(context.Background(), "dev-other"); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("unknown token: err = %v, want ErrUnauthenticated", err)
	}
}

func TestScopeCovers(t *testing.T) {
	hub := auth.Principal{Scope: auth.LocalAuthorities("336", "330")}
	la := auth.Principal{Scope: auth.LocalAuthorities("336")}
	school := auth.Principal{Scope: auth.School("100001")}
	all := auth.Principal{Scope: auth.Everything()}
	none := auth.Principal{}
	cases := map[string]struct {
		p       auth.Principal
		urn, la string
		want    bool
	}{
		"hub, school in a covered LA":    {p: hub, urn: "100001", la: "330", want: true},
		"hub, school elsewhere":          {p: hub, urn: "100001", la: "201", want: false},
		"LA, its own school":             {p: la, urn: "100009", la: "336", want: true},
		"LA, a neighbour's school":       {p: la, urn: "100009", la: "330", want: false},
		"school, itself":                 {p: school, urn: "100001", la: "336", want: true},
		"school, another in the same LA": {p: school, urn: "100002", la: "336", want: false},
		"all":                            {p: all, urn: "999999", la: "999", want: true},
		"no scope sees nothing":          {p: none, urn: "100001", la: "336", want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.p.Scope.Covers(tc.urn, tc.la); got != tc.want {
				t.Errorf("Covers(%s, %s) = %v, want %v", tc.urn, tc.la, got, tc.want)
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	method := pupilv1.File_nextstep_pupil_v1_pupil_proto.Services().ByName("PupilService").Methods().ByName("CreateSchool")
	policy := auth.Policy(method)
	if diff := cmp.Diff([]authv1.Role{auth.RoleHubAdmin}, policy.GetRoles()); diff != "" {
		t.Fatalf("CreateSchool policy roles (-want +got):\n%s", diff)
	}
	if err := auth.Authorize(auth.Principal{Role: auth.RoleHubAdmin}, policy); err != nil {
		t.Errorf("hub admin refused: %v", err)
	}
	if err := auth.Authorize(auth.Principal{Role: auth.RoleAnalyst}, policy); err == nil {
		t.Error("analyst allowed to create a school")
	}
	if err := auth.Authorize(auth.Principal{Role: auth.RoleHubAdmin}, nil); err == nil {
		t.Error("a method without a policy was allowed")
	}
}

// TestScopeJSONRoundTrip: a scope written as configuration writes it reads
// back the same.
func TestScopeJSONRoundTrip(t *testing.T) {
	for _, s := range []auth.Scope{auth.Everything(), auth.School("100001"), auth.LocalAuthorities("336"), auth.LocalAuthorities("336", "330")} {
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back auth.Scope
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if diff := cmp.Diff(s, back); diff != "" {
			t.Errorf("%s (-want +got):\n%s", data, diff)
		}
	}
}

// TestScopeCoversPupil: an authority also covers the young people who live
// in it, wherever they study; a school covers its own pupils, wherever they
// live.
func TestScopeCoversPupil(t *testing.T) {
	la := auth.LocalAuthorities("330")
	school := auth.School("100001")
	cases := map[string]struct {
		s                  auth.Scope
		urn, la, residence string
		want               bool
	}{
		"LA, a resident educated elsewhere":          {s: la, urn: "100001", la: "336", residence: "330", want: true},
		"LA, a pupil of its school living elsewhere": {s: la, urn: "100003", la: "330", residence: "336", want: true},
		"LA, neither school nor residence":           {s: la, urn: "100001", la: "336", residence: "201", want: false},
		"LA, no residence recorded":                  {s: la, urn: "100001", la: "336", want: false},
		"school, its pupil living anywhere":          {s: school, urn: "100001", la: "336", residence: "201", want: true},
		"school, a resident of its LA elsewhere":     {s: school, urn: "100002", la: "336", residence: "336", want: false},
		"no scope sees nothing":                      {s: auth.Scope{}, urn: "100001", la: "336", residence: "336", want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.s.CoversPupil(tc.urn, tc.la, tc.residence); got != tc.want {
				t.Errorf("CoversPupil(%s, %s, %s) = %v, want %v", tc.urn, tc.la, tc.residence, got, tc.want)
			}
		})
	}
}

func TestScopeCoversLA(t *testing.T) {
	for name, tc := range map[string]struct {
		s    auth.Scope
		want bool
	}{
		"everything":     {auth.Everything(), true},
		"the LA itself":  {auth.LocalAuthorities("336", "330"), true},
		"another LA":     {auth.LocalAuthorities("201"), false},
		"a school in it": {auth.School("100001"), false},
		"no scope":       {auth.Scope{}, false},
	} {
		if got := tc.s.CoversLA("336"); got != tc.want {
			t.Errorf("%s: CoversLA = %v, want %v", name, got, tc.want)
		}
	}
}
