# Images for the one-node cluster, made without a registry (sourced by up.sh): podman builds them
# from local files and saves docker-archive tarballs, which `ctr images import` loads into the
# cluster's containerd under the exact names pods ask for.
#   - registry.k8s.io/pause:$PAUSE_VERSION: every pod's sandbox (the static pause binary build.sh makes);
#   - $HELPER_IMAGE: busybox (Debian's busybox-static) for local-path-provisioner's helper pods,
#     which create and remove volume directories;
#   - docker.io/library/replistore:<package.json version>: what the chart runs when given no image
#     values (`image.repository: replistore`, tag = appVersion), built by hack/image/build.sh.

HELPER_IMAGE=localhost/replistore-cluster-helper:busybox
PODMAN=("$ROOT/hack/image/podman.sh")

# Builds NAME from a scratch image holding the context directory's files.
_scratch_image() {
  local name="$1" context="$2" containerfile="$3"
  printf '%s\n' "$containerfile" >"$context/Containerfile"
  "${PODMAN[@]}" build --pull=never -q -t "$name" -f "$context/Containerfile" "$context" >/dev/null
}

# Echoes the path of a docker-archive of the pause and helper images, made once per version.
infra_image_archive() {
  local bin_dir="$1" cache="$2" archive context busybox
  archive="$cache/infra-pause$PAUSE_VERSION-$(busybox 2>&1 | head -1 | awk '{print $2}').tar"
  if [[ ! -s "$archive" ]]; then
    context="$(mktemp -d)"
    mkdir -p "$context/pause"
    cp "$bin_dir/pause" "$context/pause/pause"
    _scratch_image "registry.k8s.io/pause:$PAUSE_VERSION" "$context/pause" \
      $'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]'
    # busybox with its applets as links, so the helper's `sh -c 'mkdir -m 0777 -p ...'` works.
    busybox="$(command -v busybox)"
    mkdir -p "$context/helper/root/bin" "$context/helper/root/tmp"
    cp "$busybox" "$context/helper/root/bin/busybox"
    for applet in sh mkdir rm rmdir chmod chown ls cat echo sleep test; do
      ln -s busybox "$context/helper/root/bin/$applet"
    done
    _scratch_image "$HELPER_IMAGE" "$context/helper" $'FROM scratch\nCOPY root/ /\nENV PATH=/bin\n'
    mkdir -p "$cache"
    "${PODMAN[@]}" save -q -m --format docker-archive -o "$archive.tmp" \
      "registry.k8s.io/pause:$PAUSE_VERSION" "$HELPER_IMAGE" >/dev/null
    mv "$archive.tmp" "$archive"
    rm -rf "$context"
  fi
  echo "$archive"
}

project_image_name() {
  echo "docker.io/library/replistore:$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")"
}

# Echoes the path of a docker-archive of the project image as podman has it now (one per image id).
project_image_archive() {
  local cache="$1" name id archive
  name="$(project_image_name)"
  "${PODMAN[@]}" tag localhost/replistore:dev "$name"
  id="$("${PODMAN[@]}" image inspect --format '{{.Id}}' "$name")"
  archive="$cache/replistore-${id:0:16}.tar"
  if [[ ! -s "$archive" ]]; then
    mkdir -p "$cache"
    rm -f "$cache"/replistore-*.tar
    "${PODMAN[@]}" save -q --format docker-archive -o "$archive.tmp" "$name" >/dev/null
    mv "$archive.tmp" "$archive"
  fi
  echo "$archive"
}

# ctr against the cluster's containerd, in the namespace the CRI plugin uses.
cluster_ctr() { ctr --address "$CLUSTER_DIR/containerd/containerd.sock" -n k8s.io "$@"; }

# Imports an archive unless containerd already holds an image with that id (re-runs of up).
import_archive() {
  local archive="$1" marker
  marker="$CLUSTER_DIR/run/imported-$(basename "$archive")"
  [[ -f "$marker" ]] && return 0
  cluster_ctr images import "$archive" >/dev/null
  touch "$marker"
}
