#!/usr/bin/env bash
# Make the Dockerfile's base image locally, where no registry of container images is reachable:
# a Debian root filesystem (debootstrap --variant=minbase, slimmed like Debian's official -slim
# images) plus the project's own Node 24 binary (node_modules/node/bin/node) and npm, imported into
# podman's storage under exactly the name the Dockerfile's FROM uses (BASE_IMAGE in versions.env).
#
# Idempotent and cached, keyed by Debian suite, Node version, npm version and this recipe:
# - the image in podman's storage carries the key as label io.replistore.base.key: when it matches,
#   nothing is done (about 0.1 s);
# - the root filesystem tarball is kept in ${REPLISTORE_CACHE:-$HOME/.cache/replistore}/image/, so an
#   emptied podman storage is refilled by an import (a few seconds) instead of a debootstrap.
# Needs root (debootstrap), debootstrap and podman. Concurrent runs wait on a lock.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# npm runs on the project's Node 24, never on whatever node the system has.
export PATH="$root/node_modules/.bin:$PATH"
podman=("$here/podman.sh")

node_bin="$root/node_modules/node/bin/node"
[[ -x "$node_bin" ]] || { echo "image:base: $node_bin is missing; run npm install first" >&2; exit 1; }
node_version="$("$node_bin" --version)" # v24.21.0
tag="${BASE_IMAGE##*:}"                 # 24-bookworm-slim
if [[ "${node_version#v}" != "${tag%%-*}".* ]]; then
  echo "image:base: node_modules has Node $node_version but the base is named $BASE_IMAGE; update hack/image/versions.env and the Dockerfile" >&2
  exit 1
fi
recipe="$(cat "$here/base.sh" "$here/versions.env" | sha256sum | cut -c1-12)"
key="$DEBIAN_SUITE-node$node_version-npm$NPM_VERSION-$recipe"
cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/image"
tarball="$cache/base-$key.tar"

current_key() {
  "${podman[@]}" image inspect --format '{{index .Labels "io.replistore.base.key"}}' "$BASE_IMAGE" 2>/dev/null || true
}

if [[ "$(current_key)" == "$key" ]]; then
  echo "image:base: $BASE_IMAGE is current ($key)"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.base.lock"
if ! flock -n 9; then
  echo "image:base: another run is making the base; waiting for its lock ($cache/.base.lock)"
  flock 9
fi
if [[ "$(current_key)" == "$key" ]]; then
  echo "image:base: $BASE_IMAGE made by another run ($key)"
  exit 0
fi

start=$SECONDS
if [[ ! -f "$tarball" ]]; then
  [[ "$(id -u)" == 0 ]] || { echo "image:base: debootstrap needs root (run as root or with sudo)" >&2; exit 1; }
  command -v debootstrap >/dev/null || { echo "image:base: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
  work="$(mktemp -d "$cache/.base.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  rootfs="$work/rootfs"

  npm_tgz="$cache/npm-$NPM_VERSION.tgz"
  if [[ ! -f "$npm_tgz" ]]; then
    echo "image:base: fetching npm $NPM_VERSION from the npm registry"
    (cd "$work" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
    mv "$work/npm-$NPM_VERSION.tgz" "$npm_tgz"
  fi

  echo "image:base: debootstrap --variant=minbase $DEBIAN_SUITE ($DEBIAN_MIRROR)"
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    exit 1
  }

  # Slim, as Debian's official -slim images are: no manuals, docs (licences kept) or translations,
  # now and for packages a later stage installs; no package lists or logs.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "${rootfs:?}"/usr/share/{man,groff,info,lintian,linda}/* \
    "${rootfs:?}"/var/lib/apt/lists/* "${rootfs:?}"/var/cache/apt/*.bin "${rootfs:?}"/var/cache/apt/archives/*.deb \
    "${rootfs:?}"/var/cache/debconf/*-old "${rootfs:?}"/var/lib/dpkg/*-old "${rootfs:?}"/var/log/*.log \
    "${rootfs:?}"/var/log/apt/* "${rootfs:?}"/dev/* "${rootfs:?}"/tmp/* "${rootfs:?}"/root/.??*
  # A container's /etc/hostname and /etc/resolv.conf are the runtime's.
  : >"$rootfs/etc/hostname"
  rm -f "$rootfs/etc/resolv.conf"

  # Node and npm where the official node images have them, and their `node` user (uid 1000).
  install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  echo "node:x:1000:1000::/home/node:/bin/bash" >>"$rootfs/etc/passwd"
  echo "node:*:20000:0:99999:7:::" >>"$rootfs/etc/shadow"
  echo "node:x:1000:" >>"$rootfs/etc/group"
  echo "node:!::" >>"$rootfs/etc/gshadow"
  install -d -o 1000 -g 1000 "$rootfs/home/node"
  chroot "$rootfs" /usr/local/bin/node --version >/dev/null
  chroot "$rootfs" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version >/dev/null

  tar --numeric-owner --sort=name -C "$rootfs" -cf "$work/base.tar" .
  mv "$work/base.tar" "$tarball"
  # Only the current base is worth keeping.
  find "$cache" -maxdepth 1 -name 'base-*.tar' ! -name "base-$key.tar" -delete
  rm -rf "$work"
  trap - EXIT
  echo "image:base: root filesystem made in $((SECONDS - start))s: $(du -h "$tarball" | cut -f1) $tarball"
fi

"${podman[@]}" import --quiet \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change "LABEL io.replistore.base.key=$key" \
  --change 'CMD ["node"]' \
  "$tarball" "$BASE_IMAGE" >/dev/null
# Older bases of the same name are now untagged; drop them (ignore ones still used by images).
"${podman[@]}" image prune --force --filter "label=io.replistore.base.key" >/dev/null 2>&1 || true
echo "image:base: $BASE_IMAGE imported ($key) after $((SECONDS - start))s"
