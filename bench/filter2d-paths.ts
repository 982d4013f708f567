/**
 * Small 2D box filters (issue 13: Mean2D, Minimum2D, Erode2D): the separable y and x passes
 * Tessera ran before, the one pass it runs now (codegen/separable.ts, box2d), and one
 * non-separable pass of the neighbourhood generator (taps unrolled into registers; its footprint
 * loop measured slower still), on the same pixels, interleaved call by call; median wall (call +
 * sync), median and fastest GPU time (timestamp queries) per variant, and the largest difference
 * from the first variant's result. Then rotate's GPU time (2D and 3D rows of the catalogue).
 *
 *   npm run build && node bench/dist/filter2d-paths.js [--reps 20] [--small] [--json out.json]
 *
 * --small: 512×256 and 64³ images (software adapters). On the H200: `bash bench/device.sh filter2d`.
 */
import * as fs from 'node:fs';
import * as tessera from 'tessera';
import { create, createLike } from 'tessera/dist/src/array/transfer';
import { runNeighbourhood } from 'tessera/dist/src/codegen/neighbourhood';
import { type LinePass, runSeparable } from 'tessera/dist/src/codegen/separable';

type Variant = (img: tessera.GpuImage) => tessera.GpuImage;
const R: [number, number, number] = [1, 1, 0];
const box = { shape: 'box' as const, radius: R };
const NEAREST = { mode: 'nearest' as const, cval: 0 };

/**
 * The y and x passes that meanBox / minimumBox ran before the one-pass path: the x pass's cval
 * (unused under 'nearest') differs from what the one pass would pad with, which keeps
 * runSeparable on its separable path.
 */
const separable = (kind: 'sum' | 'min', img: tessera.GpuImage, epilogue?: { expr: string; type: 'f32'; scalars: Record<string, { type: 'f32'; value: number }> }) => {
  const passes: LinePass[] = [{ axis: 1, radius: 1, reduce: { kind } }, { axis: 0, radius: 1, reduce: { kind }, cval: 1e-30 }];
  return runSeparable({ op: 'bench', input: img, output: createLike(img), passes, ...NEAREST, valueType: 'f32', epilogue });
};
const meanScalars = { count: { type: 'f32' as const, value: 9 } };

const CASES: Array<{ name: string; dtype: 'float32' | 'uint8'; variants: Record<string, Variant> }> = [
  {
    name: 'meanBox 3x3 float32',
    dtype: 'float32',
    variants: {
      separable: (img) => separable('sum', img, { expr: 'v / P.count', type: 'f32', scalars: meanScalars }),
      'one pass (meanBox)': (img) => tessera.meanBox(img, 1, 1, 0),
      'neighbourhood, unrolled': (img) => runNeighbourhood({ op: 'bench', input: img, output: createLike(img), footprint: box, ...NEAREST, valueType: 'f32', computeType: 'f32',
        unrolled: true, pre: '', found: '', post: `return (${Array.from({ length: 9 }, (_, k) => `v${k}`).join(' + ')}) / P.count;`, scalars: meanScalars }),
    },
  },
  {
    name: 'minimumBox 3x3 float32',
    dtype: 'float32',
    variants: {
      separable: (img) => separable('min', img),
      'one pass (minimumBox)': (img) => tessera.minimumBox(img, 1, 1, 0),
      'neighbourhood, unrolled': (img) => runNeighbourhood({ op: 'bench', input: img, output: createLike(img), footprint: box, ...NEAREST, computeType: 'f32',
        unrolled: true, pre: '', found: '', post: `return min(${Array.from({ length: 8 }, (_, k) => `min(v${k}, `).join('')}v8${')'.repeat(8)}, 3.4e38);` }),
    },
  },
  {
    name: 'erodeBox 3x3 uint8',
    dtype: 'uint8',
    variants: {
      'x + y words (erodeBox)': (img) => tessera.erodeBox(img),
      'neighbourhood, unrolled': (img) => runNeighbourhood({ op: 'bench', input: img, output: create(img.shape, 'uint8'), footprint: box, ...NEAREST, valueType: 'u32',
        prologue: 'select(0u, 1u, x != 0u)', computeType: 'u32', unrolled: true, pre: '', found: '', post: `return ${Array.from({ length: 9 }, (_, k) => `v${k}`).join(' & ')};` }),
    },
  },
];

const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];

async function timeVariants(img: tessera.GpuImage, variants: Record<string, Variant>, reps: number) {
  const names = Object.keys(variants);
  const wall: Record<string, number[]> = {};
  const gpu: Record<string, number[]> = {};
  const diff: Record<string, number> = {};
  const first = await tessera.pull(variants[names[0]](img));
  for (const v of names) {
    const got = await tessera.pull(variants[v](img));
    let d = 0;
    for (let i = 0; i < got.data.length; i++) d = Math.max(d, Math.abs(Number(got.data[i]) - Number(first.data[i])));
    diff[v] = d;
    wall[v] = [];
    gpu[v] = [];
  }
  for (let k = 0; k < reps; k++) {
    for (const v of names) {
      const t0 = performance.now();
      variants[v](img).release();
      await tessera.sync();
      wall[v].push(performance.now() - t0);
      if (tessera.startProfiling()) {
        variants[v](img).release();
        gpu[v].push((await tessera.stopProfiling()).reduce((a, p) => a + p.ms, 0));
      }
    }
  }
  return names.map((v) => ({ variant: v, wall_ms: median(wall[v]), gpu_ms: gpu[v].length ? median(gpu[v]) : NaN, gpu_min_ms: Math.min(...gpu[v]), max_diff: diff[v] }));
}

async function main(): Promise<void> {
  const arg = (name: string) => {
    const k = process.argv.indexOf(name);
    return k > 0 ? process.argv[k + 1] : undefined;
  };
  const reps = Number(arg('--reps') ?? 20);
  const small = process.argv.includes('--small');
  const s2 = small ? [256, 512] : [1024, 2048];
  const s3 = small ? [64, 64, 64] : [256, 256, 256];
  await tessera.init();
  console.log(`${(await tessera.info()).name}; ${s2.join('x')}; median of ${reps} interleaved calls; ms`);
  const results: Array<Record<string, unknown>> = [];
  const print = (name: string, rows: Array<Record<string, number | string>>) => {
    console.log(name);
    for (const r of rows) {
      results.push({ case: name, ...r });
      console.log(`  ${String(r.variant).padEnd(26)} wall ${(r.wall_ms as number).toFixed(3).padStart(8)}   GPU ${(r.gpu_ms as number).toFixed(3).padStart(8)}   GPU min ${(r.gpu_min_ms as number).toFixed(3).padStart(8)}   max diff ${r.max_diff}`);
    }
  };
  for (const c of CASES) {
    const n = s2[0] * s2[1];
    const data = c.dtype === 'uint8' ? new Uint8Array(n) : new Float32Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = c.dtype === 'uint8' ? (s >>> 24 < 179 ? 1 : 0) : (s >>> 8) / 2 ** 24;
    }
    const img = tessera.push(data, s2);
    print(c.name, await timeVariants(img, c.variants, reps));
    img.release();
  }
  for (const shape of [s2, s3]) {
    const img = tessera.set(tessera.create(shape), 0.5);
    print(`rotate 45 linear ${shape.join('x')}`, await timeVariants(img, { rotate: (x) => tessera.rotate(x, 0, 0, 45, true, true) }, reps));
    img.release();
  }
  const out = arg('--json');
  if (out) fs.writeFileSync(out, JSON.stringify(results, null, 1));
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
