#!/usr/bin/env bash
# JupyterHub 4 and 5 beside the project's JupyterHub 6 (.ci/requirements.txt), for the GPU panel's
# Hub-version test (extension/test/hub-versions.test.ts): one small venv each, inside .venv
# (git-ignored), holding only JupyterHub. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
for version in 4.1.6 5.4.6; do
  dir=.venv/hub-versions/${version%%.*}
  if [ "$("$dir/bin/python" -c 'import jupyterhub; print(jupyterhub.__version__)' 2>/dev/null)" != "$version" ]; then
    python3 -m venv "$dir"
    "$dir/bin/python" -m pip install -q "jupyterhub==$version"
  fi
done
