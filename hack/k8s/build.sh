#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager and etcd from the Go module proxy into a cache outside
# the repo, keyed by version:
#   ${REPLISTORE_CACHE:-$HOME/.cache/replistore}/k8s/<k8s version>-etcd<etcd version>/
# Idempotent: does nothing when all three binaries are there. A cold build takes several minutes
# (see docs/development.md); concurrent runs wait for each other on a lock instead of building twice.
# Prints the binary directory as its last line. REPLISTORE_BUILD_JOBS limits parallel compiles (go -p).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=../lib/cached-build.sh
source "$here/../lib/cached-build.sh"

cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/k8s"
dest="$cache/$K8S_VERSION-etcd$ETCD_VERSION"
binaries=(kube-apiserver kube-controller-manager etcd)

complete() {
  local b
  for b in "${binaries[@]}"; do [[ -x "$dest/$b" ]] || return 1; done
}

cached_build_begin k8s:build "$cache" "$dest" "$dest"
work="$WORK"
flags=("${GO_FLAGS[@]}")

start=$SECONDS
echo "k8s:build: building kube-apiserver and kube-controller-manager $K8S_VERSION ($(go version | cut -d' ' -f3))"
(cd "$here/kube" && go build "${flags[@]}" "-ldflags=$(kube_ldflags "$K8S_VERSION")" -o "$work/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager)
echo "k8s:build: kubernetes done after $((SECONDS - start))s; building etcd $ETCD_VERSION"
(cd "$here/etcd" && go build "${flags[@]}" "-ldflags=-s -w" -o "$work/etcd" .)
echo "k8s:build: etcd done after $((SECONDS - start))s"

# A binary that does not start is a failed build, not a cache entry.
"$work/kube-apiserver" --version
"$work/kube-controller-manager" --version
etcd_version="$("$work/etcd" --version)"
echo "${etcd_version%%$'\n'*}"

cached_build_commit "$dest"
du -h "$dest"/* | sed 's/^/k8s:build: /'
echo "k8s:build: built in $((SECONDS - start))s into $dest"
echo "$dest"
