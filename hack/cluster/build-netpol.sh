#!/usr/bin/env bash
# Build the one-node cluster's NetworkPolicy agent, kube-network-policies (as kind runs it) from the Go
# module proxy, patched for this machine kind's kernel (netpol/patch-upstream.sh says how and why),
# into a cache entry of its own, so a change to it does not rebuild the other node binaries:
#   ${REPLISTORE_CACHE:-$HOME/.cache/replistore}/cluster/netpol<version>-<hash>/kube-network-policies
# Idempotent; concurrent runs wait on a lock. Prints the binary as its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=../lib/cached-build.sh
source "$here/../lib/cached-build.sh"
src="$here/netpol"
source_hash="$(cat "$src"/{go.mod,go.sum,main.go,nfqueue_compat.go.txt,patch-upstream.sh} | sha256sum | cut -c1-10)"
cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/cluster"
dest="$cache/netpol$KUBE_NETWORK_POLICIES_VERSION-$source_hash"
binary="$dest/kube-network-policies"
complete() { [[ -x "$binary" ]]; }
grep -Eq "^[[:space:]]*sigs.k8s.io/kube-network-policies $KUBE_NETWORK_POLICIES_VERSION\$" "$src/go.mod" ||
  { echo "netpol:build: netpol/go.mod does not require kube-network-policies $KUBE_NETWORK_POLICIES_VERSION (versions.env)" >&2; exit 1; }
cached_build_begin netpol:build "$cache" "$dest" "$binary"
start=$SECONDS
echo "netpol:build: building into $dest ($(go version | cut -d' ' -f3))"
cp "$src"/{go.mod,go.sum,main.go} "$WORK/"
bash "$src/patch-upstream.sh" "$WORK/upstream"
(cd "$WORK" && go mod edit -replace sigs.k8s.io/kube-network-policies=./upstream &&
  go build "${GO_FLAGS[@]}" "-ldflags=-s -w" -o "$WORK/kube-network-policies.bin" .)
rm -rf "$WORK/upstream" "$WORK"/{go.mod,go.sum,main.go}
mv "$WORK/kube-network-policies.bin" "$WORK/kube-network-policies"
out="$("$WORK/kube-network-policies" --version 2>&1 9>&-)" ||
  { printf '%s\n' "$out" >&2; echo "netpol:build: the agent does not start: not caching this build" >&2; exit 1; }
echo "netpol:build: $out"
cached_build_commit "$dest"
echo "netpol:build: built in $((SECONDS - start))s into $dest"
echo "$binary"
