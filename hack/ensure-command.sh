#!/usr/bin/env bash
# ensure-command.sh COMMAND PACKAGE prints the path of COMMAND. When it is
# missing and we are root, it installs Debian's PACKAGE, which ships it,
# without recommended packages (the tools, not running servers). The
# ensure-<tool>.sh scripts say which tool a test needs and why.
set -euo pipefail

command=$1 package=$2
log() { echo "ensure-$command: $*" >&2; }

if path=$(command -v "$command"); then
  echo "$path"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  log "$command is not installed and we are not root: install Debian's $package package (apt-get install $package)"
  exit 1
fi
log "installing Debian's $package package for $command (once)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "$package" >&2
command -v "$command"
