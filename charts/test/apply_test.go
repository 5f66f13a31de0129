package chartstest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// prometheusOperatorVersion pins the Prometheus Operator whose CRDs the
// ServiceMonitors and PrometheusRule must satisfy; they ship in its Go module.
const prometheusOperatorVersion = "v0.85.0"

// prometheusOperatorCRDs are the Prometheus Operator CRDs the chart can use.
var prometheusOperatorCRDs = []string{
	"monitoring.coreos.com_servicemonitors.yaml",
	"monitoring.coreos.com_podmonitors.yaml",
	"monitoring.coreos.com_prometheusrules.yaml",
}

// TestKubernetesAPIAcceptsTheChart runs a real kube-apiserver and etcd
// (envtest) with the Prometheus Operator CRDs, upgrades the chart's CRDs the
// way README.md documents, then applies every object of the all-on scenario
// server-side into a namespace that enforces the restricted Pod Security
// Standard, and fails on any rejection or warning.
func TestKubernetesAPIAcceptsTheChart(t *testing.T) {
	t.Parallel()
	dir := prometheusOperatorDir(t)
	var crdPaths []string
	for _, f := range prometheusOperatorCRDs {
		crdPaths = append(crdPaths, filepath.Join(dir, "example", "prometheus-operator-crd", f))
	}
	warnings := &warningRecorder{}
	env := &envtest.Environment{
		CRDInstallOptions:     envtest.CRDInstallOptions{Paths: crdPaths, ErrorIfPathMissing: true},
		BinaryAssetsDirectory: controlPlane(t),
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Logf("stop control plane: %v", err)
		}
	})
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = warnings
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := apiextensionsv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	t.Run("CRDs upgrade with kubectl apply --server-side --force-conflicts", func(t *testing.T) {
		crds := chartCRDs(t)
		for _, crd := range crds {
			installOlderCRD(t, ctx, c, crd)
		}
		for _, crd := range crds {
			// Without --force-conflicts the apply conflicts with Helm's create.
			err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(crd.DeepCopy()), client.FieldOwner("kubectl"))
			if !apierrors.IsConflict(err) {
				t.Errorf("CRD %s: apply without force: got %v, want a conflict (README says --force-conflicts)", crd.GetName(), err)
			}
			if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(crd.DeepCopy()), client.FieldOwner("kubectl"), client.ForceOwnership); err != nil {
				t.Fatalf("CRD %s: kubectl apply --server-side --force-conflicts: %v", crd.GetName(), err)
			}
			var got apiextensionsv1.CustomResourceDefinition
			if err := c.Get(ctx, client.ObjectKey{Name: crd.GetName()}, &got); err != nil {
				t.Fatal(err)
			}
			if got.Spec.Versions[0].Schema.OpenAPIV3Schema.Description == olderDescription {
				// The apply did not take the field over from Helm's create.
				t.Errorf("CRD %s was not upgraded", crd.GetName())
			}
		}
		waitForCRDs(t, env, crds)
	})

	t.Run("every rendered object is accepted", func(t *testing.T) {
		ns := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Namespace",
			"metadata": map[string]any{"name": releaseNamespace, "labels": map[string]any{
				"pod-security.kubernetes.io/enforce": "restricted",
				"pod-security.kubernetes.io/warn":    "restricted",
				"pod-security.kubernetes.io/audit":   "restricted",
			}},
		}}
		apply(t, ctx, c, ns)
		// The namespace really enforces the restricted standard: a pod
		// without a security context is refused.
		loose := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": "loose", "namespace": releaseNamespace},
			"spec":     map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox"}}},
		}}
		if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(loose), client.FieldOwner("nextstep-chart-test")); !apierrors.IsForbidden(err) {
			t.Fatalf("a pod breaking the restricted standard: got %v, want Forbidden", err)
		}
		warnings.reset()
		applied := 0
		for _, o := range mustRender(t, ciValues(t, "all-on")) {
			if o.GroupVersionKind().Group == "postgresql.cnpg.io" {
				// The CloudNativePG CRDs are not served by the Go module
				// proxy here, so the Cluster cannot be checked by a server.
				t.Logf("skipped %s %s: no CloudNativePG CRDs available", o.GetKind(), o.GetName())
				continue
			}
			apply(t, ctx, c, o)
			applied++
		}
		if w := warnings.all(); len(w) > 0 {
			t.Errorf("the API server warned:\n%s", strings.Join(w, "\n"))
		}
		if applied < 30 {
			t.Errorf("only %d objects applied", applied)
		}
		checkOperatorRBAC(t, ctx, c, "nextstep-operator")
		checkIdentityWiring(t, ctx, c, cfg)
	})

	t.Run("helm install, test hooks rendered, upgrade", func(t *testing.T) {
		kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
		if err := os.WriteFile(kubeconfig, env.KubeConfig, 0o600); err != nil {
			t.Fatal(err)
		}
		// Another release name, so its cluster-scoped RBAC does not collide
		// with the objects applied above.
		const release, namespace = "second", "nextstep-second"
		common := []string{"--kubeconfig", kubeconfig, "--namespace", namespace}
		install := append([]string{"install", release, ".", "--create-namespace",
			"--values", ciValues(t, "all-on")[0], "--set", "database.cloudnativepg.enabled=false"}, common...)
		out, err := runHelm(t, install...)
		if err != nil {
			t.Fatalf("helm install: %v\n%s", err, out)
		}
		for _, want := range []string{
			// NOTES.txt says who may call: the release's own components and the issuers.
			"checked with the API server's TokenReview",
			"nextstep-second/second-nextstep-operator",
			"nextstep-second/second-nextstep-placement",
			"nextstep-second/second-nextstep-tracking",
			"https://login.example.org/realms/wmca (2 rule(s) on the groups claim)",
			"kubectl apply --server-side --force-conflicts -f",
			"http://second-nextstep-pupil.nextstep-second.svc:8080",
			// And where the console is, with the redirect URI to register.
			"https://console.hub.example.org/auth/callback as the client's redirect URI",
		} {
			if !strings.Contains(string(out), want) {
				t.Errorf("helm install output lacks %q:\n%s", want, out)
			}
		}
		upgrade := append([]string{"upgrade", release, ".", "--reuse-values", "--set", "operator.replicas=3"}, common...)
		if out, err := runHelm(t, upgrade...); err != nil {
			t.Fatalf("helm upgrade: %v\n%s", err, out)
		}
		if out, err := runHelm(t, append([]string{"uninstall", release, "--wait=false"}, common...)...); err != nil {
			t.Fatalf("helm uninstall: %v\n%s", err, out)
		}
		// Helm never deletes CRDs: the cluster's Cohorts outlive the release.
		for _, crd := range chartCRDs(t) {
			var got apiextensionsv1.CustomResourceDefinition
			if err := c.Get(ctx, client.ObjectKey{Name: crd.GetName()}, &got); err != nil {
				t.Errorf("CRD %s after uninstall: %v", crd.GetName(), err)
			}
		}
	})
}

