/**
 * flip's two paths (kernel-lib/src/ops/transforms/flip.ts) against the copy kernel: rows of whole
 * vec4s (one mirrored vec4 load per thread) and other widths (pixels picked from two neighbouring
 * vec4s), per pixel size and flag combination. Per case: the median wall time (one call + sync) and
 * the GPU time (timestamp queries, where the adapter has them), and GB/s of the ideal bytes
 * (read + write once) by the GPU time, as % of the copy's.
 *
 *   npm run build && node bench/dist/flip-paths.js [--small] [--reps 20] [--json out.json]
 *
 * --small: 128³ instead of 256³ (for software adapters). On the H200: `bash bench/device.sh flip`.
 */
import { writeFileSync } from 'node:fs';
import * as tessera from 'tessera';

const arg = (name: string) => {
  const k = process.argv.indexOf(name);
  return k < 0 ? undefined : process.argv[k + 1];
};
const SMALL = process.argv.includes('--small');
const REPS = Number(arg('--reps') ?? 20);
const N = SMALL ? 128 : 256;

type Dtype = 'float32' | 'uint16' | 'uint8';
interface Case {
  name: string;
  dtype: Dtype;
  /** Width of the rows: N (whole vec4s) or N - 1 (the picking path). */
  width: number;
  /** flip's flags, or undefined for the copy kernel. */
  flags?: [boolean, boolean, boolean];
}

const CASES: Case[] = [];
for (const dtype of ['float32', 'uint16', 'uint8'] as const) {
  for (const width of [N, N - 1]) {
    CASES.push({ name: `copy ${dtype} ${N}²×${width}`, dtype, width });
    for (const flags of [[true, false, false], [false, true, true], [true, true, true]] as Array<[boolean, boolean, boolean]>) {
      CASES.push({ name: `flip(${flags.map(Number).join(',')}) ${dtype} ${N}²×${width}`, dtype, width, flags });
    }
  }
}

const ARRAYS = { float32: Float32Array, uint16: Uint16Array, uint8: Uint8Array } as const;
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  await tessera.init();
  const rows: Array<Record<string, unknown>> = [];
  const copyGbs = new Map<string, number>();
  for (const c of CASES) {
    const shape = [N, N, c.width];
    const px = N * N * c.width;
    const data = new ARRAYS[c.dtype](px).map((_, i) => (i * 2654435761) % 251);
    const input = tessera.push(data, shape);
    const call = () => (c.flags ? tessera.flip(input, ...c.flags) : tessera.copy(input));
    for (let k = 0; k < 3; k++) call().release();
    await tessera.sync();
    const walls: number[] = [];
    for (let k = 0; k < REPS; k++) {
      const t0 = performance.now();
      const out = call();
      await tessera.sync();
      walls.push(performance.now() - t0);
      out.release();
    }
    let gpu: number | null = null;
    if (tessera.startProfiling()) {
      for (let k = 0; k < REPS; k++) {
        call().release();
        await tessera.sync();
      }
      gpu = (await tessera.stopProfiling()).reduce((sum, p) => sum + p.ms, 0) / REPS;
    }
    const wall = median(walls);
    const gbs = (2 * input.nbytes) / 1e6 / (gpu ?? wall);
    const key = `${c.dtype} ${c.width}`;
    if (!c.flags) copyGbs.set(key, gbs);
    const ofCopy = c.flags ? (100 * gbs) / (copyGbs.get(key) ?? NaN) : 100;
    rows.push({ name: c.name, wallMs: wall, gpuMs: gpu, gbs, percentOfCopy: ofCopy });
    console.log(`${c.name.padEnd(32)} wall ${wall.toFixed(3)} ms  gpu ${gpu === null ? '   -' : gpu.toFixed(3)} ms  ${gbs.toPrecision(3)} GB/s  ${ofCopy.toFixed(0)} % of copy`);
    input.release();
  }
  const json = arg('--json');
  if (json) writeFileSync(json, JSON.stringify({ n: N, reps: REPS, rows }, null, 1));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
