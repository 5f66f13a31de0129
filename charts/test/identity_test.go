package chartstest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	authenticationv1client "k8s.io/client-go/kubernetes/typed/authentication/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

// The paths and names the chart's identity wiring uses.
const (
	authConfigPath = "/etc/nextstep/auth.yaml"
	tokenFile      = "/var/run/secrets/nextstep/token"
	kubeAPIDir     = "/var/run/secrets/kubernetes.io/serviceaccount"
)

var services = []string{"pupil", "placement", "tracking"}

// callers are the components that call a service, with the projected token.
var callers = map[string]bool{"operator": true, "placement": true, "tracking": true}

// wantServiceAccounts are the service accounts auth.yaml lists as the
// service role, for release "nextstep" in namespace "nextstep".
var wantServiceAccounts = []string{"nextstep/nextstep-operator", "nextstep/nextstep-placement", "nextstep/nextstep-tracking"}

// renderedAuthConfig reads auth.yaml from the auth ConfigMap the way a
// service does, with services/kit/auth.ParseConfig.
func renderedAuthConfig(t *testing.T, objs []*unstructured.Unstructured) auth.Config {
	t.Helper()
	data, _, _ := unstructured.NestedString(named(t, objs, "ConfigMap", "nextstep-auth").Object, "data", "auth.yaml")
	cfg, err := auth.ParseConfig([]byte(data))
	if err != nil {
		t.Fatalf("auth.yaml does not parse as services/kit/auth.Config: %v\n%s", err, data)
	}
	return cfg
}

// TestTemplateAuthConfig: the rendered auth.yaml is what services/kit/auth
// reads, with the values' issuers and the three calling service accounts.
func TestTemplateAuthConfig(t *testing.T) {
	t.Parallel()
	t.Run("defaults: only nextstep's components", func(t *testing.T) {
		t.Parallel()
		cfg := renderedAuthConfig(t, mustRender(t, nil))
		want := auth.Config{Kubernetes: &auth.KubernetesConfig{Audiences: []string{"nextstep"}, ServiceAccounts: wantServiceAccounts}}
		if diff := cmp.Diff(want, cfg); diff != "" {
			t.Errorf("auth.yaml (-want +got):\n%s", diff)
		}
	})
	t.Run("all on: the issuers and their rules", func(t *testing.T) {
		t.Parallel()
		cfg := renderedAuthConfig(t, mustRender(t, ciValues(t, "all-on")))
		hub, la, school := auth.LocalAuthorities("330", "336"), auth.LocalAuthorities("332"), auth.School("136001")
		want := auth.Config{
			OIDC: []auth.IssuerConfig{
				{
					Issuer: "https://login.example.org/realms/wmca", Audiences: []string{"nextstep"}, RolesClaim: "groups",
					Rules: []auth.Rule{
						{Value: "nextstep-hub-admins", Role: "hub_admin", Scope: &hub},
						{Value: "careers-136001", Role: "careers_leader", Scope: &school},
					},
				},
				{
					Issuer: "https://sso.example.net:8443/dudley", Audiences: []string{"nextstep-dudley", "nextstep"},
					ClockSkewSeconds: 60, SubjectClaim: "oid", RolesClaim: "roles",
					Rules: []auth.Rule{
						{Value: "caseworker", Role: "caseworker", Scope: &la},
						{Value: "analyst", Role: "analyst", Scope: &la},
					},
				},
			},
			Kubernetes: &auth.KubernetesConfig{Audiences: []string{"nextstep.example.org"}, ServiceAccounts: wantServiceAccounts},
		}
		if diff := cmp.Diff(want, cfg); diff != "" {
			t.Errorf("auth.yaml (-want +got):\n%s", diff)
		}
	})
	t.Run("another release names its own service accounts", func(t *testing.T) {
		t.Parallel()
		out, err := runHelm(t, "template", "second", ".", "--namespace", "hub")
		if err != nil {
			t.Fatal(err)
		}
		objs, err := decode(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range byKind(objs, "ConfigMap") {
			data, _, _ := unstructured.NestedString(o.Object, "data", "auth.yaml")
			cfg, err := auth.ParseConfig([]byte(data))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"hub/second-nextstep-operator", "hub/second-nextstep-placement", "hub/second-nextstep-tracking"}
			if diff := cmp.Diff(want, cfg.Kubernetes.ServiceAccounts); diff != "" {
				t.Errorf("serviceAccounts (-want +got):\n%s", diff)
			}
		}
	})
	t.Run("an issuer listed twice is refused", func(t *testing.T) {
		t.Parallel()
		issuer := "{issuer: https://login.example.org, audiences: [nextstep], rolesClaim: groups, rules: [{value: a, role: analyst, scope: {kind: la, id: '336'}}]}"
		_, err := template(t, []string{valuesFile(t, "auth:\n  oidc:\n    - "+issuer+"\n    - "+issuer+"\n")})
		if err == nil || !strings.Contains(err.Error(), "auth.oidc[1].issuer repeats https://login.example.org") {
			t.Errorf("helm template: %v, want the repeated issuer named", err)
		}
	})
	t.Run("a change of auth values rolls the services", func(t *testing.T) {
		t.Parallel()
		checksum := func(objs []*unstructured.Unstructured) string {
			sum, _, _ := unstructured.NestedString(named(t, objs, "Deployment", "nextstep-pupil").Object, "spec", "template", "metadata", "annotations", "checksum/auth")
			return sum
		}
		before, after := checksum(mustRender(t, nil)), checksum(mustRender(t, nil, "auth.kubernetes.audience=other"))
		if before == "" || before == after {
			t.Errorf("checksum/auth %q then %q, want it to change with the audience", before, after)
		}
	})
}

