#!/usr/bin/env bash
# Opens JupyterLab from the project venv on the example notebooks (binder/notebooks), with the
# Tessera kernel and extension that .ci/setup.sh installs into that venv. `npm run lab` runs it;
# options after `--` go to JupyterLab, e.g. `npm run lab -- --port 9000 --ip 0.0.0.0`.
# Without a display (a server, SSH, a container) it does not try to open a browser: open the URL
# it prints (with an SSH tunnel from your machine: ssh -L 8888:localhost:8888 <server>).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${TESSERA_VENV:-$PWD/.venv}
if [ ! -x "$VENV/bin/jupyter" ]; then
  echo "No JupyterLab in $VENV: install everything first with  bash .ci/setup.sh" >&2
  exit 1
fi
if ! "$VENV/bin/jupyter" kernelspec list 2>/dev/null | grep -q '^ *tessera '; then
  echo "The Tessera kernel is not installed in $VENV: run  bash .ci/setup.sh  (or bash ui-tests/scripts/prepare.sh)" >&2
  exit 1
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/xdg-runtime}
mkdir -p "$XDG_RUNTIME_DIR"
args=(--ServerApp.root_dir="$PWD/binder/notebooks")
[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "$(uname)" = Darwin ] || args+=(--no-browser)
[ "$(id -u)" != 0 ] || args+=(--allow-root)
echo "Tessera: JupyterLab on $PWD/binder/notebooks — open the http://127.0.0.1:…/lab?token=… URL below (Ctrl+C stops it)." >&2
exec "$VENV/bin/jupyter" lab "${args[@]}" "$@"
