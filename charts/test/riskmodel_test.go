package chartstest

import (
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/nextstep-uk/nextstep/services/pupil"
)

// TestTemplateRiskModel: riskModel becomes a ConfigMap the pupil service,
// and only it, mounts and names in NEXTSTEP_RISK_MODEL, and the pupil
// service accepts it as rendered; without riskModel nothing is rendered.
func TestTemplateRiskModel(t *testing.T) {
	deployment := func(objs []*unstructured.Unstructured, name string) appsv1.Deployment {
		t.Helper()
		var d appsv1.Deployment
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(named(t, objs, "Deployment", name).Object, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	uses := func(d appsv1.Deployment) (env string, mounted bool) {
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			if e.Name == pupil.RiskModelEnv {
				env = e.Value
			}
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			mounted = mounted || (v.ConfigMap != nil && v.ConfigMap.Name == "nextstep-risk-model")
		}
		return env, mounted
	}

	defaults := mustRender(t, nil)
	for _, o := range defaults {
		if o.GetKind() == "ConfigMap" && o.GetName() == "nextstep-risk-model" {
			t.Error("a risk model ConfigMap without riskModel")
		}
	}
	if env, mounted := uses(deployment(defaults, "nextstep-pupil")); env != "" || mounted {
		t.Errorf("defaults: the pupil service is given a risk model (%q, mounted %v)", env, mounted)
	}

	objs := mustRender(t, ciValues(t, "all-on"))
	data, _, _ := unstructured.NestedString(named(t, objs, "ConfigMap", "nextstep-risk-model").Object, "data", "risk-model.yaml")
	env, mounted := uses(deployment(objs, "nextstep-pupil"))
	if env != "/etc/nextstep-risk/risk-model.yaml" || !mounted {
		t.Errorf("the pupil service: %s=%q, mounted %v", pupil.RiskModelEnv, env, mounted)
	}
	for _, other := range []string{"nextstep-placement", "nextstep-tracking"} {
		if env, mounted := uses(deployment(objs, other)); env != "" || mounted {
			t.Errorf("%s is given the risk model", other)
		}
	}
	// The file as rendered is one the pupil service starts with.
	path := filepath.Join(t.TempDir(), "risk-model.yaml")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(pupil.RiskModelEnv, path)
	if _, err := pupil.Configured(); err != nil {
		t.Errorf("the pupil service refuses the rendered model: %v\n%s", err, data)
	}
}
