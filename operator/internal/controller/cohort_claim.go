package controller

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// A pass uses a pass token no other operator can hold (the fencing step,
// docs/operator.md). It claims one in a write of its own only when it
// holds none: each pass's status write claims the token for the cohort's
// next pass in the same patch, so a pass after the first makes one write
// to the API server, not two. The patch carries the resourceVersion the
// pass began from, so two operators never both claim the same token, and
// the tokens a cohort's passes use are the ones a claim per pass would
// give, each claimed a pass early.

// claim is a pass token this process claimed in a write of its own and
// has not used, and the cohort's resourceVersion after that write.
type claim struct {
	token           int64
	resourceVersion string
}

// claims are the tokens this process holds, one per cohort. They live as
// long as the process: a restart, or a new leader, holds none, and its
// first pass over each cohort claims in a write of its own.
type claims struct {
	mu   sync.Mutex
	held map[types.NamespacedName]claim
}

// take removes the claim held for c and tells whether it still stands: the
// cohort is as this process's own write left it, holding that token. Any
// other write since (another operator's claim, a person moving the token,
// an annotation), or a cache that has not yet seen the write, makes the
// pass claim afresh.
func (h *claims) take(c *nextstepv1alpha1.Cohort, key types.NamespacedName) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	held, ok := h.held[key]
	delete(h.held, key)
	return ok && held.token == c.Status.PassToken && held.resourceVersion == c.ResourceVersion
}

// hold records that this process's own write left c holding its token,
// unused.
func (h *claims) hold(c *nextstepv1alpha1.Cohort, key types.NamespacedName) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held == nil {
		h.held = map[types.NamespacedName]claim{}
	}
	h.held[key] = claim{token: c.Status.PassToken, resourceVersion: c.ResourceVersion}
}

func (h *claims) forget(key types.NamespacedName) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.held, key)
}
