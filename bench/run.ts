/**
 * Times Tessera on the benchmark catalogue (bench/ops.ts) and writes bench/out/tessera.json,
 * which bench/peers.py reads to time CuPy, pyclesperanto and scipy on the same operations.
 *
 * Two times per operation, median after warm-up:
 * - `wall`: one call followed by a GPU sync, as a notebook user experiences one call
 *   (the same method as shared/tools/peer_table.py uses for the peers);
 * - `gpu`: the GPU time of the call's passes from timestamp queries (kernel time alone).
 * Usage: node bench/dist/run.js [--quick] [--rounds N] [--out DIR] [--only NAME-SUBSTRING]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tessera from 'tessera';
import { STORAGE_USAGE } from 'tessera/dist/src/gpu/buffer-pool';
import { flush, recordCopy } from 'tessera/dist/src/gpu/commands';
import { gpuDevice } from 'tessera/dist/src/gpu/device';
import { runPixelProgram } from 'tessera/dist/src/codegen/program';
import { BenchOp, INPUT_SETS, InputSet, Inputs, SHAPES, catalogue, gridLabels } from './ops';

const quick = process.argv.includes('--quick');
const outDir = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : join(__dirname, '..', 'out');
const REPS = quick ? 5 : 20;
const WARMUP = 3;
const ROUNDS = process.argv.includes('--rounds') ? Number(process.argv[process.argv.indexOf('--rounds') + 1]) : 1;
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

async function settle(result: tessera.GpuImage | Promise<unknown>): Promise<void> {
  if (result instanceof tessera.GpuImage) {
    await tessera.sync();
    result.release();
  } else {
    const value = await result;
    if (value instanceof tessera.GpuImage) value.release();
  }
}

async function timeWall(fn: () => tessera.GpuImage | Promise<unknown>): Promise<number> {
  for (let k = 0; k < WARMUP; k++) await settle(fn());
  const times: number[] = [];
  for (let k = 0; k < REPS; k++) {
    const t0 = performance.now();
    await settle(fn());
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** GPU time per call from timestamp queries: every pass of REPS synced calls, summed, / REPS. */
async function timeGpu(fn: () => tessera.GpuImage | Promise<unknown>): Promise<number | null> {
  await settle(fn());
  if (!tessera.startProfiling()) return null;
  for (let k = 0; k < REPS; k++) await settle(fn());
  const passes = await tessera.stopProfiling();
  return passes.reduce((sum, p) => sum + p.ms, 0) / REPS;
}

/** Per-call costs on the host: recording without waiting, and the round trip of an empty sync. */
async function overheads(): Promise<Record<string, number>> {
  const tiny = tessera.push(new Float32Array(1024));
  await tessera.sync();
  const n = 2000;
  let t0 = performance.now();
  for (let k = 0; k < n; k++) tessera.addImageAndScalar(tiny, 1).release();
  const record_us = ((performance.now() - t0) / n) * 1e3;
  await tessera.sync();
  const syncs: number[] = [];
  for (let k = 0; k < 200; k++) {
    t0 = performance.now();
    await tessera.sync();
    syncs.push(performance.now() - t0);
  }
  const round: number[] = [];
  for (let k = 0; k < 200; k++) {
    t0 = performance.now();
    tessera.addImageAndScalar(tiny, 1).release();
    await tessera.sync();
    round.push(performance.now() - t0);
  }
  const reads: number[] = [];
  for (let k = 0; k < 100; k++) {
    t0 = performance.now();
    await tessera.pull(tiny);
    reads.push(performance.now() - t0);
  }
  const host = new ArrayBuffer(64 * 1024 ** 2);
  t0 = performance.now();
  for (let k = 0; k < 5; k++) host.slice(0);
  const slice64_ms = (performance.now() - t0) / 5;
  tiny.release();
  return { record_us, empty_sync_us: median(syncs) * 1e3, tiny_op_and_sync_us: median(round) * 1e3, tiny_pull_us: median(reads) * 1e3, host_copy64_ms: slice64_ms };
}

function randomFloat(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) a[i] = (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  return a;
}

function mask(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) a[i] = (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296 > 0.3 ? 1 : 0;
  return a;
}

/** Bandwidth of the simplest WGSL copy kernel (a pixel program returning its input), read + write. */
async function kernelCopyBandwidth(): Promise<number> {
  const n = Math.min(64 * 1024 ** 2, (await tessera.info()).limits.maxStorageBufferBindingSize / 4);
  const src = tessera.set(tessera.create([n / 1024, 1024]), 1);
  const dst = tessera.create([n / 1024, 1024]);
  const run = () => runPixelProgram({ op: 'benchCopy', inputs: { a: src }, output: dst, computeType: 'f32', body: 'return load_a(i);' });
  for (let k = 0; k < 3; k++) run();
  await tessera.sync();
  tessera.startProfiling();
  for (let k = 0; k < 20; k++) run();
  const passes = await tessera.stopProfiling();
  src.release();
  dst.release();
  return (2 * n * 4) / (median(passes.map((p) => p.ms)) / 1e3);
}

