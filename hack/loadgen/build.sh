#!/usr/bin/env bash
# Build the Go load generator of `npm run bench:compare -- --loadgen go` (main.go beside this script)
# into a cache outside the repo, keyed by a hash of its sources:
#   ${REPLISTORE_CACHE:-$HOME/.cache/replistore}/loadgen/<hash>/loadgen
# Idempotent, locked like the other cached builds (hack/lib/cached-build.sh). Prints the binary's
# path as its last line. Only the benchmark needs it, not the tests.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
hash="$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-12)"
cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/loadgen"
dest="$cache/$hash"

complete() { [[ -x "$dest/loadgen" ]]; }
# shellcheck source=../lib/cached-build.sh
source "$here/../lib/cached-build.sh"
cached_build_begin loadgen:build "$cache" "$dest" "$dest/loadgen"
start=$SECONDS
echo "loadgen:build: building the Go load generator ($(go version | cut -d' ' -f3))"
(cd "$here" && go build "${GO_FLAGS[@]}" "-ldflags=-s -w" -o "$WORK/loadgen" .)
cached_build_commit "$dest"
echo "loadgen:build: built in $((SECONDS - start))s into $dest"
echo "$dest/loadgen"
