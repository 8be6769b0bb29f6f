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

complete() { [[ -x "$dest/helm" ]]; }
# shellcheck source=../../lib/cached-build.sh
source "$here/../../lib/cached-build.sh"
cached_build_begin helm:build "$cache" "$dest" "$dest/helm"
work="$WORK"
flags=("${GO_FLAGS[@]}")
# Stamp the version as helm's own Makefile does, so `helm version` says it.
ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$version -X helm.sh/helm/v4/internal/version.gitTreeState=clean"

start=$SECONDS
echo "helm:build: building helm $version ($(go version | cut -d' ' -f3))"
(cd "$here" && go build "${flags[@]}" "-ldflags=$ldflags" -o "$work/helm" helm.sh/helm/v4/cmd/helm)

# A binary that does not start is a failed build, not a cache entry.
"$work/helm" version --short

cached_build_commit "$dest"
du -h "$dest/helm" | sed 's/^/helm:build: /'
echo "helm:build: built in $((SECONDS - start))s into $dest"
echo "$dest/helm"
