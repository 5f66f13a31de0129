package chartstest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestSchemaRejectsBadValues: values.schema.json is strict at every level, so
// a typo in a nested key or a wrong type fails the install instead of being
// silently ignored.
func TestSchemaRejectsBadValues(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		values string
		want   string // part of helm's error
	}{
		"typo in a nested key": {
			values: "services:\n  pupil:\n    resources:\n      limts:\n        cpu: '1'\n",
			want:   "/services/pupil/resources",
		},
		"typo in a top-level key": {
			values: "serviceMonitors:\n  enabled: true\n",
			want:   "serviceMonitors",
		},
		"replicas as a string": {
			values: "operator:\n  replicas: two\n",
			want:   "/operator/replicas",
		},
		"a boolean as a string": {
			values: "networkPolicy:\n  enabled: 'yes'\n",
			want:   "/networkPolicy/enabled",
		},
		"an unknown alert disabled": {
			values: "prometheusRule:\n  disabledAlerts: [NextstepCohortBehind]\n",
			want:   "/prometheusRule/disabledAlerts/0",
		},
		"a risk weight off the scale": {
			values: "riskModel:\n  version: v1\n  attendance: 9\n",
			want:   "/riskModel/attendance",
		},
		"a risk model without a version": {
			values: "riskModel:\n  attendance: 1\n",
			want:   "/riskModel",
		},
		"an unknown risk factor": {
			values: "riskModel:\n  version: v1\n  previously_looked_after: 1\n",
			want:   "previously_looked_after",
		},
		"a currency period of no days": {
			values: "currency:\n  rules:\n    - {groups: [neet], days: 0}\n",
			want:   "/currency/rules/0/days",
		},
		"a currency group that is not one": {
			values: "currency:\n  rules:\n    - {groups: [not_known], days: 30}\n",
			want:   "/currency/rules/0/groups/0",
		},
		"an unknown log level": {
			values: "services:\n  tracking:\n    logLevel: verbose\n",
			want:   "/services/tracking/logLevel",
		},
		"a digest that is not sha256": {
			values: "operator:\n  image:\n    digest: latest\n",
			want:   "/operator/image/digest",
		},
		"a CIDR that is not one": {
			values: "networkPolicy:\n  databaseCIDRs: [database.example.org]\n",
			want:   "/networkPolicy/databaseCIDRs/0",
		},
		"an unknown key in a network peer": {
			values: "networkPolicy:\n  clientsFrom:\n    - namespaceSelector:\n        matchLabel:\n          a: b\n",
			want:   "/networkPolicy/clientsFrom/0/namespaceSelector",
		},
		"an unknown key in an issuer": {
			values: oidcValues("    groupsClaim: groups\n"),
			want:   "/auth/oidc/0",
		},
		"the service role for people": {
			values: strings.Replace(oidcValues(""), "role: analyst", "role: service", 1),
			want:   "/auth/oidc/0/rules/0/role",
		},
		"an issuer without audiences": {
			values: strings.Replace(oidcValues(""), "    audiences: [nextstep]\n", "", 1),
			want:   "/auth/oidc/0",
		},
		"an issuer with no audience in the list": {
			values: strings.Replace(oidcValues(""), "audiences: [nextstep]", "audiences: []", 1),
			want:   "/auth/oidc/0/audiences",
		},
		"an issuer that is not https": {
			values: strings.Replace(oidcValues(""), "https://login.example.org", "http://login.example.org", 1),
			want:   "/auth/oidc/0/issuer",
		},
		"an issuer without rules": {
			values: strings.Replace(oidcValues(""), "    rules:\n      - {value: a, role: analyst, scope: {kind: la, id: '336'}}\n", "    rules: []\n", 1),
			want:   "/auth/oidc/0/rules",
		},
		"every record for a person": {
			values: strings.Replace(oidcValues(""), "{kind: la, id: '336'}", "{kind: all, id: x}", 1),
			want:   "/auth/oidc/0/rules/0/scope/kind",
		},
		"a hub without its LA codes": {
			values: strings.Replace(oidcValues(""), "{kind: la, id: '336'}", "{kind: hub, id: wmca}", 1),
			want:   "/auth/oidc/0/rules/0/scope",
		},
		"an LA code as a number": {
			values: strings.Replace(oidcValues(""), "{kind: la, id: '336'}", "{kind: hub, id: wmca, la_codes: [336]}", 1),
			want:   "/auth/oidc/0/rules/0/scope/la_codes/0",
		},
		"a school that is not a URN": {
			values: strings.Replace(oidcValues(""), "{kind: la, id: '336'}", "{kind: school, id: '1360'}", 1),
			want:   "/auth/oidc/0/rules/0/scope",
		},
		"clock skew beyond five minutes": {
			values: oidcValues("    clockSkewSeconds: 600\n"),
			want:   "/auth/oidc/0/clockSkewSeconds",
		},
		"a token shorter than TokenRequest allows": {
			values: "auth:\n  kubernetes:\n    tokenExpirationSeconds: 300\n",
			want:   "/auth/kubernetes/tokenExpirationSeconds",
		},
		"an empty audience": {
			values: "auth:\n  kubernetes:\n    audience: ''\n",
			want:   "/auth/kubernetes/audience",
		},
		"a console URL that is not https": {
			values: "console:\n  url: http://console.example.org\n",
			want:   "/console/url",
		},
		"a console URL with a path": {
			values: "console:\n  url: https://example.org/console\n",
			want:   "/console/url",
		},
		"the console enabled without its issuer": {
			values: "console:\n  enabled: true\n  url: https://console.example.org\n  oidc:\n    clientID: nextstep-console\n",
			want:   "/console/oidc/issuer",
		},
		"an unknown key under console.ingress": {
			values: "console:\n  ingress:\n    host: console.example.org\n",
			want:   "/console/ingress",
		},
		"an unknown key under auth.kubernetes": {
			values: "auth:\n  kubernetes:\n    serviceAccounts: [kube-system/default]\n",
			want:   "/auth/kubernetes",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "values.yaml")
			if err := os.WriteFile(file, []byte(tc.values), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := template(t, []string{file})
			if err == nil {
				t.Fatalf("helm template accepted\n%s", tc.values)
			}
			if !strings.Contains(err.Error(), "schema") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not name the schema and %q:\n%v", tc.want, err)
			}
		})
	}
}

