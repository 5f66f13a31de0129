package chartstest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestTemplateInvariants renders every scenario and checks what must hold in
// all of them.
func TestTemplateInvariants(t *testing.T) {
	t.Parallel()
	for name, files := range scenarios(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, err := template(t, files)
			if err != nil {
				t.Fatal(err)
			}
			// Development sign-in, and running as root, must be impossible
			// to enable through the chart.
			for _, v := range []string{"NEXTSTEP_DEV_TOKENS_FILE", "NEXTSTEP_ALLOW_DEV_TOKENS", "NEXTSTEP_ALLOW_ROOT"} {
				if bytes.Contains(out, []byte(v)) {
					t.Errorf("a rendered manifest sets %s", v)
				}
			}
			objs, err := decode(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs {
				spec, ok := podSpec(o)
				if !ok {
					continue
				}
				for _, problem := range restrictedProblems(spec) {
					t.Errorf("%s %s: %s", o.GetKind(), o.GetName(), problem)
				}
			}
			checkDisruptionBudgets(t, objs)
		})
	}
}

// podSpec returns a Deployment's pod template spec or a Pod's spec.
func podSpec(o *unstructured.Unstructured) (map[string]any, bool) {
	path := []string{"spec", "template", "spec"}
	if o.GetKind() == "Pod" {
		path = []string{"spec"}
	}
	spec, ok, _ := unstructured.NestedMap(o.Object, path...)
	return spec, ok
}

// restrictedProblems lists where a pod spec falls short of the restricted
// Pod Security Standard or lacks resources.
func restrictedProblems(spec map[string]any) []string {
	var problems []string
	want := func(obj map[string]any, value any, path ...string) {
		got, _, _ := unstructured.NestedFieldNoCopy(obj, path...)
		if !cmp.Equal(got, value) {
			problems = append(problems, fmt.Sprintf("%s = %v, want %v", strings.Join(path, "."), got, value))
		}
	}
	want(spec, true, "securityContext", "runAsNonRoot")
	want(spec, "RuntimeDefault", "securityContext", "seccompProfile", "type")
	containers, _, _ := unstructured.NestedSlice(spec, "containers")
	if len(containers) == 0 {
		problems = append(problems, "no containers")
	}
	for _, c := range containers {
		c := c.(map[string]any)
		want(c, false, "securityContext", "allowPrivilegeEscalation")
		want(c, true, "securityContext", "readOnlyRootFilesystem")
		want(c, true, "securityContext", "runAsNonRoot")
		want(c, []any{"ALL"}, "securityContext", "capabilities", "drop")
		if _, ok, _ := unstructured.NestedString(c, "resources", "requests", "memory"); !ok {
			problems = append(problems, fmt.Sprintf("container %v has no memory request", c["name"]))
		}
		if _, ok, _ := unstructured.NestedString(c, "resources", "limits", "memory"); !ok {
			problems = append(problems, fmt.Sprintf("container %v has no memory limit", c["name"]))
		}
	}
	return problems
}

// checkDisruptionBudgets: a PodDisruptionBudget exists for a Deployment
// exactly when it runs (or its autoscaler keeps) more than one pod, so that a
// node drain is never blocked by a budget on a single pod.
func checkDisruptionBudgets(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	minPods := map[string]int64{}
	for _, d := range byKind(objs, "Deployment") {
		n, ok, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
		if !ok {
			n = 1
		}
		minPods[d.GetName()] = n
	}
	for _, h := range byKind(objs, "HorizontalPodAutoscaler") {
		target, _, _ := unstructured.NestedString(h.Object, "spec", "scaleTargetRef", "name")
		n, _, _ := unstructured.NestedInt64(h.Object, "spec", "minReplicas")
		minPods[target] = n
	}
	budgets := map[string]bool{}
	for _, p := range byKind(objs, "PodDisruptionBudget") {
		budgets[p.GetName()] = true
	}
	for name, n := range minPods {
		if got, want := budgets[name], n > 1; got != want {
			t.Errorf("Deployment %s with at least %d pods: PodDisruptionBudget present = %v, want %v", name, n, got, want)
		}
	}
}

