package chartstest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// access is one thing a subject may or may not do.
type access struct {
	namespace, group, resource, subresource, verb, name string
}

func (a access) String() string {
	r := a.resource
	if a.subresource != "" {
		r += "/" + a.subresource
	}
	if a.group != "" {
		r += "." + a.group
	}
	return a.verb + " " + r + " in " + a.namespace
}

var rbacMarker = regexp.MustCompile(`\+kubebuilder:rbac:groups=([^,]*),resources=([^,]+),verbs=([a-z;]+)`)

// operatorNeeds reads the operator's +kubebuilder:rbac markers, the
// permissions its reconcilers declare they need.
func operatorNeeds(t *testing.T, namespace string) []access {
	t.Helper()
	var needs []access
	err := filepath.WalkDir(filepath.Join(repoRoot(t), "operator"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range rbacMarker.FindAllStringSubmatch(string(src), -1) {
			for _, group := range strings.Split(m[1], ";") {
				for _, resource := range strings.Split(m[2], ";") {
					res, sub, _ := strings.Cut(resource, "/")
					for _, verb := range strings.Split(m[3], ";") {
						needs = append(needs, access{namespace: namespace, group: group, resource: res, subresource: sub, verb: verb})
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(needs) == 0 {
		t.Fatal("no +kubebuilder:rbac markers found in operator/")
	}
	return needs
}

// checkOperatorRBAC asks the API server (SubjectAccessReview) whether the
// operator's ServiceAccount, as the chart binds it, may do what the
// reconcilers declare, elect a leader, and nothing more.
func checkOperatorRBAC(t *testing.T, ctx context.Context, c client.Client, serviceAccount string) {
	t.Helper()
	allowed := append(operatorNeeds(t, "hub-a"),
		access{namespace: releaseNamespace, group: "coordination.k8s.io", resource: "leases", verb: "create"},
		access{namespace: releaseNamespace, group: "coordination.k8s.io", resource: "leases", verb: "update", name: "nextstep-operator.nextstep.uk"},
		access{namespace: releaseNamespace, group: "", resource: "events", verb: "create"},
	)
	denied := []access{
		{namespace: "hub-a", group: "", resource: "secrets", verb: "get"},
		{namespace: "hub-a", group: "", resource: "pods", verb: "list"},
		{namespace: "hub-a", group: "nextstep.uk", resource: "programmes", verb: "delete"},
		{namespace: "hub-a", group: "coordination.k8s.io", resource: "leases", verb: "create"},
		{namespace: releaseNamespace, group: "coordination.k8s.io", resource: "leases", verb: "update", name: "someone-elses-lease"},
		{namespace: "hub-a", group: "rbac.authorization.k8s.io", resource: "rolebindings", verb: "create"},
	}
	for want, list := range map[bool][]access{true: allowed, false: denied} {
		for _, a := range list {
			review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User:   "system:serviceaccount:" + releaseNamespace + ":" + serviceAccount,
				Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + releaseNamespace, "system:authenticated"},
				ResourceAttributes: &authorizationv1.ResourceAttributes{
					Namespace: a.namespace, Group: a.group, Resource: a.resource,
					Subresource: a.subresource, Verb: a.verb, Name: a.name,
				},
			}}
			if err := c.Create(ctx, review); err != nil {
				t.Fatalf("SubjectAccessReview: %v", err)
			}
			if review.Status.Allowed != want {
				t.Errorf("operator may %s: %v, want %v", a, review.Status.Allowed, want)
			}
		}
	}
}
