/**
 * Tiled execution over Zarr (issue 12): a Gaussian σ = 2 + white top-hat of size (1, 11, 11)
 * pipeline over a uint16 Zarr far larger than the GPU budget. Reports:
 * - end to end MB/s (input pixels per second, read → GPU → write, overlapped), and the busy time
 *   of each stage inside that run;
 * - each stage alone over the same tiles (read+decode, upload, compute, download, encode+write)
 *   and end-to-end / slowest stage (goal ≥ 70 %);
 * - tiling overhead: tiled vs in-memory (read whole, push, run, pull, write) on a part that fits
 *   (goal ≤ 15 %);
 * - optionally the local multi-worker scaling (`--workers 1,2`).
 *
 * Usage:
 *   node bench/dist/tiled.js --input DIR            # an existing uint16 Zarr (bench/tiled_peer.py --make DIR)
 *   node bench/dist/tiled.js --mb 256               # generate a small one here (Tessera's own blosc)
 *   node bench/dist/tiled.js --mb 0 --shape 192,1024,1024 --chunks 64,512,512 --budget 256   # the peer's chunks, small
 *   options: --budget MB (GPU memory per tile; default 1024, --mb: 32) --scratch DIR --inmemory-z N
 *            --workers 1,2 --cheap (a pointwise pipeline: I/O-bound) --margin z,y,x --depth N --chunk-cache MB
 *            --json FILE --no-stages
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tessera from 'tessera';
import { stage } from 'tessera/dist/src/execute/stages';
import { defaultDepth, planJob } from 'tessera/dist/src/execute/tiled';
import { TileReader } from 'tessera/dist/src/execute/tile-reader';

/** The benchmark's pipeline (exported: local workers import it from this file). */
export function blurTopHat(img: tessera.GpuImage): tessera.GpuImage {
  const blurred = tessera.gaussianBlur(img, 2, 2, 2);
  const hat = tessera.topHatBox(blurred, 5, 5, 0);
  blurred.release();
  return hat;
}

/** A pipeline whose GPU work is negligible: what "I/O-bound" means for the worker scaling. */
export function scaled(img: tessera.GpuImage): tessera.GpuImage {
  return tessera.multiplyImageAndScalar(img, 0.5);
}

