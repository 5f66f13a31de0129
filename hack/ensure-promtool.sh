#!/usr/bin/env bash
# ensure-promtool.sh prints the path of promtool, which the chart tests use to
# unit-test the alerting rules (promtool test rules), installing Debian's
# prometheus package, which ships it, when it is missing.
#
#   export PROMTOOL=$(hack/ensure-promtool.sh)
exec "$(dirname "$0")/ensure-command.sh" promtool prometheus
