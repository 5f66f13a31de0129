#!/usr/bin/env bash
# ensure-chromium.sh prints the path of Chromium, which the console's browser
# tests drive (chromedp). When it is missing and we are root, it installs
# Debian's chromium package.
#
#   export NEXTSTEP_CHROMIUM=$(hack/ensure-chromium.sh)
set -euo pipefail

log() { echo "ensure-chromium: $*" >&2; }

if path=$(command -v chromium); then
  echo "$path"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  log "chromium is not installed and we are not root: install Debian's chromium package (apt-get install chromium)"
  exit 1
fi
log "installing Debian's chromium package (once)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium >&2
command -v chromium
