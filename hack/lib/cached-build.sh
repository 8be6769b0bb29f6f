# A build whose result lives in a cache entry outside the checkout, filled once (sourced by
# hack/k8s/build.sh, hack/cluster/build.sh and hack/chart/helm/build.sh, hack/s3/build.sh). The sourcing script
# defines `complete` (true when the entry DEST holds everything) and then calls:
#
#   cached_build_begin TAG CACHE DEST RESULT
#     When complete: prints "TAG: cached in DEST" and RESULT (the script's last line: the entry or
#     its binary) and exits 0. Otherwise checks for Go, takes CACHE/.build.lock on fd 9 (waiting
#     for a build already running, then printing "TAG: built by another run in DEST" if it filled
#     the entry), and sets WORK, a scratch directory removed on exit, and GO_FLAGS.
#   cached_build_commit DEST
#     Renames WORK into DEST in one step, so an interrupted build never leaves an entry that
#     `complete` would trust.
#
# setup.sh reads the first line ("cached" / "another run") to report what happened.

cached_build_begin() {
  local tag="$1" cache="$2" dest="$3" result="$4"
  if complete; then
    echo "$tag: cached in $dest"
    echo "$result"
    exit 0
  fi
  command -v go >/dev/null || {
    echo "$tag: go is not installed: install Go (https://go.dev/dl/) and put its bin/ on PATH" >&2
    exit 1
  }
  mkdir -p "$cache"
  exec 9>"$cache/.build.lock"
  if ! flock -n 9; then
    echo "$tag: another build is running; waiting for its lock ($cache/.build.lock)"
    flock 9
  fi
  if complete; then
    echo "$tag: built by another run in $dest"
    echo "$result"
    exit 0
  fi
  WORK="$(mktemp -d "$cache/.build.XXXXXX")"
  # shellcheck disable=SC2064 # the path is fixed now
  trap "rm -rf '$WORK'" EXIT
  GO_FLAGS=(-trimpath -mod=readonly)
  [[ -n "${REPLISTORE_BUILD_JOBS:-}" ]] && GO_FLAGS+=(-p "$REPLISTORE_BUILD_JOBS")
  export CGO_ENABLED=0
}

cached_build_commit() {
  rm -rf "$1"
  mv "$WORK" "$1"
  trap - EXIT
}

# The -ldflags Kubernetes' release build uses (hack/lib/version.sh): `--version` and /version then
# say v1.34.x instead of v0.0.0-master.
kube_ldflags() {
  local version="$1" minor pkg flags="-s -w"
  minor="${version#v1.}"
  minor="${minor%%.*}"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    flags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean"
  done
  echo "$flags"
}
