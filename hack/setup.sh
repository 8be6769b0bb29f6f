#!/usr/bin/env bash
# Everything the tests need besides node_modules, set up idempotently and cached outside the checkout.
# `npm test` runs it first; `npm run setup` runs it alone. One line per step, with its time:
#   1. Debian packages, one apt-get for all that are missing (needs root then): prometheus and
#      promtool, podman, buildah, runc and debootstrap (the image), chromium (the review page),
#      openssl and iproute2 (the control plane's certificates, pod networking), and for the one-node
#      cluster containerd, containernetworking-plugins, iptables, conntrack, socat, busybox-static,
#      curl, and gcc and libc6-dev (hack/cluster/build.sh compiles a static pause binary), and
#      python3 with python3-venv (the API fuzz run's schemathesis)
#   2. Go, which builds steps 3-7 (only checked here; a cached build does not need it)
#   3. kube-apiserver, kube-controller-manager and etcd        hack/k8s/build.sh
#   4. the cluster node's binaries                             hack/cluster/build.sh
#   5. the cluster's NetworkPolicy agent                       hack/cluster/build-netpol.sh
#   6. helm                                                    hack/chart/helm/build.sh
#   7. SeaweedFS, the S3 server of the backup tests            hack/s3/build.sh
#   8. schemathesis, for the API fuzz run, in a cached venv    hack/fuzz/install.sh
#   9. the project image (a local base, then the Dockerfile)   hack/image/build.sh (needs root)
# The builds keep their results in ${REPLISTORE_CACHE:-~/.cache/replistore}/ and do nothing when they
# are there. Each step's output goes to <that cache>/setup/<step>.log and is printed (its last 40
# lines) only when the step fails. REPLISTORE_SKIP_SETUP=1 skips all of it. See docs/development.md.
set -euo pipefail
hack="$(cd "$(dirname "$0")" && pwd)"

if [[ -n "${REPLISTORE_SKIP_SETUP:-}" && "${REPLISTORE_SKIP_SETUP}" != 0 ]]; then
  echo "setup: skipped (REPLISTORE_SKIP_SETUP=$REPLISTORE_SKIP_SETUP)"
  exit 0
fi

cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}"
logs="$cache/setup"
mkdir -p "$logs"
exec 8>"$logs/.lock"
if ! flock -n 8; then
  echo "setup: another setup is running; waiting for its lock ($logs/.lock)"
  flock 8
fi

# Debian package -> the commands (or files) that show it is there, whoever installed it; none for
# busybox-static, since a busybox command may be the dynamic one (the cluster copies it into an image).
packages=(prometheus podman buildah runc debootstrap chromium openssl iproute2
  containerd containernetworking-plugins iptables conntrack socat busybox-static curl gcc libc6-dev
  python3 python3-venv)
declare -A probes=(
  [prometheus]="prometheus promtool" [podman]=podman [buildah]=buildah [runc]=runc
  [debootstrap]=debootstrap [chromium]=chromium [openssl]=openssl [iproute2]=ip
  [containerd]=containerd [containernetworking-plugins]=/usr/lib/cni/bridge [iptables]=iptables
  [conntrack]=conntrack [socat]=socat [busybox-static]="" [curl]=curl
  [gcc]=gcc [libc6-dev]=/usr/include/stdio.h [python3]=/usr/bin/python3 [python3-venv]=""
)
# Installed with --no-install-recommends, so the recommended packages that matter come by name:
# podman's network backend (what Debian's podman otherwise pulls in as a recommendation) and a font
# for chromium to render text with.
declare -A companions=([podman]="netavark aardvark-dns" [chromium]="fonts-liberation")
# Packages whose maintainer scripts would start a service; the tests start their own.
services=(prometheus containerd)

steps=9
step_no=0
step_log="" # the running step's log
cannot=97 # a step's exit code for "cannot run here" (its result line says what to do)
setup_start=$EPOCHREALTIME

