#!/usr/bin/env bash
# Prints what of this host the local cluster may change, in a stable order: network
# links, addresses and routes, the nft and iptables rules, the sysctls kubelet sets, the
# mounts, cgroups and host paths it makes, and its processes. up.sh saves it before the
# cluster starts; down.sh compares it afterwards, so "the host is as it was" is checked.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/cluster.env
source "$here/cluster.env"

section() { printf '\n## %s\n' "$1"; }

section links
ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
section addresses
ip -o addr show | awk '{print $2, $3, $4}' | sort
section routes
ip route show table all 2>/dev/null | grep -v '^\(local\|broadcast\|multicast\) ' | sort
section "network namespaces"
ip netns list 2>/dev/null | sort
section "nft tables"
nft list tables 2>/dev/null | sort
section "iptables rules"
for ipt in iptables-save ip6tables-save; do
  command -v "$ipt" >/dev/null && "$ipt" 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//' | sort
done
section ipsets
ipset list -n 2>/dev/null | sed 's/^/ipset /' | sort
section sysctls
for key in "${SYSCTLS[@]}"; do sysctl -e "$key" 2>/dev/null; done
section mounts
awk '{print $2, $3}' /proc/mounts | grep -E "^($CLUSTER_STATE|$CLUSTER_RUN|/run/netns|/var/lib/kubelet|/run/containerd)" | sort
section cgroups
for controller in /sys/fs/cgroup/*/; do
  for group in kubepods kubepods.slice k8s.io; do
    [[ -d "$controller$group" ]] && echo "$controller$group"
  done
done
section "host paths"
for path in "${HOST_PATHS[@]}" "$CLUSTER_STATE" "$CLUSTER_RUN"; do [[ -e "$path" ]] && echo "$path"; done
section processes
# The cluster's own binaries, and anything that names its run folder (containerd and the
# shims serving its socket).
ps -eo args= | awk -v run="$CLUSTER_RUN" '{ name = $1; sub(".*/", "", name) }
  name != "awk" && (name ~ /^(kube-[a-z-]+|kubelet|etcd|coredns|traefik)$/ || index($0, run)) { print name }' | sort
true
