package auth_test

import (
	"strings"
	"testing"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	const good = `
oidc:
  - issuer: https://login.example/realms/wmca
    audiences: [nextstep]
    rolesClaim: groups
    rules:
      - value: nextstep-hub-admins
        role: hub_admin
        scope: {kind: hub, id: wmca, la_codes: ["330", "336"]}
      - value: careers-136001
        role: careers_leader
        scope: {kind: school, id: "136001"}
kubernetes:
  audiences: [nextstep]
  serviceAccounts: [nextstep/nextstep-operator]
`
	if _, err := auth.ParseConfig([]byte(good)); err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	cases := map[string]struct{ yaml, wantErr string }{
		"nothing configured": {yaml: `{}`, wantErr: "neither oidc nor kubernetes"},
		"a typo in a key": {yaml: `oidc: [{issuer: "https://a.example", audience: [x], rolesClaim: g, rules: [{value: v, role: analyst, scope: {kind: la, id: "336"}}]}]`,
			wantErr: "unknown field"},
		"an http issuer": {yaml: `oidc: [{issuer: "http://a.example", audiences: [x], rolesClaim: g, rules: [{value: v, role: analyst, scope: {kind: la, id: "336"}}]}]`,
			wantErr: "oidc[0].issuer must be an https URL"},
		"no audiences": {yaml: `oidc: [{issuer: "https://a.example", rolesClaim: g, rules: [{value: v, role: analyst, scope: {kind: la, id: "336"}}]}]`,
			wantErr: "oidc[0].audiences"},
		"no rules": {yaml: `oidc: [{issuer: "https://a.example", audiences: [x], rolesClaim: g}]`, wantErr: "oidc[0].rules"},
		"an unknown role": {yaml: `oidc: [{issuer: "https://a.example", audiences: [x], rolesClaim: g, rules: [{value: v, role: superuser, scope: {kind: la, id: "336"}}]}]`,
			wantErr: "oidc[0].rules[0].role"},
		"the service role for a person": {yaml: `oidc: [{issuer: "https://a.example", audiences: [x], rolesClaim: g, rules: [{value: v, role: service, scope: {kind: la, id: "336"}}]}]`,
			wantErr: "service role is for nextstep's components"},
		"every record for a person": {yaml: `oidc: [{issuer: "https://a.example", audiences: [x], rolesClaim: g, rules: [{value: v, role: hub_admin, scope: {kind: all}}]}]`,
			wantErr: "never a person"},
		"a rule without a scope": {yaml: `oidc: [{issuer: "https://a.example", audiences: [x], rolesClaim: g, rules: [{value: v, role: analyst}]}]`,
			wantErr: "oidc[0].rules[0].scope is required"},
		"a bad scope": {yaml: `oidc: [{issuer: "https://a.example", audiences: [x], rolesClaim: g, rules: [{value: v, role: analyst, scope: {kind: school, id: "12"}}]}]`,
			wantErr: "6-digit URN"},
		"a service account without its namespace": {yaml: `kubernetes: {audiences: [x], serviceAccounts: [nextstep-operator]}`,
			wantErr: "kubernetes.serviceAccounts[0] must be namespace/name"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := auth.ParseConfig([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
