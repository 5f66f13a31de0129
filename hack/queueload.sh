#!/usr/bin/env bash
# queueload.sh is issue 17's "queue under load" benchmark (make bench-queue):
# the tracking service on a copy of the million-task database
# (services/tracking/trackingbench), driven by services/tracking/cmd/queueload
# from a second process on loopback at RATE calls a second for DURATION,
# first one replica, then two behind a round-robin proxy on one address.
# It prints both reports (docs/benchmarks.md, "Queue under load").
#
# Everything listens on 127.0.0.1 only and stops on its own; the services
# and the load run under `nice -n $NICE`, by default 0: PostgreSQL's
# priority, as in a deployment. At 19 (NICE=19, to stay out of the way on
# a shared machine) PostgreSQL takes the cores from a replica in the middle
# of its transactions, which then wait for it (ClientRead in
# pg_stat_activity): p99 192 against 72 ms, back to back. The copy of the
# database is dropped at the end.
#
#   hack/queueload.sh                      # 500 calls/s for 60s
#   RATE=100 DURATION=10s hack/queueload.sh
#   POOL_MAX_CONNS=16 hack/queueload.sh   # each replica's PostgreSQL pool (default: pgx's, max(4, CPUs))
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
RATE=${RATE:-500}
DURATION=${DURATION:-60s}
CONCURRENCY=${CONCURRENCY:-64}
NICE=${NICE:-0}
PORT=${QUEUELOAD_PORT:-18090} # the proxy; the replicas take the next two
LA=333                        # the caseworker's local authority (the seed has 330-339)
DB=nextstep_bench_queueload

log() { echo "queueload: $*" >&2; }
NEXTSTEP_TEST_DATABASE_URL=$(hack/ensure-postgres.sh)
export NEXTSTEP_TEST_DATABASE_URL

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ -x "$work/queueload" ]] && "$work/queueload" db -drop "$DB" || true
  rm -rf -- "$work"
}
trap cleanup EXIT

log "building tracking and queueload into $work"
nice -n "$NICE" go build -o "$work/" ./services/tracking/cmd/tracking ./services/tracking/cmd/queueload

# A development token for one caseworker of LA $LA, fresh each run.
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
cat >"$work/tokens.json" <<EOF
{"tokens": [{"token": "$token", "subject": "queueload-caseworker", "role": "caseworker", "scope": {"kind": "la", "id": "$LA"}}]}
EOF
export QUEUELOAD_TOKEN=$token

# fresh_database copies the million-task database (building it the first
# time, about a minute), so each setup starts from the same rows.
fresh_database() {
  log "copying the million-task database into $DB"
  db_url=$("$work/queueload" db -clone "$DB")
  if [[ -n "${POOL_MAX_CONNS:-}" ]]; then db_url="$db_url&pool_max_conns=$POOL_MAX_CONNS"; fi
}

# start_tracking PORT starts a replica and waits until it listens.
start_tracking() {
  local port=$1
  DATABASE_URL=$db_url NEXTSTEP_LISTEN=127.0.0.1:$port NEXTSTEP_LOG_LEVEL=warn \
    NEXTSTEP_DEV_TOKENS_FILE=$work/tokens.json NEXTSTEP_ALLOW_DEV_TOKENS=true \
    NEXTSTEP_ALLOW_ROOT=$([[ $(id -u) -eq 0 ]] && echo true || echo false) \
    nice -n "$NICE" "$work/tracking" 2>>"$work/tracking-$port.log" &
  pids+=($!)
  for _ in $(seq 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.5
  done
  log "tracking on 127.0.0.1:$port did not start:"; cat "$work/tracking-$port.log" >&2
  exit 1
}

stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}

# load PORT REPLICAS drives the address with the load.
load() {
  nice -n "$NICE" "$work/queueload" run -addr "127.0.0.1:$1" -replicas "$2" -rate "$RATE" -duration "$DURATION" \
    -concurrency "$CONCURRENCY" -la "$LA"
}

echo "## $(date -u +%FT%TZ) $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3), pool_max_conns ${POOL_MAX_CONNS:-default}, nice $NICE"

fresh_database
start_tracking $((PORT + 1))
echo; echo "### One replica (127.0.0.1:$((PORT + 1)))"
load $((PORT + 1)) 1
stop_all

fresh_database
start_tracking $((PORT + 1))
start_tracking $((PORT + 2))
nice -n "$NICE" "$work/queueload" proxy -listen "127.0.0.1:$PORT" \
  -to "127.0.0.1:$((PORT + 1)),127.0.0.1:$((PORT + 2))" -lifetime 15m 2>>"$work/proxy.log" &
pids+=($!)
for _ in $(seq 20); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.5; done
echo; echo "### Two replicas behind one address (proxy 127.0.0.1:$PORT, round robin)"
load "$PORT" 2
stop_all
