#!/usr/bin/env bash
# Build the replistore image with podman, without a Docker engine or an image registry:
#   1. hack/image/base.sh makes the Dockerfile's base (BASE_IMAGE) locally, cached;
#   2. the unchanged Dockerfile is built from it (podman's layer cache makes a rebuild of unchanged
#      sources a few seconds).
# Tags: replistore:dev and replistore:<package.json version> (podman names them localhost/replistore:...).
# REPLISTORE_IMAGE_TAGS replaces them (space-separated). Prints the image's size as its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$root/node_modules/.bin:$PATH"
podman=("$here/podman.sh")

command -v podman >/dev/null || { echo "image:build: podman is not installed (apt-get install podman buildah runc)" >&2; exit 1; }
start=$SECONDS
bash "$here/base.sh"

version="$(node -p 'require(process.argv[1]).version' "$root/package.json")"
read -r -a tags <<<"${REPLISTORE_IMAGE_TAGS:-replistore:dev replistore:$version}"
tag_flags=()
for t in "${tags[@]}"; do tag_flags+=(-t "$t"); done

# A TLS-intercepting proxy's CA (what NODE_EXTRA_CA_CERTS or npm's cafile names here) reaches the
# npm step as the build secret `build-ca`, used by that step only and not kept in any layer.
secret=()
ca="${NODE_EXTRA_CA_CERTS:-}"
if [[ -z "$ca" ]]; then
  ca="$(npm config get cafile 2>/dev/null || true)"
fi
if [[ -n "$ca" && "$ca" != null && "$ca" != undefined && -s "$ca" ]]; then
  secret=(--secret "id=build-ca,src=$ca")
fi

echo "image:build: building ${tags[*]} from $root/Dockerfile"
"${podman[@]}" build --pull=never "${secret[@]}" "${tag_flags[@]}" -f "$root/Dockerfile" "$root"
# No `podman image prune` here: the untagged intermediate images it would delete are the layer cache
# that makes the next build take seconds. Old final images pile up slowly (a few MB each, the
# node_modules layer is shared); `podman image prune` removes them when wanted.

size="$("${podman[@]}" image inspect --format '{{.Size}}' "${tags[0]}")"
echo "image:build: done in $((SECONDS - start))s"
echo "image:build: ${tags[0]} is $((size / 1000000)) MB ($((size / 1048576)) MiB uncompressed)"
