/**
 * Tessera's side of the benchmark. bench/driver.py starts it and interleaves it with the peers
 * (CuPy, pyclesperanto) row by row; see bench/README.md. Three modes:
 *
 * - `--serve`: a worker. Reads one JSON command per line on stdin and answers each with one
 *   stdout line `@@bench {...}` (other output, such as Dawn's warnings, passes through).
 * - `--first-call ROW --inputs DIR`: a fresh process that times ROW's first call (shader
 *   compilation included) and its second call, then exits (an input set is read from DIR's files).
 * - `--catalogue`: prints the catalogue (bench/ops.ts without the functions) and exits.
 * - `--probe`: opens the GPU and prints its name (bench/prepare-device.sh checks the carry kit with it).
 *
 * Inputs are raw files, so that Tessera and the peers time the same pixels: the random a, b, m, n
 * that the driver writes (`<shape>-<name>.<dtype>`), and the input sets of ops.ts INPUT_SETS, which
 * this worker makes (`make-set`) and writes as `sets/<set>/<name>.raw` with a `meta.json`
 * ({ name: { file, shape, dtype } }) for the peers. Times:
 * - wall: one call followed by a GPU sync, as a notebook user experiences one call (the
 *   peers' method, shared/tools/peer_table.py); every sample is returned, the driver takes medians;
 * - gpu: the GPU time of the call's passes from timestamp queries (kernel time alone).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as tessera from 'tessera';
import { STORAGE_USAGE } from 'tessera/dist/src/gpu/buffer-pool';
import { flush, recordCopy } from 'tessera/dist/src/gpu/commands';
import { gpuDevice } from 'tessera/dist/src/gpu/device';
import { runPixelProgram } from 'tessera/dist/src/codegen/program';
import { BenchOp, INPUT_SETS, InputSetName, Inputs, RowResult, catalogue, settle } from './ops';

type Answer = Record<string, unknown>;

const MARK = '@@bench ';
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

function answer(message: Answer): void {
  process.stdout.write(MARK + JSON.stringify(message) + '\n');
}


async function wallSamples(fn: () => RowResult, reps: number, warmup: number): Promise<number[]> {
  for (let k = 0; k < warmup; k++) await settle(fn());
  const times: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    await settle(fn());
    times.push(performance.now() - t0);
  }
  return times;
}

/**
 * GPU time per call from timestamp queries: every pass of `reps` synced calls, summed, / reps;
 * and the same per pass label (ms per call), which says where a row's GPU time goes.
 */
async function gpuTimes(fn: () => RowResult, reps: number): Promise<{ ms: number; byPass: Record<string, number> } | null> {
  await settle(fn());
  if (!tessera.startProfiling()) return null;
  for (let k = 0; k < reps; k++) await settle(fn());
  const byPass: Record<string, number> = {};
  let ms = 0;
  for (const p of await tessera.stopProfiling()) {
    byPass[p.label] = (byPass[p.label] ?? 0) + p.ms / reps;
    ms += p.ms / reps;
  }
  return { ms, byPass };
}

async function gpuTime(fn: () => RowResult, reps: number): Promise<number | null> {
  return (await gpuTimes(fn, reps))?.ms ?? null;
}

// ---------------------------------------------------------------------------------------------
// Inputs: the driver's raw files, one image set (a, b float32; m, n uint8 masks) per shape.

const shapeKey = (shape: readonly number[]) => shape.join('x');
const inputFile = (dir: string, shape: readonly number[], name: string, dtype: string) => join(dir, `${shapeKey(shape)}-${name}.${dtype}`);

const ARRAYS = { float32: Float32Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, int32: Int32Array } as const;
type RawDtype = keyof typeof ARRAYS;

function readInput(path: string, dtype: RawDtype, pixels: number): InstanceType<(typeof ARRAYS)[RawDtype]> {
  const Typed = ARRAYS[dtype];
  if (!Typed) throw new Error(`${path}: no reader for dtype ${dtype}`);
  const bytes = readFileSync(path);
  const size = Typed.BYTES_PER_ELEMENT;
  if (bytes.byteLength !== pixels * size) throw new Error(`${path}: ${bytes.byteLength} bytes, expected ${pixels * size}`);
  // A view needs an aligned offset; small files may sit inside Node's shared pool.
  const aligned = bytes.byteOffset % size === 0 ? bytes : Buffer.from(bytes);
  return new Typed(aligned.buffer, aligned.byteOffset, pixels);
}

