# Shared by hack/cluster/up.sh and down.sh: where the one-node cluster lives and how it is wired.
# Fixed addresses and ports (6443, 10250, 53 on the bridge) allow one cluster per machine; a lock
# under the state directory keeps two ups or downs from running at once.

# State: certificates, etcd data, containerd's root, kubelet's root, volumes, logs, pids, kubeconfig.
CLUSTER_DIR="${REPLISTORE_CLUSTER_DIR:-/var/lib/replistore-cluster}"
# Binaries of ours that kubectl, helm and the plugin are linked from (cluster:up prints a PATH line).
CLUSTER_BIN="$CLUSTER_DIR/bin"
# Beside the state directory, not in it: down removes that directory while holding the lock.
CLUSTER_LOCK="$CLUSTER_DIR.lock"
KUBECONFIG_PATH="$CLUSTER_DIR/kubeconfig"
NODE_NAME=replistore-node
BRIDGE=rscni0
# The bridge's address is the node's: the apiserver, the kubelet and CoreDNS listen on it, so pods
# reach them directly and through the `kubernetes` Service.
NODE_IP=10.244.0.1
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
# Packets to a ClusterIP that kube-proxy has not (yet) rewritten are routed onto the bridge (where
# nothing answers them) instead of leaving the machine by its default route: this kernel has no
# dummy device to sink them in.
APISERVER_PORT=6443
CLUSTER_DOMAIN=cluster.local
# Process names in stop order (daemons that use the apiserver first, its storage last).
COMPONENTS=(local-path-provisioner coredns kube-network-policies kube-proxy kubelet containerd
  kube-scheduler kube-controller-manager kube-apiserver etcd)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_cluster_started=$SECONDS

say() { echo "cluster: $*"; }
step() { printf 'cluster: [%5.1fs] %s\n' "$((SECONDS - _cluster_started))" "$*"; }
die() {
  echo "cluster: $*" >&2
  exit 1
}

require_root() {
  [[ "$(id -u)" -eq 0 ]] || die "needs root (containerd, the kubelet, iptables and the bridge do); run it as root"
}

pid_file() { echo "$CLUSTER_DIR/run/$1.pid"; }

# The pid recorded for a component, if that process is alive and still runs the component's binary.
component_pid() {
  local name="$1" file pid exe
  file="$(pid_file "$name")"
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
  [[ "$(basename "$exe")" == "$name" ]]
}

# Signals a component and waits for it to go (SIGKILL after the grace period).
stop_component() {
  local name="$1" grace="${2:-10}" pid i
  component_pid "$name" || {
    rm -f "$(pid_file "$name")"
    return 0
  }
  pid="$(cat "$(pid_file "$name")")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    [[ -d "/proc/$pid" ]] || break
    sleep 0.1
  done
  [[ -d "/proc/$pid" ]] && kill -KILL "$pid" 2>/dev/null
  rm -f "$(pid_file "$name")"
}

# Polls a command until it succeeds; on timeout prints the component's log tail and fails.
wait_for() {
  local what="$1" timeout="$2" log="$3"
  shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "cluster: $what did not come up within ${timeout}s; last lines of $log:" >&2
      tail -n 30 "$log" >&2 || true
      return 1
    fi
    sleep 0.2
  done
}
