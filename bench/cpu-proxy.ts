/**
 * Proxies for the GPU machine, run where there is none: the process CPU time per call of a few
 * operations on the local adapter (lavapipe runs the shaders on the CPU, so CPU time is the work
 * done, and it stays meaningful on a shared machine where wall time does not), and the host-only
 * costs of the label-statistics table and of assembling tiles from Zarr chunks. A change that
 * halves a row here usually does less work on a GPU too, but only the H200 run says by how much:
 * compare a commit with its parent by running this at both.
 *
 *   npm run build && node bench/dist/cpu-proxy.js [--reps 15]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tessera from 'tessera';
import { statisticsTable, type FirstSums, type SecondSums } from 'tessera/dist/src/ops/measure/derive';
import { TileReader } from 'tessera/dist/src/execute/tile-reader';
import { planTiles } from 'tessera/dist/src/plan/tiles';

const REPS = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 15;

/** Median process CPU milliseconds per call of `fn` (after three warm-up calls). */
async function cpuMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let k = 0; k < 3; k++) await fn();
  const samples: number[] = [];
  for (let k = 0; k < REPS; k++) {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    samples.push((c.user + c.system) / 1e3);
  }
  return samples.sort((a, b) => a - b)[samples.length >> 1];
}

/** Median wall milliseconds per call of a host-only `fn` (no GPU work, no other threads). */
function wallMs(fn: () => unknown): number {
  const samples: number[] = [];
  for (let k = 0; k < REPS; k++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b)[samples.length >> 1];
}

const row = (what: string, ms: number) => console.log(`${what.padEnd(64)} ${ms.toFixed(2).padStart(9)} ms`);

/** Main-thread busy time of reading every tile (margins 8/18/18) of a blosc Zarr through the tile reader. */
async function tileAssembly(dir: string): Promise<number> {
  const shape = [128, 1024, 1024];
  const z = await tessera.createZarr(join(dir, 'tiles.zarr'), shape, 'uint16', { chunks: [64, 512, 512], codec: 'blosc' });
  const px = new Uint16Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < px.length; i++) px[i] = 200 + ((i % 1024) >> 3) + ((i * 2654435761) >>> 27);
  await z.write([0, 0, 0], px, shape, { partialChunks: 'refuse' });
  const input = await tessera.openZarr(join(dir, 'tiles.zarr'), { cacheBytes: 0 });
  const { tiles } = planTiles({ shape, margin: [8, 18, 18], grid: input.grid, budgetBytes: 1e10, bytesPerPixel: 4, tileShape: [64, 512, 512] });
  // The main thread's busy time (the event loop's active time: not waiting for file reads or the
  // workers), which is what caps a many-core host.
  const { performance: perf } = await import('node:perf_hooks');
  const read = async () => {
    const reader = new TileReader(input, tiles, tiles.map((_, n) => n));
    const before = perf.eventLoopUtilization();
    await Promise.all(tiles.map((_, n) => reader.read(n)));
    const used = perf.eventLoopUtilization(before);
    return used.active;
  };
  await read();
  const samples = [await read(), await read(), await read()].sort((a, b) => a - b);
  return samples[1];
}

