#!/usr/bin/env bash
# Stops the local cluster up.sh started and puts the host back as it was: processes (by
# pid file only), pod containers, mounts, the pod bridge and veths, network namespaces,
# nft and iptables rules, cgroups, sysctls, the node address, and every host path the
# cluster made. Then it compares the host with what up.sh recorded and says so; exit 1
# if anything differs. Safe to run twice, or after a failed start.
# The components' logs stay in .gavel/cluster for a post-mortem.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=SCRIPTDIR/cluster.env
source "$here/cluster.env"
logs="${GAVEL_STATE:-$repo/.gavel}/cluster"

((EUID == 0)) || { echo "k8s/local/down.sh: needs root" >&2; exit 1; }
if [[ ! -d "$CLUSTER_RUN" && ! -d "$CLUSTER_STATE" ]]; then
  echo "no local cluster to stop" >&2
  exit 0
fi

# stop NAME: SIGTERM the pid in its pid file, SIGKILL after 10 s.
stop() {
  local file="$CLUSTER_RUN/$1.pid" pid i
  [[ -f "$file" ]] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$file"
  echo "stopped $1 ($pid)" >&2
}

stop kube-router
stop kube-proxy
stop kubelet
# Pod containers outlive kubelet: kill their tasks through containerd, then remove them.
ctr=(ctr -a "$CLUSTER_RUN/containerd.sock" -n k8s.io)
if [[ -S "$CLUSTER_RUN/containerd.sock" ]]; then
  for task in $("${ctr[@]}" tasks ls -q 2>/dev/null); do "${ctr[@]}" tasks kill -s SIGKILL "$task" >/dev/null 2>&1; done
  sleep 1
  for task in $("${ctr[@]}" tasks ls -q 2>/dev/null); do "${ctr[@]}" tasks delete -f "$task" >/dev/null 2>&1; done
  for c in $("${ctr[@]}" containers ls -q 2>/dev/null); do "${ctr[@]}" containers delete "$c" >/dev/null 2>&1; done
fi
for name in kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do stop "$name"; done
# Shims whose containerd is gone (they name its socket).
pkill -9 -f "containerd-shim-runc-v2 .*-address $CLUSTER_RUN/containerd.sock" 2>/dev/null

# Mounts: pod network namespaces, shm, overlay root file systems, kubelet volumes.
awk '{print $2}' /proc/mounts | grep -E "^($CLUSTER_STATE|$CLUSTER_RUN|/run/netns/cni-|/var/lib/kubelet)" |
  sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null; done
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^cni-'); do ip netns delete "$ns"; done

# Network: the bridge and its veths, the cluster's nft tables, the node address.
ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE"
# The pods' veths (gone with their namespaces, unless one was left behind), and only
# those that were not there before the cluster.
for veth in $(ip -o link show type veth 2>/dev/null | awk -F'[ :@]+' '{print $2}'); do
  grep -qx "$veth" "$logs/host-before.txt" 2>/dev/null || ip link delete "$veth" 2>/dev/null
done
nft delete table inet gavel_cluster 2>/dev/null
nft delete table ip kube-proxy 2>/dev/null
nft delete table ip6 kube-proxy 2>/dev/null
ip addr del "$NODE_IP/32" dev lo 2>/dev/null
# kubelet's iptables chains (KUBE-FIREWALL jumps, the canary and hint chains).
for ipt in iptables ip6tables; do
  command -v "$ipt" >/dev/null || continue
  "$ipt" -t filter -D INPUT -j KUBE-FIREWALL 2>/dev/null
  "$ipt" -t filter -D OUTPUT -j KUBE-FIREWALL 2>/dev/null
  for table in mangle nat filter; do
    for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-PROXY-CANARY KUBE-IPTABLES-HINT; do
      "$ipt" -t "$table" -F "$chain" 2>/dev/null && "$ipt" -t "$table" -X "$chain" 2>/dev/null
    done
  done
done
# kube-router's: the jumps from the built-in chains, its chains, and its ipsets (named
# from hashes, so only those that were not there before the cluster).
for chain in INPUT FORWARD OUTPUT; do
  iptables -t filter -n -L "$chain" --line-numbers 2>/dev/null | awk '$2 ~ /^KUBE-ROUTER-/ {print $1}' |
    sort -rn | while read -r rule; do iptables -t filter -D "$chain" "$rule"; done
done
router_chains=$(iptables-save -t filter 2>/dev/null | grep -oE '^:(KUBE-ROUTER-|KUBE-NWPLCY-|KUBE-POD-FW-)[^ ]+' | cut -c2-)
for chain in $router_chains; do iptables -t filter -F "$chain"; done
for chain in $router_chains; do iptables -t filter -X "$chain"; done
for set in $(ipset list -n 2>/dev/null | grep -E '^(inet6:)?KUBE-(SRC|DST)-'); do
  grep -qx "ipset $set" "$logs/host-before.txt" 2>/dev/null || ipset destroy "$set"
done
# iptables-nft made its ip/ip6 tables for those chains: drop them if they were not there
# before and hold no rule now.
if [[ -f "$logs/host-before.txt" ]]; then
  for family in ip ip6; do
    for table in filter nat mangle; do
      if ! grep -qx "table $family $table" "$logs/host-before.txt" &&
        ! nft list table "$family" "$table" 2>/dev/null | grep -qE '^\s+(ip|meta|counter|jump|drop|accept)'; then
        nft delete table "$family" "$table" 2>/dev/null
      fi
    done
  done
fi

# Cgroups kubelet and runc made, deepest first.
for controller in /sys/fs/cgroup/*/; do
  for group in kubepods k8s.io; do
    [[ -d "$controller$group" ]] && find "$controller$group" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
done
# Host paths that did not exist before up.sh.
if [[ -f "$CLUSTER_STATE/host-paths.orig" ]]; then
  for path in "${HOST_PATHS[@]}"; do
    [[ -e "$path" ]] && ! grep -qx "$path" "$CLUSTER_STATE/host-paths.orig" && rm -rf "$path"
  done
fi
# Sysctls back to what they were.
if [[ -f "$CLUSTER_STATE/sysctl.orig" ]]; then
  sed 's/ = /=/' "$CLUSTER_STATE/sysctl.orig" | while read -r setting; do sysctl -qw "$setting"; done
fi
rm -rf "$CLUSTER_STATE" "$CLUSTER_RUN"

if [[ -f "$logs/host-before.txt" ]]; then
  "$here/host-state.sh" >"$logs/host-after.txt"
  if diff -u "$logs/host-before.txt" "$logs/host-after.txt" >"$logs/host-diff.txt"; then
    echo "host restored: nothing of the cluster is left" >&2
  else
    echo "host NOT restored; what differs ($logs/host-diff.txt):" >&2
    cat "$logs/host-diff.txt" >&2
    exit 1
  fi
fi
