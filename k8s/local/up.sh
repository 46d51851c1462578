#!/usr/bin/env bash
# Starts a single-node Kubernetes on this machine from binaries built by build.sh, with
# no registry: Debian's containerd and runc, the CNI bridge plugin, etcd, the control
# plane, kubelet, kube-proxy (nftables), kube-router (NetworkPolicies), CoreDNS and
# Traefik (Ingress class `traefik`). Pods never reach anything off the machine
# (config/guard.nft, no default route, no masquerade, no DNS forwarding).
#
#   k8s/local/up.sh            # then: export KUBECONFIG=/var/lib/gavel-cluster/kubeconfig/admin.conf
#   k8s/local/down.sh          # stops it and puts the host back as it was
#
# Needs root, Go and: apt-get install -y containerd runc containernetworking-plugins
# nftables iptables ipset gcc libc6-dev. If it fails, it stops what it started (down.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=SCRIPTDIR/cluster.env
source "$here/cluster.env"
# shellcheck source=SCRIPTDIR/../../scripts/tools/versions.env
source "$repo/scripts/tools/versions.env"
logs="${GAVEL_STATE:-$repo/.gavel}/cluster"

t0=$SECONDS
say() { printf '[%4ds] %s\n' $((SECONDS - t0)) "$*" >&2; }

# --- First contact: one line that says what to do.
cluster_preflight k8s/local/up.sh || exit 1

bins="$("$here/build.sh")"
B="$bins/bin"

# From here on, a failure stops everything started so far and restores the host.
stop_on_failure() {
  local rc=$?
  say "start failed (exit $rc); stopping what was started"
  "$here/down.sh" >&2 || true
  exit "$rc"
}
trap stop_on_failure ERR
set -E

