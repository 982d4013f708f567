/**
 * Where the wall time of a catalogue row goes on the host (issue 13: rows whose wall time is far
 * above their GPU time). For each row: the spread of its wall times, the split between recording
 * (until the call returns) and waiting (until its result is settled), and a CPU profile of the
 * timed loop (node:inspector) summarised by function, in µs per call. "(idle)" in the profile is
 * the main thread asleep in the event loop; time in Dawn's event polling shows as the native
 * callback it runs through setImmediate.
 *
 *   npm run build && node bench/dist/host-profile.js [--rows REGEX] [--reps 300] [--top 12] [--json out.json] [--record-only] [--dawn]
 *
 * Native code (Dawn's bindings) shows in the profile as "(anonymous)" without a file. `--dawn`
 * times each WebGPU method the row calls (count and host µs per call of the row; for async
 * methods the synchronous part), to say which of them that time is.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { PerformanceObserver } from 'node:perf_hooks';
import * as tessera from 'tessera';
import { gpuDevice } from 'tessera/dist/src/gpu/device';
import { BenchOp, INPUT_SETS, Inputs, RowResult, catalogue, settle } from './ops';

const arg = (name: string, fallback: string) => {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : fallback;
};
const ROWS = new RegExp(arg('rows', '^(SumOfAllPixels2D|SumOfAllPixels3D|Rotate2D|Erode3D|MaximumZProjection|AddScalar2D|StatisticsOfLabels)$'));
const REPS = Number(arg('reps', '300'));
const TOP = Number(arg('top', '12'));
const JSON_OUT = arg('json', '');
/** Profile recording alone: calls without waiting for each (a sync every 16 calls, untimed). Valid on any adapter, lavapipe included. */
const RECORD_ONLY = process.argv.includes('--record-only');
const DAWN = process.argv.includes('--dawn');

/** Host time and count per WebGPU method, while `dawnCalls.on`. */
const dawnCalls = { on: false, stats: new Map<string, { count: number; us: number }>() };

/** Wraps the methods of Dawn's WebGPU classes (their prototypes, taken from live objects) with timers. */
function timeDawnMethods(): void {
  const device = gpuDevice();
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.end();
  const buffer = device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_DST });
  const objects: Record<string, object> = { GPUDevice: device, GPUQueue: device.queue, GPUCommandEncoder: encoder, GPUComputePassEncoder: pass, GPUBuffer: buffer };
  for (const [cls, obj] of Object.entries(objects)) {
    const proto = Object.getPrototypeOf(obj) as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (name === 'constructor' || !d || typeof d.value !== 'function') continue;
      const original = d.value as (...a: unknown[]) => unknown;
      const key = `${cls}.${name}`;
      proto[name] = function (this: unknown, ...args: unknown[]) {
        if (!dawnCalls.on) return original.apply(this, args);
        const t0 = performance.now();
        const result = original.apply(this, args);
        const s = dawnCalls.stats.get(key) ?? { count: 0, us: 0 };
        s.count++;
        s.us += (performance.now() - t0) * 1e3;
        dawnCalls.stats.set(key, s);
        return result;
      };
    }
  }
  encoder.finish();
  buffer.destroy();
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** Random a, b (float32 in [0, 1)) and m, n (uint8, ~70 % ones), as bench/driver.py writes them. */
function randomInputs(shape: number[]): Inputs {
  const size = shape.reduce((p, q) => p * q, 1);
  let s = 12345;
  const next = () => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  const floats = () => Float32Array.from({ length: size }, next);
  const mask = () => Uint8Array.from({ length: size }, () => (next() < 0.7 ? 1 : 0));
  return { a: tessera.push(floats(), shape), b: tessera.push(floats(), shape), m: tessera.push(mask(), shape), n: tessera.push(mask(), shape) };
}

/** Splits one call into recording (until it returns) and waiting (until its result is settled). */
async function timedCall(fn: () => RowResult): Promise<[number, number]> {
  const t0 = performance.now();
  const result = fn();
  const t1 = performance.now();
  await settle(result);
  return [t1 - t0, performance.now() - t1];
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
}

