#!/usr/bin/env bash
# Installs Debian's `prometheus` package (prometheus and promtool) for the monitoring tests
# (test/integration/monitoring), unless both are already on PATH. Idempotent; needs root (CI is).
# The package's maintainer scripts would start a prometheus service: a policy-rc.d that denies
# service starts is put in place for the install (and removed after, if we added it), and a service
# started anyway by systemd is stopped and disabled. The tests start their own Prometheus.
set -euo pipefail

if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  echo "install-prometheus: $(prometheus --version 2>&1 | head -1)"
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-prometheus: prometheus is missing; run as root: apt-get install -y prometheus" >&2
  exit 1
fi

policy=/usr/sbin/policy-rc.d
added_policy=""
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\n# added by hack/monitoring/install-prometheus.sh: no service starts during the install\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  added_policy=1
fi
cleanup() { if [[ -n "$added_policy" ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -q --no-install-recommends prometheus; }
# Try with the package lists as they are; refresh them only when that fails (stale or missing lists).
if ! install; then
  apt-get update -q
  install
fi

if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus || true
  systemctl disable prometheus || true
fi
echo "install-prometheus: installed $(prometheus --version 2>&1 | head -1)"
