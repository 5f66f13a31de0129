package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/cache"
)

// defaultLeaseID is the leader election Lease of an operator that
// reconciles every namespace.
const defaultLeaseID = "nextstep-operator.nextstep.uk"

// shard is the part of the cluster one operator reconciles: every
// namespace, or the namespaces --namespaces lists (a national deployment
// runs one operator per set of LAs' namespaces, docs/operator.md).
type shard struct {
	namespaces []string // sorted; none means every namespace
}

// parseShard reads --namespaces: comma-separated namespace names.
func parseShard(flag string) (shard, error) {
	var s shard
	for _, ns := range strings.Split(flag, ",") {
		ns = strings.TrimSpace(ns)
		if ns == "" {
			continue
		}
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return shard{}, fmt.Errorf("--namespaces: %q is not a namespace name: %s", ns, strings.Join(errs, "; "))
		}
		if !slices.Contains(s.namespaces, ns) {
			s.namespaces = append(s.namespaces, ns)
		}
	}
	slices.Sort(s.namespaces)
	return s, nil
}

// cache limits the manager's cache, and so every watch and list, to the
// shard's namespaces. It keeps no object's managedFields: the operator
// never reads them, and they are a large part of each cached Cohort
// (docs/benchmarks.md, "Region benchmark").
func (s shard) cache() cache.Options {
	opts := cache.Options{DefaultTransform: cache.TransformStripManagedFields()}
	if len(s.namespaces) == 0 {
		return opts
	}
	opts.DefaultNamespaces = make(map[string]cache.Config, len(s.namespaces))
	for _, ns := range s.namespaces {
		opts.DefaultNamespaces[ns] = cache.Config{}
	}
	return opts
}

// leaseID is the shard's leader election Lease: the replicas of one shard
// elect a leader among themselves, while shards with other namespaces
// hold leases of their own and run at once.
func (s shard) leaseID() string {
	if len(s.namespaces) == 0 {
		return defaultLeaseID
	}
	sum := sha256.Sum256([]byte(strings.Join(s.namespaces, ",")))
	return "nextstep-operator-" + hex.EncodeToString(sum[:])[:10] + ".nextstep.uk"
}
