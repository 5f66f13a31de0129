// Command etcd is the etcd server for the envtest control plane, built from
// source through the Go module proxy (etcd publishes no main package in its
// server module, so this file is the whole of it).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