const arg = (name: string, fallback?: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const flag = (name: string) => process.argv.includes(name);
const MB = 1e6;
const now = () => Number(process.hrtime.bigint()) / 1e9;

async function generate(dir: string, mb: number): Promise<tessera.ZarrArray> {
  // The peer's layout scaled down: z × 4y × 2x ratios of 512 × 4096 × 2048, chunks 64 × 512 × 512 (smaller when small).
  // --shape / --chunks override (e.g. the peer's chunks on a small array: --shape 192,1024,1024 --chunks 64,512,512).
  const pixels = (mb * MB) / 2;
  const zz = Math.max(16, Math.round(Math.cbrt(pixels / 32) / 16) * 16);
  const [z, y, x] = arg('--shape')?.split(',').map(Number) ?? [zz, 8 * zz, 4 * zz];
  const chunks = arg('--chunks')?.split(',').map(Number) ?? (z >= 256 ? [64, 512, 512] : [16, 128, 128]);
  const out = await tessera.createZarr(dir, [z, y, x], 'uint16', { chunks, codec: 'blosc', level: 1, overwrite: true });
  // Smooth blobs on a ramp with noise: compresses about as microscopy does (~2×).
  const plane = new Uint16Array(chunks[0] * y * x);
  for (let z0 = 0; z0 < z; z0 += chunks[0]) {
    const depth = Math.min(chunks[0], z - z0);
    for (let i = 0; i < depth * y * x; i++) {
      const xx = i % x;
      const yy = Math.floor(i / x) % y;
      const zz = z0 + Math.floor(i / (x * y));
      plane[i] = 200 + ((xx + yy) >> 3) + 800 * Math.max(0, Math.sin(xx / 9) * Math.sin(yy / 11) * Math.cos(zz / 7)) + (Math.imul(i, 2654435761) >>> 28);
    }
    await out.write([z0, 0, 0], plane.subarray(0, depth * y * x), [depth, y, x], { partialChunks: 'refuse' });
  }
  return out;
}

async function main(): Promise<void> {
  await tessera.init();
  const info = await tessera.info();
  const scratch = arg('--scratch', join(tmpdir(), 'tessera-bench-tiled'))!;
  mkdirSync(scratch, { recursive: true });
  const small = arg('--mb') !== undefined;
  const input = arg('--input') ? await tessera.openZarr(arg('--input')!) : await generate(join(scratch, 'input.zarr'), Number(arg('--mb')));
  const budget = Number(arg('--budget', small ? '32' : '1024')) * 1024 ** 2;
  const pipeline = flag('--cheap') ? scaled : blurTopHat;
  // --margin z,y,x: the blurTopHat margin (8,18,18) with --cheap reproduces its I/O without its GPU work (lavapipe).
  const margin = arg('--margin')?.split(',').map(Number);
  // --depth N --chunk-cache MB: the executor's stage depth and kept chunks (--depth 2 --chunk-cache 0: as before 2026-12-01's fix).
  const depth = arg('--depth') ? Number(arg('--depth')) : undefined;
  const chunkCacheBytes = arg('--chunk-cache') ? Number(arg('--chunk-cache')) * 1024 ** 2 : undefined;
  const results: Record<string, unknown> = { device: info.name, input: String(input), budgetBytes: budget, pipeline: pipeline.name };
  console.log(`${info.name}\n${String(input)}\nGPU budget per tile ${(budget / 1024 ** 2).toFixed(0)} MB, pipeline ${pipeline.name}`);
  const dataMB = input.nbytes / MB;

  // 1. End to end.
  let stats: tessera.TiledStats | undefined;
  const decodedBefore = input instanceof tessera.ZarrArray ? input.readStats.chunks : 0;
  const t0 = now();
  await tessera.tiled(pipeline, input, join(scratch, 'out.zarr'), { budgetBytes: budget, margin, depth, chunkCacheBytes, overwrite: true, progress: 'terminal', report: (s) => (stats = s) });
  const e2e = dataMB / (now() - t0);
  console.log(`end to end: ${e2e.toFixed(0)} MB/s (${stats!.tiles} tiles of [${stats!.tileShape}], margin [${stats!.margin}], efficiency ${(stats!.efficiency * 100).toFixed(0)} %); ` +
    `stage busy seconds read ${stats!.stageSeconds.read.toFixed(1)}, GPU ${stats!.stageSeconds.gpu.toFixed(1)}, write ${stats!.stageSeconds.write.toFixed(1)} of ${stats!.seconds.toFixed(1)}`);
  if (input instanceof tessera.ZarrArray) {
    // Margins reach into neighbouring chunks, which decode whole: how often each chunk was decoded.
    const decodes = (input.readStats.chunks - decodedBefore) / input.chunkCount;
    console.log(`chunk decodes per input chunk: ${decodes.toFixed(2)}`);
    results.decodesPerChunk = decodes;
  }
  results.endToEnd = { mbPerSecond: e2e, ...stats };

  // 2. Each stage alone, over the same tiles.
  if (!flag('--no-stages')) {
    const job = await planJob(pipeline, input, input.chunks, { budgetBytes: budget, margin });
    const tiles = job.plan.tiles;
    const coreMB = tiles.reduce((a, t) => a + t.core.size.reduce((p, q) => p * q, 1), 0) * 2 / MB;
    const alone: Record<string, number> = {};
    // As the executor reads: each chunk decoded about once (TileReader), its default depth in flight.
    const stageDepth = depth ?? defaultDepth(input, tiles);
    const reader = new TileReader(input, tiles, tiles.map((_, n) => n), chunkCacheBytes);
    let t = now();
    for await (const _ of stage(tiles.map((_, n) => n), stageDepth, (n) => reader.read(n))) void _;
    alone['read+decode'] = coreMB / (now() - t);
    // A full interior tile stands for every tile on the GPU.
    const big = tiles.reduce((a, b) => (b.read.size.reduce((p, q) => p * q, 1) > a.read.size.reduce((p, q) => p * q, 1) ? b : a));
    const host = await input.readRegion(big.read.start, big.read.size);
    const tileMB = big.core.size.reduce((p, q) => p * q, 1) * 2 / MB;
    const reps = Math.max(3, Math.min(tiles.length, 20));
    await tessera.sync();
    t = now();
    for (let k = 0; k < reps; k++) tessera.push(host.data, big.read.size).release();
    await tessera.sync();
    alone.upload = (tileMB * reps) / (now() - t);
    const resident = tessera.push(host.data, big.read.size);
    const [x, y, z] = [big.inner.start[2], big.inner.start[1], big.inner.start[0]];
    const run = () => {
      const out = pipeline(resident);
      const core = tessera.crop(out, x, y, z, big.inner.size[2], big.inner.size[1], big.inner.size[0]);
      out.release();
      return core;
    };
    run().release();
    await tessera.sync();
    t = now();
    for (let k = 0; k < reps; k++) run().release();
    await tessera.sync();
    alone.compute = (tileMB * reps) / (now() - t);
    const core = run();
    const { data: into } = await tessera.pull(core);
    t = now();
    for (let k = 0; k < reps; k++) await tessera.pull(core, into);
    alone.download = (tileMB * reps) / (now() - t);
    const sink = await tessera.createZarr(join(scratch, 'write-alone.zarr'), input.shape, core.dtype, { chunks: input.chunks, overwrite: true });
    t = now();
    for await (const _ of stage(tiles, stageDepth, (tile) => sink.write(tile.core.start, new (into.constructor as Float32ArrayConstructor)(tile.core.size.reduce((p, q) => p * q, 1)), tile.core.size, { partialChunks: 'refuse' }))) void _;
    alone['encode+write'] = coreMB / (now() - t);
    core.release();
    resident.release();
    const slowest = Object.entries(alone).reduce((a, b) => (b[1] < a[1] ? b : a));
    results.stageDepth = stageDepth;
    console.log(`stages alone (MB/s of input pixels, ${stageDepth} tiles in flight): ${Object.entries(alone).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
    console.log(`end to end / slowest stage (${slowest[0]}): ${((e2e / slowest[1]) * 100).toFixed(0)} % (goal >= 70 %)`);
    results.stagesAlone = alone;
    results.endToEndOverSlowest = e2e / slowest[1];
    rmSync(join(scratch, 'write-alone.zarr'), { recursive: true, force: true });
  }

  // 3. Tiling overhead on a part that fits: in memory (one image) vs tiled.
  const zPart = Number(arg('--inmemory-z', String(Math.min(input.shape[0], small ? input.shape[0] : 32))));
  const part = input.slice([0, zPart]);
  const partMB = part.nbytes / MB;
  let t = now();
  {
    const whole = await part.compute();
    const img = tessera.push(whole.data, whole.shape);
    const out = pipeline(img);
    const pulled = await tessera.pull(out);
    img.release();
    out.release();
    const z = await tessera.createZarr(join(scratch, 'inmemory.zarr'), part.shape, pulled.dtype, { chunks: input.chunks, overwrite: true });
    await z.write(part.shape.map(() => 0), pulled.data, part.shape);
  }
  const inMemory = partMB / (now() - t);
  t = now();
  await tessera.tiled(pipeline, part, join(scratch, 'part-tiled.zarr'), { budgetBytes: budget, margin, overwrite: true, progress: 'none' });
  const tiledPart = partMB / (now() - t);
  console.log(`in memory ${inMemory.toFixed(0)} MB/s vs tiled ${tiledPart.toFixed(0)} MB/s on [${part.shape}] (${partMB.toFixed(0)} MB): overhead ${((inMemory / tiledPart - 1) * 100).toFixed(0)} % (goal <= 15 %)`);
  results.overhead = { shape: part.shape, inMemoryMBps: inMemory, tiledMBps: tiledPart, overhead: inMemory / tiledPart - 1 };

  // 4. Local workers.
  const workerCounts = arg('--workers');
  if (workerCounts) {
    const rows: Array<{ workers: number; mbPerSecond: number }> = [];
    for (const n of workerCounts.split(',').map(Number)) {
      t = now();
      await tessera.tiled({ module: __filename, export: pipeline.name }, input, join(scratch, `workers-${n}.zarr`), { workers: n, budgetBytes: budget, margin, overwrite: true, progress: 'none' });
      rows.push({ workers: n, mbPerSecond: dataMB / (now() - t) });
      console.log(`${n} worker(s): ${rows.at(-1)!.mbPerSecond.toFixed(0)} MB/s${rows.length > 1 ? ` (${(rows.at(-1)!.mbPerSecond / rows[0].mbPerSecond).toFixed(2)}× ${rows[0].workers})` : ''}`);
    }
    results.workers = rows;
  }
  if (arg('--json')) writeFileSync(arg('--json')!, JSON.stringify(results, null, 1));
}

if (require.main === module) {
  main().then(() => process.exit(0), (e) => {
    console.error(e);
    process.exit(1);
  });
}