// TestTemplateIdentityWiring checks, in every scenario, each component's
// tokens and config, and the TokenReview RBAC.
func TestTemplateIdentityWiring(t *testing.T) {
	t.Parallel()
	for name, files := range scenarios(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			objs := mustRender(t, files)
			cfg := renderedAuthConfig(t, objs)
			audience := cfg.Kubernetes.Audiences[0]
			expiration := int64(3600)
			if name == "all-on" {
				expiration = 1800
			}
			for _, problem := range identityProblems(objs, "nextstep", audience, expiration) {
				t.Error(problem)
			}
		})
	}
}

// identityProblems lists where the objects (rendered, or as the API server
// stored them) differ from the identity wiring the chart promises.
func identityProblems(objs []*unstructured.Unstructured, namespace, audience string, expiration int64) []string {
	var problems []string
	deployments := map[string]*unstructured.Unstructured{}
	for _, d := range byKind(objs, "Deployment") {
		deployments[d.GetLabels()["app.kubernetes.io/component"]] = d
	}
	for _, component := range append([]string{"operator"}, services...) {
		d, ok := deployments[component]
		if !ok {
			problems = append(problems, "no Deployment for "+component)
			continue
		}
		spec, _, _ := unstructured.NestedMap(d.Object, "spec", "template", "spec")
		volumes := byName(spec["volumes"])
		containers, _ := spec["containers"].([]any)
		if len(containers) != 1 {
			problems = append(problems, fmt.Sprintf("%s: %d containers", component, len(containers)))
			continue
		}
		c := containers[0].(map[string]any)
		env := map[string]string{}
		for _, e := range byName(c["env"]) {
			if v, ok := e["value"].(string); ok {
				env[e["name"].(string)] = v
			}
		}
		mounts := map[string]string{}
		for _, m := range c["volumeMounts"].([]any) {
			m := m.(map[string]any)
			mounts[m["name"].(string)] = m["mountPath"].(string)
			if m["name"] != "tmp" && m["readOnly"] != true {
				problems = append(problems, fmt.Sprintf("%s: volume %s is mounted writable", component, m["name"]))
			}
		}
		if _, ok := env["NEXTSTEP_DEV_TOKENS_FILE"]; ok {
			problems = append(problems, component+" sets NEXTSTEP_DEV_TOKENS_FILE")
		}

		// The projected token a caller presents, bound to the audience.
		token, hasToken := volumes["nextstep-token"]
		switch {
		case callers[component] && !hasToken:
			problems = append(problems, component+": no nextstep-token volume")
		case !callers[component] && hasToken:
			problems = append(problems, component+" calls no service but has a nextstep-token volume")
		case hasToken:
			sources, _, _ := unstructured.NestedSlice(token, "projected", "sources")
			want := []any{map[string]any{"serviceAccountToken": map[string]any{"audience": audience, "expirationSeconds": expiration, "path": "token"}}}
			if diff := cmp.Diff(want, sources); diff != "" {
				problems = append(problems, fmt.Sprintf("%s: nextstep-token sources (-want +got):\n%s", component, diff))
			}
			if mounts["nextstep-token"] != filepath.Dir(tokenFile) {
				problems = append(problems, fmt.Sprintf("%s: nextstep-token mounted at %q", component, mounts["nextstep-token"]))
			}
		}
		switch {
		case component == "operator":
			args, _, _ := unstructured.NestedStringSlice(c, "args")
			if !contains(args, "--token-file="+tokenFile) {
				problems = append(problems, fmt.Sprintf("operator args %v lack --token-file=%s", args, tokenFile))
			}
			continue
		case callers[component] && env["NEXTSTEP_TOKEN_FILE"] != tokenFile:
			problems = append(problems, fmt.Sprintf("%s: NEXTSTEP_TOKEN_FILE = %q, want %s", component, env["NEXTSTEP_TOKEN_FILE"], tokenFile))
		case !callers[component] && env["NEXTSTEP_TOKEN_FILE"] != "":
			problems = append(problems, component+" calls no service but sets NEXTSTEP_TOKEN_FILE")
		}

		// Every service: the auth config, and a token for the API server.
		if env["NEXTSTEP_AUTH_CONFIG"] != authConfigPath {
			problems = append(problems, fmt.Sprintf("%s: NEXTSTEP_AUTH_CONFIG = %q, want %s", component, env["NEXTSTEP_AUTH_CONFIG"], authConfigPath))
		}
		if cm, _, _ := unstructured.NestedString(volumes["auth-config"], "configMap", "name"); cm != "nextstep-auth" || mounts["auth-config"] != filepath.Dir(authConfigPath) {
			problems = append(problems, fmt.Sprintf("%s: auth-config is ConfigMap %q at %q", component, cm, mounts["auth-config"]))
		}
		sources, _, _ := unstructured.NestedSlice(volumes["kube-api-access"], "projected", "sources")
		apiToken, _, _ := unstructured.NestedMap(firstOr(sources), "serviceAccountToken")
		if len(sources) != 3 || apiToken == nil || apiToken["audience"] != nil || mounts["kube-api-access"] != kubeAPIDir {
			problems = append(problems, fmt.Sprintf("%s: kube-api-access %v mounted at %q, want the API server's token, CA and namespace at %s", component, sources, mounts["kube-api-access"], kubeAPIDir))
		}
		if auto, ok := spec["automountServiceAccountToken"].(bool); !ok || auto {
			problems = append(problems, component+": the pod does not set automountServiceAccountToken: false")
		}
	}

	// TokenReview: create, nothing else, for exactly the three services.
	var role, binding *unstructured.Unstructured
	for _, o := range objs {
		if o.GetName() != "nextstep-tokenreview" {
			continue
		}
		switch o.GetKind() {
		case "ClusterRole":
			role = o
		case "ClusterRoleBinding":
			binding = o
		}
	}
	if role == nil || binding == nil {
		return append(problems, "no ClusterRole and ClusterRoleBinding nextstep-tokenreview")
	}
	rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
	wantRules := []any{map[string]any{"apiGroups": []any{"authentication.k8s.io"}, "resources": []any{"tokenreviews"}, "verbs": []any{"create"}}}
	if diff := cmp.Diff(wantRules, rules); diff != "" {
		problems = append(problems, fmt.Sprintf("ClusterRole nextstep-tokenreview rules (-want +got):\n%s", diff))
	}
	roleRef, _, _ := unstructured.NestedMap(binding.Object, "roleRef")
	if diff := cmp.Diff(map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "nextstep-tokenreview"}, roleRef); diff != "" {
		problems = append(problems, fmt.Sprintf("ClusterRoleBinding nextstep-tokenreview roleRef (-want +got):\n%s", diff))
	}
	subjects, _, _ := unstructured.NestedSlice(binding.Object, "subjects")
	var wantSubjects []any
	for _, s := range services {
		wantSubjects = append(wantSubjects, map[string]any{"kind": "ServiceAccount", "name": "nextstep-" + s, "namespace": namespace})
	}
	if diff := cmp.Diff(wantSubjects, subjects); diff != "" {
		problems = append(problems, fmt.Sprintf("ClusterRoleBinding nextstep-tokenreview subjects (-want +got):\n%s", diff))
	}
	return problems
}