/** Device-to-device copy bandwidth (bytes read + written per second), the ceiling for memory-bound ops. */
async function copyBandwidth(): Promise<number> {
  const bytes = 256 * 1024 ** 2;
  const device = gpuDevice();
  const src = device.createBuffer({ size: bytes, usage: STORAGE_USAGE });
  const dst = device.createBuffer({ size: bytes, usage: STORAGE_USAGE });
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    for (let j = 0; j < 10; j++) recordCopy(src, 0, dst, 0, bytes);
    flush();
    await tessera.sync();
    times.push((performance.now() - t0) / 10);
  }
  src.destroy();
  dst.destroy();
  return (2 * bytes) / (median(times.slice(1)) / 1e3);
}

async function transfers(): Promise<Record<string, number>> {
  const n = 16 * 1024 ** 2;
  const data = randomFloat(n, 7);
  const shape = [256, 256, 256];
  const push: number[] = [];
  const pushUnchecked: number[] = [];
  const pull: number[] = [];
  const pullInto: number[] = [];
  const host = new Float32Array(n);
  for (let k = 0; k < (quick ? 4 : 10); k++) {
    let t0 = performance.now();
    const img = tessera.push(data, shape);
    await tessera.sync();
    push.push(performance.now() - t0);
    t0 = performance.now();
    const img2 = tessera.push(data, shape, { allowNonFinite: true });
    await tessera.sync();
    pushUnchecked.push(performance.now() - t0);
    t0 = performance.now();
    await tessera.pull(img);
    pull.push(performance.now() - t0);
    t0 = performance.now();
    await tessera.pull(img, host);
    pullInto.push(performance.now() - t0);
    img.release();
    img2.release();
  }
  return {
    push64_ms: median(push.slice(1)),
    push64_unchecked_ms: median(pushUnchecked.slice(1)),
    pull64_ms: median(pull.slice(1)),
    pull64_into_ms: median(pullInto.slice(1)),
  };
}

async function sizeSweep(): Promise<Array<Record<string, number>>> {
  const rows: Array<Record<string, number>> = [];
  const maxBinding = (await tessera.info()).limits.maxStorageBufferBindingSize;
  for (const mb of quick ? [1, 16, 64] : [1, 4, 16, 64, 256, 1024]) {
    const n = (mb * 1024 ** 2) / 4;
    if (n * 4 > maxBinding) continue;
    const side = 1024;
    const img = tessera.create([n / side, side], 'float32');
    tessera.set(img, 1.5);
    const gauss = typeof (tessera as Record<string, unknown>).gaussianBlur === 'function';
    const row: Record<string, number> = { mb, addScalar_wall_ms: await timeWall(() => tessera.addImageAndScalar(img, 5)) };
    row.addScalar_gpu_ms = (await timeGpu(() => tessera.addImageAndScalar(img, 5)))!;
    if (gauss && mb <= 256) {
      const g = (tessera as unknown as Record<string, (...a: unknown[]) => tessera.GpuImage>).gaussianBlur;
      const cube = Math.round(Math.cbrt(n));
      const vol = tessera.create([Math.floor(n / (cube * cube)), cube, cube], 'float32');
      tessera.set(vol, 1.5);
      row.gaussian3d_wall_ms = await timeWall(() => g(vol, 2, 2, 2));
      row.gaussian3d_gpu_ms = (await timeGpu(() => g(vol, 2, 2, 2)))!;
      const median = (tessera as unknown as Record<string, (...a: unknown[]) => tessera.GpuImage>).medianBox;
      if (median) row.median3d_gpu_ms = (await timeGpu(() => median(vol, 1, 1, 1)))!;
      vol.release();
    }
    rows.push(row);
    img.release();
  }
  return rows;
}

/**
 * Makes the input sets the rows use (ops.ts INPUT_SETS) and writes them to OUT/inputs/<set>/ as
 * raw little-endian pixels with a meta.json ({ name: { file, shape, dtype } }) for peers.py.
 * A set that cannot be made fails the run.
 */
