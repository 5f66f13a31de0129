#!/usr/bin/env bash
# node-up.sh brings up a single-node Kubernetes cluster from source, with no
# Docker engine and no image registry: etcd and kube-apiserver from
# hack/envtest.sh; kubelet, kube-controller-manager, kube-scheduler,
# kube-proxy and CoreDNS from hack/node.sh; Debian's containerd, runc and CNI
# plugins (hack/ensure-containerd.sh); a pause image built from source here
# (hack/node-image.sh). It runs every process in the background under one
# directory (logs/, pids/), checks each step (node Ready, a scheduled pod, a
# static pod, DNS through a service, a nextstep image), and stops at the
# first step that fails, printing that component's log. docs/node.md says
# what each step met on a cgroup v1 sandbox. Run as root.
#
#   hack/node-up.sh [up]     start everything and check it; the cluster stays up
#   hack/node-up.sh down     stop what `up` started (by recorded pid)
#
# NEXTSTEP_NODE_DIR (default /tmp/nextstep-node) holds the state: it is short
# because unix socket paths are limited to 108 bytes. NEXTSTEP_NODE_IMAGES
# (default bin/images, what make images writes) holds OCI layouts: each is
# imported into containerd, and pupil's, when there, is run as a pod.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${NEXTSTEP_NODE_DIR:-/tmp/nextstep-node}
node=nextstep-node
# Ports off the defaults, so a developer's own cluster or a parallel
# envtest (random ports) does not collide with this one.
etcd_port=12379 apiserver_port=16443 kubelet_port=11250
sandbox_image=localhost/nextstep/pause:node coredns_image=localhost/nextstep/coredns:node
# The kubelet refuses a loopback node IP ("nodeIP can't be loopback
# address"): use the address the host would reach the internet from (route
# get only asks the kernel, nothing is sent).
node_ip=$(ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([^ ]*\).*/\1/p')
[[ -n $node_ip ]] || node_ip=$(hostname -I | cut -d' ' -f1)
log() { echo "node-up: $*" >&2; }

# stop NAME: stops process NAME (started by start) and waits for it: TERM,
# then KILL after 30s (kube-apiserver's graceful shutdown can hang).
stop() {
  local f=$dir/pids/$1.pid pid i
  [[ -e $f ]] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$f"
}

down() {
  # Pods first, through the API, while the kubelet runs: it then stops each
  # sandbox properly (CNI DEL, network namespace, runc delete), which killing
  # the containers would leave behind on the host.
  local pid_file=$dir/pids/kubelet.pid
  if [[ -e $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    local a=(curl -sS -o /dev/null --cacert "$dir/pki/ca.crt" --cert "$dir/pki/admin.crt" --key "$dir/pki/admin.key" -X DELETE)
    local u="https://$node_ip:$apiserver_port" ns i
    rm -f "$dir"/manifests/*.yaml
    "${a[@]}" "$u/apis/apps/v1/namespaces/kube-system/deployments/coredns" || true
    for ns in default kube-system; do "${a[@]}" "$u/api/v1/namespaces/$ns/pods?gracePeriodSeconds=1" || true; done
    for ((i = 0; i < 60; i++)); do
      [[ -z $(ctr --address "$dir/containerd/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null) ]] && break
      sleep 1
    done
  fi
  # Then the kubelet, so it does not restart what is being stopped.
  stop kubelet
  # What is left (the kubelet was not running): containers outlive
  # containerd (their shims are reparented), so kill and delete every task
  # while containerd still answers, and their shims exit.
  if [[ -S $dir/containerd/containerd.sock ]]; then
    local c=(ctr --address "$dir/containerd/containerd.sock" -n k8s.io) task
    for task in $("${c[@]}" tasks ls -q 2>/dev/null || true); do
      "${c[@]}" tasks kill -s SIGKILL "$task" 2>/dev/null || true
    done
    sleep 1
    for task in $("${c[@]}" tasks ls -q 2>/dev/null || true); do
      "${c[@]}" tasks delete -f "$task" >/dev/null 2>&1 || true
    done
  fi
  # kube-apiserver before etcd: its graceful shutdown hangs without etcd.
  local name
  # pg-forward is node-chart.sh's PostgreSQL forwarder (socat), when it ran:
  # its children each hold one pod's connection, which a pod killed with
  # its network namespace never closes, so they go first, by parent pid.
  [[ -e $dir/pids/pg-forward.pid ]] && pkill -P "$(cat "$dir/pids/pg-forward.pid")" 2>/dev/null || true
  for name in pg-forward containerd kube-proxy kube-scheduler kube-controller-manager kube-apiserver etcd; do stop "$name"; done
  # The kubelet mounts its root directory and each pod's volumes (tmpfs for
  # tokens) under it: unmount them, deepest first, so $dir can be removed.
  local m
  for m in $(awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  # What outlives the processes on the host: kube-proxy's iptables rules and
  # the pods' bridge.
  local kube_proxy
  kube_proxy=$(ls "$root"/bin/node/*/kube-proxy 2>/dev/null | tail -n 1 || true)
  [[ -n $kube_proxy ]] && "$kube_proxy" --cleanup >/dev/null 2>&1 || true
  ip link delete nextstep0 2>/dev/null || true
  # The kubelet's QoS cgroups, deepest first; rmdir leaves any in use.
  find /sys/fs/cgroup/*/kubepods -depth -type d -exec rmdir {} + 2>/dev/null || true
  log "stopped"
}

if [[ ${1:-up} == down ]]; then
  down
  exit 0
fi

# start NAME COMMAND...: runs COMMAND in the background, logging to
# logs/NAME.log and recording its pid in pids/NAME.pid.
start() {
  local name=$1
  shift
  "$@" >"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name.pid"
}

# wait_for WHAT NAME TIMEOUT COMMAND...: retries COMMAND once a second
# while process NAME (started by start) lives; on timeout or its exit,
# prints the tail of its log.
wait_for() {
  local what=$1 name=$2 timeout=$3 logfile=$dir/logs/$2.log
  shift 3
  local i
  for ((i = 0; i < timeout; i++)); do
    if "$@" >/dev/null 2>&1; then
      log "$what: ok after ${i}s"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/pids/$name.pid")" 2>/dev/null; then
      log "$what: $name exited; last lines of $logfile:"
      tail -n 40 "$logfile" >&2
      exit 1
    fi
    sleep 1
  done
  log "$what: not ready after ${timeout}s; last lines of $logfile:"
  tail -n 40 "$logfile" >&2
  exit 1
}

down 2>/dev/null || true
# Something still listening on the API port is a cluster down did not know
# of (its pids were lost): it would answer for ours, so refuse.
if (exec 3<>"/dev/tcp/$node_ip/$apiserver_port") 2>/dev/null; then
  log "port $apiserver_port on $node_ip is taken (a cluster left running without its $dir/pids?): stop it first"
  exit 1
fi
# Each up starts afresh: etcd kept from a previous run holds pods the last
# down deleted but no kubelet confirmed, which would never run again. Only a
# directory this script made (it has pids/) is removed.
if [[ -d $dir/pids ]]; then
  rm -rf "$dir"
fi
mkdir -p "$dir"/{logs,pids,pki,etcd,kubelet,manifests,cni/net.d,containerd,images}

log "step 1: binaries (built from source once, cached under bin/)"
envtest=$("$root/hack/envtest.sh")
nodebin=$("$root/hack/node.sh")
containerd=$("$root/hack/ensure-containerd.sh")
runc=$("$root/hack/ensure-runc.sh")

log "step 2: certificates (a CA, the API server's, one client per component)"
pki=$dir/pki
if [[ ! -e $pki/ca.crt ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=nextstep-node-ca \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  # cert NAME SUBJECT [SAN]: a key and a certificate signed by the CA.
  cert() {
    local ext
    ext=$(mktemp)
    echo "extendedKeyUsage=serverAuth,clientAuth" >"$ext"
    [[ -n ${3:-} ]] && echo "subjectAltName=$3" >>"$ext"
    openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
    openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
      -days 30 -extfile "$ext" -out "$pki/$1.crt" 2>/dev/null
    rm -f "$ext" "$pki/$1.csr"
  }
  cert apiserver /CN=kube-apiserver "IP:$node_ip,IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  cert admin "/O=system:masters/CN=admin"
  cert kubelet "/O=system:nodes/CN=system:node:$node"
  cert controller-manager /CN=system:kube-controller-manager
  cert scheduler /CN=system:kube-scheduler
  cert kube-proxy /CN=system:kube-proxy
fi
# kubeconfig NAME: a kubeconfig authenticating with NAME's certificate.
kubeconfig() {
  cat >"$dir/$1.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: node
  cluster: {server: "https://$node_ip:$apiserver_port", certificate-authority: "$pki/ca.crt"}
users:
- name: $1
  user: {client-certificate: "$pki/$1.crt", client-key: "$pki/$1.key"}
contexts:
- name: node
  context: {cluster: node, user: $1}
current-context: node
KC
}
for c in admin kubelet controller-manager scheduler kube-proxy; do kubeconfig "$c"; done

# kube-apiserver listens on the node IP, not loopback: it is the endpoint of
# the kubernetes service, which pods (CoreDNS) reach through kube-proxy, and
# it refuses a loopback one ("cannot use public IP 127.0.0.1 with endpoint
# reconciler").
log "step 3: etcd and kube-apiserver ($envtest)"
start etcd "$envtest/etcd" --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls http://127.0.0.1:12380 --initial-advertise-peer-urls http://127.0.0.1:12380 \
  --initial-cluster default=http://127.0.0.1:12380
start kube-apiserver "$envtest/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address "$node_ip" --advertise-address "$node_ip" --secure-port "$apiserver_port" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" \
  --kubelet-client-certificate "$pki/admin.crt" --kubelet-client-key "$pki/admin.key" \
  --service-account-issuer https://kubernetes.default.svc \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-cluster-ip-range 10.0.0.0/24 \
  --authorization-mode Node,RBAC --allow-privileged \
  --kubelet-preferred-address-types InternalIP
# kubectl is not built: curl with the admin certificate reads the API.
api() { curl -sSf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "https://$node_ip:$apiserver_port$1" "${@:2}"; }
wait_for kube-apiserver kube-apiserver 90 api /readyz
# create PATH: POSTs the JSON on stdin to PATH, printing the API's answer
# when it refuses.
create() {
  local out code
  out=$(mktemp)
  code=$(curl -sS -o "$out" -w '%{http_code}' --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    -X POST -H 'Content-Type: application/json' --data-binary @- "https://$node_ip:$apiserver_port$1")
  if [[ $code != 2* ]]; then
    log "POST $1: $code"
    cat "$out" >&2
    rm -f "$out"
    exit 1
  fi
  rm -f "$out"
}

log "step 4: kube-controller-manager and kube-scheduler"
start kube-controller-manager "$nodebin/kube-controller-manager" \
  --kubeconfig "$dir/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$dir/controller-manager.kubeconfig" --authorization-kubeconfig "$dir/controller-manager.kubeconfig" \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --use-service-account-credentials --leader-elect=false \
  --bind-address 127.0.0.1 --secure-port 10257
start kube-scheduler "$nodebin/kube-scheduler" \
  --kubeconfig "$dir/scheduler.kubeconfig" \
  --authentication-kubeconfig "$dir/scheduler.kubeconfig" --authorization-kubeconfig "$dir/scheduler.kubeconfig" \
  --leader-elect=false --bind-address 127.0.0.1 --secure-port 10259

log "step 5: the pause (pod sandbox) and CoreDNS images, built from source"
(cd "$root/hack/tools/kube-node" && GOWORK=off CGO_ENABLED=0 nice -n 19 go build -trimpath -ldflags='-s -buildid=' -o "$dir/images/pause" ./pause)
# 65535 is the user Kubernetes' own pause image runs as; CoreDNS runs as
# root to bind port 53 (the pod's capabilities are the runtime's default).
"$root/hack/node-image.sh" "$sandbox_image" "$dir/images/pause.tar" "$dir/images/pause" 65535:65535
"$root/hack/node-image.sh" "$coredns_image" "$dir/images/coredns.tar" "$nodebin/coredns" 0:0

log "step 6: containerd ($("$containerd" --version))"
# cgroupfs, not systemd: there is no systemd here. overlayfs snapshots,
# runc from Debian, CNI plugins from Debian, everything else under $dir.
cat >"$dir/cni/net.d/10-bridge.conflist" <<CNI
{
  "cniVersion": "1.0.0",
  "name": "nextstep-node",
  "plugins": [
    {"type": "bridge", "bridge": "nextstep0", "isGateway": true, "ipMasq": false,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.0.0/16"}]], "routes": [{"dst": "0.0.0.0/0"}],
              "dataDir": "$dir/cni/ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
CNI
cat >"$dir/containerd/config.toml" <<TOML
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$dir/containerd/containerd.sock"
[ttrpc]
  address = "$dir/containerd/containerd.sock.ttrpc"
[debug]
  level = "info"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$sandbox_image"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # Each pod's network namespace is mounted under $dir, not /var/run/netns,
  # so down finds (and unmounts) only this cluster's.
  netns_mounts_under_state_dir = true
  # This sandbox's root has no CAP_SYS_RESOURCE, so it may not lower an
  # oom_score_adj: runc fails a pod sandbox (-998) with "nsexec: failed to
  # update /proc/self/oom_score_adj: Permission denied". Restricting clamps
  # each container's to no lower than containerd's own (what rootless does).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$runc"
        Root = "$dir/containerd/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni/net.d"
TOML
start containerd "$containerd" --config "$dir/containerd/config.toml"
ctr() { command ctr --address "$dir/containerd/containerd.sock" "$@"; }
wait_for containerd containerd 30 ctr version
# The kubelet's CRI images live in containerd's k8s.io namespace.
ctr -n k8s.io images import "$dir/images/pause.tar" >&2
ctr -n k8s.io images import "$dir/images/coredns.tar" >&2
ctr -n k8s.io images ls -q >&2

log "step 7: kubelet ($nodebin/kubelet)"
cat >"$dir/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://$dir/containerd/containerd.sock
# No systemd here: cgroupfs. The host is cgroup v1, which kubelet 1.35+
# refuses unless told ("kubelet is configured to not run on a host using
# cgroup v1"). QoS cgroups (kubepods) and node allocatable work on it.
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
staticPodPath: $dir/manifests
podLogsDirectory: $dir/pod-logs
address: $node_ip
port: $kubelet_port
healthzBindAddress: 127.0.0.1
healthzPort: 11248
readOnlyPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
clusterDomain: cluster.local
clusterDNS: [10.0.0.10]
# A sandbox's disk is no measure of a node's: never evict for it.
evictionHard: {}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
YAML
# A static pod: the kubelet runs it from the file alone, and shows it in the
# API as a mirror pod named <name>-<node>.
cat >"$dir/manifests/static.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: static, namespace: default}
spec:
  containers: [{name: pause, image: $sandbox_image, imagePullPolicy: Never}]
YAML
start kubelet "$nodebin/kubelet" --config "$dir/kubelet/config.yaml" \
  --kubeconfig "$dir/kubelet.kubeconfig" --root-dir "$dir/kubelet/root" --cert-dir "$dir/kubelet/pki" \
  --hostname-override "$node" --node-ip "$node_ip" -v 2
# The API server indents its JSON: squeeze it before matching.
node_ready() { api "/api/v1/nodes/$node" | tr -d ' \n' | grep -q '"type":"Ready","status":"True"'; }
wait_for "node $node registered" kubelet 90 api "/api/v1/nodes/$node"
wait_for "node $node Ready" kubelet 120 node_ready

log "step 8: kube-proxy (iptables)"
start kube-proxy "$nodebin/kube-proxy" --kubeconfig "$dir/kube-proxy.kubeconfig" \
  --hostname-override "$node" --proxy-mode iptables --cluster-cidr 10.88.0.0/16 \
  --metrics-bind-address 127.0.0.1:10249 --healthz-bind-address 127.0.0.1:10256
wait_for kube-proxy kube-proxy 60 curl -sSf http://127.0.0.1:10256/healthz

log "step 9: a pod running the pause image, scheduled onto the node"
# A pod needs its namespace's default service account, which
# kube-controller-manager creates.
wait_for "default service account" kube-controller-manager 60 api /api/v1/namespaces/default/serviceaccounts/default
create /api/v1/namespaces/default/pods <<JSON
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hello"},
 "spec": {"containers": [{"name": "pause", "image": "$sandbox_image", "imagePullPolicy": "Never"}]}}
JSON
pod_running() { api /api/v1/namespaces/default/pods/hello | tr -d ' \n' | grep -q '"phase":"Running"'; }
wait_for "pod hello Running" kubelet 120 pod_running
api /api/v1/namespaces/default/pods/hello | tr -d ' \n' | grep -o '"podIP":"[^"]*"' >&2
static_running() { api "/api/v1/namespaces/default/pods/static-$node" | tr -d ' \n' | grep -q '"phase":"Running"'; }
wait_for "static pod static-$node Running" kubelet 60 static_running

log "step 10: CoreDNS, answering cluster.local at 10.0.0.10 through kube-proxy"
create /api/v1/namespaces/kube-system/serviceaccounts <<<'{"metadata": {"name": "coredns"}}'
create /apis/rbac.authorization.k8s.io/v1/clusterroles <<'JSON'
{"metadata": {"name": "system:coredns"},
 "rules": [{"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"], "verbs": ["list", "watch"]},
           {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]}]}
JSON
create /apis/rbac.authorization.k8s.io/v1/clusterrolebindings <<'JSON'
{"metadata": {"name": "system:coredns"},
 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:coredns"},
 "subjects": [{"kind": "ServiceAccount", "name": "coredns", "namespace": "kube-system"}]}
JSON
# No forward plugin: there is no upstream DNS to forward to.
create /api/v1/namespaces/kube-system/configmaps <<'JSON'
{"metadata": {"name": "coredns"},
 "data": {"Corefile": ".:53 {\n  errors\n  health :8080\n  ready :8181\n  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    pods insecure\n    fallthrough in-addr.arpa ip6.arpa\n  }\n  cache 30\n}\n"}}
JSON
create /apis/apps/v1/namespaces/kube-system/deployments <<JSON
{"metadata": {"name": "coredns", "labels": {"k8s-app": "kube-dns"}},
 "spec": {"replicas": 1, "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
  "template": {"metadata": {"labels": {"k8s-app": "kube-dns"}},
   "spec": {"serviceAccountName": "coredns", "dnsPolicy": "Default",
    "containers": [{"name": "coredns", "image": "$coredns_image", "imagePullPolicy": "Never",
      "args": ["-conf", "/etc/coredns/Corefile"],
      "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"}, {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}],
      "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181}},
      "volumeMounts": [{"name": "config", "mountPath": "/etc/coredns"}]}],
    "volumes": [{"name": "config", "configMap": {"name": "coredns"}}]}}}}
JSON
create /api/v1/namespaces/kube-system/services <<'JSON'
{"metadata": {"name": "kube-dns", "labels": {"k8s-app": "kube-dns"}},
 "spec": {"clusterIP": "10.0.0.10", "selector": {"k8s-app": "kube-dns"},
  "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]}}
JSON
coredns_ready() { api /apis/apps/v1/namespaces/kube-system/deployments/coredns | tr -d ' \n' | grep -q '"readyReplicas":1'; }
wait_for "CoreDNS ready" kubelet 120 coredns_ready
# No dig here: python's socket sends one DNS query over UDP through the
# service IP (kube-proxy's iptables rules) and prints the A record.
dns_query() {
  python3 - "$1" <<'PY'
import socket, struct, sys
name = sys.argv[1]
q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, ("10.0.0.10", 53))
r = s.recv(512)
if struct.unpack(">H", r[6:8])[0] < 1:
    sys.exit("no answer")
print(name, socket.inet_ntoa(r[-4:]))
PY
}
wait_for "DNS answer through the kube-dns service" kube-proxy 30 dns_query kubernetes.default.svc.cluster.local
dns_query kubernetes.default.svc.cluster.local >&2

log "step 11: nextstep's images (OCI layouts from make images)"
images=${NEXTSTEP_NODE_IMAGES:-$root/bin/images}
# An OCI image layout, tarred as it is, is an archive ctr imports, named by
# its org.opencontainers.image.ref.name annotation (the chart's reference).
for layout in "$images"/*/; do
  [[ -e $layout/index.json ]] || continue
  tar -C "$layout" -cf - . | ctr -n k8s.io images import - >&2
done
pupil_ref=$(ctr -n k8s.io images ls -q | grep '/pupil:' | head -n 1 || true)
if [[ -z $pupil_ref ]]; then
  log "no pupil image in $images (make images): skipped"
else
  # Without its database pupil exits at once, saying what it misses: its
  # log, read through the API server and the kubelet, shows it ran.
  create /api/v1/namespaces/default/pods <<JSON
{"metadata": {"name": "pupil"},
 "spec": {"restartPolicy": "Never",
  "containers": [{"name": "pupil", "image": "$pupil_ref", "imagePullPolicy": "Never"}]}}
JSON
  pupil_done() { api /api/v1/namespaces/default/pods/pupil | tr -d ' \n' | grep -qE '"phase":"(Running|Succeeded|Failed)"'; }
  wait_for "pod pupil started" kubelet 60 pupil_done
  sleep 2
  log "pupil's log:"
  api /api/v1/namespaces/default/pods/pupil/log >&2 || true
fi

log "up: export KUBECONFIG=$dir/admin.kubeconfig; logs in $dir/logs; stop with hack/node-up.sh down"