const inputs = new Map<string, Inputs>();

async function loadInputs(dir: string, shape: number[]): Promise<Inputs> {
  const n = shape.reduce((p, q) => p * q, 1);
  const previous = inputs.get(shapeKey(shape));
  if (previous) for (const img of Object.values(previous)) img.release();
  const x: Inputs = {
    a: tessera.push(readInput(inputFile(dir, shape, 'a', 'float32'), 'float32', n), shape),
    b: tessera.push(readInput(inputFile(dir, shape, 'b', 'float32'), 'float32', n), shape),
    m: tessera.push(readInput(inputFile(dir, shape, 'm', 'uint8'), 'uint8', n), shape),
    n: tessera.push(readInput(inputFile(dir, shape, 'n', 'uint8'), 'uint8', n), shape),
  };
  await tessera.sync();
  inputs.set(shapeKey(shape), x);
  return x;
}

// Input sets (ops.ts INPUT_SETS): made here once, written for the peers, read back by fresh processes.

const sets = new Map<string, Inputs>();
const setDir = (dir: string, name: string) => join(dir, 'sets', name);
type SetMeta = Record<string, { file: string; shape: number[]; dtype: RawDtype }>;

function keepSet(name: string, images: Inputs): void {
  for (const img of Object.values(sets.get(name) ?? {})) img.release();
  sets.set(name, images);
}

