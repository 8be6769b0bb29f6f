#!/usr/bin/env bash
# Build the one-node cluster's node binaries from the Go module proxy (and pause from C) into a cache
# outside the repo, keyed by every version they come from and a hash of our wrapper sources:
#   ${REPLISTORE_CACHE:-$HOME/.cache/replistore}/cluster/<key>/
#     kubelet kube-scheduler kube-proxy kubectl   Kubernetes $K8S_VERSION (hack/k8s/kube, hack/k8s/versions.env)
#     coredns                                     CoreDNS with the cluster's plugins only (coredns/)
#     local-path-provisioner                      the default StorageClass's provisioner (local-path/)
#     pause                                       static pod sandbox program (pause/pause.c)
# Idempotent: does nothing when all binaries are there. Concurrent runs wait on a lock instead of
# building twice. Prints the binary directory as its last line. REPLISTORE_BUILD_JOBS limits parallel
# compiles (go -p). The control plane (etcd, kube-apiserver, kube-controller-manager) is
# hack/k8s/build.sh's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
k8s_dir="$(cd "$here/../k8s" && pwd)"
# shellcheck source=../k8s/versions.env
source "$k8s_dir/versions.env"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=../lib/cached-build.sh
source "$here/../lib/cached-build.sh"

binaries=(kubelet kube-scheduler kube-proxy kubectl coredns local-path-provisioner pause)
# Our own sources that go into the binaries: a change to them is a new cache entry.
sources=(
  "$k8s_dir/kube/go.mod" "$k8s_dir/kube/go.sum"
  "$here"/coredns/{go.mod,go.sum,main.go}
  "$here"/local-path/{go.mod,go.sum}
  "$here/pause/pause.c"
)
source_hash="$(cat "${sources[@]}" | sha256sum | cut -c1-10)"
key="k8s$K8S_VERSION-coredns$COREDNS_VERSION-localpath$LOCAL_PATH_PROVISIONER_VERSION-pause$PAUSE_VERSION-$source_hash"
cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/cluster"
dest="$cache/$key"

complete() {
  local b
  for b in "${binaries[@]}"; do [[ -x "$dest/$b" ]] || return 1; done
}

# versions.env and the wrapper modules must name the same versions.
check_pin() {
  local dir="$1" module="$2" version="$3"
  grep -Eq "^[[:space:]]*(require )?$module $version( // indirect)?\$" "$here/$dir/go.mod" ||
    { echo "cluster:build: $dir/go.mod does not require $module $version (versions.env); update it and run go mod tidy there" >&2; exit 1; }
}
check_pin coredns github.com/coredns/coredns "$COREDNS_VERSION"
check_pin local-path github.com/rancher/local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION"

cached_build_begin cluster:build "$cache" "$dest" "$dest"
command -v gcc >/dev/null || { echo "cluster:build: gcc is not installed (apt-get install gcc libc6-dev)" >&2; exit 1; }
work="$WORK"
flags=("${GO_FLAGS[@]}")
kube_ldflags="$(kube_ldflags "$K8S_VERSION")"

start=$SECONDS
declare -A took
# built NAME START: one progress line per binary.
built() {
  took[$1]=$((SECONDS - $2))
  printf 'cluster:build: [%4ds] %-23s %3ds  %s\n' "$((SECONDS - start))" "$1" "${took[$1]}" "$(du -h "$work/$1" | cut -f1)"
}

echo "cluster:build: building into $dest ($(go version | cut -d' ' -f3))"
for b in kubelet kube-scheduler kube-proxy kubectl; do
  t=$SECONDS
  (cd "$k8s_dir/kube" && go build "${flags[@]}" "-ldflags=$kube_ldflags" -o "$work/$b" "k8s.io/kubernetes/cmd/$b")
  built "$b" "$t"
done

t=$SECONDS
(cd "$here/coredns" && go build "${flags[@]}" "-ldflags=-s -w" -o "$work/coredns" .)
built coredns "$t"

t=$SECONDS
(cd "$here/local-path" && go build "${flags[@]}" \
  "-ldflags=-s -w -X main.VERSION=$LOCAL_PATH_PROVISIONER_VERSION" \
  -o "$work/local-path-provisioner" github.com/rancher/local-path-provisioner)
built local-path-provisioner "$t"

t=$SECONDS
gcc -Os -static -s -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
  "-DPAUSE_VERSION=\"$PAUSE_VERSION\"" -o "$work/pause" "$here/pause/pause.c"
built pause "$t"

# A binary that does not start is a failed build, not a cache entry. (None of these is long-lived,
# but none needs the lock either.)
check() {
  local name="$1" out
  shift
  if ! out="$("$work/$name" "$@" 2>&1 9>&-)"; then
    printf '%s\n' "$out" >&2
    echo "cluster:build: $name $* failed: not caching this build" >&2
    exit 1
  fi
  echo "cluster:build: $name: ${out%%$'\n'*}"
}
check kubelet --version
check kube-scheduler --version
check kube-proxy --version
check kubectl version --client
check coredns -version
check local-path-provisioner --version
check pause -v
# Only the plugins we import, in our order, with bind among them (see coredns/main.go).
"$work/coredns" -plugins 9>&- | grep -qx bind ||
  { echo "cluster:build: coredns lacks the bind plugin" >&2; exit 1; }

cached_build_commit "$dest"
echo "cluster:build: built in $((SECONDS - start))s into $dest"
echo "$dest"
