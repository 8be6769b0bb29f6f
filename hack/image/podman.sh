#!/usr/bin/env bash
# podman with the flags a locked-down machine needs (this project's CI sandbox is one); on an ordinary
# machine it is plain podman. Use it like podman:
#   hack/image/podman.sh run --rm --read-only replistore:dev --version
#
# What it adds, and why:
# - `--runtime runc` when the cgroup hierarchy is hybrid (cgroup v1 controllers plus a v2 mount at
#   /sys/fs/cgroup/unified): crun refuses it ("cgroups in hybrid mode not supported"), runc does not.
# - `--ulimit nofile=<hard>:<hard> --ulimit nproc=4096:4096` for run/create/build: rootful podman
#   asks for 1048576 of each, which fails with "setrlimit RLIMIT_NOFILE: Operation not permitted"
#   where the caller lacks CAP_SYS_RESOURCE and its hard limits are lower. nproc 4096 is plenty
#   for one container.
# REPLISTORE_PODMAN_RUNTIME overrides the runtime choice (e.g. crun).
set -euo pipefail

global=()
runtime="${REPLISTORE_PODMAN_RUNTIME:-}"
if [[ -z "$runtime" ]] && grep -qs ' /sys/fs/cgroup/unified cgroup2 ' /proc/mounts && command -v runc >/dev/null; then
  runtime=runc
fi
[[ -n "$runtime" ]] && global+=(--runtime "$runtime")

if [[ $# -eq 0 ]]; then
  exec podman "${global[@]}"
fi
sub="$1"
shift
case "$sub" in
  run | create | build)
    nofile="$(ulimit -Hn)"
    [[ "$nofile" == unlimited ]] && nofile=1048576
    exec podman "${global[@]}" "$sub" --ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096 "$@"
    ;;
  *)
    exec podman "${global[@]}" "$sub" "$@"
    ;;
esac
