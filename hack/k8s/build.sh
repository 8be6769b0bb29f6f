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

cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/k8s"
dest="$cache/$K8S_VERSION-etcd$ETCD_VERSION"
binaries=(kube-apiserver kube-controller-manager etcd)

complete() {
  local b
  for b in "${binaries[@]}"; do [[ -x "$dest/$b" ]] || return 1; done
}

if complete; then
  echo "k8s:build: cached in $dest"
  echo "$dest"
  exit 0
fi

command -v go >/dev/null || { echo "k8s:build: go is not installed (need Go >= 1.24)" >&2; exit 1; }
mkdir -p "$cache"
exec 9>"$cache/.build.lock"
if ! flock -n 9; then
  echo "k8s:build: another build is running; waiting for its lock ($cache/.build.lock)"
  flock 9
fi
if complete; then
  echo "k8s:build: built by another run in $dest"
  echo "$dest"
  exit 0
fi

# Build into a scratch directory and rename it into place, so an interrupted build never leaves a
# half-filled cache entry that the check above would trust.
work="$(mktemp -d "$cache/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
flags=(-trimpath -mod=readonly)
# Stamp the version as Kubernetes' own build does (hack/lib/version.sh): /version and the
# components' --version then say v1.34.x instead of v0.0.0-master.
minor="${K8S_VERSION#v1.}"
minor="${minor%%.*}"
kube_ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  kube_ldflags+=" -X $pkg.gitTreeState=clean"
done
[[ -n "${REPLISTORE_BUILD_JOBS:-}" ]] && flags+=(-p "$REPLISTORE_BUILD_JOBS")
export CGO_ENABLED=0

start=$SECONDS
echo "k8s:build: building kube-apiserver and kube-controller-manager $K8S_VERSION ($(go version | cut -d' ' -f3))"
(cd "$here/kube" && go build "${flags[@]}" "-ldflags=$kube_ldflags" -o "$work/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager)
echo "k8s:build: kubernetes done after $((SECONDS - start))s; building etcd $ETCD_VERSION"
(cd "$here/etcd" && go build "${flags[@]}" "-ldflags=-s -w" -o "$work/etcd" .)
echo "k8s:build: etcd done after $((SECONDS - start))s"

# A binary that does not start is a failed build, not a cache entry.
"$work/kube-apiserver" --version
"$work/kube-controller-manager" --version
etcd_version="$("$work/etcd" --version)"
echo "${etcd_version%%$'\n'*}"

rm -rf "$dest"
mv "$work" "$dest"
trap - EXIT
du -h "$dest"/* | sed 's/^/k8s:build: /'
echo "k8s:build: built in $((SECONDS - start))s into $dest"
echo "$dest"
