#!/usr/bin/env bash
# ensure-runc.sh prints the path of runc, which the image tests run each
# component's image with (no Docker engine is needed or used). When it is
# missing and we are root, it installs Debian's runc package.
#
#   export NEXTSTEP_RUNC=$(hack/ensure-runc.sh)
set -euo pipefail

log() { echo "ensure-runc: $*" >&2; }

if path=$(command -v runc); then
  echo "$path"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  log "runc is not installed and we are not root: install Debian's runc package (apt-get install runc)"
  exit 1
fi
log "installing Debian's runc package (once)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends runc >&2
command -v runc
