#!/usr/bin/env bash
# ensure-postgres.sh makes sure a PostgreSQL server answers on 127.0.0.1:5432
# (or NEXTSTEP_PGPORT) and prints the admin connection URL the tests and
# `make run` use.
#
# 1. If 127.0.0.1:5432 answers, use it (the local server on go-svc machines).
# 2. Otherwise start a throwaway cluster with initdb/pg_ctl under
#    ${NEXTSTEP_PGDATA:-/tmp/nextstep-postgres}, installing Debian's
#    postgresql package first when the binaries are missing and we are root.
# The throwaway cluster uses trust authentication on loopback only: it is for
# tests and local development, never for real data.
set -euo pipefail

host=127.0.0.1
port=${NEXTSTEP_PGPORT:-5432}
url="postgres://postgres@${host}:${port}/postgres?sslmode=disable"
pgdata=${NEXTSTEP_PGDATA:-/tmp/nextstep-postgres}
log() { echo "ensure-postgres: $*" >&2; }

answers() { (exec 3<>"/dev/tcp/${host}/${port}") 2>/dev/null; }

if answers; then
  echo "$url"
  exit 0
fi

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin=$(pgbin)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    log "no PostgreSQL on ${host}:${port} and no initdb found; install Debian's postgresql package (or run as root and this script will)"
    exit 1
  fi
  log "installing Debian's postgresql package (one time)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin=$(pgbin)
  # The package may have started its own cluster.
  for _ in 1 2 3 4 5; do answers && { echo "$url"; exit 0; }; sleep 1; done
fi

# initdb refuses to run as root: run the cluster as the postgres user.
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  as_owner=(runuser -u postgres --)
fi

if [[ ! -s "$pgdata/PG_VERSION" ]]; then
  log "creating a throwaway cluster in $pgdata"
  mkdir -p "$pgdata"
  [[ ${#as_owner[@]} -gt 0 ]] && chown postgres: "$pgdata"
  chmod 700 "$pgdata"
  "${as_owner[@]}" "$bin/initdb" -D "$pgdata" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi
log "starting PostgreSQL on ${host}:${port} (log: $pgdata/server.log)"
"${as_owner[@]}" "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 \
  -o "-c listen_addresses=${host} -p ${port} -k /tmp -c max_connections=300 -c fsync=off" start >/dev/null
answers || { log "PostgreSQL did not start; see $pgdata/server.log"; exit 1; }
echo "$url"
