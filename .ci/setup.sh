#!/usr/bin/env bash
# Everything Tessera needs on a fresh Debian 12 machine (run as root): system packages,
# npm packages, the project's Python venv, the build, and the Jupyter side in that venv (the
# "TypeScript (Tessera)" kernelspec and the JupyterLab extension), and the test services: a
# one-node Slurm on loopback (started) and JupyterHub 4/5 beside 6 (docs/slurm-test-cluster.md,
# docs/gpu-panel.md). Idempotent: a second run only restarts what is not running.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-runtime}"
mkdir -p "$XDG_RUNTIME_DIR"
bash .ci/install-system.sh
npm ci --no-audit --no-fund
bash .ci/setup-python.sh
npm run build
bash ui-tests/scripts/prepare.sh
bash .ci/slurm.sh
bash .ci/hub.sh
