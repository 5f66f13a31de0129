package controller

import (
	"testing"

	"k8s.io/apimachinery/pkg/types"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// A claim stands only while the cohort is exactly as this process's own
// write left it, and is used once.
func TestClaimStandsUntilAnotherWrite(t *testing.T) {
	key := types.NamespacedName{Namespace: "wmca", Name: "wmca-136001-y9"}
	written := func() *nextstepv1alpha1.Cohort {
		c := cohortAt(nextstepv1alpha1.CohortStatus{PassToken: 6})
		c.ResourceVersion = "41"
		return c
	}
	cases := []struct {
		name   string
		change func(h *claims, c *nextstepv1alpha1.Cohort)
		stands bool
	}{
		{name: "nothing written since", stands: true},
		{name: "another operator claimed", change: func(_ *claims, c *nextstepv1alpha1.Cohort) { c.Status.PassToken, c.ResourceVersion = 7, "42" }},
		{name: "a person moved the token back", change: func(_ *claims, c *nextstepv1alpha1.Cohort) { c.Status.PassToken, c.ResourceVersion = 5, "42" }},
		{name: "an annotation was set", change: func(_ *claims, c *nextstepv1alpha1.Cohort) { c.ResourceVersion = "42" }},
		{name: "the cache has not seen the write", change: func(_ *claims, c *nextstepv1alpha1.Cohort) { c.Status.PassToken, c.ResourceVersion = 5, "40" }},
		{name: "the cohort was deleted", change: func(h *claims, _ *nextstepv1alpha1.Cohort) { h.forget(key) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var h claims
			if h.take(written(), key) {
				t.Fatal("a claim stands before any was held")
			}
			h.hold(written(), key)
			c := written()
			if tc.change != nil {
				tc.change(&h, c)
			}
			if got := h.take(c, key); got != tc.stands {
				t.Fatalf("claim stands = %v, want %v", got, tc.stands)
			}
			if h.take(written(), key) {
				t.Fatal("a claim stands twice: taking it must use it")
			}
		})
	}
}
