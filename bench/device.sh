#!/usr/bin/env bash
# The whole benchmark on the lent GPU machine (one NVIDIA H200; Python 3.12 with CuPy, scipy and
# scikit-image; no Node.js, no network). Unpacks the carry kit of bench/prepare-device.sh (.device,
# .gl, .whl, with kernel-lib/dist and bench/dist), runs bench/driver.py (Tessera and the peers
# interleaved row by row, first calls in fresh processes, transfers, the report), then, if time is
# left, bench/overhead.ts. Leaves in $OUT: bench.log, raw.json, <date>-h200.md and .json, overhead.txt.
# Arguments go to the driver (e.g. --first-call none, --rounds 1, --rows Gaussian).
# BENCH_BUDGET_S (default 570): seconds after this script starts at which the driver starts no new
# work and writes its report; the device tool stops a command at 600 s.
set -euo pipefail
start=$(date +%s)
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/bench/out}
BUDGET=${BENCH_BUDGET_S:-570}
mkdir -p "$OUT"
for kit in .device/node.xz .device/node_modules.tar.xz .whl kernel-lib/dist/src/index.js bench/dist/run.js; do
  [ -e "$kit" ] || { echo "device.sh: $kit is missing: run bench/prepare-device.sh here and carry .device .gl .whl kernel-lib/dist bench/dist" >&2; exit 1; }
done

# The Vulkan loader, if the image has none (Dawn opens the GPU through Vulkan), and NVIDIA's ICD.
if ! ldconfig -p | grep -q 'libvulkan\.so\.1 '; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f $icd ] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$icd
fi

# Node.js, Dawn (npm webgpu) and Tessera (kernel-lib, resolved through NODE_PATH).
T=/tmp/tessera-device
mkdir -p $T/node_modules
xz -dc .device/node.xz > $T/node && chmod +x $T/node
xz -dc .device/node_modules.tar.xz | tar -C $T/node_modules -xf -
ln -sfn "$PWD/kernel-lib" $T/node_modules/tessera
export NODE_PATH=$T/node_modules TESSERA_NODE=$T/node XDG_RUNTIME_DIR=/tmp/xdg PYTHONUNBUFFERED=1
mkdir -p $XDG_RUNTIME_DIR

# The peers' wheels (pyclesperanto; dask and zarr for the tiled-execution peer) beside the image's packages.
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
export PYTHONPATH=/tmp/site
{
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem --format=csv,noheader || true
  echo "node $($T/node --version); $(python3 --version)"
  python3 - <<'EOF' || true
import importlib
for name in ("numpy", "scipy", "skimage", "cupy", "pyclesperanto", "dask", "zarr", "numcodecs"):
    try:
        print(f"{name} {importlib.import_module(name).__version__}")
    except Exception as e:  # noqa: BLE001 - the driver fails the bench where it matters
        print(f"{name}: CANNOT IMPORT: {type(e).__name__}: {e}")
EOF
  echo "kit unpacked in $(( $(date +%s) - start )) s"
} 2>&1 | tee "$OUT/bench.log"

set +e
export BENCH_COMMAND="bash bench/device.sh $* (on $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1))"
python3 bench/driver.py --out "$OUT" --results "$OUT" --deadline-s $(( BUDGET - ($(date +%s) - start) )) "$@" 2>&1 | tee -a "$OUT/bench.log"
status=${PIPESTATUS[0]}
if [ $(( $(date +%s) - start )) -lt $(( BUDGET - 20 )) ]; then
  timeout $(( BUDGET - ($(date +%s) - start) )) $T/node bench/dist/overhead.js 2>&1 | grep -v '^Warning: maxDynamic' > "$OUT/overhead.txt"
fi
echo "device.sh: $(( $(date +%s) - start )) s, driver exit status $status" | tee -a "$OUT/bench.log"
exit $status
