#!/usr/bin/env bash
# Build SeaweedFS's `weed` (its S3 gateway is the S3-compatible server of the backup/restore tests,
# test/support/s3-server.ts) from the Go module proxy into a cache outside the repo, keyed by version:
#   ${REPLISTORE_CACHE:-$HOME/.cache/replistore}/s3/seaweedfs-<version>/weed
# The version is the one go.mod beside this script pins (with go.sum, so the build is reproducible).
# Idempotent: does nothing when the binary is there. Concurrent runs wait on a lock instead of
# building twice. Prints the binary's path as its last line. REPLISTORE_BUILD_JOBS limits parallel
# compiles (go -p). Like hack/chart/helm/build.sh: see docs/development.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

# SeaweedFS tags its releases as "4.xx", not as Go semver, so the proxy knows it by pseudo-version
# only (v0.0.0-<date>-<commit>); the release number is in weed/util/version.
version="$(awk '$1 == "github.com/seaweedfs/seaweedfs" { print $2 }' "$here/go.mod")"
[[ -n "$version" ]] || { echo "s3:build: no github.com/seaweedfs/seaweedfs version in $here/go.mod" >&2; exit 1; }
cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/s3"
dest="$cache/seaweedfs-$version"

complete() { [[ -x "$dest/weed" ]]; }
# shellcheck source=../lib/cached-build.sh
source "$here/../lib/cached-build.sh"
cached_build_begin s3:build "$cache" "$dest" "$dest/weed"
work="$WORK"
flags=("${GO_FLAGS[@]}")
# Stamp the commit as SeaweedFS's release build does, so `weed version` names it.
commit="${version##*-}"
ldflags="-s -w -X github.com/seaweedfs/seaweedfs/weed/util/version.COMMIT=${commit:0:8}"

start=$SECONDS
echo "s3:build: building SeaweedFS $version ($(go version | cut -d' ' -f3))"
(cd "$here" && go build "${flags[@]}" "-ldflags=$ldflags" -o "$work/weed" github.com/seaweedfs/seaweedfs/weed)

# A binary that does not start is a failed build, not a cache entry.
"$work/weed" version

cached_build_commit "$dest"
du -h "$dest/weed" | sed 's/^/s3:build: /'
echo "s3:build: built in $((SECONDS - start))s into $dest"
echo "$dest/weed"
