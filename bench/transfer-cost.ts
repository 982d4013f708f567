/**
 * Push and pull of a 64 MB float32 image (ms, median of REPS), next to the host-only costs that
 * bound them: a copy into reused memory, and a copy into fresh memory (which first pays the page
 * faults of the new pages: on Linux 4 KB pages unless transparent huge pages apply).
 *
 *   npm run build && node bench/dist/transfer-cost.js [--json out.json]
 *   GLIBC_TUNABLES=glibc.malloc.hugetlb=1 node bench/dist/transfer-cost.js   (glibc ≥ 2.35: malloc
 *   asks for transparent huge pages on large blocks; the Jupyter kernel is started this way)
 */
import * as fs from 'node:fs';
import * as tessera from 'tessera';

const BYTES = 64 * 1024 ** 2;
const REPS = 9;

const rows: Array<{ what: string; median_ms: number; min_ms: number; gbps: number }> = [];

async function time(what: string, fn: () => unknown): Promise<void> {
  const samples: number[] = [];
  for (let k = 0; k < REPS; k++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const median = samples[samples.length >> 1];
  rows.push({ what, median_ms: median, min_ms: samples[0], gbps: BYTES / median / 1e6 });
  console.log(`${what.padEnd(52)} ${median.toFixed(1).padStart(7)} ms ${samples[0].toFixed(1).padStart(7)} ms ${(BYTES / median / 1e6).toFixed(1).padStart(6)} GB/s`);
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
  console.log(`${'64 MB float32'.padEnd(52)} ${'median'.padStart(10)} ${'min'.padStart(10)} ${'rate'.padStart(11)}`);
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
