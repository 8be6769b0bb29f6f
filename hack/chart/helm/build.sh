#!/usr/bin/env bash
# Build the helm CLI from the Go module proxy into a cache outside the repo, keyed by version:
#   ${REPLISTORE_CACHE:-$HOME/.cache/replistore}/helm/<version>/helm
# The version is the one go.mod beside this script pins (with go.sum, so the build is reproducible).
# Idempotent: does nothing when the binary is there. Concurrent runs wait on a lock instead of
# building twice. Prints the binary's path as its last line. REPLISTORE_BUILD_JOBS limits parallel
# compiles (go -p). Like hack/k8s/build.sh: see docs/install.md ("Building helm").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

version="$(awk '$1 == "helm.sh/helm/v4" { print $2 }' "$here/go.mod")"
[[ -n "$version" ]] || { echo "helm:build: no helm.sh/helm/v4 version in $here/go.mod" >&2; exit 1; }
cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/helm"
dest="$cache/$version"

if [[ -x "$dest/helm" ]]; then
  echo "helm:build: cached in $dest"
  echo "$dest/helm"
  exit 0
fi

command -v go >/dev/null || { echo "helm:build: go is not installed (need Go >= 1.26)" >&2; exit 1; }
mkdir -p "$cache"
exec 9>"$cache/.build.lock"
if ! flock -n 9; then
  echo "helm:build: another build is running; waiting for its lock ($cache/.build.lock)"
  flock 9
fi
if [[ -x "$dest/helm" ]]; then
  echo "helm:build: built by another run in $dest"
  echo "$dest/helm"
  exit 0
fi

# Build into a scratch directory and rename it into place: an interrupted build never leaves a
# cache entry that the check above would trust.
work="$(mktemp -d "$cache/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
flags=(-trimpath -mod=readonly)
[[ -n "${REPLISTORE_BUILD_JOBS:-}" ]] && flags+=(-p "$REPLISTORE_BUILD_JOBS")
# Stamp the version as helm's own Makefile does, so `helm version` says it.
ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$version -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
export CGO_ENABLED=0

start=$SECONDS
echo "helm:build: building helm $version ($(go version | cut -d' ' -f3))"
(cd "$here" && go build "${flags[@]}" "-ldflags=$ldflags" -o "$work/helm" helm.sh/helm/v4/cmd/helm)

# A binary that does not start is a failed build, not a cache entry.
"$work/helm" version --short

rm -rf "$dest"
mv "$work" "$dest"
trap - EXIT
du -h "$dest/helm" | sed 's/^/helm:build: /'
echo "helm:build: built in $((SECONDS - start))s into $dest"
echo "$dest/helm"
