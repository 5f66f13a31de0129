#!/usr/bin/env bash
# node-chart.sh installs the nextstep chart onto the single-node cluster of
# hack/node-up.sh (make node) and checks it as a platform team would:
# every pod Ready under the restricted Pod Security Standard, the operator
# elected, a Programme turned into Cohorts with status, tasks in tracking, a
# rolling restart under load, and helm uninstall leaving the CRDs and the
# data. It prints PASS or FAIL per check and, where a step fails, the pods'
# state, the namespace's events and the containers' logs (read through the
# API). docs/node.md, "The chart on the node", says what it met. Run as root.
#
#   hack/node-chart.sh          bring the node up afresh (node-up.sh up), then install and check
#   NEXTSTEP_NODE_KEEP=1 ...    reuse a running node (make node) instead
#   NEXTSTEP_NODE_RESTARTS=5 ... five rolling restarts of each kind (step 8)
#
# The last check uninstalls the release (its CRDs, Cohorts and data stay);
# the node stays up. make node-down (hack/node-up.sh down) stops everything,
# including the PostgreSQL forwarder started here.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${NEXTSTEP_NODE_DIR:-/tmp/nextstep-node}
helm=${HELM:-$root/bin/helm}
images=${NEXTSTEP_NODE_IMAGES:-$root/bin/images}
ns=nextstep release=nextstep apiserver_port=16443
# The chart's database: a database of its own on the host's PostgreSQL,
# dropped and created afresh by each run.
db=nextstep_chart
# The same node IP as node-up.sh: the API server, the kubelet and the
# PostgreSQL forwarder listen on it, and pods reach it (nothing beyond it).
node_ip=$(ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([^ ]*\).*/\1/p')
[[ -n $node_ip ]] || node_ip=$(hostname -I | cut -d' ' -f1)
export KUBECONFIG=$dir/admin.kubeconfig
log() { echo "node-chart: $*" >&2; }
failures=0
pass() { log "PASS $*"; }
fail() { log "FAIL $*"; failures=$((failures + 1)); }
t0=$SECONDS
took() { echo "$((SECONDS - t0))s"; }

# No kubectl: curl with the admin certificate, as node-up.sh does.
pki=$dir/pki
curl_api=(curl -sS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key")
api_url="https://$node_ip:$apiserver_port"
api() { "${curl_api[@]}" -f "$api_url$1" "${@:2}"; }
# send METHOD PATH [CONTENT-TYPE]: sends stdin, prints the answer; fails
# (printing it) when the API refuses.
send() {
  local out code
  out=$(mktemp)
  code=$("${curl_api[@]}" -o "$out" -w '%{http_code}' -X "$1" -H "Content-Type: ${3:-application/json}" \
    --data-binary @- "$api_url$2")
  if [[ $code != 2* ]]; then
    log "$1 $2: $code"
    cat "$out" >&2
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}
# json EXPR: evaluates a Python expression over the JSON on stdin (j).
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# diagnose: what a failed step needs to be understood: each pod's phase and
# container states, the namespace's events, each container's log.
diagnose() {
  log "diagnosis: pods in $ns"
  api "/api/v1/namespaces/$ns/pods" | python3 -c '
import json, sys
for p in json.load(sys.stdin)["items"]:
    print(p["metadata"]["name"], p["status"].get("phase"))
    for c in p["status"].get("containerStatuses", []) + p["status"].get("initContainerStatuses", []):
        print("   ", c["name"], "ready=%s" % c["ready"], "restarts=%d" % c["restartCount"], json.dumps(c.get("state")), json.dumps(c.get("lastState")))
' >&2 || true
  log "diagnosis: events in $ns"
  api "/api/v1/namespaces/$ns/events" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["items"]:
    o = e["involvedObject"]
    print(e["type"], e["reason"], "%s/%s" % (o["kind"], o.get("name")), "x%s" % e.get("count", 1), e.get("message", "").strip())
' >&2 || true
  local pod c
  for pod in $(api "/api/v1/namespaces/$ns/pods" | json '" ".join(p["metadata"]["name"] for p in j["items"])'); do
    for c in $(api "/api/v1/namespaces/$ns/pods/$pod" | json '" ".join(c["name"] for c in j["spec"]["containers"])'); do
      log "diagnosis: log of $pod/$c (last 20 lines)"
      api "/api/v1/namespaces/$ns/pods/$pod/log?container=$c&tailLines=20" >&2 || true
      api "/api/v1/namespaces/$ns/pods/$pod/log?container=$c&tailLines=20&previous=true" >&2 2>/dev/null || true
    done
  done
}
# until_ok WHAT TIMEOUT COMMAND...: retries COMMAND once a second; on
# timeout diagnoses and exits.
until_ok() {
  local what=$1 timeout=$2 i
  shift 2
  for ((i = 0; i < timeout; i++)); do
    if "$@" >/dev/null 2>&1; then
      log "$what: ok after ${i}s (at $(took))"
      return 0
    fi
    sleep 1
  done
  fail "$what: not after ${timeout}s"
  diagnose
  exit 1
}

log "step 1: the node"
if [[ ${NEXTSTEP_NODE_KEEP:-} == 1 ]] && api /readyz >/dev/null 2>&1; then
  log "reusing the running node"
  # A previous run's release and namespace go first.
  "$helm" uninstall "$release" -n "$ns" --wait >/dev/null 2>&1 || true
  api "/api/v1/namespaces/$ns" -X DELETE >/dev/null 2>&1 || true
  until_ok "namespace $ns gone" 120 bash -c "! curl -sSf --cacert $pki/ca.crt --cert $pki/admin.crt --key $pki/admin.key $api_url/api/v1/namespaces/$ns"
else
  "$root/hack/node-up.sh" up
fi
ctr() { command ctr --address "$dir/containerd/containerd.sock" -n k8s.io "$@"; }

log "step 2: nextstep's images (make images) into the node's containerd"
if [[ ! -e $images/pupil/index.json ]]; then
  (cd "$root" && nice -n 19 make images)
fi
# Each OCI layout, tarred as it is, imports under its
# org.opencontainers.image.ref.name, which is the chart's default reference
# (ghcr.io/nextstep-uk/nextstep/<component>:<appVersion>).
for layout in "$images"/*/; do
  [[ -e $layout/index.json ]] || continue
  tar -C "$layout" -cf - . | ctr images import - >/dev/null
done
ctr images ls -q | grep nextstep-uk >&2

log "step 3: PostgreSQL for the pods"
# PostgreSQL listens on 127.0.0.1 only, which in a pod is the pod itself.
# Pods reach the node IP (and nothing beyond it), so socat forwards
# <node IP>:5432 to it: connections arrive from 127.0.0.1, which the host's
# trust rule admits. node-up.sh down stops it (pids/pg-forward.pid).
socat=$("$root/hack/ensure-command.sh" socat socat)
if [[ -e $dir/pids/pg-forward.pid ]]; then kill "$(cat "$dir/pids/pg-forward.pid")" 2>/dev/null || true; fi
"$socat" "TCP-LISTEN:5432,bind=$node_ip,fork,reuseaddr" TCP:127.0.0.1:5432 >"$dir/logs/pg-forward.log" 2>&1 &
echo $! >"$dir/pids/pg-forward.pid"
psql=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt)
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
until_ok "PostgreSQL through $node_ip:5432" 10 "${psql[@]}" -h "$node_ip" -d "$db" -c "select 1"

log "step 4: namespace $ns (restricted Pod Security Standard), the database Secret, helm install"
send POST /api/v1/namespaces >/dev/null <<JSON
{"metadata": {"name": "$ns", "labels": {"pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest"}}}
JSON
# The chart takes the database as a URL in a Secret: pointing it at the
# node IP needs no Service or Endpoints (a Service without selector would
# only rename the same address).
send POST "/api/v1/namespaces/$ns/secrets" >/dev/null <<JSON
{"metadata": {"name": "nextstep-database"}, "type": "Opaque",
 "stringData": {"DATABASE_URL": "postgres://postgres@$node_ip:5432/$db?sslmode=disable"}}
JSON
# Values for this node: the imported images, never pulled; the
# NetworkPolicies' peers as they are here (the bridge CNI does not enforce
# NetworkPolicies, so these are rendered and accepted, not tested). The
# rest is the chart's defaults: two replicas of each service and of the
# operator, with leader election; auth by TokenReview only (no OIDC issuer:
# the chart accepts only https issuers with a publicly trusted certificate).
cat >"$dir/chart-values.yaml" <<YAML
image:
  pullPolicy: Never
networkPolicy:
  databaseCIDRs: [$node_ip/32]
  apiServerCIDRs: [$node_ip/32]
  apiServerPorts: [$apiserver_port]
YAML
start_install=$SECONDS
"$helm" install "$release" "$root/charts/nextstep" -n "$ns" -f "$dir/chart-values.yaml" >&2
log "helm install returned after $((SECONDS - start_install))s"

log "step 5: every pod Ready"
deployments_ready() {
  api "/apis/apps/v1/namespaces/$ns/deployments" | python3 -c '
import json, sys
ds = json.load(sys.stdin)["items"]
not_ready = [d["metadata"]["name"] for d in ds
             if d["status"].get("readyReplicas", 0) != d["spec"]["replicas"] or d["status"].get("updatedReplicas", 0) != d["spec"]["replicas"]]
sys.exit(1 if not ds or not_ready else 0)'
}
until_ok "every Deployment Ready" 300 deployments_ready
pass "every pod Ready ($(api "/api/v1/namespaces/$ns/pods" | json 'len(j["items"])') pods, $((SECONDS - start_install))s after helm install)"
api "/api/v1/namespaces/$ns/pods" | python3 -c '
import json, sys
for p in json.load(sys.stdin)["items"]:
    print("   ", p["metadata"]["name"], p["status"]["phase"], p["status"].get("podIP"))' >&2

# The namespace's label is enforced: a pod without the restricted
# securityContext is refused at admission.
if answer=$(send POST "/api/v1/namespaces/$ns/pods" 2>&1 <<'JSON'
{"metadata": {"name": "unrestricted"}, "spec": {"containers": [{"name": "c", "image": "localhost/nextstep/pause:node", "imagePullPolicy": "Never"}]}}
JSON
); then
  fail "restricted Pod Security Standard: an unrestricted pod was admitted"
else
  pass "restricted Pod Security Standard enforced: $(sed -n 's/.*"message": "\(.*\)",$/\1/p' <<<"$answer" | sed 's/\\"/"/g')"
fi
# Warnings so far (none expected), for the record.
api "/api/v1/namespaces/$ns/events?fieldSelector=type=Warning" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["items"]:
    print("    warning:", e["reason"], e["involvedObject"].get("name"), e.get("message", "").strip())' >&2

log "step 6: the operator elected"
operator_leader() {
  api "/apis/coordination.k8s.io/v1/namespaces/$ns/leases" | json '[l["spec"]["holderIdentity"] for l in j["items"] if l["spec"].get("holderIdentity")][0]'
}
until_ok "a Lease held" 60 operator_leader
pass "operator elected: Lease holder $(operator_leader)"

log "step 7: seed a school and pupils, a Programme, Cohorts and tasks"
svc_ip() { api "/api/v1/namespaces/$ns/services/$release-$1" | json 'j["spec"]["clusterIP"]'; }
pupil=$(svc_ip pupil):8080 tracking=$(svc_ip tracking):8080
# The host reaches the Services' ClusterIPs through kube-proxy's rules. The
# token is one the operator's pods hold: its service account, audience
# nextstep, minted by the TokenRequest API; the services accept it as the
# service role after a TokenReview.
token=$(send POST "/api/v1/namespaces/$ns/serviceaccounts/$release-operator/token" <<<'{"spec": {"audiences": ["nextstep"], "expirationSeconds": 3600}}' | json 'j["status"]["token"]')
# rpc SERVICE ADDRESS METHOD: a Connect call with the JSON on stdin; prints
# the answer, fails on any status but 200.
rpc() {
  local out code
  out=$(mktemp)
  code=$(curl -sS -o "$out" -w '%{http_code}' -m 10 -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $token" --data-binary @- "http://$2/nextstep.$1.v1.${1^}Service/$3")
  cat "$out"
  rm -f "$out"
  [[ $code == 200 ]]
}
year=$(date +%Y)
[[ $(date +%m) -ge 9 ]] || year=$((year - 1))
# The school and pupils: only staff (hub_admin; careers leaders and
# caseworkers for pupils) may create them, and staff sign in only through
# an https OpenID Connect issuer, which this node cannot offer (see
# docs/node.md). The service role's refusal is shown, then they are written
# to the pupil schema directly, and read back through the API.
if answer=$(rpc pupil "$pupil" CreateSchool <<<'{"school": {"urn": "136001", "name": "Oakfield Academy", "laCode": "336", "phase": "PHASE_SECONDARY", "open": true}}'); then
  pass "CreateSchool as the service role"
else
  log "CreateSchool as the service role: $answer"
fi
# upn REST: the UPN with its check letter (services/pupil/upn).
upn() { python3 -c 'import sys; r=sys.argv[1]; print("ABCDEFGHJKLMNPQRTUVWXYZ"[sum(int(c)*(i+2) for i,c in enumerate(r)) % 23] + r)' "$1"; }
{
  echo "INSERT INTO pupil.schools (urn, name, la_code, phase) VALUES ('136001', 'Oakfield Academy', '336', 'secondary') ON CONFLICT DO NOTHING;"
  # Six pupils in Years 10 and 11, none with any experience of work yet
  # (behind the default trajectory by now). entry_year is the year they
  # started Reception (services/pupil/internal/yeargroup): year - year
  # group; born a further five years before; joined in Year 7.
  for i in 1 2 3 4 5 6; do
    yg=$((10 + i % 2))
    entry=$((year - yg))
    echo "INSERT INTO pupil.pupils (id, upn, legal_surname, legal_forename, date_of_birth, school_urn, joined_on, entry_year)
      VALUES (gen_random_uuid(), '$(upn "33640$(printf %02d $((entry % 100)))0000$i")', 'Pupil$i', 'Node', '$((entry - 5))-10-0$i', '136001', '$((entry + 7))-09-03', $entry);"
  done
} | "${psql[@]}" -d "$db"
if answer=$(rpc pupil "$pupil" GetSchool <<<'{"urn": "136001"}'); then
  pass "GetSchool through the pupil Service's ClusterIP ($pupil): $answer"
else
  fail "GetSchool: $answer"
fi
send POST "/apis/nextstep.uk/v1alpha1/namespaces/$ns/programmes" >/dev/null <<JSON
{"apiVersion": "nextstep.uk/v1alpha1", "kind": "Programme", "metadata": {"name": "node-$year"},
 "spec": {"academicYear": "$year/$(printf %02d $(((year + 1) % 100)))", "schools": {"laCodes": ["336"]}, "resyncIntervalSeconds": 30}}
JSON
cohorts_synced() {
  api "/apis/nextstep.uk/v1alpha1/namespaces/$ns/cohorts" | python3 -c '
import json, sys
cs = json.load(sys.stdin)["items"]
sys.exit(0 if cs and all(c.get("status", {}).get("lastSyncTime") for c in cs) else 1)'
}
if until_ok "Cohorts synced" 120 cohorts_synced; then
  api "/apis/nextstep.uk/v1alpha1/namespaces/$ns/cohorts" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["items"]:
    s = c["status"]
    print("   ", c["metadata"]["name"], {k: v for k, v in s.items() if k != "conditions"},
          [(x["type"], x["status"], x["reason"]) for x in s.get("conditions", [])])' >&2
  pass "Cohorts with status"
fi
tasks=0
for ((i = 0; i < 60; i++)); do
  tasks=$(rpc tracking "$tracking" ListTasks <<<'{}' | json 'len(j.get("tasks", []))' 2>/dev/null || echo 0)
  [[ $tasks -gt 0 ]] && break
  sleep 2
done
if [[ $tasks -gt 0 ]]; then
  pass "ListTasks in tracking: $tasks tasks"
  rpc tracking "$tracking" ListTasks <<<'{}' | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tasks"]:
    print("   ", t.get("reasonCode"), t.get("priority"), t.get("status"), t.get("cohortKey"))' >&2 || true
else
  fail "ListTasks in tracking: no task after 120s: $(rpc tracking "$tracking" ListTasks <<<'{}' || true)"
fi

# restart_under_load WHAT: restarts the pupil Deployment's pods (a
# restartedAt annotation on its pod template) and, until the
# rollout is done, calls GetSchool through the Service every 0.2 s, each on
# a new connection, counting failures.
restart_under_load() {
  local what=$1 start=$SECONDS requests=0 failed=0 answer
  send PATCH "/apis/apps/v1/namespaces/$ns/deployments/$release-pupil" application/strategic-merge-patch+json >/dev/null <<JSON
{"spec": {"template": {"metadata": {"annotations": {"nextstep.uk/restartedAt": "$(date -u +%FT%T.%NZ)"}}}}}
JSON
  until rolled 2>/dev/null && [[ $((SECONDS - start)) -gt 5 ]]; do
    if ! answer=$(rpc pupil "$pupil" GetSchool <<<'{"urn": "136001"}' 2>&1); then
      failed=$((failed + 1))
      log "$(date -u +%T.%N) request $requests failed: $answer"
    fi
    requests=$((requests + 1))
    if [[ $((SECONDS - start)) -gt 300 ]]; then
      fail "$what: rollout not done after 300s"
      diagnose
      return
    fi
    sleep 0.2
  done
  if [[ $failed -eq 0 ]]; then
    pass "$what: rolled in $((SECONDS - start))s, $requests requests, none failed"
  else
    fail "$what: rolled in $((SECONDS - start))s, $failed of $requests requests failed"
  fi
}
rolled() {
  api "/apis/apps/v1/namespaces/$ns/deployments/$release-pupil" | python3 -c '
import json, sys
d = json.load(sys.stdin); s = d["status"]; n = d["spec"]["replicas"]
ok = s.get("observedGeneration") == d["metadata"]["generation"] and s.get("updatedReplicas") == n and s.get("readyReplicas") == n and s.get("replicas") == n
sys.exit(0 if ok else 1)' &&
    # ...and the old pods gone, not only terminating: a pod's exit is when
    # requests can be lost, so each restart's window ends after the last.
    [[ $(api "/api/v1/namespaces/$ns/pods" | json "len([p for p in j['items'] if p['metadata']['name'].startswith('$release-pupil-')])") -eq \
      $(api "/apis/apps/v1/namespaces/$ns/deployments/$release-pupil" | json 'j["spec"]["replicas"]') ]]
}
# The loss is a race: NEXTSTEP_NODE_RESTARTS (default 1) repeats each kind.
restarts=${NEXTSTEP_NODE_RESTARTS:-1}
log "step 8: a rolling restart of pupil while requests run (x$restarts)"
# The chart's preStop sleep (preStopSleepSeconds) keeps the old pod serving
# while the EndpointSlice change reaches kube-proxy's rules; the services
# stop accepting at once on SIGTERM (services/kit/server.Serve).
for ((r = 1; r <= restarts; r++)); do
  restart_under_load "rolling restart $r as the chart renders it"
done
log "step 9: helm uninstall leaves the CRDs and the data"
"$helm" uninstall "$release" -n "$ns" --wait >&2
api /apis/apiextensions.k8s.io/v1/customresourcedefinitions/programmes.nextstep.uk >/dev/null &&
  api /apis/apiextensions.k8s.io/v1/customresourcedefinitions/cohorts.nextstep.uk >/dev/null &&
  pass "CRDs kept" || fail "CRDs gone"
left=$(api "/apis/nextstep.uk/v1alpha1/namespaces/$ns/cohorts" | json 'len(j["items"])')
[[ $left -gt 0 ]] && pass "$left Cohorts and the Programme kept" || fail "Cohorts gone"
pupils=$("${psql[@]}" -d "$db" -c 'select count(*) from pupil.pupils')
schemas=$("${psql[@]}" -d "$db" -c "select string_agg(nspname, ',' order by nspname) from pg_namespace where nspname in ('pupil', 'placement', 'tracking')")
[[ $pupils -gt 0 ]] && pass "data kept: $pupils pupils, schemas $schemas" || fail "data gone"
pods=$(api "/api/v1/namespaces/$ns/pods" | json 'len(j["items"])')
log "pods left in $ns: $pods"

log "done in $(took): $failures failed"
[[ $failures -eq 0 ]]
