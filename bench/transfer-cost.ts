/**
 * Pulls of a 2 MB uint8 image, then push and pull of a 64 MB float32 image (ms, median of REPS; rows
 * name their size where it is not 64 MB), next to the host-only costs that
 * bound them: a copy into reused memory, and a copy into fresh memory (which first pays the page
 * faults of the new pages: on Linux 4 KB pages unless transparent huge pages apply).
 *
 *   npm run build && node bench/dist/transfer-cost.js [--json out.json]
 *   GLIBC_TUNABLES=... node bench/dist/transfer-cost.js   (glibc ≥ 2.35; the Jupyter kernel's
 *   MALLOC_TUNABLES in kernel-lib/src/jupyter/cli.ts: huge pages on large blocks, heap reuse under 32 MB)
 */
import * as fs from 'node:fs';
import * as tessera from 'tessera';

const BYTES = 64 * 1024 ** 2;
const REPS = 9;

const rows: Array<{ what: string; median_ms: number; min_ms: number; gbps: number }> = [];

async function time(what: string, fn: () => unknown, bytes = BYTES, reps = REPS): Promise<void> {
  const samples: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const median = samples[samples.length >> 1];
  rows.push({ what, median_ms: median, min_ms: samples[0], gbps: bytes / median / 1e6 });
  const ms = (t: number) => t.toFixed(bytes < BYTES ? 3 : 1).padStart(7);
  console.log(`${what.padEnd(52)} ${ms(median)} ms ${ms(samples[0])} ms ${(bytes / median / 1e6).toFixed(1).padStart(6)} GB/s`);
}

function setting(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8').trim();
  } catch {
    return 'n/a';
  }
}

async function main(): Promise<void> {
  await tessera.init();
  const thp = setting('/sys/kernel/mm/transparent_hugepage/enabled');
  console.log(`${(await tessera.info()).name}; transparent huge pages: ${thp}; GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? ''}`);
  console.log(`${'64 MB float32 unless named'.padEnd(52)} ${'median'.padStart(10)} ${'min'.padStart(10)} ${'rate'.padStart(11)}`);
  // The README's 2D workflow returns a 2 MB uint8 mask: below glibc's mmap threshold, so whether
  // a fresh array pays page faults depends on malloc's thresholds (see jupyter/cli.ts): measured
  // first, as in a fresh kernel, before the large blocks below change what malloc does.
  const small = tessera.push(new Uint8Array(2048 * 1024).fill(1), [2048, 1024]);
  const smallInto = new Uint8Array(small.size);
  await tessera.sync();
  await time('2 MB uint8: pull into a fresh array', () => tessera.pull(small), small.size, 41);
  await time('2 MB uint8: pull into a reused array', () => tessera.pull(small, smallInto), small.size, 41);
  small.release();

  const host = new Float32Array(BYTES / 4);
  for (let i = 0; i < host.length; i++) host[i] = i % 1000;
  const reused = new Float32Array(host.length);
  await time('host: copy into reused memory', () => reused.set(host));
  await time('host: copy into fresh memory', () => new Float32Array(host.length).set(host));

  const image = tessera.push(host, [64, 512, 512]);
  await tessera.sync();
  await time('push (with the sync that waits for it)', async () => {
    tessera.push(host, [64, 512, 512], { allowNonFinite: true }).release();
    await tessera.sync();
  });
  await time('pull into a fresh array', () => tessera.pull(image));
  await time('pull into a reused array', () => tessera.pull(image, reused));
  const back = await tessera.pull(image);
  if ((back.data as Float32Array).some((v, i) => v !== host[i])) throw new Error('pull returned other pixels than were pushed');
  image.release();
  const json = process.argv.indexOf('--json');
  if (json > 0) fs.writeFileSync(process.argv[json + 1], `${JSON.stringify({ adapter: (await tessera.info()).name, thp, glibcTunables: process.env.GLIBC_TUNABLES ?? '', rows }, null, 1)}\n`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