// TestTemplateScenarios checks what each scenario's values must change.
func TestTemplateScenarios(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		values []string
		sets   []string
		check  func(t *testing.T, objs []*unstructured.Unstructured)
	}{
		"defaults leave the Prometheus Operator and CloudNativePG objects out": {
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				for _, kind := range []string{"ServiceMonitor", "PrometheusRule", "Cluster", "HorizontalPodAutoscaler"} {
					if n := len(byKind(objs, kind)); n != 0 {
						t.Errorf("%d %s objects, want none by default", n, kind)
					}
				}
				// The one ConfigMap is the services' auth config; dashboards are off.
				if cms := byKind(objs, "ConfigMap"); len(cms) != 1 || cms[0].GetName() != "nextstep-auth" {
					t.Errorf("%d ConfigMaps, want only nextstep-auth by default", len(cms))
				}
				if got := envFrom(t, objs, "nextstep-pupil", "DATABASE_URL"); got != "secret nextstep-database/DATABASE_URL" {
					t.Errorf("pupil DATABASE_URL from %s", got)
				}
			},
		},
		"the operator runs two replicas with leader election in its namespace": {
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				d := named(t, objs, "Deployment", "nextstep-operator")
				if n, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas"); n != 2 {
					t.Errorf("operator replicas = %d, want 2", n)
				}
				args := containerArgs(t, d)
				for _, want := range []string{
					"--leader-elect=true",
					"--leader-election-namespace=nextstep",
					"--pupil-url=http://nextstep-pupil.nextstep.svc:8080",
					"--placement-url=http://nextstep-placement.nextstep.svc:8080",
					"--tracking-url=http://nextstep-tracking.nextstep.svc:8080",
					"--token-file=/var/run/secrets/nextstep/token",
				} {
					if !slices.Contains(args, want) {
						t.Errorf("operator args %v lack %s", args, want)
					}
				}
			},
		},
		"all on: every optional object and the configured images": {
			values: ciValues(t, "all-on"),
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				counts := map[string]int{}
				for _, o := range objs {
					counts[o.GetKind()]++
				}
				// ConfigMaps: three dashboards, the auth config, the risk model and the currency periods.
				want := map[string]int{"ServiceMonitor": 2, "PrometheusRule": 1, "Cluster": 1, "ConfigMap": 6, "HorizontalPodAutoscaler": 1, "NetworkPolicy": 5, "ClusterRole": 2, "ClusterRoleBinding": 2, "Ingress": 1}
				for kind, n := range want {
					if counts[kind] != n {
						t.Errorf("%d %s objects, want %d", counts[kind], kind, n)
					}
				}
				images := map[string]string{}
				for _, d := range byKind(objs, "Deployment") {
					images[d.GetName()] = containerImage(t, d)
				}
				wantImages := map[string]string{
					"nextstep-pupil":     "registry.example.org/nextstep-uk/nextstep/pupil:0.1.0-rc.1",
					"nextstep-placement": "registry.example.org/nextstep-uk/nextstep/placement:0.1.0-rc.1",
					"nextstep-tracking":  "registry.example.org/nextstep-uk/nextstep/tracking@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
					"nextstep-operator":  "registry.example.org/nextstep-uk/nextstep/operator:0.1.0-rc.1",
					"nextstep-console":   "registry.example.org/nextstep-uk/nextstep/console:0.1.0-rc.1",
				}
				if diff := cmp.Diff(wantImages, images); diff != "" {
					t.Errorf("images (-want +got):\n%s", diff)
				}
				if got := envFrom(t, objs, "nextstep-tracking", "DATABASE_URL"); got != "secret nextstep-db-app/uri" {
					t.Errorf("tracking DATABASE_URL from %s, want the CloudNativePG app secret", got)
				}
				// The cohort metrics' own namespace label must survive the scrape.
				endpoints, _, _ := unstructured.NestedSlice(named(t, objs, "ServiceMonitor", "nextstep-operator").Object, "spec", "endpoints")
				if len(endpoints) != 1 || endpoints[0].(map[string]any)["honorLabels"] != true {
					t.Errorf("operator ServiceMonitor endpoints %v, want one with honorLabels: true", endpoints)
				}
			},
		},
		"the console is off by default": {
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				for _, o := range objs {
					if o.GetLabels()["app.kubernetes.io/component"] == "console" {
						t.Errorf("%s %s rendered with the console off", o.GetKind(), o.GetName())
					}
				}
			},
		},
		"the console signs people in at its issuer and calls the services with their tokens": {
			values: ciValues(t, "all-on"),
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				d := named(t, objs, "Deployment", "nextstep-console")
				want := map[string]string{
					"NEXTSTEP_CONSOLE_URL":             "https://console.hub.example.org",
					"NEXTSTEP_OIDC_ISSUER":             "https://login.example.org/realms/wmca",
					"NEXTSTEP_OIDC_CLIENT_ID":          "nextstep-console",
					"NEXTSTEP_OIDC_CLIENT_SECRET_FILE": "/etc/nextstep-console/client-secret",
					"NEXTSTEP_AUTH_CONFIG":             "/etc/nextstep/auth.yaml",
					"NEXTSTEP_PUPIL_URL":               "http://nextstep-pupil.nextstep.svc:8080",
					"NEXTSTEP_PLACEMENT_URL":           "http://nextstep-placement.nextstep.svc:8080",
					"NEXTSTEP_TRACKING_URL":            "http://nextstep-tracking.nextstep.svc:8080",
					"NEXTSTEP_SESSION_IDLE_TIMEOUT":    "30m",
					"NEXTSTEP_SESSION_MAX_AGE":         "8h",
				}
				got := map[string]string{}
				env, _, _ := unstructured.NestedSlice(firstContainer(t, d), "env")
				for _, e := range env {
					e := e.(map[string]any)
					if v, ok := e["value"].(string); ok && want[e["name"].(string)] != "" {
						got[e["name"].(string)] = v
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("console env (-want +got):\n%s", diff)
				}
				if got := envFrom(t, objs, "nextstep-console", "DATABASE_URL"); got != "secret nextstep-db-app/uri" {
					t.Errorf("console DATABASE_URL from %s", got)
				}
				// The console never calls as itself: no service-account token.
				if mount, _, _ := unstructured.NestedBool(d.Object, "spec", "template", "spec", "automountServiceAccountToken"); mount {
					t.Error("the console mounts a service-account token")
				}
				vols, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "volumes")
				for _, v := range vols {
					if _, projected := v.(map[string]any)["projected"]; projected {
						t.Errorf("the console has a projected volume %v", v)
					}
				}
				// The services take its calls.
				np := named(t, objs, "NetworkPolicy", "nextstep-services")
				from, _, _ := unstructured.NestedSlice(np.Object, "spec", "ingress")
				if !strings.Contains(fmt.Sprint(from), "component:console") {
					t.Errorf("the services' NetworkPolicy does not admit the console: %v", from)
				}
				ing := named(t, objs, "Ingress", "nextstep-console")
				if host, _, _ := unstructured.NestedSlice(ing.Object, "spec", "rules"); fmt.Sprint(host) == "" || !strings.Contains(fmt.Sprint(host), "console.hub.example.org") {
					t.Errorf("ingress rules %v", host)
				}
			},
		},
		"single replicas: no PodDisruptionBudget, a disabled alert left out": {
			values: ciValues(t, "single-replica"),
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				if n := len(byKind(objs, "PodDisruptionBudget")); n != 0 {
					t.Errorf("%d PodDisruptionBudgets with single replicas, want none", n)
				}
				for _, a := range alerts(t, objs) {
					if a.Alert == "NextstepQueueGrowing" {
						t.Error("NextstepQueueGrowing is disabled but rendered")
					}
				}
			},
		},
		"per-service database secrets": {
			values: ciValues(t, "per-service-database"),
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				for _, svc := range []string{"pupil", "placement", "tracking"} {
					want := fmt.Sprintf("secret nextstep-%s-db/url", svc)
					if got := envFrom(t, objs, "nextstep-"+svc, "DATABASE_URL"); got != want {
						t.Errorf("%s DATABASE_URL from %s, want %s", svc, got, want)
					}
				}
				if n := len(byKind(objs, "NetworkPolicy")); n != 0 {
					t.Errorf("%d NetworkPolicies, want none when disabled", n)
				}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc.check(t, mustRender(t, tc.values, tc.sets...))
		})
	}
}