async function main(): Promise<void> {
  await tessera.init();
  console.log(`${(await tessera.info()).name}; median of ${REPS} calls, process CPU time (all threads)`);
  const a = tessera.push(Float32Array.from({ length: 64 * 256 * 256 }, (_, i) => Math.sin(i * 1e-3)), [64, 256, 256]);
  const cube = tessera.push(new Float32Array(128 ** 3).fill(1), [128, 128, 128]);
  const once = async (f: () => tessera.GpuImage) => {
    const r = f();
    await tessera.sync();
    r.release();
  };
  row('crop 96^3 of 128^3 float32 (coordinates per pixel)', await cpuMs(() => once(() => tessera.crop(cube, 16, 16, 16, 96, 96, 96))));
  row('addImageAndScalar 128^3 float32 (no coordinates: the control)', await cpuMs(() => once(() => tessera.addImageAndScalar(cube, 1))));
  row('rotate about z by 45, linear, 64x256x256 (planes kept: 4 taps)', await cpuMs(() => once(() => tessera.rotate(a, 0, 0, 45, true, true))));
  row('rotate about x by 45, linear, 64x256x256 (8 taps: the control)', await cpuMs(() => once(() => tessera.rotate(a, 45, 0, 0, true, true))));
  row('flip x, 128^3 float32', await cpuMs(() => once(() => tessera.flip(cube, true, false, false))));
  const mask = tessera.push(Uint8Array.from({ length: 128 ** 3 }, (_, i) => ((i * 2654435761) >>> 30 ? 1 : 0)), [128, 128, 128]);
  row('erodeBox 128^3 uint8', await cpuMs(() => once(() => tessera.erodeBox(mask))));

  // Recording alone (the host side of a 2D row on a GPU, where the GPU work takes 10-30 µs): µs
  // of wall per call over 256 calls on tiny images, submitted every 64 calls, then synced.
  const tiny = tessera.push(Float32Array.from({ length: 32 * 32 }, (_, i) => Math.sin(i)), [32, 32]);
  const tinyMask = tessera.push(Uint8Array.from({ length: 32 * 32 }, (_, i) => (i % 3 ? 1 : 0)), [32, 32]);
  const recordUs = async (f: () => tessera.GpuImage) => {
    const samples: number[] = [];
    for (let k = 0; k < REPS + 3; k++) {
      const t0 = performance.now();
      for (let j = 0; j < 256; j++) {
        f().release();
        if (j % 64 === 63) tessera.flush();
      }
      samples.push(((performance.now() - t0) / 256) * 1e3);
      await tessera.sync();
    }
    return samples.slice(3).sort((p, q) => p - q)[REPS >> 1];
  };
  const recordRow = async (what: string, f: () => tessera.GpuImage) => console.log(`${`record: ${what}`.padEnd(64)} ${(await recordUs(f)).toFixed(1).padStart(9)} µs`);
  await recordRow('addImageAndScalar 32x32 (the control)', () => tessera.addImageAndScalar(tiny, 1));
  await recordRow('rotate 32x32 by 45, linear', () => tessera.rotate(tiny, 0, 0, 45, true, true));
  await recordRow('medianBox 32x32, 3x3', () => tessera.medianBox(tiny, 1, 1, 0));
  await recordRow('meanBox 32x32, 3x3', () => tessera.meanBox(tiny, 1, 1, 0));
  await recordRow('gaussianBlur 32x32, sigma 2', () => tessera.gaussianBlur(tiny, 2, 2, 0));
  await recordRow('erodeBox 32x32 uint8', () => tessera.erodeBox(tinyMask));

  // The host part of statisticsOfLabelledPixels: the table from the decoded sums (1,615 labels).
  const rows = 1616;
  const col = (salt: number) => Float64Array.from({ length: rows }, (_, r) => 1 + ((r * 7 + salt) % 13));
  const names1 = ['count', 'sumX', 'sumY', 'sumZ', 'minX', 'minY', 'minZ', 'maxX', 'maxY', 'maxZ', 'sumV', 'minV', 'maxV', 'sumVX', 'sumVY', 'sumVZ'];
  const names2 = ['refX', 'refY', 'refZ', 'refV', 'sumDV', 'sumDV2', 'sumDistC', 'maxDistC', 'sumDistM', 'maxDistM', 'sumDX', 'sumDY', 'sumDZ', 'sumDXX', 'sumDYY', 'sumDZZ', 'sumDXY', 'sumDXZ', 'sumDYZ'];
  const s1 = Object.fromEntries(names1.map((n, k) => [n, col(k)])) as unknown as FirstSums;
  const s2 = Object.fromEntries(names2.map((n, k) => [n, col(k + 20)])) as unknown as SecondSums;
  for (let k = 0; k < 200; k++) for (const nd of [2, 3]) statisticsTable(s1, s2, 1, rows - 1, nd); // optimised, as in a long session
  row('label table from sums, 1,615 labels, 2D (host, wall)', wallMs(() => statisticsTable(s1, s2, 1, rows - 1, 2)));
  row('label table from sums, 1,615 labels, 3D (host, wall)', wallMs(() => statisticsTable(s1, s2, 1, rows - 1, 3)));

  const dir = mkdtempSync(join(tmpdir(), 'tessera-cpu-proxy-'));
  try {
    tessera.setIoThreads(1, { minChunkBytes: 0 });
    row('tile assembly: main thread busy, 8 tiles of 64x512x512 + margins', await tileAssembly(dir));
  } finally {
    tessera.setIoThreads(0);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
