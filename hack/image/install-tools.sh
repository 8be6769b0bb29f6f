#!/usr/bin/env bash
# Install what hack/image/ needs from Debian's packages, only when something is missing: podman (with
# buildah for `podman build`), runc (crun cannot run on a hybrid cgroup hierarchy; see podman.sh) and
# debootstrap (base.sh). Needs root, as apt-get does. hack/setup.sh (run by `npm test`) installs
# these too, with everything else the tests need; this script is for building the image alone.
set -euo pipefail
missing=()
for tool in podman buildah runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "image:tools: podman, buildah, runc and debootstrap are installed"
  exit 0
fi
start=$SECONDS
echo "image:tools: installing ${missing[*]} (apt-get)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah runc debootstrap >/dev/null
echo "image:tools: installed in $((SECONDS - start))s: $(podman --version)"
