#!/usr/bin/env bash
# ensure-chromium.sh prints the path of Chromium, which the console's browser
# tests drive (chromedp), installing Debian's chromium package when it is
# missing.
#
#   export NEXTSTEP_CHROMIUM=$(hack/ensure-chromium.sh)
exec "$(dirname "$0")/ensure-command.sh" chromium chromium