/** Makes input set `name` and writes it to DIR/sets/<name>/ (raw little-endian pixels + meta.json). */
async function makeSet(dir: string, name: string): Promise<Answer> {
  const spec = INPUT_SETS[name as InputSetName];
  if (!spec) throw new Error(`no input set named ${name} (ops.ts INPUT_SETS: ${Object.keys(INPUT_SETS).join(', ')})`);
  const t0 = performance.now();
  const images = await spec.make();
  mkdirSync(setDir(dir, name), { recursive: true });
  const meta: SetMeta = {};
  const labelCounts: Record<string, number> = {};
  for (const [key, img] of Object.entries(images)) {
    const { data, shape, dtype } = await tessera.pull(img);
    writeFileSync(join(setDir(dir, name), `${key}.raw`), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    meta[key] = { file: `${key}.raw`, shape, dtype: dtype as RawDtype };
    if (dtype === 'uint32') labelCounts[key] = await tessera.maximumOfAllPixels(img);
  }
  writeFileSync(join(setDir(dir, name), 'meta.json'), JSON.stringify(meta));
  keepSet(name, images);
  return { meta, make_ms: performance.now() - t0, label_counts: labelCounts };
}

/** Reads input set `name` as makeSet wrote it (a replaced worker, a first-call process). */
async function loadSet(dir: string, name: string): Promise<Inputs> {
  const meta = JSON.parse(readFileSync(join(setDir(dir, name), 'meta.json'), 'utf8')) as SetMeta;
  const images: Inputs = {};
  for (const [key, { file, shape, dtype }] of Object.entries(meta)) {
    images[key] = tessera.push(readInput(join(setDir(dir, name), file), dtype, shape.reduce((p, q) => p * q, 1)), shape);
  }
  await tessera.sync();
  keepSet(name, images);
  return images;
}

function rowNamed(name: string): BenchOp {
  const row = catalogue().find((r) => r.name === name);
  if (!row?.run) throw new Error(`no catalogue row named ${name}`);
  return row;
}

function inputsFor(row: BenchOp): Inputs {
  const x = row.inputs ? sets.get(row.inputs) : inputs.get(shapeKey(row.shape));
  if (!x) throw new Error(row.inputs ? `${row.name}: input set ${row.inputs} was not made` : `${row.name}: inputs of shape [${row.shape}] were not loaded`);
  return x;
}

/** The catalogue as data: everything but the functions. */
function describeCatalogue(): Answer[] {
  return catalogue().map(({ run, ...rest }) => ({ ...rest, tessera: run !== undefined }));
}

// ---------------------------------------------------------------------------------------------
// Ceilings, transfers and host costs.

/**
 * Float32 pixels for a ceiling measurement: `pixels` (256 MB: several times the GPU's L2) within one
 * binding, or 1/16 of it on a software device, where the dry run would otherwise take minutes.
 */
async function big(pixels: number): Promise<number> {
  const info = await tessera.info();
  return Math.min(info.isSoftware ? pixels / 16 : pixels, info.limits.maxStorageBufferBindingSize / 4);
}

/** Keeps the GPU busy for `ms` so that its clocks are up before anything is timed. */
async function warm(ms: number): Promise<void> {
  const img = tessera.create([(await big(64 * 1024 ** 2)) / 1024, 1024]);
  for (const t0 = performance.now(); performance.now() - t0 < ms; ) {
    for (let k = 0; k < 20; k++) tessera.addImageAndScalar(img, 1).release();
    await tessera.sync();
  }
  img.release();
}

/** Bandwidth of the simplest WGSL copy kernel (a pixel program returning its input), read + write. */
async function kernelCopyBandwidth(): Promise<number> {
  const n = await big(64 * 1024 ** 2);
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

/** Device-to-device copy bandwidth of copyBufferToBuffer (bytes read + written per second). */
async function copyBandwidth(): Promise<number> {
  const bytes = 4 * (await big(64 * 1024 ** 2));
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

/**
 * 64 MB (the 256³ input `a`) to and from the GPU, each sample a call plus sync. Tessera has no
 * call that writes host pixels into an existing image, so "push into an existing image" is null.
 */
async function transfers(dir: string, reps: number): Promise<Answer> {
  const shape = [256, 256, 256];
  const data = readInput(inputFile(dir, shape, 'a', 'float32'), 'float32', 256 ** 3);
  const samples: Record<string, number[]> = { push_new: [], push_new_unchecked: [], pull_fresh: [], pull_reused: [] };
  const host = new Float32Array(data.length);
  const time = async (key: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    samples[key].push(performance.now() - t0);
  };
  for (let k = 0; k < reps + 1; k++) {
    let img: tessera.GpuImage | undefined;
    let img2: tessera.GpuImage | undefined;
    await time('push_new', async () => { img = tessera.push(data, shape); await tessera.sync(); });
    await time('push_new_unchecked', async () => { img2 = tessera.push(data, shape, { allowNonFinite: true }); await tessera.sync(); });
    await time('pull_fresh', () => tessera.pull(img!));
    await time('pull_reused', () => tessera.pull(img!, host));
    img!.release();
    img2!.release();
  }
  // The first round pays for the staging buffers; it is dropped.
  return { bytes: data.byteLength, samples: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.slice(1)])), push_existing: null,
    push_existing_note: 'no Tessera API writes host pixels into an existing image' };
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
  const timed = async (count: number, fn: () => Promise<unknown>) => {
    const xs: number[] = [];
    for (let k = 0; k < count; k++) {
      t0 = performance.now();
      await fn();
      xs.push(performance.now() - t0);
    }
    return median(xs) * 1e3;
  };
  const empty_sync_us = await timed(200, () => tessera.sync());
  const tiny_op_and_sync_us = await timed(200, async () => { tessera.addImageAndScalar(tiny, 1).release(); await tessera.sync(); });
  const tiny_pull_us = await timed(100, () => tessera.pull(tiny));
  tiny.release();
  return { record_us, empty_sync_us, tiny_op_and_sync_us, tiny_pull_us };
}