// oidcValues is a valid auth.oidc with one issuer and one rule, and extra
// (indented issuer keys) added to the issuer.
func oidcValues(extra string) string {
	return "auth:\n  oidc:\n  - issuer: https://login.example.org\n" +
		"    audiences: [nextstep]\n" +
		"    rolesClaim: groups\n" +
		"    rules:\n      - {value: a, role: analyst, scope: {kind: la, id: '336'}}\n" + extra
}

// TestSchemaAcceptsGoodAuthValues: the valid base of the cases above
// renders, so each refusal there is for its one change.
func TestSchemaAcceptsGoodAuthValues(t *testing.T) {
	t.Parallel()
	for _, values := range []string{
		oidcValues(""),
		oidcValues("    clockSkewSeconds: 300\n    subjectClaim: oid\n"),
		strings.Replace(oidcValues(""), "{kind: la, id: '336'}", "{kind: hub, id: wmca, la_codes: ['330', '336']}", 1),
		strings.Replace(oidcValues(""), "{kind: la, id: '336'}", "{kind: school, id: '136001'}", 1),
		"auth:\n  kubernetes:\n    audience: nextstep.example.org\n    tokenExpirationSeconds: 600\n",
	} {
		file := filepath.Join(t.TempDir(), "values.yaml")
		if err := os.WriteFile(file, []byte(values), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := template(t, []string{file}); err != nil {
			t.Errorf("helm template refused\n%s\n%v", values, err)
		}
	}
}

// TestEveryValueDocumented: every leaf of values.yaml is described by
// values.schema.json and has a row in README.md's table.
func TestEveryValueDocumented(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(chartDir(t), "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(raw, &values); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(chartDir(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var tableRows []string
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "| `") {
			tableRows = append(tableRows, line)
		}
	}
	s := loadSchema(t)
	leaves := leafPaths("", values)
	for _, path := range leaves {
		// A row's first cell may list several paths (the three services' same key).
		i := slices.IndexFunc(tableRows, func(row string) bool {
			first, _, _ := strings.Cut(row[1:], "|")
			return strings.Contains(first, "`"+path+"`")
		})
		if i < 0 {
			t.Errorf("README.md's values table has no row for `%s`", path)
		} else if got, want := readmeDefault(tableRows[i]), jsonDefault(t, values, path); got != want {
			t.Errorf("README.md gives %s the default %s, values.yaml %s", path, got, want)
		}
		if _, ok := s.at(strings.Split(path, ".")); !ok {
			t.Errorf("values.schema.json does not describe %s", path)
		}
	}
	if len(leaves) < 50 {
		t.Errorf("only %d values found", len(leaves))
	}
}

// leafPaths lists the dotted paths of a values tree's leaves: scalars,
// lists and empty maps.
func leafPaths(prefix string, v any) []string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return []string{prefix}
	}
	var paths []string
	for k, child := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		paths = append(paths, leafPaths(p, child)...)
	}
	sort.Strings(paths)
	return paths
}

// schema is a node of values.schema.json with its document, to resolve $ref.
type schema struct {
	node map[string]any
	root map[string]any
}

func loadSchema(t testing.TB) schema {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(chartDir(t), "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	return schema{root, root}
}

// resolve follows a local "#/$defs/name" reference.
func (s schema) resolve() schema {
	for {
		ref, ok := s.node["$ref"].(string)
		if !ok {
			return s
		}
		def, _ := s.root["$defs"].(map[string]any)[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		s = schema{def, s.root}
	}
}

// at finds the schema of a path of property names.
func (s schema) at(path []string) (schema, bool) {
	s = s.resolve()
	if len(path) == 0 {
		return s, s.node != nil
	}
	props, _ := s.node["properties"].(map[string]any)
	child, ok := props[path[0]].(map[string]any)
	if !ok {
		return schema{}, false
	}
	return schema{child, s.root}.at(path[1:])
}

// disabledAlertsEnum is the list of alert names prometheusRule.disabledAlerts accepts.
func disabledAlertsEnum(t testing.TB) []string {
	t.Helper()
	s, ok := loadSchema(t).at([]string{"prometheusRule", "disabledAlerts"})
	if !ok {
		t.Fatal("values.schema.json has no prometheusRule.disabledAlerts")
	}
	items, _ := s.node["items"].(map[string]any)
	var names []string
	for _, n := range items["enum"].([]any) {
		names = append(names, n.(string))
	}
	return names
}

// readmeDefault is a table row's second cell without its backticks and spaces.
func readmeDefault(row string) string {
	cells := strings.Split(row, " | ")
	if len(cells) < 2 {
		return ""
	}
	return strings.ReplaceAll(strings.Trim(cells[1], "`"), " ", "")
}

// jsonDefault is a value's default in values.yaml as compact JSON.
func jsonDefault(t *testing.T, values map[string]any, path string) string {
	t.Helper()
	var v any = values
	for _, key := range strings.Split(path, ".") {
		v = v.(map[string]any)[key]
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(raw), " ", "")
}
