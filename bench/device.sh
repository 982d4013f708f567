#!/usr/bin/env bash
# The whole benchmark on the lent GPU machine (one NVIDIA H200; Python 3.12 with CuPy, scipy and
# scikit-image; no Node.js, no network). Unpacks the carry kit of bench/prepare-device.sh (.device,
# .gl, .whl, with kernel-lib/dist/src and bench/dist), runs bench/driver.py (Tessera and the peers
# interleaved row by row, first calls in fresh processes, transfers, the report), then, if time is
# left, bench/overhead.ts. Leaves in $OUT: bench.log, raw.json, <date>-h200.md and .json, overhead.txt.
# Arguments go to the driver (e.g. --first-call none, --rounds 1, --rows Gaussian).
# `bash bench/device.sh tiled [STEP ...]` runs the tiled-execution and Zarr benches instead (steps, in order,
# default all: make tiled peer io; see docs/scale.md): the 8.6 GB input by bench/tiled_peer.py --make (kept in
# /tmp/bench.zarr while the machine stays warm), bench/tiled.ts on it, its dask-image style peer, bench/io.ts
# --mb 2048; $OUT gets tiled.log, <step>.txt and tiled.json.
# `bash bench/device.sh host` runs the host-side cost benches (issue 13): a tiny operation's recording layer
# by layer (host-cost.ts), 64 MB and 2 MB push/pull with and without the kernel's malloc tunables (transfer-cost.ts), the
# median's first call and steady state per selection (median-cost.ts), the host's own 64 MB copy ceiling
# (host_copy.py: one thread and several, reused and fresh memory, CuPy's pulls); $OUT gets <name>.log and .json.
# `bash bench/device.sh flip` times flip's two paths per pixel size and flags against the copy kernel
# (flip-paths.ts); $OUT gets flip-paths.log and .json.
# `bash bench/device.sh profile [--rows REGEX]` profiles the host side of the rows whose wall time is far above
# their GPU time (bench/host-profile.ts); $OUT gets host-profile.log and .json.
# `bash bench/device.sh contention` times round trips alone and beside another process's idle GPU context
# (round-trip.ts and CuPy); $OUT gets contention.log and rt-*.json.
# `bash bench/device.sh filter2d` times small 2D box filters' paths and rotate's GPU time (bench/filter2d-paths.ts);
# $OUT gets filter2d-paths.log and .json.
# `bash bench/device.sh erode` times binary box erosion's paths side by side (bench/erode-paths.ts); $OUT gets
# erode-paths.log and .json.
# BENCH_BUDGET_S (default 570): seconds after this script starts at which the driver starts no new
# work and writes its report; the device tool stops a command at 600 s.
set -euo pipefail
start=$(date +%s)
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/bench/out}
BUDGET=${BENCH_BUDGET_S:-570}
mkdir -p "$OUT"
for kit in .device/node.xz .device/node_modules.tar.xz .whl kernel-lib/dist/src/index.js bench/dist/run.js; do
  [ -e "$kit" ] || { echo "device.sh: $kit is missing: run bench/prepare-device.sh here and carry .device .gl .whl kernel-lib/dist/src bench/dist" >&2; exit 1; }
done
# The Vulkan loader and glvnd, if the image lacks them (Dawn opens the GPU through Vulkan; NVIDIA's ICD needs glvnd), and NVIDIA's ICD.
if ! ldconfig -p | grep -q 'libvulkan\.so\.1 ' || ! ldconfig -p | grep -q 'libGLdispatch\.so\.0 '; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f $icd ] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$icd
fi

# Node.js, Dawn (npm webgpu) and Tessera (kernel-lib, as node_modules/tessera).
# The packages go to the repository's node_modules (git-ignored, so not carried): ES modules such as
# zarrita are resolved from the importing file's folder upwards, never through NODE_PATH.
T=/tmp/tessera-device
mkdir -p $T node_modules
xz -dc .device/node.xz > $T/node && chmod +x $T/node
xz -dc .device/node_modules.tar.xz | tar -C node_modules -xf -
ln -sfn ../kernel-lib node_modules/tessera
export TESSERA_NODE=$T/node XDG_RUNTIME_DIR=/tmp/xdg PYTHONUNBUFFERED=1
# As the Tessera kernel starts (its MALLOC_TUNABLES, read from kernel-lib/src/jupyter/cli.ts's build): large mallocs on
# transparent huge pages (numpy does the same for its arrays), blocks under 32 MB from the heap, where freed ones are reused.
kernel_tunables=$($T/node -p "require('./kernel-lib/dist/src/jupyter/cli.js').MALLOC_TUNABLES")  # fails the script if unreadable
export GLIBC_TUNABLES=${GLIBC_TUNABLES-$kernel_tunables}
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

