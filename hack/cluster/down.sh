#!/usr/bin/env bash
# `npm run cluster:down`: stops the one-node cluster of hack/cluster/up.sh and leaves the machine as
# it found it: every pod's processes, the daemons, kube-proxy's and the kubelet's iptables chains,
# the bridge and its routes, the sysctls up changed,
# the pods' cgroups, leftover mounts and the state directory. Safe to run when nothing is up, and
# after a half-finished up. Binary and image caches stay. Needs root.
# Best effort: every step runs even when an earlier one found nothing to undo.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

require_root
if [[ ! -d "$CLUSTER_DIR" ]] && ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  say "nothing to stop (no $CLUSTER_DIR)"
  exit 0
fi
exec 9>"$CLUSTER_LOCK"
flock -n 9 || { say "another cluster:up or cluster:down is running; waiting for it"; flock 9; }

# Every process in a pod's cgroup, in every hierarchy (cgroupfs driver: /kubepods/...).
pod_processes() {
  local procs
  for procs in /sys/fs/cgroup/*/kubepods/cgroup.procs /sys/fs/cgroup/*/kubepods/**/cgroup.procs; do
    [[ -f "$procs" ]] && cat "$procs"
  done 2>/dev/null | sort -u
}

shopt -s globstar nullglob
# Daemons first, so the kubelet does not restart what is being stopped, then the pods.
for c in "${COMPONENTS[@]}"; do
  case "$c" in
    kube-apiserver | etcd) ;; # last: the others may still be talking to them
    *) stop_component "$c" ;;
  esac
done
# The container shims outlive containerd; they and the pods go with SIGKILL (nothing to save).
pkill -KILL -f "containerd-shim-runc-v2 .*$CLUSTER_DIR" 2>/dev/null || true
for _ in 1 2 3; do
  pids="$(pod_processes)"
  [[ -z "$pids" ]] && break
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 0.5
done
stop_component kube-apiserver
stop_component etcd
step "processes stopped"

# Network rules: kube-proxy cleans its own chains; the kubelet's and ours are removed by name.
node_bin="$(cat "$CLUSTER_DIR/run/node-bin" 2>/dev/null || true)"
if [[ -n "$node_bin" && -x "$node_bin/kube-proxy" ]]; then
  "$node_bin/kube-proxy" --cleanup >/dev/null 2>&1 || true
fi
for ipt in iptables ip6tables; do
  for table in filter nat mangle; do
    # Jumps first (a chain that is still referenced cannot be deleted), then the chains.
    "$ipt" -t "$table" -S 2>/dev/null | grep -E '^-A .* -j (KUBE-|REPLISTORE-|CNI-)' | while read -r rule; do
      # eval: the rule is printed with its comment quoted
      eval "\"\$ipt\" -t \"\$table\" ${rule/-A/-D}" 2>/dev/null || true
    done
    "$ipt" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE-|REPLISTORE-|CNI-)/ {print $2}' | while read -r chain; do
      "$ipt" -t "$table" -F "$chain" 2>/dev/null || true
    done
    "$ipt" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE-|REPLISTORE-|CNI-)/ {print $2}' | while read -r chain; do
      "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
done
# The NetworkPolicy agent removes its table when it stops; not when it was killed.
nft delete table ip kube-network-policies 2>/dev/null || true
ip link del "$BRIDGE" 2>/dev/null || true
# veths of pods whose network namespace outlived them
for link in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
  [[ "$(cat "/sys/class/net/$link/master/uevent" 2>/dev/null)" == *"INTERFACE=$BRIDGE"* ]] && ip link del "$link"
done
for key in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables; do
  saved="$CLUSTER_DIR/run/sysctl-$key"
  [[ -f "$saved" ]] && cat "$saved" >"/proc/sys/${key//.//}"
done
conntrack -D -s "$POD_CIDR" >/dev/null 2>&1 || true
step "network restored"

# Mounts under the state directory that reached this namespace, deepest first.
awk -v dir="$CLUSTER_DIR" '$5 == dir || index($5, dir "/") == 1 {print $5}' /proc/self/mountinfo | sort -r |
  while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
# Pod cgroups, deepest first (a cgroup with children or processes cannot be removed).
for hierarchy in /sys/fs/cgroup/*/; do
  for top in "$hierarchy"kubepods "$hierarchy"k8s.io; do
    [[ -d "$top" ]] || continue
    find "$top" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
done
leftover="$(compgen -G '/sys/fs/cgroup/*/kubepods' || true)"
[[ -n "$leftover" ]] && say "warning: cgroups left behind: $leftover"

rm -rf "$CLUSTER_DIR" "$CLUSTER_LOCK"
exec 9>&-
step "cluster removed ($CLUSTER_DIR deleted)"
