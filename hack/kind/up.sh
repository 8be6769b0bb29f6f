#!/usr/bin/env bash
# A local Kubernetes cluster with replistore in it, for a machine with Docker (or podman):
#   1. creates the kind cluster $KIND_CLUSTER (kept if it exists),
#   2. builds the image from the Dockerfile (docker build, or hack/image/build.sh with podman),
#   3. loads it into the cluster's nodes (no registry needed),
#   4. installs or upgrades the chart (charts/replistore) into replistore-system and waits for the
#      operator, and with --sample applies deploy/samples/leaderless.yaml.
# Usage: hack/kind/up.sh [--sample] [-- extra helm flags, e.g. --set operator.logLevel=debug]
# Needs: docker (or podman), kubectl; kind and helm are built from the Go module proxy when missing
# (needs Go). REPLISTORE_CONTAINER_TOOL=podman forces podman. See docs/install.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

sample=false
helm_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sample) sample=true ;;
    --) shift; helm_args=("$@"); break ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "kind:up: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

tool="$(container_tool)"
kind="$(kind_binary)"
helm="$(helm_binary)"
command -v kubectl >/dev/null || die "kubectl is not installed"
context="kind-$KIND_CLUSTER"
image="replistore:$KIND_IMAGE_TAG"

if "$kind" get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
  echo "kind:up: cluster $KIND_CLUSTER exists"
else
  echo "kind:up: creating cluster $KIND_CLUSTER ($tool)"
  "$kind" create cluster --name "$KIND_CLUSTER" --wait 120s
fi

echo "kind:up: building $image"
if [[ "$tool" == docker ]]; then
  docker build -t "$image" "$root"
else
  REPLISTORE_IMAGE_TAGS="$image" bash "$root/hack/image/build.sh"
fi

echo "kind:up: loading $image into the cluster's nodes"
if [[ "$tool" == docker ]]; then
  "$kind" load docker-image "$image" --name "$KIND_CLUSTER"
else
  # Pods name the image "replistore:<tag>", which containerd reads as docker.io/library/replistore:<tag>;
  # podman calls its build localhost/replistore:<tag>. Save it under the name the pods will ask for.
  archive="$(mktemp -d)/replistore.tar"
  podman tag "localhost/$image" "docker.io/library/$image"
  podman save --format docker-archive -o "$archive" "docker.io/library/$image"
  "$kind" load image-archive "$archive" --name "$KIND_CLUSTER"
  rm -rf "$(dirname "$archive")"
fi

echo "kind:up: installing the chart into replistore-system"
kubectl --context "$context" create namespace replistore-system --dry-run=client -o yaml |
  kubectl --context "$context" apply -f - >/dev/null
# The operator's and the stores' pods meet the restricted Pod Security level: enforce it.
kubectl --context "$context" label namespace replistore-system --overwrite \
  pod-security.kubernetes.io/enforce=restricted >/dev/null
# An image loaded into the nodes under a tag that never changes: roll the operator when it changed.
digest="$("$tool" image inspect --format '{{.Id}}' "$image")"
"$helm" upgrade --install replistore "$root/charts/replistore" \
  --kube-context "$context" --namespace replistore-system \
  --set image.repository=replistore --set "image.tag=$KIND_IMAGE_TAG" --set image.pullPolicy=Never \
  --set "operator.podAnnotations.replistore\.io/image-id=${digest:0:19}" \
  --wait --timeout 5m "${helm_args[@]}"

if [[ "$sample" == true ]]; then
  kubectl --context "$context" apply -f "$root/deploy/samples/leaderless.yaml"
  echo "kind:up: waiting for the store orders to be Ready"
  kubectl --context "$context" wait rstore/orders --for=condition=Ready --timeout=5m
fi

cat <<EOT

kind:up: replistore runs in the kind cluster $KIND_CLUSTER (context $context).
  kubectl --context $context -n replistore-system get pods
  kubectl --context $context apply -f deploy/samples/leaderless.yaml && kubectl --context $context get rstore -w
  hack/kind/up.sh again rebuilds, reloads and upgrades; hack/kind/down.sh deletes the cluster.
EOT
