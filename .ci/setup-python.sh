#!/usr/bin/env bash
# Project-local Python: the oracles (numpy/scipy/scikit-image) and Jupyter for kernel and UI tests.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r .ci/requirements.txt
