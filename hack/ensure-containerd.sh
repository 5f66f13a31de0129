#!/usr/bin/env bash
# ensure-containerd.sh prints the path of containerd, the CRI runtime the
# single-node cluster's kubelet talks to (hack/node-up.sh), installing
# Debian's containerd package when it is missing, and Debian's
# containernetworking-plugins (bridge, host-local, loopback, portmap: the CNI
# plugins containerd's CRI plugin runs for each pod sandbox) with it. runc,
# which containerd runs containers with, comes from hack/ensure-runc.sh.
#
#   containerd=$(hack/ensure-containerd.sh)
set -euo pipefail

here=$(dirname "$0")
"$here/ensure-runc.sh" >/dev/null
# The CNI plugins are not on PATH (Debian puts them in /usr/lib/cni), so
# ensure-command.sh cannot find them by name: check the directory.
if [[ ! -x /usr/lib/cni/bridge ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "ensure-containerd: the CNI plugins are missing and we are not root: apt-get install containernetworking-plugins" >&2
    exit 1
  fi
  echo "ensure-containerd: installing Debian's containernetworking-plugins package (once)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends containernetworking-plugins >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends containernetworking-plugins >&2; }
fi
exec "$here/ensure-command.sh" containerd containerd
