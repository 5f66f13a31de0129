#!/usr/bin/env bash
# ensure-runc.sh prints the path of runc, which the image tests run each
# component's image with (no Docker engine is needed or used), installing
# Debian's runc package when it is missing.
#
#   export NEXTSTEP_RUNC=$(hack/ensure-runc.sh)
exec "$(dirname "$0")/ensure-command.sh" runc runc