// TestTemplateServicesReachTheAPIServer: with NetworkPolicies on, the
// services may reach the API server (TokenReview) and, with auth.oidc, the
// issuers' ports.
func TestTemplateServicesReachTheAPIServer(t *testing.T) {
	t.Parallel()
	egress := func(objs []*unstructured.Unstructured) []any {
		e, _, _ := unstructured.NestedSlice(named(t, objs, "NetworkPolicy", "nextstep-services").Object, "spec", "egress")
		return e
	}
	rule := func(cidrs []string, ports ...int64) any {
		r := map[string]any{}
		var ps []any
		for _, p := range ports {
			ps = append(ps, map[string]any{"protocol": "TCP", "port": p})
		}
		r["ports"] = ps
		if len(cidrs) > 0 {
			var to []any
			for _, c := range cidrs {
				to = append(to, map[string]any{"ipBlock": map[string]any{"cidr": c}})
			}
			r["to"] = to
		}
		return r
	}
	defaults := egress(mustRender(t, nil))
	if !containsValue(defaults, rule(nil, 443, 6443)) {
		t.Errorf("defaults: the services' egress %v does not reach the API server", defaults)
	}
	if len(defaults) != 4 {
		t.Errorf("defaults: %d egress rules, want DNS, PostgreSQL, the API server and the pupil service", len(defaults))
	}
	allOn := egress(mustRender(t, ciValues(t, "all-on")))
	for _, want := range []any{rule([]string{"10.0.0.1/32"}, 443, 6443), rule([]string{"203.0.113.0/24"}, 443, 8443)} {
		if !containsValue(allOn, want) {
			t.Errorf("all-on: the services' egress lacks %v", want)
		}
	}
}

