/**
 * Zarr I/O throughput: encode+write and read+decode of a blosc-zstd uint16 dataset (the layout of
 * issue 12's peer: chunks 64×512×512, blosc zstd level 1), for several numbers of codec worker
 * threads. MB/s are of uncompressed pixels (1 MB = 1e6 bytes). Reads follow the writes, so the
 * files come from the page cache, as in a pipeline reading data it just wrote or read before.
 *
 *   npm run build && node bench/dist/io.js [--mb 512] [--dir /tmp/tessera-io-bench] [--threads 0,1,2,4,8,15] [--codec blosc]
 *   node bench/dist/io.js --read /path/to/existing.zarr     # read+decode an existing array (e.g. zarr-python's)
 */
import { execSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tessera from 'tessera';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Microscopy-like uint16 pixels: a smooth background, structure and Poisson-ish noise (compresses ~2×). */
function pixelsOf(shape: number[], z0: number): Uint16Array {
  const [nz, ny, nx] = shape;
  const out = new Uint16Array(nz * ny * nx);
  let seed = 12345 + z0;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 41);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) out[i++] = 200 + Math.round(100 * Math.sin(x / 37) * Math.cos(y / 23)) + z0 + z + noise();
    }
  }
  return out;
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1e3);

/** Reads the whole array slab by slab (one chunk row along z at a time), as a tiled executor would. */
async function readAll(path: string): Promise<{ ms: number; bytes: number }> {
  const z = await tessera.openZarr(path, { cacheBytes: 0 });
  const slab = z.chunks[0];
  const into = new Uint16Array(Math.min(slab, z.shape[0]) * z.shape.slice(1).reduce((a, b) => a * b, 1));
  const t0 = performance.now();
  for (let s = 0; s < z.shape[0]; s += slab) {
    const n = Math.min(slab, z.shape[0] - s);
    const size = [n, ...z.shape.slice(1)];
    await z.readRegion([s, ...z.shape.slice(1).map(() => 0)], size, { into: into.subarray(0, size.reduce((a, b) => a * b, 1)) as Uint16Array });
  }
  return { ms: performance.now() - t0, bytes: z.nbytes };
}

async function main(): Promise<void> {
  const existing = option('read', '');
  const cores = availableParallelism();
  const sweep = option('threads', [0, 1, 2, 4, 8, 15].filter((t) => t < cores || t === 1).join(',')).split(',').map(Number);
  console.log(`# Zarr I/O on ${cores} cores (Node ${process.version})`);
  if (existing) {
    console.log(`| threads | read+decode MB/s |\n|---|---|`);
    for (const threads of sweep) {
      tessera.setIoThreads(threads, { minChunkBytes: 0 });
      await readAll(existing); // warm the page cache and the workers
      const { ms, bytes } = await readAll(existing);
      console.log(`| ${threads} | ${mbps(bytes, ms).toFixed(0)} |`);
    }
    tessera.setIoThreads(0);
    return;
  }
  const mb = Number(option('mb', '512'));
  const dir = option('dir', '/tmp/tessera-io-bench');
  const codec = option('codec', 'blosc') as tessera.ZarrCodecName;
  const [cy, cx] = [1024, 2048];
  const nz = Math.max(64, Math.round((mb * 1e6) / (2 * cy * cx) / 64) * 64);
  const shape = [nz, cy, cx];
  const chunks = [64, 512, 512];
  console.log(`dataset: uint16 (${shape.join(', ')}) = ${((nz * cy * cx * 2) / 1e6).toFixed(0)} MB, chunks (${chunks.join(', ')}), ${codec}${codec === 'blosc' ? ' (zstd, level 1, shuffle)' : ''}\n`);
  console.log('| threads | encode+write MB/s | read+decode MB/s | compression ratio |\n|---|---|---|---|');
  const slabs = Array.from({ length: nz / 64 }, (_, s) => pixelsOf([64, cy, cx], s * 64));
  for (const threads of sweep) {
    tessera.setIoThreads(threads, { minChunkBytes: 0 });
    const path = join(dir, `bench-${threads}.zarr`);
    const z = await tessera.createZarr(path, shape, 'uint16', { chunks, codec, overwrite: true });
    const t0 = performance.now();
    for (const [s, slab] of slabs.entries()) await z.write([s * 64, 0, 0], slab, [64, cy, cx], { partialChunks: 'refuse' });
    const writeMs = performance.now() - t0;
    await readAll(path); // workers warm, files in the page cache
    const { ms, bytes } = await readAll(path);
    const stored = Number(execSync(`du -sb ${path}`).toString().split('\t')[0]);
    console.log(`| ${threads} | ${mbps(bytes, writeMs).toFixed(0)} | ${mbps(bytes, ms).toFixed(0)} | ${(bytes / stored).toFixed(2)} |`);
    rmSync(path, { recursive: true, force: true });
  }
  tessera.setIoThreads(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
