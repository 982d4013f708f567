/**
 * Binary box erosion (issue 13): the path Tessera takes against the alternatives it was chosen
 * over, on the same pixels, interleaved call by call; median wall (call + sync) and median GPU
 * time (timestamp queries) per variant, and the fastest GPU time (robust where the host is shared):
 *
 * - `separable u32`: the previous path, z, y and x passes with 32-bit temporaries (runSeparable);
 * - `neighbourhood`: one non-separable pass of (2r+1)^d taps per pixel (runNeighbourhood, 'box');
 * - `x + y/z words`: what binaryErode runs (an x pass to packed uint8, then y/z over 4-pixel words);
 * - `... combined <= 25`: the same with y and z combined up to 25 footprint rows (radius 2).
 *
 *   npm run build && node bench/dist/erode-paths.js [--reps 20] [--small] [--json out.json]
 *
 * --small: 64³ and 512×256 images (software adapters). On the H200: `bash bench/device.sh erode`.
 */
import * as fs from 'node:fs';
import * as tessera from 'tessera';
import { create } from 'tessera/dist/src/array/transfer';
import { runNeighbourhood } from 'tessera/dist/src/codegen/neighbourhood';
import { type LinePass, runSeparable } from 'tessera/dist/src/codegen/separable';
import { binaryMorphology } from 'tessera/dist/src/ops/morphology/binary-erode-dilate';

type Radii = [number, number, number];
const NEAREST = { mode: 'nearest' as const, cval: 0 };
const prologue = (img: tessera.GpuImage) => (img.dtype === 'float32' ? 'select(0u, 1u, x != 0.0)' : 'select(0u, 1u, x != 0u)');

const VARIANTS: Record<string, (img: tessera.GpuImage, r: Radii) => tessera.GpuImage> = {
  'separable u32': (img, r) => {
    const passes: LinePass[] = ([2, 1, 0] as const).map((axis) => ({ axis, radius: r[axis], reduce: { kind: 'min' } }));
    return runSeparable({ op: 'bench', input: img, output: create(img.shape, 'uint8'), passes, mode: 'nearest', cval: 0, valueType: 'u32', prologue: prologue(img) });
  },
  neighbourhood: (img, r) =>
    runNeighbourhood({
      op: 'bench', input: img, output: create(img.shape, 'uint8'), footprint: { shape: 'box', radius: r }, mode: 'nearest', cval: 0,
      valueType: 'u32', prologue: prologue(img), computeType: 'u32', pre: 'var m = 1u;', found: 'm = min(m, v);', post: 'return m;',
    }),
  'x + y/z words': (img, r) => binaryMorphology('bench', 'min', 'box', img, r, NEAREST),
  'x + y/z words, combined <= 25': (img, r) => binaryMorphology('bench', 'min', 'box', img, r, NEAREST, 25),
};

interface Case { name: string; shape: number[]; dtype: 'uint8' | 'float32'; radii: Radii }
const SMALL = process.argv.includes('--small');
const s3 = SMALL ? [64, 64, 64] : [256, 256, 256];
const s2 = SMALL ? [256, 512] : [1024, 2048];
const CASES: Case[] = [
  { name: `erodeBox ${s3.join('x')} uint8`, shape: s3, dtype: 'uint8', radii: [1, 1, 1] },
  { name: `erodeBox ${s2.join('x')} uint8`, shape: s2, dtype: 'uint8', radii: [1, 1, 0] },
  { name: `binaryErode r2 ${s3.join('x')} uint8`, shape: s3, dtype: 'uint8', radii: [2, 2, 2] },
  { name: `binaryErode r3 ${s3.join('x')} uint8`, shape: s3, dtype: 'uint8', radii: [3, 3, 3] },
  { name: `binaryErode r2 ${s2.join('x')} uint8`, shape: s2, dtype: 'uint8', radii: [2, 2, 0] },
  { name: `erodeBox ${s3.join('x')} float32`, shape: s3, dtype: 'float32', radii: [1, 1, 1] },
  { name: `erodeBox ${s3.map((e, k) => e + k - 1).join('x')} uint8 (odd width)`, shape: s3.map((e, k) => e + k - 1), dtype: 'uint8', radii: [1, 1, 1] },
];

const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];

async function main(): Promise<void> {
  const arg = (name: string) => {
    const k = process.argv.indexOf(name);
    return k > 0 ? process.argv[k + 1] : undefined;
  };
  const reps = Number(arg('--reps') ?? 20);
  await tessera.init();
  console.log(`${(await tessera.info()).name}; median of ${reps} interleaved calls; ms`);
  const names = Object.keys(VARIANTS);
  const results: Array<{ case: string; variant: string; wall_ms: number; gpu_ms: number; gpu_min_ms: number }> = [];
  for (const c of CASES) {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const data = c.dtype === 'uint8' ? new Uint8Array(n) : new Float32Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = s >>> 24 < 179 ? 1 : 0; // about 70 % foreground, as the bench's masks
    }
    const img = tessera.push(data, c.shape);
    const wall: Record<string, number[]> = {};
    const gpu: Record<string, number[]> = {};
    // Same answer from every variant (and a warm-up of each).
    const first = await tessera.pull(VARIANTS[names[0]](img, c.radii));
    for (const v of names) {
      const got = await tessera.pull(VARIANTS[v](img, c.radii));
      if (!got.data.every((x, i) => x === first.data[i])) throw new Error(`${c.name}: ${v} differs from ${names[0]}`);
      wall[v] = [];
      gpu[v] = [];
    }
    for (let k = 0; k < reps; k++) {
      for (const v of names) {
        const t0 = performance.now();
        VARIANTS[v](img, c.radii).release();
        await tessera.sync();
        wall[v].push(performance.now() - t0);
        if (tessera.startProfiling()) {
          VARIANTS[v](img, c.radii).release();
          gpu[v].push((await tessera.stopProfiling()).reduce((a, p) => a + p.ms, 0));
        }
      }
    }
    img.release();
    console.log(c.name);
    for (const v of names) {
      const r = { case: c.name, variant: v, wall_ms: median(wall[v]), gpu_ms: gpu[v].length ? median(gpu[v]) : NaN, gpu_min_ms: Math.min(...gpu[v]) };
      results.push(r);
      console.log(`  ${v.padEnd(32)} wall ${r.wall_ms.toFixed(3).padStart(9)}   GPU ${r.gpu_ms.toFixed(3).padStart(9)}   GPU min ${r.gpu_min_ms.toFixed(3).padStart(9)}`);
    }
  }
  const out = arg('--json');
  if (out) fs.writeFileSync(out, JSON.stringify(results, null, 1));
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