func apply(t *testing.T, ctx context.Context, c client.Client, o *unstructured.Unstructured) {
	t.Helper()
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(o.DeepCopy()), client.FieldOwner("nextstep-chart-test"), client.ForceOwnership); err != nil {
		t.Errorf("apply %s %s: %v", o.GetKind(), o.GetName(), err)
	}
}

// chartCRDs reads crds/*.yaml.
func chartCRDs(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir(t), "crds", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in crds/: %v", err)
	}
	var crds []*unstructured.Unstructured
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		crds = append(crds, objs...)
	}
	return crds
}

const olderDescription = "an older release of this CRD"

// installOlderCRD creates the CRD as an older chart release would have,
// the way `helm install` does: a plain create, not an apply.
func installOlderCRD(t *testing.T, ctx context.Context, c client.Client, crd *unstructured.Unstructured) {
	t.Helper()
	raw, err := json.Marshal(crd.Object)
	if err != nil {
		t.Fatal(err)
	}
	var older apiextensionsv1.CustomResourceDefinition
	if err := json.Unmarshal(raw, &older); err != nil {
		t.Fatal(err)
	}
	for i, v := range older.Spec.Versions {
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			t.Fatalf("CRD %s version %s has no schema", older.Name, v.Name)
		}
		older.Spec.Versions[i].Schema.OpenAPIV3Schema.Description = olderDescription
	}
	if err := c.Create(ctx, &older, client.FieldOwner("helm")); err != nil {
		t.Fatalf("create older CRD %s: %v", older.Name, err)
	}
}

// waitForCRDs waits until the API server serves the CRDs' resources.
func waitForCRDs(t *testing.T, env *envtest.Environment, crds []*unstructured.Unstructured) {
	t.Helper()
	var typed []*apiextensionsv1.CustomResourceDefinition
	for _, crd := range crds {
		var c apiextensionsv1.CustomResourceDefinition
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(crd.Object, &c); err != nil {
			t.Fatal(err)
		}
		typed = append(typed, &c)
	}
	if err := envtest.WaitForCRDs(env.Config, typed, envtest.CRDInstallOptions{}); err != nil {
		t.Fatalf("CRDs not served: %v", err)
	}
}

// prometheusOperatorDir downloads (once, into the module cache) the
// Prometheus Operator module and returns its directory.
func prometheusOperatorDir(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/prometheus-operator/prometheus-operator@"+prometheusOperatorVersion)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download prometheus-operator: %v\n%s", err, out)
	}
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go mod download prometheus-operator: %v %s", err, mod.Error)
	}
	return mod.Dir
}

// controlPlane returns the directory holding kube-apiserver and etcd:
// KUBEBUILDER_ASSETS when make test set it, else what hack/envtest.sh builds.
func controlPlane(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	cmd := exec.Command(filepath.Join(repoRoot(t), "hack", "envtest.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hack/envtest.sh: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// warningRecorder keeps the API server's warnings (deprecations, Pod
// Security violations in warn mode).
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

func (w *warningRecorder) HandleWarningHeader(code int, agent, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.warnings = append(w.warnings, fmt.Sprintf("%d %s", code, text))
}

func (w *warningRecorder) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.warnings = nil
}

func (w *warningRecorder) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.warnings...)
}