if [ "${1:-}" = host ]; then
  set +e
  echo "transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)" | tee -a "$OUT/bench.log"
  quiet() { grep --line-buffered -v '^Warning: maxDynamic'; }
  python3 bench/host_copy.py --json "$OUT/host-copy.json" 2>&1 | tee "$OUT/host-copy.log"
  $T/node bench/dist/host-cost.js --json "$OUT/host-cost.json" 2>&1 | quiet | tee "$OUT/host-cost.log"
  GLIBC_TUNABLES= $T/node bench/dist/transfer-cost.js --json "$OUT/transfer.json" 2>&1 | quiet | tee "$OUT/transfer.log"
  $T/node bench/dist/transfer-cost.js --json "$OUT/transfer-tunables.json" 2>&1 | quiet | tee -a "$OUT/transfer.log"
  timeout $(( BUDGET - ($(date +%s) - start) )) $T/node bench/dist/median-cost.js --reps 20 --json "$OUT/median.json" 2>&1 | quiet | tee "$OUT/median.log"
  echo "device.sh host: $(( $(date +%s) - start )) s" | tee -a "$OUT/bench.log"
  exit 0
fi

if [ "${1:-}" = filter2d ]; then
  $T/node bench/dist/filter2d-paths.js --json "$OUT/filter2d-paths.json" 2>&1 | grep -v '^Warning: maxDynamic' | tee "$OUT/filter2d-paths.log"
  exit 0
fi

if [ "${1:-}" = flip ]; then
  $T/node bench/dist/flip-paths.js --json "$OUT/flip-paths.json" 2>&1 | grep -v '^Warning: maxDynamic' | tee "$OUT/flip-paths.log"
  exit 0
fi

if [ "${1:-}" = profile ]; then
  # Where the host time of the rows whose wall time is far above their GPU time goes (bench/host-profile.ts),
  # then the same with a larger young generation (fewer scavenges while a call waits for the GPU).
  shift
  quiet() { grep --line-buffered -v '^Warning: maxDynamic'; }
  timeout $(( (BUDGET - ($(date +%s) - start)) / 2 )) $T/node bench/dist/host-profile.js --json "$OUT/host-profile.json" "$@" 2>&1 | quiet | tee "$OUT/host-profile.log"
  echo "== node --max-semi-space-size=64" | tee -a "$OUT/host-profile.log"
  timeout $(( BUDGET - ($(date +%s) - start) )) $T/node --max-semi-space-size=64 bench/dist/host-profile.js --top 4 "$@" 2>&1 | quiet | tee -a "$OUT/host-profile.log"
  exit 0
fi

if [ "${1:-}" = contention ]; then
  # What another process's idle GPU context costs (why driver.py gives the GPU to one side at a time): Dawn's and
  # Tessera's round trip (round-trip.ts) alone, beside a sleeping process that holds a CUDA context, alone again;
  # then CuPy's a + 5 (2048 x 1024) alone and beside an idle Tessera process (run.js --serve waiting on its stdin).
  set +e
  quiet() { grep --line-buffered -v '^Warning: maxDynamic'; }
  rt() { echo "== round trip, $1" | tee -a "$OUT/contention.log"; $T/node bench/dist/round-trip.js --device tessera --reps 200 --json "$OUT/rt-$1.json" 2>&1 | quiet | tee -a "$OUT/contention.log"; }
  rt alone-1
  python3 -c "import cupy as cp, time; a = cp.ones(1 << 24, cp.float32); float((a + 1).sum()); time.sleep(60)" & idle=$!
  sleep 5; rt beside-idle-cuda; kill $idle; wait $idle 2>/dev/null
  rt alone-2
  cupy_add() {
    python3 - "$1" <<'PY' 2>&1 | tee -a "$OUT/contention.log"
import sys, time, numpy as np, cupy as cp
a = cp.random.random((2048, 1024), dtype=cp.float32); s = cp.cuda.Device().synchronize
for _ in range(50): a + 5; s()
t = []
for _ in range(300): t0 = time.perf_counter(); a + 5; s(); t.append((time.perf_counter() - t0) * 1e6)
print(f"CuPy a + 5 (2048 x 1024) + sync, {sys.argv[1]}: median {np.median(t):.1f} us, p10 {np.percentile(t, 10):.1f} us")
PY
  }
  cupy_add alone
  rm -f /tmp/idle-in; mkfifo /tmp/idle-in
  $T/node bench/dist/run.js --serve < /tmp/idle-in > /dev/null 2>&1 & idle=$!
  exec 9> /tmp/idle-in; sleep 8  # it has opened the GPU and waits for a command
  cupy_add "beside an idle Tessera process"
  exec 9>&-; wait $idle  # end of its input: it exits
  exit 0