func named(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range byKind(objs, kind) {
		if o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %s rendered", kind, name)
	return nil
}

func firstContainer(t *testing.T, d *unstructured.Unstructured) map[string]any {
	t.Helper()
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	if len(cs) == 0 {
		t.Fatalf("%s has no containers", d.GetName())
	}
	return cs[0].(map[string]any)
}

func containerImage(t *testing.T, d *unstructured.Unstructured) string {
	t.Helper()
	image, _, _ := unstructured.NestedString(firstContainer(t, d), "image")
	return image
}

func containerArgs(t *testing.T, d *unstructured.Unstructured) []string {
	t.Helper()
	args, _, _ := unstructured.NestedStringSlice(firstContainer(t, d), "args")
	return args
}

// envFrom describes where a Deployment's variable comes from: "secret name/key".
func envFrom(t *testing.T, objs []*unstructured.Unstructured, deployment, variable string) string {
	t.Helper()
	env, _, _ := unstructured.NestedSlice(firstContainer(t, named(t, objs, "Deployment", deployment)), "env")
	for _, e := range env {
		e := e.(map[string]any)
		if e["name"] != variable {
			continue
		}
		name, _, _ := unstructured.NestedString(e, "valueFrom", "secretKeyRef", "name")
		key, _, _ := unstructured.NestedString(e, "valueFrom", "secretKeyRef", "key")
		return fmt.Sprintf("secret %s/%s", name, key)
	}
	return "nowhere"
}

// TestConsoleNeedsAnIssuerOfAuthOIDC: the console gives people the roles
// auth.oidc's rules give them, so it can sign in only at one of those
// issuers; and its address must be https.
func TestConsoleNeedsAnIssuerOfAuthOIDC(t *testing.T) {
	t.Parallel()
	all := ciValues(t, "all-on")
	cases := map[string]struct {
		sets []string
		want string
	}{
		"an issuer auth.oidc does not list": {
			sets: []string{"console.oidc.issuer=https://elsewhere.example.org"},
			want: "is not one of auth.oidc's issuers",
		},
		"no client id": {
			sets: []string{"console.oidc.clientID="},
			want: "/console/oidc/clientID",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := template(t, all, tc.sets...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("helm template: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
