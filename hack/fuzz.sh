#!/usr/bin/env bash
# fuzz.sh runs every Go fuzz target in the workspace for a bounded time each
# (make fuzz). `go test -fuzz` takes one package and one target at a time, so
# the targets are discovered here rather than listed: every
# `func FuzzX(f *testing.F)` in the test files `go list` reports for the
# packages of go.work's modules, run in its own package. A new target is
# fuzzed without being added anywhere.
#
# FUZZTIME (default 20s) bounds each target, baseline coverage included.
# FUZZMINIMIZETIME (default 3s) bounds each minimization: go's default of 60s
# would spend a short run shrinking new corpus entries while every worker
# waits. A crasher is written by go to testdata/fuzz/FuzzX/ in its package,
# where plain `go test` then runs it as a regression case: keep it with the
# fix. Every target runs even when one fails; the script fails at the end,
# naming the targets that did.
#
# The targets that call the services need PostgreSQL: make fuzz exports
# NEXTSTEP_TEST_DATABASE_URL from hack/ensure-postgres.sh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fuzztime=${FUZZTIME:-20s}
minimizetime=${FUZZMINIMIZETIME:-3s}

# Each package's test files, as go sees them (build constraints applied).
mapfile -t patterns < <(go list -m -f '{{.Dir}}/...')
mapfile -t files < <(go list -e -f '{{$d := .Dir}}{{range .TestGoFiles}}{{$d}}/{{.}}
{{end}}{{range .XTestGoFiles}}{{$d}}/{{.}}
{{end}}' "${patterns[@]}" | sed '/^$/d')

# "<package dir> <target>" for every fuzz target, in a stable order.
mapfile -t targets < <(
  for f in "${files[@]}"; do
    grep -Eo '^func Fuzz[A-Za-z0-9_]*\([A-Za-z_][A-Za-z0-9_]* \*testing\.F\)' "$f" |
      sed -E "s|^func (Fuzz[A-Za-z0-9_]*).*|$(dirname "$f") \1|" || true
  done | sort -u
)
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi

echo "fuzz: ${#targets[@]} targets, ${fuzztime} each"
failed=()
start=$SECONDS
for t in "${targets[@]}"; do
  dir=${t% *} name=${t##* }
  pkg=./${dir#"$root"/}
  echo "=== $name in $pkg"
  began=$SECONDS
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimizetime" "$pkg"; then
    failed+=("$name in $pkg")
  fi
  echo "--- $name: $((SECONDS - began))s"
done
echo "fuzz: ${#targets[@]} targets in $((SECONDS - start))s"
if [[ ${#failed[@]} -gt 0 ]]; then
  printf 'fuzz: FAILED %s (the failing input is in testdata/fuzz/ of its package)\n' "${failed[@]}" >&2
  exit 1
fi