// TestTemplateOperatorTokenHasNoSecret: the operator's token is projected,
// never read from a Secret, and the old value is gone from the schema.
func TestTemplateOperatorTokenHasNoSecret(t *testing.T) {
	t.Parallel()
	_, err := template(t, []string{valuesFile(t, "operator:\n  token:\n    secretName: x\n")})
	if err == nil || !strings.Contains(err.Error(), "/operator") {
		t.Errorf("operator.token accepted: %v", err)
	}
}

func valuesFile(t *testing.T, values string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(file, []byte(values), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// byName indexes a list of named maps (volumes, env) by name.
func byName(list any) map[string]map[string]any {
	out := map[string]map[string]any{}
	items, _ := list.([]any)
	for _, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		if name, ok := m["name"].(string); ok {
			out[name] = m
		}
	}
	return out
}

func firstOr(list []any) map[string]any {
	if len(list) == 0 {
		return nil
	}
	m, _ := list[0].(map[string]any)
	return m
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsValue(list []any, v any) bool {
	for _, x := range list {
		if cmp.Equal(x, v) {
			return true
		}
	}
	return false
}

// checkIdentityWiring reads back, object by object, what the API server
// stored of the all-on release and checks the identity wiring; asks the
// API server (SubjectAccessReview) what the services' accounts may do; and
// has the pupil service's account review, through services/kit/auth, tokens
// the API server mints for the accounts as the chart wires them.
func checkIdentityWiring(t *testing.T, ctx context.Context, c client.Client, cfg *rest.Config) {
	t.Helper()
	get := func(apiVersion, kind, namespace, name string) *unstructured.Unstructured {
		o := &unstructured.Unstructured{}
		o.SetAPIVersion(apiVersion)
		o.SetKind(kind)
		if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, o); err != nil {
			t.Fatalf("get %s %s: %v", kind, name, err)
		}
		return o
	}
	stored := []*unstructured.Unstructured{
		get("v1", "ConfigMap", releaseNamespace, "nextstep-auth"),
		get("rbac.authorization.k8s.io/v1", "ClusterRole", "", "nextstep-tokenreview"),
		get("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", "nextstep-tokenreview"),
	}
	for _, component := range append([]string{"operator"}, services...) {
		stored = append(stored, get("apps/v1", "Deployment", releaseNamespace, "nextstep-"+component))
		sa := get("v1", "ServiceAccount", releaseNamespace, "nextstep-"+component)
		if auto, ok, _ := unstructured.NestedBool(sa.Object, "automountServiceAccountToken"); component != "operator" && (!ok || auto) {
			t.Errorf("ServiceAccount nextstep-%s: automountServiceAccountToken = %v, want false", component, auto)
		}
	}
	const audience = "nextstep.example.org" // ci/all-on-values.yaml
	for _, problem := range identityProblems(stored, releaseNamespace, audience, 1800) {
		t.Error(problem)
	}
	authCfg := renderedAuthConfig(t, stored)

	// What the accounts may do, as the API server's authorizer sees it.
	tokenReview := access{group: "authentication.k8s.io", resource: "tokenreviews", verb: "create"}
	for _, component := range append([]string{"operator", "helm-test"}, services...) {
		user := "system:serviceaccount:" + releaseNamespace + ":nextstep-" + component
		if got, want := allowed(t, ctx, c, user, tokenReview), component != "operator" && component != "helm-test"; got != want {
			t.Errorf("%s may create TokenReviews: %v, want %v", user, got, want)
		}
	}
	for _, svc := range services {
		user := "system:serviceaccount:" + releaseNamespace + ":nextstep-" + svc
		for _, a := range []access{
			{group: "authorization.k8s.io", resource: "subjectaccessreviews", verb: "create"},
			{namespace: releaseNamespace, resource: "serviceaccounts", subresource: "token", verb: "create"},
			{namespace: releaseNamespace, resource: "secrets", verb: "get"},
			{namespace: releaseNamespace, resource: "pods", verb: "list"},
			{namespace: "hub-a", group: "nextstep.uk", resource: "cohorts", verb: "list"},
		} {
			if allowed(t, ctx, c, user, a) {
				t.Errorf("%s may %s, want only TokenReviews", user, a)
			}
		}
	}

	// End to end: tokens minted as the Deployments' projected volumes ask
	// for them, reviewed with the pupil service's own account.
	admin, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Each caller's audience and lifetime, as its stored Deployment asks.
	projected := map[string]map[string]any{}
	for _, d := range byKind(stored, "Deployment") {
		spec, _, _ := unstructured.NestedMap(d.Object, "spec", "template", "spec")
		sources, _, _ := unstructured.NestedSlice(byName(spec["volumes"])["nextstep-token"], "projected", "sources")
		projected[d.GetLabels()["app.kubernetes.io/component"]], _, _ = unstructured.NestedMap(firstOr(sources), "serviceAccountToken")
	}
	mintAsProjected := func(component string) string {
		sat := projected[component]
		aud, _ := sat["audience"].(string)
		seconds, _ := sat["expirationSeconds"].(int64)
		if aud == "" || seconds == 0 {
			t.Fatalf("%s: no projected token in its stored Deployment", component)
		}
		tr, err := admin.CoreV1().ServiceAccounts(releaseNamespace).CreateToken(ctx, "nextstep-"+component, &authenticationv1.TokenRequest{
			Spec: authenticationv1.TokenRequestSpec{Audiences: []string{aud}, ExpirationSeconds: &seconds},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("TokenRequest for %s: %v", component, err)
		}
		return tr.Status.Token
	}
	mint := func(component string, audiences []string) string {
		seconds := int64(1800)
		tr, err := admin.CoreV1().ServiceAccounts(releaseNamespace).CreateToken(ctx, "nextstep-"+component, &authenticationv1.TokenRequest{
			Spec: authenticationv1.TokenRequestSpec{Audiences: audiences, ExpirationSeconds: &seconds},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("TokenRequest for %s: %v", component, err)
		}
		return tr.Status.Token
	}
	reviewerAs := func(component string) auth.Authenticator {
		as := rest.CopyConfig(cfg)
		as.WarningHandler = nil
		as.Impersonate = rest.ImpersonationConfig{
			UserName: "system:serviceaccount:" + releaseNamespace + ":nextstep-" + component,
			Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + releaseNamespace, "system:authenticated"},
		}
		reviews, err := authenticationv1client.NewForConfig(as)
		if err != nil {
			t.Fatal(err)
		}
		return auth.NewTokenReview(reviews.TokenReviews(), *authCfg.Kubernetes, auth.TokenReviewOptions{})
	}
	pupil := reviewerAs("pupil")
	for caller := range callers {
		p, err := pupil.Authenticate(ctx, mintAsProjected(caller))
		if err != nil {
			t.Errorf("the pupil service refused %s's token: %v", caller, err)
			continue
		}
		if want := "system:serviceaccount:nextstep:nextstep-" + caller; p.Subject != want || p.Role != auth.RoleService || !p.Scope.All {
			t.Errorf("%s's token: %+v, want the service role as %s", caller, p, want)
		}
	}
	for name, token := range map[string]string{
		"the pupil service's own token (it calls no service)": mint("pupil", []string{audience}),
		"the operator's token for the API server":             mint("operator", nil),
		"the operator's token for the default audience":       mint("operator", []string{"nextstep"}),
	} {
		if _, err := pupil.Authenticate(ctx, token); !errors.Is(err, auth.ErrUnauthenticated) || auth.Unavailable(err) {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
	// The operator has no TokenReview permission: it could not check a token.
	if _, err := reviewerAs("operator").Authenticate(ctx, mintAsProjected("placement")); !auth.Unavailable(err) {
		t.Errorf("TokenReview as the operator: %v, want Unavailable (forbidden)", err)
	}
}

// allowed asks the API server whether user (a service account) may do a.
func allowed(t *testing.T, ctx context.Context, c client.Client, user string, a access) bool {
	t.Helper()
	ns := strings.Split(user, ":")[2]
	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:   user,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: a.namespace, Group: a.group, Resource: a.resource,
			Subresource: a.subresource, Verb: a.verb, Name: a.name,
		},
	}}
	if err := c.Create(ctx, review); err != nil {
		t.Fatalf("SubjectAccessReview: %v", err)
	}
	return review.Status.Allowed
}
