#!/usr/bin/env bash
# ensure-promtool.sh prints the path of promtool, which the chart tests use to
# unit-test the alerting rules (promtool test rules). When it is missing and we
# are root, it installs Debian's prometheus package, which ships promtool.
#
#   export PROMTOOL=$(hack/ensure-promtool.sh)
set -euo pipefail

log() { echo "ensure-promtool: $*" >&2; }

if path=$(command -v promtool); then
  echo "$path"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  log "promtool is not installed and we are not root: install Debian's prometheus package (apt-get install prometheus)"
  exit 1
fi
log "installing Debian's prometheus package for promtool (once)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# --no-install-recommends: we want the promtool binary, not a running server.
apt-get install -y -qq --no-install-recommends prometheus >&2
command -v promtool
