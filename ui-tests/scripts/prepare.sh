#!/usr/bin/env bash
# Installs the Jupyter side of Tessera into the project venv (.ci/setup.sh runs this; so do the
# UI tests): builds kernel-lib, the widgets and the labextension, installs the extension (pip,
# prebuilt: no lab rebuild) and the "TypeScript (Tessera)" kernelspec, and checks that
# `jupyter labextension list` and `jupyter kernelspec list` show them. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${TESSERA_VENV:-$PWD/.venv}
node node_modules/typescript/bin/tsc -b kernel-lib
npm run build -w @tessera/jupyterlab-tessera
"$VENV/bin/pip" install -q ./extension
node kernel-lib/bin/tessera-kernel.js install --sys-prefix --python="$VENV/bin/python"
"$VENV/bin/jupyter" labextension list 2>&1 | grep -q '@tessera/jupyterlab-tessera.*enabled' || {
  echo 'the @tessera/jupyterlab-tessera labextension is not enabled' >&2
  exit 1
}
"$VENV/bin/jupyter" kernelspec list 2>&1 | grep -q '^ *tessera ' || {
  echo 'the tessera kernelspec is not installed' >&2
  exit 1
}
