#!/usr/bin/env bash
# envtest.sh builds the control plane that controller-runtime's envtest runs
# (kube-apiserver and etcd) from source through the Go module proxy, into
# bin/envtest/<k8s-version>/, and prints that directory. A build is cached by
# version: the second call returns at once.
#
#   hack/envtest.sh            build if missing, print the directory
#   export KUBEBUILDER_ASSETS=$(hack/envtest.sh)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
k8s_version=$(cd "$root/hack/tools/kube-apiserver" && GOWORK=off go list -m -f '{{.Version}}' k8s.io/kubernetes)
etcd_version=$(cd "$root/hack/tools/etcd" && GOWORK=off go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)
dir="$root/bin/envtest/${k8s_version}-etcd${etcd_version}"

if [[ -x "$dir/kube-apiserver" && -x "$dir/etcd" ]]; then
  echo "$dir"
  exit 0
fi

mkdir -p "$dir"
log() { echo "envtest: $*" >&2; }
export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0

if [[ ! -x "$dir/etcd" ]]; then
  log "building etcd $etcd_version from source (about 2 minutes the first time, cached after)"
  (cd "$root/hack/tools/etcd" && go build -trimpath -o "$dir/etcd.tmp" .) && mv "$dir/etcd.tmp" "$dir/etcd"
fi
if [[ ! -x "$dir/kube-apiserver" ]]; then
  log "building kube-apiserver $k8s_version from source (about 10 minutes the first time on 2 cores, cached after)"
  (cd "$root/hack/tools/kube-apiserver" && go build -trimpath -o "$dir/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver) \
    && mv "$dir/kube-apiserver.tmp" "$dir/kube-apiserver"
fi
log "control plane ready in $dir"
echo "$dir"