# Seconds since a $EPOCHREALTIME value, with one decimal.
since() {
  local us=$((${EPOCHREALTIME//[.,]/} - ${1//[.,]/}))
  printf '%d.%d s' $((us / 1000000)) $((us % 1000000 / 100000))
}

# Runs one step: `run_step <name> <title> <function>`. The function's output goes to the step's log;
# it writes its one-line result to fd 3 and returns 0 (done), $cannot (cannot run here: its result
# says what to do) or anything else (failed: the end of the log is printed). Functions run in a subshell
# with errexit, except `inline` ones, which run in this shell so that what they export stays.
run_step() {
  local title="$2" fn="$3" mode="${4:-}" log="$logs/$1.log" result="$logs/$1.result"
  local t0=$EPOCHREALTIME rc
  step_log="$log"
  step_no=$((step_no + 1))
  printf 'setup: [%d/%d] %s: ' "$step_no" "$steps" "$title"
  : >"$result"
  set +e
  if [[ "$mode" == inline ]]; then
    "$fn" >"$log" 2>&1 </dev/null 3>"$result"
  else
    (
      exec 8>&-
      set -e
      "$fn"
    ) >"$log" 2>&1 </dev/null 3>"$result"
  fi
  rc=$?
  set -e
  local said
  said="$(cat "$result")"
  if [[ $rc -eq 0 ]]; then
    echo "$said ($(since "$t0"))"
    return 0
  fi
  if [[ $rc -eq $cannot ]]; then
    echo "cannot run here ($(since "$t0"))"
    echo "setup: $said"
  else
    echo "FAILED ($(since "$t0"))"
    [[ -n "$said" ]] && echo "setup: $said"
    echo "setup: ---- last 40 lines of $log ----"
    tail -n 40 "$log"
    echo "setup: ---- full log: $log ----"
  fi
  echo "setup: REPLISTORE_SKIP_SETUP=1 npm test skips the set-up (the tests that need this step then fail)"
  exit 1
}

# --- 1. Debian packages ---------------------------------------------------------------------------

present() {
  local pkg="$1" probe
  if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" == installed ]]; then
    return 0
  fi
  [[ -n "${probes[$pkg]}" ]] || return 1
  for probe in ${probes[$pkg]}; do
    if [[ "$probe" == /* ]]; then
      [[ -e "$probe" ]] || return 1
    else
      command -v "$probe" >/dev/null 2>&1 || return 1
    fi
  done
}

step_packages() {
  local missing=() install=() pkg
  for pkg in "${packages[@]}"; do
    present "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "all ${#packages[@]} installed" >&3
    return 0
  fi
  install=("${missing[@]}")
  for pkg in "${missing[@]}"; do
    if [[ -n "${companions[$pkg]:-}" ]]; then
      # shellcheck disable=SC2206 # word splitting wanted
      install+=(${companions[$pkg]})
    fi
  done
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    echo "missing ${missing[*]}, and this is not a Debian machine (no apt-get): install them (or their equivalents) yourself" >&3
    return $cannot
  fi
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "needs root to install ${missing[*]}: run npm test as root once, or: sudo apt-get install --no-install-recommends ${install[*]}" >&3
    return $cannot
  fi

  # No service may start during the install (prometheus's and containerd's maintainer scripts would
  # start theirs): a policy-rc.d that denies starts, removed after if we added it.
  local policy=/usr/sbin/policy-rc.d added=""
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\n# added by hack/setup.sh: no service starts during the install\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added=1
  fi
  # shellcheck disable=SC2064 # expand now
  trap "[[ -z '$added' ]] || rm -f '$policy'" EXIT
  echo "installing ${install[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -q -o DPkg::Lock::Timeout=600)
  if ! "${apt[@]}" update || ! "${apt[@]}" install -y --no-install-recommends "${install[@]}"; then
    echo "apt-get could not install ${install[*]}" >&3
    return 1
  fi
  # A service that systemd started anyway is stopped and disabled.
  local svc
  for svc in "${services[@]}"; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
      systemctl stop "$svc" || true
      systemctl disable "$svc" || true
    fi
  done
  echo "installed ${install[*]}" >&3
}

# --- 2. Go ----------------------------------------------------------------------------------------

# The newest `go` line of the Go modules under hack/ (what the builds need).
go_required() {
  find "$hack" -name go.mod -exec awk '$1 == "go" { print $2 }' {} + | sort -V | tail -n 1
}

version_at_least() { [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" == "$2" ]]; }

go_missing=""
step_go() {
  local need have
  need="$(go_required)"
  if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
    export PATH="/usr/local/go/bin:$PATH"
  fi
  if ! command -v go >/dev/null 2>&1; then
    go_missing="needs Go >= $need to build it: install Go from https://go.dev/dl/ (Debian 12's golang-go is 1.19, too old) and put its bin/ on PATH"
    echo "not installed (needed only for a build that is not cached)" >&3
    return 0
  fi
  have="$(cd / && go env GOVERSION 2>/dev/null)" || have=""
  [[ "$have" =~ go([0-9]+(\.[0-9]+)*) ]] && have="${BASH_REMATCH[1]}"
  if version_at_least "$have" "$need"; then
    echo "go$have ($(command -v go))" >&3
  elif version_at_least "$have" 1.21; then
    # Go >= 1.21 fetches the toolchain a go.mod asks for through the module proxy (checksummed).
    export GOTOOLCHAIN=auto
    echo "go$have is older than go$need: GOTOOLCHAIN=auto, so go fetches go$need through the module proxy" >&3
  else
    go_missing="needs Go >= $need to build it (found go$have, too old to fetch a newer toolchain): install Go from https://go.dev/dl/"
    echo "go$have is too old (needed only for a build that is not cached)" >&3
  fi
}

# --- 3-7. The Go builds ---------------------------------------------------------------------------

# Runs a build script that prints "...: cached in <dir>" first when it has nothing to do, and the
# directory or binary it made as its last line.
go_build() {
  local script="$1" first last
  if ! bash "$script"; then
    if [[ -n "$go_missing" ]]; then
      echo "$go_missing (log: $step_log)" >&3
      return $cannot
    fi
    return 1
  fi
  first="$(head -n 1 "$step_log")"
  last="$(tail -n 1 "$step_log")"
  case "$first" in
    *cached*) echo "cached in $last" >&3 ;;
    *"another run"*) echo "built by another run, in $last" >&3 ;;
    *) echo "built into $last" >&3 ;;
  esac
}

step_k8s() { go_build "$hack/k8s/build.sh"; }
step_helm() { go_build "$hack/chart/helm/build.sh"; }
step_cluster() { go_build "$hack/cluster/build.sh"; }
step_netpol() { go_build "$hack/cluster/build-netpol.sh"; }
step_s3() { go_build "$hack/s3/build.sh"; }

# --- 8. schemathesis ------------------------------------------------------------------------------

step_fuzz() {
  local first last
  bash "$hack/fuzz/install.sh"
  first="$(head -n 1 "$step_log")"
  last="$(tail -n 1 "$step_log")"
  case "$first" in
    *cached*) echo "cached: $last" >&3 ;;
    *) echo "${first#fuzz:install: }" >&3 ;;
  esac
}

# --- 9. The image ---------------------------------------------------------------------------------

step_image() {
  local tags tag before after last
  read -r -a tags <<<"${REPLISTORE_IMAGE_TAGS:-replistore:dev}"
  tag="${tags[0]}"
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "needs root to build the image $tag (debootstrap makes its base, and the tests run it with rootful podman): run npm test as root" >&3
    return $cannot
  fi
  image_id() { "$hack/image/podman.sh" image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true; }
  before="$(image_id)"
  bash "$hack/image/build.sh"
  after="$(image_id)"
  last="$(tail -n 1 "$step_log")"
  last="${last#image:build: }"
  if [[ -n "$before" && "$before" == "$after" ]]; then
    echo "unchanged, $last" >&3
  else
    echo "built, $last" >&3
  fi
}

run_step packages "Debian packages" step_packages
run_step go "Go toolchain" step_go inline
run_step k8s "Kubernetes control plane binaries (hack/k8s/build.sh)" step_k8s
run_step cluster "cluster node binaries (hack/cluster/build.sh)" step_cluster
run_step netpol "NetworkPolicy agent (hack/cluster/build-netpol.sh)" step_netpol
run_step helm "helm (hack/chart/helm/build.sh)" step_helm
run_step s3 "SeaweedFS S3 server (hack/s3/build.sh)" step_s3
run_step fuzz "API fuzzer (hack/fuzz/install.sh)" step_fuzz
run_step image "project image (hack/image/build.sh)" step_image
echo "setup: ready in $(since "$setup_start"); logs in $logs/"