async function makeInputSets(rows: BenchOp[]): Promise<Record<string, InputSet>> {
  const sets: Record<string, InputSet> = {};
  for (const name of new Set(rows.map((r) => r.inputs).filter((x): x is keyof typeof INPUT_SETS => x !== undefined))) {
    const t0 = performance.now();
    const images = await INPUT_SETS[name].make();
    const dir = join(outDir, 'inputs', name);
    mkdirSync(dir, { recursive: true });
    const meta: Record<string, { file: string; shape: number[]; dtype: string }> = {};
    for (const [key, img] of Object.entries(images)) {
      const { data, shape, dtype } = await tessera.pull(img);
      writeFileSync(join(dir, `${key}.raw`), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      meta[key] = { file: `${key}.raw`, shape, dtype };
    }
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    const labels = images.L ? ` (${(await tessera.maximumOfAllPixels(images.L)).toFixed(0)} labels in L)` : '';
    console.log(`input set ${name}: ${Object.keys(images).join(', ')} in ${(performance.now() - t0).toFixed(0)} ms${labels}`);
    sets[name] = images;
  }
  return sets;
}

async function main(): Promise<void> {
  await tessera.init();
  const info = await tessera.info();
  console.log(`device: ${info.name}`);
  // An idle GPU runs at low clocks: keep it busy for 3 s first so that the first rows are not
  // timed on a cold GPU (the peers run after Tessera, on a warm one).
  const warm = tessera.create([Math.min(64 * 1024, info.limits.maxStorageBufferBindingSize / 4096), 1024]);
  for (const t0 = performance.now(); performance.now() - t0 < 3000; ) {
    for (let k = 0; k < 20; k++) tessera.addImageAndScalar(warm, 1).release();
    await tessera.sync();
  }
  warm.release();
  const bandwidth = await copyBandwidth();
  const kernelBandwidth = await kernelCopyBandwidth();
  console.log(`copy bandwidth: copyBufferToBuffer ${(bandwidth / 1e9).toFixed(0)} GB/s, WGSL copy kernel ${(kernelBandwidth / 1e9).toFixed(0)} GB/s`);
  const transfer = { ...(await transfers()), ...(await overheads()) };
  console.log(JSON.stringify(transfer));
  console.log(`push 64 MB ${transfer.push64_ms.toFixed(2)} ms, pull 64 MB ${transfer.pull64_ms.toFixed(2)} ms`);

  const inputs: Record<string, Inputs> = {};
  for (const [tag, shape] of Object.entries(SHAPES)) {
    const n = shape.reduce((p, q) => p * q, 1);
    inputs[tag] = {
      a: tessera.push(randomFloat(n, 1), shape), b: tessera.push(randomFloat(n, 2), shape),
      m: tessera.push(mask(n, 3), shape), n: tessera.push(mask(n, 4), shape),
    };
  }
  // Label-image rows get the 3D inputs plus their label image, pushed once per grid.
  const labelInputs = new Map<string, Inputs>();
  const inputsOf = (row: BenchOp): Inputs => {
    const base = inputs[row.shape.length === 3 ? '3D' : '2D'];
    if (!row.labelGrid) return base;
    const key = `${row.shape}|${row.labelGrid}`;
    if (!labelInputs.has(key)) labelInputs.set(key, { ...base, labels: tessera.push(gridLabels(row.shape, row.labelGrid), row.shape) });
    return labelInputs.get(key)!;
  };
  const rows = catalogue().filter((r) => !ONLY || r.name.includes(ONLY));
  const sets = await makeInputSets(rows);
  const results: Array<BenchOp & { wall_ms?: number; gpu_ms?: number | null; error?: string }> = [];
  // The catalogue runs ROUNDS times; the last round is reported, earlier ones are kept as `first_round`
  // (in one run on the H100 the first rows of the first round ran 2-4x slower on the GPU than later).
  const firstRound: Record<string, { wall_ms?: number; gpu_ms?: number | null }> = {};
  for (let round = 0; round < ROUNDS; round++) {
    results.length = 0;
    for (const row of rows) {
      const x = row.inputs ? (sets[row.inputs] as unknown as Inputs) : inputsOf(row);
      const entry: (typeof results)[number] = { ...row, run: undefined };
      try {
        entry.wall_ms = await timeWall(() => row.run!(x));
        entry.gpu_ms = await timeGpu(() => row.run!(x));
        const best = Math.min(entry.wall_ms, entry.gpu_ms ?? Infinity);
        console.log(`[${round}] ${row.name.padEnd(22)} wall ${entry.wall_ms.toFixed(3)} ms  gpu ${entry.gpu_ms?.toFixed(3) ?? '-'} ms  ${(row.bytes / best / 1e6).toFixed(0)} GB/s`);
      } catch (e) {
        entry.error = (e as Error).message;
        console.log(`${row.name}: failed: ${entry.error}`);
      }
      if (round === 0) firstRound[row.name] = { wall_ms: entry.wall_ms, gpu_ms: entry.gpu_ms };
      else Object.assign(entry, { first_round: firstRound[row.name] });
      results.push(entry);
    }
  }
  const sweep = await sizeSweep();
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'tessera.json');
  writeFileSync(file, JSON.stringify({ device: info, date: new Date().toISOString(), copy_bandwidth_Bps: bandwidth, kernel_copy_bandwidth_Bps: kernelBandwidth, transfer, ops: results, sweep }, null, 1));
  console.log(`wrote ${file}`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
