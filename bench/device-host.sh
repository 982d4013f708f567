#!/usr/bin/env bash
# Host-side costs on the lent GPU machine (issue 13): a tiny operation's recording layer by layer
# (bench/host-cost.ts), 64 MB push/pull with and without transparent huge pages for malloc
# (bench/transfer-cost.ts), and the median's first call and steady state per selection
# (bench/median-cost.ts). Same carried files and set-up as bench/device.sh (.device .gl
# kernel-lib/dist bench/dist); results in $OUT.
set -euo pipefail
D=$PWD/.device
xz -dc "$D/node.xz" > /tmp/node && chmod +x /tmp/node
mkdir -p "$D/node_modules/webgpu/dist/linux-x64"
xz -dc "$D/dawn.node.xz" > "$D/node_modules/webgpu/dist/linux-x64/dawn.node"
ln -sfn "$PWD/kernel-lib" "$D/node_modules/tessera"
export NODE_PATH="$D/node_modules" XDG_RUNTIME_DIR=/tmp/xdg
mkdir -p "$XDG_RUNTIME_DIR" "$OUT"
quiet() { grep -v '^Warning: maxDynamic'; }
cat /sys/kernel/mm/transparent_hugepage/enabled || true
/tmp/node bench/dist/host-cost.js --json "$OUT/host-cost.json" 2>&1 | quiet | tee "$OUT/host-cost.log"
/tmp/node bench/dist/transfer-cost.js --json "$OUT/transfer.json" 2>&1 | quiet | tee "$OUT/transfer.log"
GLIBC_TUNABLES=glibc.malloc.hugetlb=1 /tmp/node bench/dist/transfer-cost.js --json "$OUT/transfer-hugetlb.json" 2>&1 | quiet | tee -a "$OUT/transfer.log"
/tmp/node bench/dist/median-cost.js --reps 20 --json "$OUT/median.json" 2>&1 | quiet | tee "$OUT/median.log"
