/**
 * The median's first call (shader compile included, each in a fresh process) and its steady
 * state (wall = call + sync, GPU = timestamp queries), for each selection the median has:
 * 'registers' (unrolled forgetful selection), 'radix' (bitwise selection, code independent of
 * the footprint) and 'default' (what the adapter gets). Also the WGSL size of the shaders the
 * call compiled.
 *
 *   npm run build && node bench/dist/median-cost.js [--json out.json] [--reps 20] [--small]
 *
 * Copied into an older checkout (before limitRegisterMedian) it measures the 'default' variant
 * only: the code as it was.
 * --small: 64³ and 512² images (for software adapters, where compile time is what to see).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as tessera from 'tessera';
import { gpuDevice } from 'tessera/dist/src/gpu/device';

// Looked up at run time, so that this script also runs (variant 'default' only) on a checkout
// that predates the switch, to measure the code before it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { limitRegisterMedian } = require('tessera/dist/src/ops/filters/median') as { limitRegisterMedian?: (taps: number | undefined) => void };

interface Case {
  name: string;
  shape: number[];
  dtype: 'float32' | 'uint8';
  radii: [number, number, number];
}

const CASES: Case[] = [
  { name: 'medianBox 3×3×3 float32 256³', shape: [256, 256, 256], dtype: 'float32', radii: [1, 1, 1] },
  { name: 'medianBox 3×3×3 uint8 256³', shape: [256, 256, 256], dtype: 'uint8', radii: [1, 1, 1] },
  { name: 'medianBox 3×3 float32 2048²', shape: [2048, 2048], dtype: 'float32', radii: [1, 1, 0] },
  { name: 'medianBox 5×5 float32 2048²', shape: [2048, 2048], dtype: 'float32', radii: [2, 2, 0] },
];
const VARIANTS = ['default', 'registers', 'radix'] as const;
const SMALL = process.argv.includes('--small');
if (SMALL) for (const c of CASES) {
  c.shape = c.shape.map((e) => e / 4);
  c.name = c.name.replace('256³', '64³').replace('2048²', '512²');
}

interface Result {
  case: string;
  variant: string;
  first_ms: number;
  wgsl_chars: number;
  wall_ms: number;
  gpu_ms: number;
}

function pixels(c: Case): Float32Array | Uint8Array {
  const n = c.shape.reduce((a, b) => a * b, 1);
  const data = c.dtype === 'uint8' ? new Uint8Array(n) : new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = c.dtype === 'uint8' ? s >>> 24 : (s >>> 8) / 2 ** 24;
  }
  return data;
}

/** One measurement in this (fresh) process. */
async function child(caseIndex: number, variant: string, reps: number): Promise<Result> {
  const c = CASES[caseIndex];
  await tessera.init();
  if (variant !== 'default') {
    if (!limitRegisterMedian) throw new Error('this build has no limitRegisterMedian: only the default variant runs');
    limitRegisterMedian(variant === 'registers' ? 1000 : 0);
  }
  const device = gpuDevice();
  let wgsl = 0;
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (d: GPUShaderModuleDescriptor) => {
    wgsl += d.code.length;
    return create(d);
  };
  const input = tessera.push(pixels(c), c.shape);
  await tessera.sync();
  wgsl = 0;
  let t0 = performance.now();
  tessera.medianBox(input, ...c.radii).release();
  await tessera.sync();
  const first = performance.now() - t0;
  const walls: number[] = [];
  for (let k = 0; k < reps; k++) {
    t0 = performance.now();
    tessera.medianBox(input, ...c.radii).release();
    await tessera.sync();
    walls.push(performance.now() - t0);
  }
  walls.sort((a, b) => a - b);
  let gpu = NaN;
  if (tessera.startProfiling()) {
    for (let k = 0; k < reps; k++) tessera.medianBox(input, ...c.radii).release();
    const passes = await tessera.stopProfiling();
    gpu = passes.reduce((s, p) => s + p.ms, 0) / reps;
  }
  return { case: c.name, variant, first_ms: first, wgsl_chars: wgsl, wall_ms: walls[walls.length >> 1], gpu_ms: gpu };
}

async function main(): Promise<void> {
  const arg = (name: string) => {
    const k = process.argv.indexOf(name);
    return k > 0 ? process.argv[k + 1] : undefined;
  };
  const reps = Number(arg('--reps') ?? 10);
  if (arg('--child') !== undefined) {
    const r = await child(Number(arg('--child')), arg('--variant')!, reps);
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
    return;
  }
  await tessera.init();
  console.log(`${(await tessera.info()).name}; first call in a fresh process each; steady state: median of ${reps}`);
  console.log(`${'case'.padEnd(32)} ${'variant'.padEnd(10)} ${'first ms'.padStart(9)} ${'WGSL'.padStart(7)} ${'wall ms'.padStart(8)} ${'GPU ms'.padStart(8)}`);
  const results: Result[] = [];
  for (let k = 0; k < CASES.length; k++) {
    for (const variant of VARIANTS) {
      const run = spawnSync(process.execPath, [__filename, '--child', String(k), '--variant', variant, '--reps', String(reps), ...(SMALL ? ['--small'] : [])], { encoding: 'utf8', timeout: 600_000 });
      const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line && variant !== 'default' && !limitRegisterMedian) continue;
      if (!line) throw new Error(`${CASES[k].name} (${variant}) failed:\n${run.stderr}`);
      const r = JSON.parse(line.slice(7)) as Result;
      results.push(r);
      console.log(`${r.case.padEnd(32)} ${r.variant.padEnd(10)} ${r.first_ms.toFixed(0).padStart(9)} ${String(r.wgsl_chars).padStart(7)} ${r.wall_ms.toFixed(3).padStart(8)} ${r.gpu_ms.toFixed(3).padStart(8)}`);
    }
  }
  const json = arg('--json');
  if (json) fs.writeFileSync(json, `${JSON.stringify({ adapter: (await tessera.info()).name, reps, results }, null, 1)}\n`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
