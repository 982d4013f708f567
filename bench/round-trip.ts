/**
 * Dawn's own round trip as the work grows (issue 13: do the µs between a row's GPU time and its wall
 * time belong to Tessera or to Dawn and the driver?). With Dawn calls alone, no Tessera: a copy
 * kernel (one vec4 per thread) over 1 KB, 8 MB and 64 MB, one dispatch per submit, then
 * - wall: submit + await onSubmittedWorkDone (and + a 4-byte map, as a reduction's readback);
 * - GPU: the pass's timestamp-query time, and per dispatch of 20 in one timed pass (the fixed
 *   cost of a pass against that of a dispatch in a recorded chain);
 * then Tessera's pieces added one at a time (a uniform writeBuffer, an error scope), and Tessera's own calls
 * on the same sizes (a copy pixel program, addImageAndScalar, sumOfAllPixels), all with Tessera's device.
 *
 *   npm run build && node bench/dist/round-trip.js [--device tessera|plain|limits|adapters|fallback|lost|uncaptured] [--reps 200] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import * as tessera from 'tessera';
import { gpuDevice } from 'tessera/dist/src/gpu/device';
import { runPixelProgram } from 'tessera/dist/src/codegen/program';
import { flush, settle } from 'tessera/dist/src/gpu/commands';
import { dispatch, kernelFor } from 'tessera/dist/src/gpu/kernel';
import { readBuffer } from 'tessera/dist/src/gpu/readback';

const arg = (name: string, fallback: string) => {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : fallback;
};
const REPS = Number(arg('reps', '200'));
const JSON_OUT = arg('json', '');
const WARM_MS = Number(arg('warm-ms', '1000'));
const SIZES = [1024, 8 * 1024 ** 2, 64 * 1024 ** 2];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Median µs of `reps` awaited calls of `fn` after 20 untimed ones. */
async function timed(fn: () => Promise<unknown>, reps = REPS): Promise<number> {
  for (let k = 0; k < 20; k++) await fn();
  const t: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    await fn();
    t.push((performance.now() - t0) * 1e3);
  }
  return median(t);
}

/**
 * The device to time on (`--device`): Tessera's, or one made here as plainly as possible with one
 * of Tessera's choices added, to find which of them costs time per round trip.
 */
const VARIANT = arg('device', 'tessera');
const keep: unknown[] = []; // Dawn's instance stays referenced for the process's life

async function variantDevice(): Promise<GPUDevice> {
  if (VARIANT === 'tessera') {
    await tessera.init();
    return gpuDevice();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('webgpu');
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create(['disable-dawn-features=timestamp_quantization']);
  keep.push(gpu);
  const extra: unknown[] = [];
  if (VARIANT === 'adapters') for (const powerPreference of ['high-performance', 'low-power'] as const) extra.push(await gpu.requestAdapter({ powerPreference }));
  if (VARIANT === 'fallback') extra.push(await gpu.requestAdapter({ forceFallbackAdapter: true }));
  keep.push(extra);
  const adapter = await gpu.requestAdapter();
  const limits = adapter.limits;
  const device: GPUDevice = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: VARIANT === 'limits'
      ? { maxBufferSize: limits.maxBufferSize, maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize, maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup, maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX, maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage }
      : { maxBufferSize: limits.maxBufferSize, maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize },
  });
  if (VARIANT === 'lost') void device.lost.then(() => undefined);
  if (VARIANT === 'uncaptured') device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => ev.preventDefault();
  return device;
}

/**
 * Keeps the GPU busy for a second first: an idle GPU answers a round trip far later (on the H200,
 * 91 µs for a 1 KB copy right after start against 33 µs once warm).
 */