fi

if [ "${1:-}" = erode ]; then
  # Binary box erosion: the chosen path against the previous one and the alternatives (bench/erode-paths.ts).
  timeout $(( BUDGET - ($(date +%s) - start) )) $T/node bench/dist/erode-paths.js --reps 20 --json "$OUT/erode-paths.json" 2>&1 \
    | grep --line-buffered -v '^Warning: maxDynamic' | tee "$OUT/erode-paths.log"
  exit 0
fi

if [ "${1:-}" = tiled ]; then
  shift
  steps=${*:-make tiled peer io}
  step() {  # NAME COMMAND...: runs it within what is left of the budget; its output goes to $OUT/NAME.txt
    local name=$1; shift
    echo "== $name (at $(( $(date +%s) - start )) s): $*" | tee -a "$OUT/tiled.log"
    timeout $(( BUDGET - ($(date +%s) - start) )) "$@" 2>&1 | grep --line-buffered -v '^Warning: maxDynamic' | tee "$OUT/$name.txt"
    echo "   $name: exit status ${PIPESTATUS[0]} at $(( $(date +%s) - start )) s" | tee -a "$OUT/tiled.log"
  }
  set +e
  for s in $steps; do
    case $s in
      make) [ -f /tmp/bench.zarr/zarr.json ] && echo "make: /tmp/bench.zarr is there" || step make python3 bench/tiled_peer.py --make /tmp/bench.zarr ;;
      tiled) step tiled $T/node bench/dist/tiled.js --input /tmp/bench.zarr --budget 1024 --scratch /tmp/tessera-bench --json "$OUT/tiled.json"
             rm -rf /tmp/tessera-bench ;;
      peer) step peer python3 bench/tiled_peer.py --input /tmp/bench.zarr --out /tmp/peer-out.zarr --threads 16
            rm -rf /tmp/peer-out.zarr ;;
      io) step io $T/node bench/dist/io.js --mb 2048 --dir /tmp/tessera-io-bench
          rm -rf /tmp/tessera-io-bench ;;
      workers) step workers $T/node bench/dist/tiled.js --input /tmp/bench.zarr --cheap --budget 1024 --no-stages --workers 1,2,4 --scratch /tmp/tessera-bench
               rm -rf /tmp/tessera-bench ;;
      *) echo "device.sh tiled: unknown step $s (make tiled peer io workers)" >&2 ;;
    esac
  done
  echo "device.sh tiled: $(( $(date +%s) - start )) s" | tee -a "$OUT/tiled.log"
  exit 0
fi

set +e
export BENCH_COMMAND="bash bench/device.sh $* (on $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1))"
python3 bench/driver.py --out "$OUT" --results "$OUT" --deadline-s $(( BUDGET - ($(date +%s) - start) )) "$@" 2>&1 | tee -a "$OUT/bench.log"
status=${PIPESTATUS[0]}
if [ $(( $(date +%s) - start )) -lt $(( BUDGET - 20 )) ]; then
  timeout $(( BUDGET - ($(date +%s) - start) )) $T/node bench/dist/overhead.js 2>&1 | grep -v '^Warning: maxDynamic' > "$OUT/overhead.txt"
fi
echo "device.sh: $(( $(date +%s) - start )) s, driver exit status $status" | tee -a "$OUT/bench.log"
exit $status
