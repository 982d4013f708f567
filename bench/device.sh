#!/usr/bin/env bash
# Runs the benchmark on the lent GPU machine (see bench/README.md): unpacks the carried Node.js
# and Dawn binaries, times Tessera, then CuPy / pyclesperanto / scipy on the same operations,
# and writes the merged table to $OUT. Needs carried: .device .gl .whl kernel-lib/dist bench/dist.
set -euo pipefail
D=$PWD/.device
xz -dc "$D/node.xz" > /tmp/node && chmod +x /tmp/node
mkdir -p "$D/node_modules/webgpu/dist/linux-x64"
xz -dc "$D/dawn.node.xz" > "$D/node_modules/webgpu/dist/linux-x64/dawn.node"
ln -sfn "$PWD/kernel-lib" "$D/node_modules/tessera"
export NODE_PATH="$D/node_modules" XDG_RUNTIME_DIR=/tmp/xdg PYTHONUNBUFFERED=1
mkdir -p "$XDG_RUNTIME_DIR" "$OUT/raw"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
[ -n "${SKIP_OVERHEAD:-}" ] || /tmp/node bench/dist/overhead.js 2>&1 | grep -v '^Warning: maxDynamic' | tee "$OUT/overhead.log"
/tmp/node bench/dist/run.js --out "$OUT/raw" ${BENCH_ARGS:-} 2>&1 | grep -v '^Warning: maxDynamic' | tee "$OUT/tessera.log"
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
python3 bench/peers.py "$OUT/raw" 2>&1 | tail -20
python3 bench/report.py "$OUT/raw" "$OUT/result" > /dev/null
cat "$OUT/result.md"