/** AddScalar, GaussianBlur 3D and MedianBox 3D from 1 MB to 1 GB (or the binding limit): where size starts to pay. */
async function sizeSweep(quick: boolean, reps: number, warmup: number): Promise<Array<Record<string, number>>> {
  const rows: Array<Record<string, number>> = [];
  const maxBinding = (await tessera.info()).limits.maxStorageBufferBindingSize;
  for (const mb of quick ? [1, 4] : [1, 4, 16, 64, 256, 1024]) {
    const n = (mb * 1024 ** 2) / 4;
    if (n * 4 > maxBinding) continue;
    const img = tessera.set(tessera.create([n / 1024, 1024]), 1.5);
    const add = () => tessera.addImageAndScalar(img, 5);
    const row: Record<string, number> = { mb, addScalar_wall_ms: median(await wallSamples(add, reps, warmup)), addScalar_gpu_ms: (await gpuTime(add, reps))! };
    if (mb <= 256) {
      const cube = Math.round(Math.cbrt(n));
      const vol = tessera.set(tessera.create([Math.floor(n / (cube * cube)), cube, cube]), 1.5);
      const gauss = () => tessera.gaussianBlur(vol, 2, 2, 2);
      row.gaussian3d_wall_ms = median(await wallSamples(gauss, reps, warmup));
      row.gaussian3d_gpu_ms = (await gpuTime(gauss, reps))!;
      row.median3d_gpu_ms = (await gpuTime(() => tessera.medianBox(vol, 1, 1, 1), reps))!;
      vol.release();
    }
    rows.push(row);
    img.release();
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Modes.

type Command = { cmd: string } & Record<string, unknown>;

async function handle(c: Command): Promise<Answer> {
  switch (c.cmd) {
    case 'hello':
      return { device: await tessera.info(), catalogue: describeCatalogue() };
    case 'load':
      await loadInputs(c.dir as string, c.shape as number[]);
      return {};
    case 'make-set':
      return makeSet(c.dir as string, c.set as string);
    case 'load-set':
      await loadSet(c.dir as string, c.set as string);
      return {};
    case 'warm':
      await warm(c.ms as number);
      return {};
    case 'bandwidth':
      return { copy_bandwidth_Bps: await copyBandwidth(), kernel_copy_bandwidth_Bps: await kernelCopyBandwidth() };
    case 'time': {
      const row = rowNamed(c.row as string);
      const x = inputsFor(row);
      const fn = () => row.run!(x);
      const samples = await wallSamples(fn, c.reps as number, c.warmup as number);
      const gpu = c.gpu ? await gpuTimes(fn, c.reps as number) : null;
      return { samples, gpu_ms: gpu?.ms ?? null, gpu_passes_ms: gpu?.byPass ?? null };
    }
    case 'transfers':
      return transfers(c.dir as string, c.reps as number);
    case 'overheads':
      return overheads();
    case 'sweep':
      return { sweep: await sizeSweep(Boolean(c.quick), c.reps as number, c.warmup as number) };
    default:
      throw new Error(`unknown command ${c.cmd}`);
  }
}

async function serve(): Promise<void> {
  await tessera.init();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as Command;
    if (c.cmd === 'quit') break;
    try {
      answer({ ok: true, ...(await handle(c)) });
    } catch (e) {
      answer({ ok: false, error: (e as Error).message ?? String(e) });
    }
  }
}

/** A fresh process: init, inputs pushed and synced, then the row's first call and its second. */
async function firstCall(name: string, dir: string): Promise<void> {
  let t0 = performance.now();
  await tessera.init();
  const init_ms = performance.now() - t0;
  const row = rowNamed(name);
  const x = row.inputs ? await loadSet(dir, row.inputs) : await loadInputs(dir, row.shape);
  t0 = performance.now();
  await settle(row.run!(x));
  const first_ms = performance.now() - t0;
  t0 = performance.now();
  await settle(row.run!(x));
  answer({ ok: true, init_ms, first_ms, second_ms: performance.now() - t0, device: (await tessera.info()).name });
}

function arg(name: string): string {
  const k = process.argv.indexOf(name);
  if (k < 0 || k + 1 >= process.argv.length) throw new Error(`missing ${name} VALUE`);
  return process.argv[k + 1];
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve')) await serve();
  else if (process.argv.includes('--first-call')) await firstCall(arg('--first-call'), arg('--inputs'));
  else if (process.argv.includes('--catalogue')) console.log(JSON.stringify(describeCatalogue(), null, 1));
  else if (process.argv.includes('--probe')) {
    await tessera.init();
    answer({ ok: true, device: (await tessera.info()).name, rows: catalogue().length });
  } else throw new Error('usage: run.js --serve | --first-call ROW --inputs DIR | --catalogue | --probe (the bench runs through bench/driver.py)');
}

main().then(
  () => process.exit(0),
  (e) => {
    answer({ ok: false, error: (e as Error).message ?? String(e) });
    console.error(e);
    process.exit(1);
  },
);
