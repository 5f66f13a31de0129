package chartstest

import (
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/pupil"
	"github.com/nextstep-uk/nextstep/services/tracking"
)

// TestTemplateServiceConfigs: riskModel and currency each become a
// ConfigMap one service, and only it, mounts and names in its environment
// variable, and the service accepts the file as rendered; without them
// nothing is rendered.
func TestTemplateServiceConfigs(t *testing.T) {
	for _, c := range []struct {
		value, configMap, key, service, env, path string
		configured                                func() (server.Spec, error)
	}{
		{"riskModel", "nextstep-risk-model", "risk-model.yaml", "nextstep-pupil", pupil.RiskModelEnv, "/etc/nextstep-risk/risk-model.yaml", pupil.Configured},
		{"currency", "nextstep-currency", "currency.yaml", "nextstep-tracking", tracking.CurrencyEnv, "/etc/nextstep-currency/currency.yaml", tracking.Configured},
	} {
		t.Run(c.value, func(t *testing.T) { serviceConfig(t, c.configMap, c.key, c.service, c.env, c.path, c.configured) })
	}
}

func serviceConfig(t *testing.T, configMap, key, service, envName, path string, configured func() (server.Spec, error)) {
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
			if e.Name == envName {
				env = e.Value
			}
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			mounted = mounted || (v.ConfigMap != nil && v.ConfigMap.Name == configMap)
		}
		return env, mounted
	}

	defaults := mustRender(t, nil)
	for _, o := range defaults {
		if o.GetKind() == "ConfigMap" && o.GetName() == configMap {
			t.Errorf("%s rendered from the defaults", configMap)
		}
	}
	if env, mounted := uses(deployment(defaults, service)); env != "" || mounted {
		t.Errorf("defaults: %s is given %s (%q, mounted %v)", service, configMap, env, mounted)
	}

	objs := mustRender(t, ciValues(t, "all-on"))
	data, _, _ := unstructured.NestedString(named(t, objs, "ConfigMap", configMap).Object, "data", key)
	env, mounted := uses(deployment(objs, service))
	if env != path || !mounted {
		t.Errorf("%s: %s=%q, mounted %v", service, envName, env, mounted)
	}
	for _, other := range []string{"nextstep-pupil", "nextstep-placement", "nextstep-tracking"} {
		if env, mounted := uses(deployment(objs, other)); other != service && (env != "" || mounted) {
			t.Errorf("%s is given %s", other, configMap)
		}
	}
	// The file as rendered is one the service starts with.
	file := filepath.Join(t.TempDir(), key)
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envName, file)
	if _, err := configured(); err != nil {
		t.Errorf("%s refuses the rendered file: %v\n%s", service, err, data)
	}
}