async function warmGpu(device: GPUDevice): Promise<void> {
  const code = '@group(0) @binding(0) var<storage, read_write> a: array<f32>; @compute @workgroup_size(256) fn main(@builtin(global_invocation_id) g: vec3<u32>) { a[g.x] = a[g.x] * 0.5 + 1.0; }';
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
  const a = device.createBuffer({ size: 65535 * 1024, usage: GPUBufferUsage.STORAGE });
  const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: a } }] });
  for (const t0 = performance.now(); performance.now() - t0 < WARM_MS; ) {
    const e = device.createCommandEncoder();
    const p = e.beginComputePass();
    p.setPipeline(pipeline);
    p.setBindGroup(0, group);
    for (let k = 0; k < 20; k++) p.dispatchWorkgroups(65535);
    p.end();
    device.queue.submit([e.finish()]);
    await device.queue.onSubmittedWorkDone();
  }
  a.destroy();
}

async function measure(): Promise<object[]> {
  const device = await variantDevice();
  await warmGpu(device);
  // Does anything keep the event loop spinning while the process has nothing to do (a pending
  // promise of Dawn's polls through setImmediate)? CPU time over 300 ms of idling, in % of one core.
  const c0 = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const c = process.cpuUsage(c0);
  console.log(`${VARIANT}: CPU while idle ${(((c.user + c.system) / 1e3 / 300) * 100).toFixed(0)} % of a core`);
  const withTessera = VARIANT === 'tessera';
  const code = `@group(0) @binding(0) var<storage, read> a: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> b: array<vec4<u32>>;
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) n: vec3<u32>) {
  let i = g.x + g.y * n.x * 256u;
  if (i < arrayLength(&a)) { b[i] = a[i]; }
}`;
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
  const rows: object[] = [];
  const query = device.createQuerySet({ type: 'timestamp', count: 2 });
  const resolved = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const stamps = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const small = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  for (const bytes of SIZES) {
    const a = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const b = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: a } }, { binding: 1, resource: { buffer: b } }] });
    const groups = Math.ceil(bytes / 16 / 256);
    const gx = Math.min(groups, 65535);
    const encode = (timed: boolean, dispatches = 1) => {
      const e = device.createCommandEncoder();
      const p = e.beginComputePass(timed ? { timestampWrites: { querySet: query, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : undefined);
      p.setPipeline(pipeline);
      p.setBindGroup(0, group);
      for (let k = 0; k < dispatches; k++) p.dispatchWorkgroups(gx, Math.ceil(groups / gx));
      p.end();
      return e;
    };
    const wall: number[] = [];
    const mapped: number[] = [];
    const gpuUs: number[] = [];
    for (let k = 0; k < 20; k++) {
      device.queue.submit([encode(false).finish()]);
      await device.queue.onSubmittedWorkDone();
    }
    for (let k = 0; k < REPS; k++) {
      const t0 = performance.now();
      device.queue.submit([encode(false).finish()]);
      await device.queue.onSubmittedWorkDone();
      wall.push((performance.now() - t0) * 1e3);
    }
    for (let k = 0; k < REPS; k++) {
      const t0 = performance.now();
      const e = encode(false);
      e.copyBufferToBuffer(b, 0, small, 0, 4);
      device.queue.submit([e.finish()]);
      await small.mapAsync(GPUMapMode.READ);
      new Uint32Array(small.getMappedRange()).slice();
      small.unmap();
      mapped.push((performance.now() - t0) * 1e3);
    }
    // GPU time of one timed pass holding `dispatches` dispatches (each rewrites b: a barrier between
    // them, as between dependent operations), per dispatch: one dispatch per pass is what the
    // bench's per-call GPU column measures; a chain in one pass is how Tessera records a workflow.
    const passUs = async (dispatches: number) => {
      const us: number[] = [];
      for (let k = 0; k < Math.min(REPS, 50); k++) {
        const e = encode(true, dispatches);
        e.resolveQuerySet(query, 0, 2, resolved, 0);
        e.copyBufferToBuffer(resolved, 0, stamps, 0, 16);
        device.queue.submit([e.finish()]);
        await stamps.mapAsync(GPUMapMode.READ);
        const t = new BigUint64Array(stamps.getMappedRange());
        us.push(Number(t[1] - t[0]) / 1e3 / dispatches);
        stamps.unmap();
      }
      return us;
    };
    gpuUs.push(...(await passUs(1)));
    const gpuChainUs = median(await passUs(20));
    // Tessera's pieces, one at a time on top of the raw submit: a 256-byte writeBuffer (its uniform
    // arena), an error scope around the submit, then Tessera's own calls.
    const uniform = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const u8 = new Uint8Array(256);
    const withWrite = await timed(async () => {
      device.queue.writeBuffer(uniform, 0, u8);
      device.queue.submit([encode(false).finish()]);
      await device.queue.onSubmittedWorkDone();
    });
    const withScope = await timed(async () => {
      device.pushErrorScope('validation');
      device.queue.submit([encode(false).finish()]);
      const scope = device.popErrorScope();
      await device.queue.onSubmittedWorkDone();
      await scope;
    });
    if (!withTessera) {
      const row = { device: VARIANT, bytes, wall_us: median(wall), map_us: median(mapped), gpu_us: median(gpuUs), gpu_chain_us: gpuChainUs, withWrite, withScope };
      rows.push(row);
      console.log(`${VARIANT.padEnd(10)} ${String(bytes).padStart(9)} B  Dawn: wall ${row.wall_us.toFixed(1)} µs, + 4 B map ${row.map_us.toFixed(1)}, GPU ${row.gpu_us.toFixed(1)} (${row.gpu_chain_us.toFixed(1)} per dispatch of 20 in one pass); + writeBuffer ${withWrite.toFixed(1)}, + error scope ${withScope.toFixed(1)}`);
      a.destroy();
      b.destroy();
      continue;
    }
    const img = tessera.set(tessera.create([bytes / 4 / 256, 256]), 1);
    const out = tessera.create([bytes / 4 / 256, 256]);
    const programCopy = await timed(async () => {
      runPixelProgram({ op: 'roundTripCopy', inputs: { a: img }, output: out, computeType: 'f32', body: 'return load_a(i);' });
      await tessera.sync();
    });
    const addScalar = await timed(async () => {
      tessera.addImageAndScalar(img, 1).release();
      await tessera.sync();
    });
    const addScalarKept = await timed(async () => {
      const r = tessera.addImageAndScalar(img, 1);
      await tessera.sync();
      r.release();
    });
    const sum = await timed(() => tessera.sumOfAllPixels(img));
    // The same round trips split into stages (µs, medians): record (until the call returns),
    // flush (Tessera's submit: error scope, uniform upload, submit), wait (onSubmittedWorkDone),
    // settle (Tessera's error-scope results and deferred checks).
    const kernel = kernelFor('round-trip', 'copy', () => ({
      label: 'round-trip copy', workgroupSize: 256, uniforms: [{ name: 'n', type: 'u32' as const }],
      bindings: [{ name: 'a', type: 'array<vec4<u32>>' }, { name: 'b', type: 'array<vec4<u32>>', access: 'read_write' as const }],
      body: 'if (gid < P.n) { b[gid] = a[gid]; }',
    }));
    const stageRows: Record<string, number[]> = {};
    const stages = async (name: string, record: () => unknown, after?: (r: unknown) => void) => {
      const t: number[][] = [[], [], [], []];
      for (let k = 0; k < REPS + 20; k++) {
        const t0 = performance.now();
        const r = record();
        const t1 = performance.now();
        flush();
        const t2 = performance.now();
        await device.queue.onSubmittedWorkDone();
        const t3 = performance.now();
        await settle();
        const t4 = performance.now();
        after?.(r);
        if (k >= 20) [t1 - t0, t2 - t1, t3 - t2, t4 - t3].forEach((d, j) => t[j].push(d * 1e3));
      }
      stageRows[name] = t.map(median);
    };
    // Readbacks: record = until the call returns its promise (the submit and mapAsync included), wait = the await.
    const readStages = async (name: string, start: () => Promise<unknown>) => {
      const t: number[][] = [[], []];
      for (let k = 0; k < REPS + 20; k++) {
        const t0 = performance.now();
        const p = start();
        const t1 = performance.now();
        await p;
        const t2 = performance.now();
        if (k >= 20) [t1 - t0, t2 - t1].forEach((d, j) => t[j].push(d * 1e3));
      }
      stageRows[name] = [median(t[0]), 0, median(t[1]), 0];
    };
    await readStages('Dawn copy 4 B + map', () => {
      const e = encode(false);
      e.copyBufferToBuffer(b, 0, small, 0, 4);
      device.queue.submit([e.finish()]);
      return small.mapAsync(GPUMapMode.READ).then(() => {
        new Uint32Array(small.getMappedRange()).slice();
        small.unmap();
      });
    });
    const partials = tessera.create([1024]);
    await readStages('dispatch + readBuffer 4 B', () => {
      dispatch(kernel, [img.buffer, out.buffer], { n: bytes / 16 }, [Math.min(65535, groups), Math.ceil(groups / 65535), 1]);
      return readBuffer(partials.buffer, 4);
    });
    partials.release();
    await readStages('sumOfAllPixels', () => tessera.sumOfAllPixels(img));
    await stages('Dawn encode + submit', () => device.queue.submit([encode(false).finish()]));
    await stages('kernel.dispatch', () => dispatch(kernel, [img.buffer, out.buffer], { n: bytes / 16 }, [Math.min(65535, groups), Math.ceil(groups / 65535), 1]));
    await stages('runPixelProgram copy', () => runPixelProgram({ op: 'roundTripCopy', inputs: { a: img }, output: out, computeType: 'f32', body: 'return load_a(i);' }));
    await stages('addImageAndScalar', () => tessera.addImageAndScalar(img, 1), (r) => (r as tessera.GpuImage).release());
    for (const [name, [rec, fl, wa, se]] of Object.entries(stageRows)) {
      console.log(`    ${name.padEnd(22)} record ${rec.toFixed(1).padStart(6)}  flush ${fl.toFixed(1).padStart(6)}  wait ${wa.toFixed(1).padStart(6)}  settle ${se.toFixed(1).padStart(5)}  (sum ${(rec + fl + wa + se).toFixed(1)})`);
    }
    img.release();
    out.release();
    uniform.destroy();
    const row = { device: VARIANT, bytes, stages: stageRows, withWrite, withScope, programCopy, addScalar, addScalarKept, sum, wall_us: median(wall), wall_p10_us: [...wall].sort((p, q) => p - q)[Math.floor(REPS / 10)], map_us: median(mapped), gpu_us: median(gpuUs), gpu_chain_us: gpuChainUs };
    rows.push(row);
    const f = (v: number) => v.toFixed(1).padStart(6);
    console.log(`${String(bytes).padStart(9)} B  Dawn: wall ${f(row.wall_us)} µs (p10 ${row.wall_p10_us.toFixed(1)}), + 4 B map ${f(row.map_us)}, GPU ${f(row.gpu_us)} (${f(row.gpu_chain_us)} per dispatch of 20 in one pass), wall - GPU ${f(row.wall_us - row.gpu_us)}; ` +
      `+ writeBuffer ${f(withWrite)}, + error scope ${f(withScope)}; Tessera: copy program + sync ${f(programCopy)}, addImageAndScalar + sync ${f(addScalar)} (released after sync ${f(addScalarKept)}), sumOfAllPixels ${f(sum)}`);
    a.destroy();
    b.destroy();
  }
  return rows;
}

async function main(): Promise<void> {
  const all = await measure();
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(all, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
