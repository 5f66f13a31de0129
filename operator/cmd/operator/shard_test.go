package main

import (
	"slices"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	all, err := parseShard("")
	if err != nil || len(all.namespaces) != 0 || all.leaseID() != defaultLeaseID || all.cache().DefaultNamespaces != nil {
		t.Fatalf("no --namespaces: %+v, %v; want every namespace under the usual lease", all, err)
	}
	a, err := parseShard(" region-331,region-330,,region-330 ")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.namespaces, []string{"region-330", "region-331"}) || len(a.cache().DefaultNamespaces) != 2 {
		t.Errorf("namespaces %v, cache %v; want the two, sorted, once each", a.namespaces, a.cache().DefaultNamespaces)
	}
	// The same set, in any order, is the same shard: its replicas share a lease.
	b, _ := parseShard("region-330,region-331")
	c, _ := parseShard("region-332")
	if a.leaseID() != b.leaseID() || a.leaseID() == c.leaseID() || a.leaseID() == defaultLeaseID {
		t.Errorf("leases %q, %q, %q: one set must share one lease, other sets and the unsharded operator hold their own", a.leaseID(), b.leaseID(), c.leaseID())
	}
	if _, err := parseShard("region-330,Region_331"); err == nil || !strings.Contains(err.Error(), `"Region_331"`) {
		t.Errorf("a bad name: %v; want an error naming it", err)
	}
}