mkdir -p "$logs"
rm -f "$logs"/*.log "$logs"/host-*.txt
# What the host looked like, for down.sh to compare against.
"$here/host-state.sh" >"$logs/host-before.txt"
mkdir -p "$CLUSTER_STATE" "$CLUSTER_RUN/config"
# What down.sh restores: the sysctls, and which host paths existed.
for key in "${SYSCTLS[@]}"; do sysctl -e "$key" 2>/dev/null; done >"$CLUSTER_STATE/sysctl.orig"
for path in "${HOST_PATHS[@]}"; do [[ -e "$path" ]] && echo "$path"; done >"$CLUSTER_STATE/host-paths.orig" || true

# --- Configs, rendered with this cluster's names and places.
for file in "$here"/config/*; do
  sed -e "s|@STATE@|$CLUSTER_STATE|g" -e "s|@RUN@|$CLUSTER_RUN|g" -e "s|@NODE_IP@|$NODE_IP|g" \
    -e "s|@NODE_NAME@|$NODE_NAME|g" -e "s|@BRIDGE@|$BRIDGE|g" \
    -e "s|@KUBERNETES_VERSION@|$KUBERNETES_VERSION|g" -e "s|@COREDNS_TAG@|${COREDNS_VERSION#v}|g" \
    -e "s|@TRAEFIK_TAG@|${TRAEFIK_VERSION#v}|g" \
    "$file" >"$CLUSTER_RUN/config/$(basename "$file")"
done
mkdir -p "$CLUSTER_RUN/cni"
mv "$CLUSTER_RUN/config/cni.conflist" "$CLUSTER_RUN/cni/10-gavel.conflist"
C="$CLUSTER_RUN/config"

# --- The host: the node address, forwarding (service to pod) and the egress guard.
ip addr add "$NODE_IP/32" dev lo
sysctl -qw net.ipv4.ip_forward=1
nft -f "$C/guard.nft"

# start NAME CMD...: in its own session; pid in $CLUSTER_RUN/NAME.pid, log in $logs.
start() {
  local name=$1
  shift
  setsid "$@" >"$logs/$name.log" 2>&1 </dev/null &
  echo $! >"$CLUSTER_RUN/$name.pid"
}
# until_ok SECONDS WHAT CMD...: polls CMD every half second.
until_ok() {
  local limit=$1 what=$2 i
  shift 2
  for ((i = 0; i < limit * 2; i++)); do
    if "$@" >/dev/null 2>&1; then
      say "$what"
      return 0
    fi
    sleep 0.5
  done
  say "gave up waiting for $what after $limit s; see $logs"
  return 1
}

# --- containerd, with the system images.
start containerd containerd --config "$C/containerd.toml"
ctr=(ctr -a "$CLUSTER_RUN/containerd.sock" -n k8s.io)
until_ok 30 "containerd ready" "${ctr[@]}" version
for image in "$bins"/images/*.tar; do "${ctr[@]}" images import "$image" >/dev/null; done

# --- Certificates and kubeconfigs, as kubeadm makes them (offline phases only).
"$B/kubeadm" init phase certs all --config "$C/kubeadm.yaml" >"$logs/kubeadm.log" 2>&1
"$B/kubeadm" init phase kubeconfig all --config "$C/kubeadm.yaml" \
  --kubeconfig-dir "$CLUSTER_STATE/kubeconfig" >>"$logs/kubeadm.log" 2>&1
P="$CLUSTER_STATE/pki"
K="$CLUSTER_STATE/kubeconfig"

# --- etcd and the control plane.
start etcd "$B/etcd" --name gavel --data-dir "$CLUSTER_STATE/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster gavel=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
  --unsafe-no-fsync=true
until_ok 30 "etcd ready" curl -sf http://127.0.0.1:2381/health

start kube-apiserver "$B/kube-apiserver" \
  --etcd-servers=http://127.0.0.1:2379 \
  --advertise-address="$NODE_IP" --bind-address="$NODE_IP" --secure-port=6443 \
  --service-cluster-ip-range=10.96.0.0/16 --service-node-port-range=30000-32767 \
  --client-ca-file="$P/ca.crt" --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" \
  --kubelet-client-certificate="$P/apiserver-kubelet-client.crt" --kubelet-client-key="$P/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types=InternalIP \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --allow-privileged=true \
  --requestheader-client-ca-file="$P/front-proxy-ca.crt" --proxy-client-cert-file="$P/front-proxy-client.crt" \
  --proxy-client-key-file="$P/front-proxy-client.key" --requestheader-allowed-names=front-proxy-client \
  --requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group \
  --requestheader-username-headers=X-Remote-User
kubectl=("$B/kubectl" --kubeconfig "$K/super-admin.conf")
until_ok 120 "kube-apiserver ready" "${kubectl[@]}" get --raw /readyz
# admin.conf's user is in kubeadm:cluster-admins, which `kubeadm init` would bind.
"${kubectl[@]}" create clusterrolebinding kubeadm:cluster-admins --clusterrole=cluster-admin \
  --group=kubeadm:cluster-admins >/dev/null

start kube-controller-manager "$B/kube-controller-manager" \
  --kubeconfig="$K/controller-manager.conf" --authentication-kubeconfig="$K/controller-manager.conf" \
  --authorization-kubeconfig="$K/controller-manager.conf" --bind-address=127.0.0.1 \
  --client-ca-file="$P/ca.crt" --cluster-signing-cert-file="$P/ca.crt" --cluster-signing-key-file="$P/ca.key" \
  --root-ca-file="$P/ca.crt" --service-account-private-key-file="$P/sa.key" --use-service-account-credentials=true \
  --allocate-node-cidrs=true --cluster-cidr=10.244.0.0/16 --node-cidr-mask-size=24 \
  --service-cluster-ip-range=10.96.0.0/16 --leader-elect=false
start kube-scheduler "$B/kube-scheduler" --kubeconfig="$K/scheduler.conf" \
  --authentication-kubeconfig="$K/scheduler.conf" --authorization-kubeconfig="$K/scheduler.conf" \
  --bind-address=127.0.0.1 --leader-elect=false

# --- The node.
start kubelet "$B/kubelet" --config="$C/kubelet.yaml" --kubeconfig="$K/kubelet.conf" \
  --root-dir="$CLUSTER_STATE/kubelet" --cert-dir="$CLUSTER_STATE/kubelet-pki" \
  --node-ip="$NODE_IP" --hostname-override="$NODE_NAME"
start kube-proxy "$B/kube-proxy" --config="$C/kube-proxy.yaml"
until_ok 180 "node $NODE_NAME Ready" "${kubectl[@]}" wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
# NetworkPolicies (once the node it guards exists), enforced on the node with iptables and ipsets: kube-router's firewall
# alone (no BGP, no service proxy, no CNI), with no health or metrics port.
start kube-router "$B/kube-router" --kubeconfig="$K/admin.conf" --hostname-override="$NODE_NAME" \
  --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false \
  --service-cluster-ip-range=10.96.0.0/16 --service-node-port-range=30000-32767 \
  --health-port=0 --metrics-port=0
until_ok 60 "kube-router enforcing NetworkPolicies" iptables -n -L KUBE-ROUTER-FORWARD

# --- Cluster DNS, and hostPath volumes for claims (no provisioner runs here).
"${kubectl[@]}" apply -f "$C/coredns.yaml" >/dev/null
mkdir -p "$CLUSTER_STATE/volumes"
for i in $(seq 1 "${GAVEL_CLUSTER_VOLUMES:-6}"); do
  dir="$CLUSTER_STATE/volumes/pv$i"
  # Any pod user may write: the chart's NATS runs as uid 1000, not root.
  mkdir -p "$dir" && chmod 0777 "$dir"
  cat <<YAML
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: local-pv$i, labels: { gavel.local/volume: "true" } }
spec:
  capacity: { storage: 4Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: local-static
  persistentVolumeReclaimPolicy: Retain
  hostPath: { path: $dir, type: Directory }
YAML
done | "${kubectl[@]}" apply -f - >/dev/null
until_ok 120 "CoreDNS ready" "${kubectl[@]}" -n kube-system rollout status deploy/coredns --timeout=2s
# The Ingress controller, reached from this host at its Service's cluster IP.
"${kubectl[@]}" apply -f "$C/traefik.yaml" >/dev/null
until_ok 120 "Traefik ready" "${kubectl[@]}" -n traefik rollout status deploy/traefik --timeout=2s

trap - ERR
say "cluster up: export KUBECONFIG=$KUBECONFIG (kubectl: $B/kubectl; stop it with k8s/local/down.sh)"
