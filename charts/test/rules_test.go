package chartstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// ruleGroup is a Prometheus rule group as a PrometheusRule's spec holds it
// and as promtool reads it.
type ruleGroup struct {
	Name  string `json:"name"`
	Rules []rule `json:"rules"`
}

type rule struct {
	Alert       string            `json:"alert,omitempty"`
	Record      string            `json:"record,omitempty"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ruleGroups extracts the groups of every rendered PrometheusRule.
func ruleGroups(t testing.TB, objs []*unstructured.Unstructured) []ruleGroup {
	t.Helper()
	var groups []ruleGroup
	for _, o := range byKind(objs, "PrometheusRule") {
		var spec struct {
			Groups []ruleGroup `json:"groups"`
		}
		raw, _, _ := unstructured.NestedMap(o.Object, "spec")
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &spec); err != nil {
			t.Fatalf("PrometheusRule %s: %v", o.GetName(), err)
		}
		groups = append(groups, spec.Groups...)
	}
	return groups
}

func alerts(t testing.TB, objs []*unstructured.Unstructured) []rule {
	t.Helper()
	var out []rule
	for _, g := range ruleGroups(t, objs) {
		for _, r := range g.Rules {
			if r.Alert != "" {
				out = append(out, r)
			}
		}
	}
	return out
}

// renderedRules renders the chart with the alerts on.
func renderedRules(t testing.TB) []ruleGroup {
	t.Helper()
	groups := ruleGroups(t, mustRender(t, nil, "prometheusRule.enabled=true"))
	if len(groups) == 0 {
		t.Fatal("prometheusRule.enabled=true rendered no rule groups")
	}
	return groups
}

// TestAlertRulesPromtool checks the rendered rules with promtool and runs
// the unit tests in testdata/alerts.test.yaml against them.
func TestAlertRulesPromtool(t *testing.T) {
	t.Parallel()
	promtool := promtoolBinary(t)
	dir := t.TempDir()
	rules, err := yaml.Marshal(map[string]any{"groups": renderedRules(t)})
	if err != nil {
		t.Fatal(err)
	}
	// The unit tests name their rule file "rules.yaml", next to them.
	if err := os.WriteFile(filepath.Join(dir, "rules.yaml"), rules, 0o600); err != nil {
		t.Fatal(err)
	}
	tests, err := os.ReadFile(filepath.Join("testdata", "alerts.test.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "alerts.test.yaml"), tests, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"check", "rules", "rules.yaml"},
		{"test", "rules", "alerts.test.yaml"},
	} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestEveryAlertIsTestedAndHasARunbook: each alert has a promtool test that
// fires it, a runbook in docs/runbooks, and the runbook_url that links it.
func TestEveryAlertIsTestedAndHasARunbook(t *testing.T) {
	t.Parallel()
	tests, err := os.ReadFile(filepath.Join("testdata", "alerts.test.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var unit struct {
		Tests []struct {
			AlertRuleTests []struct {
				Alertname string `json:"alertname"`
				ExpAlerts []any  `json:"exp_alerts"`
			} `json:"alert_rule_test"`
		} `json:"tests"`
	}
	if err := yaml.Unmarshal(tests, &unit); err != nil {
		t.Fatal(err)
	}
	fired := map[string]bool{}
	for _, tc := range unit.Tests {
		for _, a := range tc.AlertRuleTests {
			if len(a.ExpAlerts) > 0 {
				fired[a.Alertname] = true
			}
		}
	}
	var names []string
	for _, g := range renderedRules(t) {
		for _, r := range g.Rules {
			names = append(names, r.Alert)
			if !fired[r.Alert] {
				t.Errorf("%s: no promtool test expects it to fire", r.Alert)
			}
			url := r.Annotations["runbook_url"]
			file := url[strings.LastIndex(url, "/")+1:]
			if !strings.HasPrefix(url, "https://github.com/nextstep-uk/nextstep/blob/main/docs/runbooks/") {
				t.Errorf("%s: runbook_url %q is not under docs/runbooks", r.Alert, url)
			}
			if _, err := os.Stat(filepath.Join(repoRoot(t), "docs", "runbooks", file)); err != nil {
				t.Errorf("%s: runbook %s: %v", r.Alert, file, err)
			}
			if r.Labels["severity"] == "" {
				t.Errorf("%s: no severity label", r.Alert)
			}
		}
	}
	// The schema lists the names disabledAlerts accepts: keep it in step.
	schemaNames := disabledAlertsEnum(t)
	slices.Sort(names)
	slices.Sort(schemaNames)
	if !slices.Equal(names, schemaNames) {
		t.Errorf("alerts %v, but values.schema.json's prometheusRule.disabledAlerts accepts %v", names, schemaNames)
	}
}