/** Self time per function (µs per call), largest first. */
function summarise(profile: Profile, calls: number): Array<{ fn: string; us: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, k) => {
    const f = byId.get(id)!.callFrame;
    const file = f.url ? f.url.replace(/^.*\/(dist\/|node_modules\/)/, '$1') : '';
    const key = `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[k] ?? 0));
  });
  return [...self.entries()].map(([fn, us]) => ({ fn, us: us / calls })).sort((a, b) => b.us - a.us);
}

async function main(): Promise<void> {
  await tessera.init();
  if (DAWN) timeDawnMethods();
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 20 });
  const rows = catalogue().filter((r): r is BenchOp & { run: NonNullable<BenchOp['run']> } => ROWS.test(r.name) && r.run !== undefined);
  if (rows.length === 0) throw new Error(`no catalogue row matches ${ROWS}`);
  // A busy GPU first, so that its clocks are up.
  const warm = tessera.create([4096, 4096]);
  for (const t0 = performance.now(); performance.now() - t0 < 500; ) {
    for (let k = 0; k < 20; k++) tessera.addImageAndScalar(warm, 1).release();
    await tessera.sync();
  }
  warm.release();
  const report: object[] = [];
  for (const row of rows) {
    const x = row.inputs ? await INPUT_SETS[row.inputs].make() : randomInputs(row.shape);
    await tessera.sync();
    const fn = () => row.run(x);
    for (let k = 0; k < 20; k++) await timedCall(fn);
    const record: number[] = [];
    const wait: number[] = [];
    const wall: number[] = [];
    const gcs: number[] = [];
    const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries().map((e) => e.duration * 1e3)));
    observer.observe({ entryTypes: ['gc'] });
    for (let k = 0; k < REPS; k++) {
      const [r, w] = await timedCall(fn);
      record.push(r * 1e3);
      wait.push(w * 1e3);
      wall.push((r + w) * 1e3);
    }
    await new Promise((resolve) => setImmediate(resolve));
    observer.disconnect();
    const gc = { count: gcs.length, total_us: gcs.reduce((a, b) => a + b, 0) };
    await post(session, 'Profiler.start');
    if (RECORD_ONLY) {
      for (let k = 0; k < REPS; k++) {
        const r = fn();
        if (r instanceof tessera.GpuImage) r.release();
        else await r;
        if (k % 16 === 15) await tessera.sync();
      }
    } else {
      for (let k = 0; k < REPS; k++) await timedCall(fn);
    }
    const { profile } = await post<{ profile: Profile }>(session, 'Profiler.stop');
    const top = summarise(profile, REPS);
    const f = (v: number) => v.toFixed(1);
    console.log(`\n${row.name} [${row.shape}]: wall µs p10 ${f(quantile(wall, 0.1))} median ${f(quantile(wall, 0.5))} p90 ${f(quantile(wall, 0.9))}; ` +
      `record median ${f(quantile(record, 0.5))}, wait median ${f(quantile(wait, 0.5))}; profiled ${f(((profile.endTime - profile.startTime) / REPS))} µs/call; ` +
      `GC ${gc.count} pauses in ${REPS} calls, ${f(gc.total_us / REPS)} µs/call`);
    for (const t of top.slice(0, TOP)) console.log(`  ${f(t.us).padStart(7)} µs  ${t.fn}`);
    let dawn: Array<{ method: string; per_call: number; us: number }> = [];
    if (DAWN) {
      dawnCalls.stats.clear();
      dawnCalls.on = true;
      for (let k = 0; k < REPS; k++) await timedCall(fn);
      dawnCalls.on = false;
      dawn = [...dawnCalls.stats].map(([method, s]) => ({ method, per_call: s.count / REPS, us: s.us / REPS })).sort((a, b) => b.us - a.us);
      console.log(`  Dawn methods (${f(dawn.reduce((t, d) => t + d.us, 0))} µs per call in all):`);
      for (const d of dawn.slice(0, TOP)) console.log(`  ${f(d.us).padStart(7)} µs  ${d.method} ×${d.per_call.toFixed(1)}`);
    }
    report.push({ row: row.name, shape: row.shape, wall_us: { p10: quantile(wall, 0.1), median: quantile(wall, 0.5), p90: quantile(wall, 0.9) },
      record_us: quantile(record, 0.5), wait_us: quantile(wait, 0.5), gc, top: top.slice(0, 40), dawn });
    for (const img of Object.values(x)) img.release();
  }
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(report, null, 1));
  session.disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
