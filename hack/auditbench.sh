#!/usr/bin/env bash
# auditbench.sh compares, with pgbench, the cost of writing one audit event
# that names N records (a page of the queue: 50; a cohort's read: 200) in
# the audit log's shapes (services/kit/audit, migration 5):
#
#   rows    a row per record in audit_targets, with its three indexes and
#           the foreign key to its event (migrations 2-4, before 5)
#   rows-fk the same without the foreign key
#   arrays  the records, their schools and LAs as arrays on the event,
#           under GIN indexes (migration 5, what the services write)
#
# Each shape gets its own schema in a scratch database (dropped at the
# end), two clients for SECONDS each, commits not waited for
# (synchronous_commit off), so the figure is the statements' own work.
# "generate" is the cost of building the arrays alone, in every figure.
#
#   hack/auditbench.sh            # N=50, 15 s a shape
#   N=200 SECONDS_EACH=20 hack/auditbench.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-50}
SECS=${SECONDS_EACH:-15}
DB=nextstep_bench_audit
admin=$("$ROOT/hack/ensure-postgres.sh")
url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$admin" "$DB")
work=$(mktemp -d)
cleanup() { psql -qX "$admin" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf -- "$work"; }
trap cleanup EXIT
PGOPTIONS='-c client_min_messages=warning' psql -qX "$admin" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null

psql -qX -v ON_ERROR_STOP=1 "$url" >/dev/null <<'SQL'
CREATE SCHEMA rows;
CREATE TABLE rows.audit_events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(),
  subject text NOT NULL, role text NOT NULL, procedure text NOT NULL, purpose text NOT NULL DEFAULT '', outcome text NOT NULL,
  target_count int NOT NULL DEFAULT 0, issuer text NOT NULL DEFAULT '');
CREATE INDEX ON rows.audit_events (at);
CREATE INDEX ON rows.audit_events (subject, at);
CREATE TABLE rows.audit_targets (event_id bigint NOT NULL REFERENCES rows.audit_events (id) ON DELETE CASCADE,
  position int NOT NULL, target text NOT NULL, school_urn text NOT NULL DEFAULT '', la_code text NOT NULL DEFAULT '',
  PRIMARY KEY (event_id, position));
CREATE INDEX ON rows.audit_targets (target, event_id);
CREATE INDEX ON rows.audit_targets (la_code, event_id) WHERE la_code <> '';
CREATE SCHEMA "rows-fk";
CREATE TABLE "rows-fk".audit_events (LIKE rows.audit_events INCLUDING ALL);
CREATE TABLE "rows-fk".audit_targets (LIKE rows.audit_targets INCLUDING ALL);
CREATE SCHEMA arrays;
CREATE TABLE arrays.audit_events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(),
  subject text NOT NULL, role text NOT NULL, procedure text NOT NULL, purpose text NOT NULL DEFAULT '', outcome text NOT NULL,
  issuer text NOT NULL DEFAULT '', targets text[] NOT NULL DEFAULT '{}', target_schools text[] NOT NULL DEFAULT '{}',
  target_las text[] NOT NULL DEFAULT '{}');
CREATE INDEX ON arrays.audit_events (at);
CREATE INDEX ON arrays.audit_events (subject, at);
CREATE INDEX ON arrays.audit_events USING gin (targets);
CREATE INDEX ON arrays.audit_events USING gin (target_las) WHERE target_las <> '{}';
SQL

# The event's records: N pupils of LA 333 in a few thousand schools.
gen="SELECT array_agg('pupil:' || (:base + i)::text) t, array_agg((100000 + (:base + i) % 3000)::text) s, array_agg('333'::text) l FROM generate_series(1, :n) i"
event="'caseworker', 'development', 'caseworker', '/nextstep.tracking.v1.TrackingService/ListTasks', '', 'ok'"
printf '\\set base random(1, 10000000)\n%s;\n' "$gen" >"$work/generate.sql"
for s in rows rows-fk; do
  printf '\\set base random(1, 10000000)\nWITH g AS (%s), e AS (INSERT INTO "%s".audit_events (subject, issuer, role, procedure, purpose, outcome, target_count) SELECT %s, cardinality(g.t) FROM g RETURNING id) INSERT INTO "%s".audit_targets (event_id, position, target, school_urn, la_code) SELECT e.id, u.ord, u.target, u.school_urn, u.la_code FROM e, g, unnest(g.t, g.s, g.l) WITH ORDINALITY AS u(target, school_urn, la_code, ord);\n' \
    "$gen" "$s" "$event" "$s" >"$work/$s.sql"
done
printf '\\set base random(1, 10000000)\nWITH g AS (%s) INSERT INTO arrays.audit_events (subject, issuer, role, procedure, purpose, outcome, targets, target_schools, target_las) SELECT %s, g.t, g.s, g.l FROM g;\n' \
  "$gen" "$event" >"$work/arrays.sql"

ROUNDS=${ROUNDS:-2}
echo "## $(date -u +%FT%TZ) $(nproc) CPUs, PostgreSQL $(psql -AtX "$admin" -c 'SHOW server_version' | cut -d' ' -f1), $N records an event, 2 clients, ${SECS}s a shape a round, $ROUNDS rounds"
echo
echo "| Round | Shape | events/s | bytes an event (tables and indexes) |"
echo "|--:|---|--:|--:|"
for r in $(seq "$ROUNDS"); do
  for s in generate rows rows-fk arrays; do
    tps=$(PGOPTIONS='-c synchronous_commit=off' pgbench -n -M prepared -c 2 -j 2 -T "$SECS" -D n="$N" -f "$work/$s.sql" "$url" 2>&1 |
      awk '/^tps/ {printf "%.0f", $3}')
    per=-
    if [[ $s != generate ]]; then
      read -r bytes events < <(psql -AtX -F' ' "$url" -c "SELECT sum(pg_total_relation_size(c.oid)), (SELECT count(*) FROM \"$s\".audit_events) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$s' AND c.relkind = 'r'")
      per=$((bytes / events))
    fi
    echo "| $r | $s | $tps | $per |"
  done
done
