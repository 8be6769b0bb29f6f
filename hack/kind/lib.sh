# shellcheck shell=bash
# Shared by hack/kind/up.sh and down.sh (sourced; expects versions.env to be sourced first).
die() {
  echo "kind: $*" >&2
  exit 1
}

# docker when its engine answers, else podman (kind's podman provider); REPLISTORE_CONTAINER_TOOL
# chooses. Exports KIND_EXPERIMENTAL_PROVIDER for podman.
container_tool() {
  local tool="${REPLISTORE_CONTAINER_TOOL:-}"
  if [[ -z "$tool" ]]; then
    if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
      tool=docker
    elif command -v podman >/dev/null; then
      tool=podman
    else
      die "neither a running Docker engine nor podman was found"
    fi
  fi
  [[ "$tool" == podman ]] && export KIND_EXPERIMENTAL_PROVIDER=podman
  echo "$tool"
}

# kind on PATH, else built from the Go module proxy into the cache (about 30 s the first time).
kind_binary() {
  if command -v kind >/dev/null; then
    command -v kind
    return
  fi
  local dir="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/kind/$KIND_VERSION"
  if [[ ! -x "$dir/kind" ]]; then
    command -v go >/dev/null || die "kind is not installed and Go is not there to build it (go install sigs.k8s.io/kind@$KIND_VERSION)"
    echo "kind: building kind $KIND_VERSION from the Go module proxy" >&2
    mkdir -p "$dir"
    GOBIN="$dir" CGO_ENABLED=0 go install "sigs.k8s.io/kind@$KIND_VERSION" >&2
  fi
  echo "$dir/kind"
}

# helm on PATH, else the one hack/chart/helm/build.sh builds (the version the chart is tested with).
helm_binary() {
  if command -v helm >/dev/null; then
    command -v helm
    return
  fi
  bash "$(dirname "${BASH_SOURCE[0]}")/../chart/helm/build.sh" | tail -1
}
