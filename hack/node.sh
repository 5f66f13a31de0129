#!/usr/bin/env bash
# node.sh builds the node side of a single-node cluster (kubelet,
# kube-controller-manager, kube-scheduler, kube-proxy) from k8s.io/kubernetes
# source through the Go module proxy, at the release of the envtest
# kube-apiserver, into bin/node/<k8s-version>/, and CoreDNS from its Go module
# (hack/tools/coredns) into the same directory, and prints that directory.
# Like hack/envtest.sh each binary is cached by version: a second call returns
# at once. It is opt-in (make node), never part of make test or .ci/run.
#
#   hack/node.sh                    build all four if missing, print the directory
#   hack/node.sh kubelet            build only the named binaries
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
k8s_version=$(cd "$root/hack/tools/kube-node" && GOWORK=off go list -m -f '{{.Version}}' k8s.io/kubernetes)
dir="$root/bin/node/${k8s_version}"
log() { echo "node: $*" >&2; }

# The kubelet first: it is the part most likely not to build or run here.
binaries=("$@")
[[ ${#binaries[@]} -gt 0 ]] || binaries=(kubelet kube-controller-manager kube-scheduler kube-proxy coredns)

mkdir -p "$dir"
# GOWORK=off: the tools module is outside go.work. CGO_ENABLED=0 as for the
# envtest binaries: the kubelet builds without cgo (no cadvisor libpfm), and
# static binaries need nothing from the host. nice: the builds are long and
# the machine is shared, they must not starve the tests.
export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0
for b in "${binaries[@]}"; do
  if [[ $b == coredns ]]; then
    # CoreDNS's version is its own: the binary is named by it, so a new
    # version in hack/tools/coredns/go.mod is built again.
    version=$(cd "$root/hack/tools/coredns" && go list -m -f '{{.Version}}' github.com/coredns/coredns)
    module=coredns pkg=github.com/coredns/coredns out=coredns-$version
  else
    version=$k8s_version module=kube-node pkg=k8s.io/kubernetes/cmd/$b out=$b
  fi
  if [[ ! -x "$dir/$out" ]]; then
    log "building $b $version from source (1-10 minutes the first time on 2 cores, cached after)"
    start=$SECONDS
    (cd "$root/hack/tools/$module" && nice -n 19 go build -trimpath -o "$dir/$out.tmp" "$pkg") \
      && mv "$dir/$out.tmp" "$dir/$out"
    log "built $b in $((SECONDS - start))s"
  fi
  [[ $out == "$b" ]] || ln -sf "$out" "$dir/$b"
done
echo "$dir"
