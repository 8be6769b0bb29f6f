#!/usr/bin/env bash
# `npm run cluster:up`: a real one-node Kubernetes cluster on this machine, no Docker needed.
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler   (hack/k8s/build.sh)
#   containerd + runc (Debian) with a CNI bridge, the kubelet, kube-proxy (iptables mode), CoreDNS
#   and local-path-provisioner (the default StorageClass), all as host processes
#                                                                    (hack/cluster/build.sh)
#   kube-network-policies, enforcing NetworkPolicy                  (hack/cluster/build-netpol.sh)
#   the pause, helper and project images loaded into containerd     (hack/cluster/images.sh)
# Returns once the node is Ready and CoreDNS answers, and prints `export KUBECONFIG=...` and
# `export PATH=...` (kubectl, helm and the kubectl-replistore plugin). Idempotent: on a running
# cluster it only reloads the project image if it changed, and prints the same lines.
# `npm run cluster:down` undoes everything. Needs root. See docs/development.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=pki.sh
source "$here/pki.sh"
# shellcheck source=images.sh
source "$here/images.sh"

case "${1:-}" in
  "") ;;
  -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
  *) die "unknown argument $1 (usage: hack/cluster/up.sh)" ;;
esac

require_root
missing=()
for tool in curl containerd runc ctr iptables ip6tables conntrack openssl unshare nsenter ip podman busybox; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[[ -x /usr/lib/cni/bridge ]] || missing+=("/usr/lib/cni/bridge")
((${#missing[@]} == 0)) || die "missing ${missing[*]}: apt-get install containerd runc containernetworking-plugins iptables conntrack podman buildah busybox-static (or run npm test once, which installs them)"

exec 9>"$CLUSTER_LOCK"
flock -n 9 || { say "another cluster:up or cluster:down is running; waiting for it"; flock 9; }
logs="$CLUSTER_DIR/logs"
cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/cluster-images"

# Runs a build script with its output in a log, printing the log only when it fails; echoes its
# last line (the directory or binary it built).
build() {
  local name="$1" script="$2" log="$logs/build-$1.log"
  if ! bash "$script" >"$log" 2>&1 9>&-; then
    tail -n 40 "$log" >&2
    die "$name build failed (full log: $log)"
  fi
  tail -n 1 "$log"
}

print_exports() {
  echo "export KUBECONFIG=$KUBECONFIG_PATH"
  echo "export PATH=$CLUSTER_BIN:\$PATH"
}

all_running() {
  local c
  for c in "${COMPONENTS[@]}"; do component_pid "$c" || return 1; done
}

load_project_image() {
  step "project image: building or reusing (hack/image/build.sh)"
  build image "$ROOT/hack/image/build.sh" >/dev/null
  local archive
  archive="$(project_image_archive "$cache")"
  import_archive "$archive"
  step "project image $(project_image_name) loaded"
}

if all_running && "$CLUSTER_BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" get --raw /readyz >/dev/null 2>&1; then
  say "already running (state in $CLUSTER_DIR)"
  load_project_image
  print_exports
  exit 0
fi
if compgen -G "$CLUSTER_DIR/run/*.pid" >/dev/null || [[ -d "$CLUSTER_DIR/pki" ]] || ip link show "$BRIDGE" >/dev/null 2>&1; then
  say "cleaning up a cluster that is not complete"
  flock -u 9
  bash "$here/down.sh" 9>&-
  flock 9
fi
mkdir -p "$CLUSTER_DIR/run" "$CLUSTER_DIR/logs"

step "binaries: building or reusing (hack/k8s/build.sh, hack/cluster/build.sh and build-netpol.sh, hack/chart/helm/build.sh)"
k8s_bin="$(build k8s "$ROOT/hack/k8s/build.sh")"
node_bin="$(build cluster "$here/build.sh")"
netpol_bin="$(build netpol "$here/build-netpol.sh")"
helm="$(build helm "$ROOT/hack/chart/helm/build.sh")"
echo "$node_bin" >"$CLUSTER_DIR/run/node-bin"
mkdir -p "$CLUSTER_BIN"
ln -sf "$node_bin/kubectl" "$CLUSTER_BIN/kubectl"
ln -sf "$helm" "$CLUSTER_BIN/helm"
ln -sf "$ROOT/bin/kubectl-replistore" "$CLUSTER_BIN/kubectl-replistore"
export PATH="$CLUSTER_BIN:$PATH"
step "binaries ready: $k8s_bin, $node_bin"

step "images: pause and helper"
infra_archive="$(infra_image_archive "$node_bin" "$cache")"

# --- host network: the bridge pods hang off, a sink for unrewritten ClusterIP packets, and a chain
# that keeps pod traffic on this machine (the cluster reaches nothing outside; nor may it try).
sysctl_save() {
  local key="$1" file="$CLUSTER_DIR/run/sysctl-$1"
  [[ -f "$file" ]] || cat "/proc/sys/${key//.//}" >"$file"
}
sysctl_save net.ipv4.ip_forward
sysctl_save net.bridge.bridge-nf-call-iptables
ip link add "$BRIDGE" type bridge
ip addr add "$NODE_IP/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
ip route add "$SERVICE_CIDR" dev "$BRIDGE"
echo 1 >/proc/sys/net/ipv4/ip_forward
echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
iptables -N REPLISTORE-CLUSTER
iptables -A REPLISTORE-CLUSTER -o "$BRIDGE" -j RETURN
iptables -A REPLISTORE-CLUSTER -j DROP
iptables -I FORWARD 1 -i "$BRIDGE" -j REPLISTORE-CLUSTER
step "network: bridge $BRIDGE $NODE_IP/24, services $SERVICE_CIDR"

# --- certificates and kubeconfigs
make_pki "$CLUSTER_DIR/pki"
pki="$CLUSTER_DIR/pki"
write_kubeconfig "$KUBECONFIG_PATH" admin
write_kubeconfig "$CLUSTER_DIR/kubelet.kubeconfig" kubelet
export KUBECONFIG="$KUBECONFIG_PATH"

# start NAME LOG COMMAND...: a daemon in its own session, its pid recorded, stdin closed and the
# lock's descriptor not inherited (a daemon holding it would block every later up and down).
start() {
  local name="$1" log="$2"
  shift 2
  setsid "$@" </dev/null >>"$log" 2>&1 9>&- &
  echo $! >"$(pid_file "$name")"
}

# --- control plane
start etcd "$logs/etcd.log" "$k8s_bin/etcd" --name=replistore --data-dir="$CLUSTER_DIR/etcd" \
  --listen-client-urls=http://127.0.0.1:2379 --advertise-client-urls=http://127.0.0.1:2379 \
  --listen-peer-urls=http://127.0.0.1:2380 --initial-advertise-peer-urls=http://127.0.0.1:2380 \
  --initial-cluster=replistore=http://127.0.0.1:2380 --listen-metrics-urls=http://127.0.0.1:2381 \
  --unsafe-no-fsync --log-level=warn
wait_for etcd 60 "$logs/etcd.log" curl -sf http://127.0.0.1:2379/health
step "etcd ready"

start kube-apiserver "$logs/kube-apiserver.log" "$k8s_bin/kube-apiserver" \
  --etcd-servers=http://127.0.0.1:2379 --bind-address="$NODE_IP" --advertise-address="$NODE_IP" \
  --secure-port="$APISERVER_PORT" --tls-cert-file="$pki/apiserver.crt" \
  --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" \
  --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NodeRestriction --allow-privileged=true --profiling=false \
  --kubelet-preferred-address-types=InternalIP --kubelet-client-certificate="$pki/admin.crt" \
  --kubelet-client-key="$pki/admin.key" --kubelet-certificate-authority="$pki/ca.crt" \
  --shutdown-watch-termination-grace-period=2s
wait_for kube-apiserver 90 "$logs/kube-apiserver.log" kubectl get --raw /readyz
step "kube-apiserver ready at https://$NODE_IP:$APISERVER_PORT"

start kube-controller-manager "$logs/kube-controller-manager.log" "$k8s_bin/kube-controller-manager" \
  --kubeconfig="$KUBECONFIG_PATH" --controllers='*' --leader-elect=false \
  --use-service-account-credentials=false --service-account-private-key-file="$pki/sa.key" \
  --root-ca-file="$pki/ca.crt" --cluster-signing-cert-file="$pki/ca.crt" \
  --cluster-signing-key-file="$pki/ca.key" --service-cluster-ip-range="$SERVICE_CIDR" \
  --secure-port=0 --profiling=false
start kube-scheduler "$logs/kube-scheduler.log" "$node_bin/kube-scheduler" \
  --kubeconfig="$KUBECONFIG_PATH" --leader-elect=false --secure-port=0 --profiling=false
step "kube-controller-manager and kube-scheduler started"

# --- containerd, in a private mount namespace: the kubelet insists on kernel defaults for three
# sysctls this VM will not let it change, so they are files bind-mounted over /proc/sys there.
mkdir -p "$CLUSTER_DIR/containerd" "$CLUSTER_DIR/cni/net.d" "$CLUSTER_DIR/cni/ipam" "$CLUSTER_DIR/sysctl"
echo 1 >"$CLUSTER_DIR/sysctl/vm.overcommit_memory"
echo 10 >"$CLUSTER_DIR/sysctl/kernel.panic"
echo 1 >"$CLUSTER_DIR/sysctl/kernel.panic_on_oops"
cat >"$CLUSTER_DIR/containerd/config.toml" <<EOF
version = 2
root = "$CLUSTER_DIR/containerd/root"
state = "$CLUSTER_DIR/containerd/state"
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$CLUSTER_DIR/containerd/containerd.sock"
[ttrpc]
  address = "$CLUSTER_DIR/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$CLUSTER_DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:$PAUSE_VERSION"
  # Root here lacks CAP_SYS_RESOURCE: runc cannot raise oom_score_adj, so requests are clamped.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$CLUSTER_DIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CLUSTER_DIR/cni/net.d"
EOF
cat >"$CLUSTER_DIR/cni/net.d/10-replistore.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "replistore",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$CLUSTER_DIR/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$NODE_IP"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
start containerd "$logs/containerd.log" unshare --mount --propagation private -- sh -c '
  for f in vm.overcommit_memory kernel.panic kernel.panic_on_oops; do
    mount --bind "$1/sysctl/$f" "/proc/sys/$(echo "$f" | tr . /)"
  done
  exec containerd --config "$1/containerd/config.toml"' sh "$CLUSTER_DIR"
wait_for containerd 60 "$logs/containerd.log" cluster_ctr version
import_archive "$infra_archive"
step "containerd ready; pause and helper images loaded"
load_project_image

# --- the kubelet, in containerd's mount namespace (runc must see the volumes it mounts)
mkdir -p "$CLUSTER_DIR/kubelet"
: >"$CLUSTER_DIR/resolv.conf"
cat >"$CLUSTER_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$pki/ca.crt"}
authorization: {mode: Webhook}
tlsCertFile: "$pki/kubelet-serving.crt"
tlsPrivateKeyFile: "$pki/kubelet-serving.key"
cgroupDriver: cgroupfs
containerRuntimeEndpoint: "unix://$CLUSTER_DIR/containerd/containerd.sock"
clusterDNS: ["10.96.0.10"]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: "$CLUSTER_DIR/resolv.conf"
failSwapOn: false
protectKernelDefaults: false
oomScoreAdj: 0
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
# No registry is reachable: an image garbage-collected could never come back.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
EOF
containerd_pid="$(cat "$(pid_file containerd)")"
start kubelet "$logs/kubelet.log" nsenter --mount="/proc/$containerd_pid/ns/mnt" -- \
  "$node_bin/kubelet" --config="$CLUSTER_DIR/kubelet.yaml" --kubeconfig="$CLUSTER_DIR/kubelet.kubeconfig" \
  --root-dir="$CLUSTER_DIR/kubelet" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP"

# --- kube-proxy (iptables mode: pods, the operator among them, reach the apiserver by ClusterIP)
cat >"$CLUSTER_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$KUBECONFIG_PATH"}
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# Leave the machine's conntrack settings alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
start kube-proxy "$logs/kube-proxy.log" "$node_bin/kube-proxy" --config="$CLUSTER_DIR/kube-proxy.yaml"
wait_for "the node" 90 "$logs/kubelet.log" kubectl get node "$NODE_NAME"
step "kubelet registered node $NODE_NAME; kube-proxy started"

# --- NetworkPolicy: kube-network-policies (as in kind) judges the first packet of every connection
# from or to a pod in user space. Fail-open: should the agent die, traffic flows unfiltered (and the
# e2e NetworkPolicy test fails) rather than every pod going silent. The DNS race workaround is for
# kernels older than this one's.
start kube-network-policies "$logs/kube-network-policies.log" "$netpol_bin" \
  --kubeconfig="$KUBECONFIG_PATH" --hostname-override="$NODE_NAME" --metrics-bind-address= \
  --fail-open --netfilter-bug-1766-fix=false
wait_for "the NetworkPolicy agent" 60 "$logs/kube-network-policies.log" \
  grep -q '"nftables rules installed"' "$logs/kube-network-policies.log"
step "NetworkPolicy agent started (kube-network-policies $KUBE_NETWORK_POLICIES_VERSION)"

# --- DNS: CoreDNS as a host process on the node's address, behind the usual kube-dns Service.
cat >"$CLUSTER_DIR/Corefile" <<EOF
.:53 {
    bind $NODE_IP
    errors
    health $NODE_IP:8180
    ready $NODE_IP:8181
    kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
        kubeconfig $KUBECONFIG_PATH replistore
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
}
EOF
start coredns "$logs/coredns.log" "$node_bin/coredns" -conf "$CLUSTER_DIR/Corefile"
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns, kubernetes.io/name: CoreDNS}
spec:
  clusterIP: 10.96.0.10
  ports:
  - {name: dns, port: 53, protocol: UDP, targetPort: 53}
  - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kube-dns-host
  namespace: kube-system
  labels: {kubernetes.io/service-name: kube-dns, endpointslice.kubernetes.io/managed-by: replistore-cluster}
addressType: IPv4
endpoints:
- addresses: ["$NODE_IP"]
  conditions: {ready: true}
ports:
- {name: dns, port: 53, protocol: UDP}
- {name: dns-tcp, port: 53, protocol: TCP}
EOF
step "CoreDNS started"

# --- the default StorageClass
source "$here/addons.sh"
start_addons
step "local-path-provisioner started (default StorageClass local-path)"

wait_for "node Ready" 90 "$logs/kubelet.log" \
  sh -c "kubectl get node $NODE_NAME -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
wait_for "CoreDNS" 60 "$logs/coredns.log" node -e '
  const { Resolver } = require("node:dns").promises;
  const r = new Resolver({ timeout: 1000, tries: 1 });
  r.setServers([process.argv[1]]);
  r.resolve4("kubernetes.default.svc.cluster.local").then((a) => process.exit(a[0] === process.argv[2] ? 0 : 1), () => process.exit(1));
' "10.96.0.10" "$KUBERNETES_SERVICE_IP"
step "node Ready, CoreDNS answers; cluster up in $((SECONDS - _cluster_started)) s (state in $CLUSTER_DIR)"
print_exports
