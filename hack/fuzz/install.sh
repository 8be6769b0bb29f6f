#!/usr/bin/env bash
# Installs schemathesis (hack/fuzz/requirements.txt) into a venv cached outside the checkout, keyed
# by a hash of the requirements, and prints the path of its `schemathesis` command as the last line.
# Does nothing when that venv is there and works; concurrent runs wait on a lock. Needs python3 with
# its venv module (Debian: python3-venv, which hack/setup.sh installs). Uses PyPI through pip.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${REPLISTORE_CACHE:-$HOME/.cache/replistore}/fuzz"
python="${REPLISTORE_PYTHON:-/usr/bin/python3}"
[[ -x "$python" ]] || python="$(command -v python3 || true)"
if [[ -z "$python" ]]; then
  echo "fuzz:install: no python3 found: install python3 and python3-venv (hack/setup.sh does on Debian)" >&2
  exit 1
fi
key="$(sha256sum "$here/requirements.txt" | cut -c1-12)"
venv="$cache/venv-$key"
bin="$venv/bin/schemathesis"

stamp="$venv/.installed"
# A venv's scripts name its own path, so it cannot be built aside and renamed into place; the stamp,
# written last, tells a finished venv from one a killed install left behind.
starts() { [[ -x "$bin" ]] && "$bin" --version >/dev/null 2>&1; }
works() { [[ -f "$stamp" ]] && starts; }

if works; then
  echo "fuzz:install: cached in $venv"
  echo "$bin"
  exit 0
fi
mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -n 9; then
  echo "fuzz:install: another run is installing; waiting for its lock"
  flock 9
  if works; then
    echo "fuzz:install: built by another run"
    echo "$bin"
    exit 0
  fi
fi
rm -rf "$venv"
"$python" -m venv "$venv" || {
  echo "fuzz:install: '$python -m venv' failed: install python3-venv" >&2
  exit 1
}
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$here/requirements.txt" || {
  rm -rf "$venv"
  echo "fuzz:install: pip could not install $here/requirements.txt" >&2
  exit 1
}
if ! starts; then
  rm -rf "$venv"
  echo "fuzz:install: schemathesis installed but does not start" >&2
  exit 1
fi
touch "$stamp"
echo "fuzz:install: installed $("$bin" --version 2>&1 | head -n 1) into $venv"
echo "$bin"
