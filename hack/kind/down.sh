#!/usr/bin/env bash
# Deletes the kind cluster hack/kind/up.sh made (and everything in it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
container_tool >/dev/null
"$(kind_binary)" delete cluster --name "$KIND_CLUSTER"
