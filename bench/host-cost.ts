/**
 * Where the host time of one small operation goes, layer by layer (µs per call): the Dawn calls
 * alone, then each Tessera layer on top of the one below, so that the differences between rows
 * are the cost of each layer. Then the batch submit, an empty sync and a tiny op plus sync.
 *
 *   npm run build && node bench/dist/host-cost.js [--json out.json]
 *
 * Each row records CALLS dispatches (fewer than a batch holds, so no submit falls inside the
 * timed loop), then submits and waits outside the timing; reported: the minimum and the median
 * wall time over REPS repetitions, and the CPU time of the process per call (on a shared machine
 * wall times include waiting for a core, CPU time does not; while recording, Dawn's threads are
 * idle, so it is the recording thread's; rows that submit include the GPU work where the GPU is
 * a CPU, as lavapipe).
 */
import * as fs from 'node:fs';
import * as tessera from 'tessera';
import { gpuDevice } from 'tessera/dist/src/gpu/device';
import { dispatch, kernelFor } from 'tessera/dist/src/gpu/kernel';
import { recordDispatch } from 'tessera/dist/src/gpu/commands';
import { readBuffer } from 'tessera/dist/src/gpu/readback';
import { runPixelProgram } from 'tessera/dist/src/codegen/program';
import { elementwise } from 'tessera/dist/src/codegen/elementwise';

const CALLS = 200;
const REPS = 40;

interface Row {
  layer: string;
  min_us: number;
  median_us: number;
  /** Process CPU time per call. */
  cpu_us: number;
}
const rows: Row[] = [];

/** Nanoseconds of CPU the process has used (user + system). */
function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
}

function report(layer: string, samples: number[], cpu_us = NaN): void {
  samples.sort((a, b) => a - b);
  const row = { layer, min_us: samples[0], median_us: samples[samples.length >> 1], cpu_us };
  rows.push(row);
  const f = (x: number) => x.toFixed(2).padStart(7);
  console.log(`${layer.padEnd(58)} ${f(row.min_us)} ${f(row.median_us)} ${f(cpu_us)}`);
}

/** µs per call of `fn` over CALLS calls, `after` (submit and wait) untimed between repetitions. */
async function perCall(layer: string, fn: (k: number) => void, after: () => Promise<void>): Promise<void> {
  const samples: number[] = [];
  let cpu = 0;
  for (let rep = 0; rep < REPS; rep++) {
    const c0 = cpuNs();
    const t0 = performance.now();
    for (let k = 0; k < CALLS; k++) fn(k);
    samples.push(((performance.now() - t0) / CALLS) * 1e3);
    cpu += cpuNs() - c0;
    await after();
  }
  report(layer, samples, cpu / 1e3 / (REPS * CALLS));
}

async function main(): Promise<void> {
  await tessera.init();
  const device = gpuDevice();
  console.log(`${(await tessera.info()).name}: ${CALLS} calls per batch, ${REPS} batches`);
  console.log(`${'layer (each row includes the ones above)'.padEnd(58)} ${'min µs'.padStart(7)} ${'median'.padStart(7)} ${'cpu µs'.padStart(7)}`);
  const input = tessera.push(new Float32Array(256), [16, 16]);
  const output = tessera.create([16, 16]);
  await tessera.sync();
  const inputs = { a: input };
  const program = { op: 'addImageAndScalar', inputs, output, computeType: 'f32' as const, scalars: { s: { type: 'f32' as const, value: 1 } }, body: 'let a = load_a(i);\n  return a + P.s;' };
  // Warm every path once (pipelines compiled, bind groups cached).
  runPixelProgram(program);
  await tessera.sync();

  // 1. Dawn alone: the three pass calls of one dispatch, with a bind group made once.
  const code = `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
struct P { s: f32, n: u32, x: u32, y: u32 }
@group(0) @binding(2) var<uniform> p: P;
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) g: vec3<u32>) { if (g.x < p.n) { b[g.x] = a[g.x] + p.s; } }`;
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
  const layout = pipeline.getBindGroupLayout(0);
  const uniforms = device.createBuffer({ size: 256 * CALLS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const bindGroups = Array.from({ length: CALLS }, (_, j) =>
    device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: input.buffer } }, { binding: 1, resource: { buffer: output.buffer } }, { binding: 2, resource: { buffer: uniforms, offset: 256 * j, size: 16 } }] }),
  );
  let encoder = device.createCommandEncoder();
  let pass = encoder.beginComputePass();
  const submitRaw = async () => {
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    encoder = device.createCommandEncoder();
    pass = encoder.beginComputePass();
  };
  await perCall('Dawn: setPipeline + setBindGroup + dispatchWorkgroups', (j) => {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroups[j]);
    pass.dispatchWorkgroups(1);
  }, submitRaw);
  pass.end();
  device.queue.submit([encoder.finish()]);

  // 2. The recording layer (gpu/commands.ts): bind-group cache, uniform arena, write tracking.
  const writes = [false, true];
  const buffers = [input.buffer, output.buffer];
  const writer = (view: DataView, base: number) => {
    view.setFloat32(base, 1, true);
    view.setUint32(base + 4, 256, true);
  };
  const grid = [1, 1, 1] as const;
  await perCall('+ commands.recordDispatch', () => recordDispatch(pipeline, layout, buffers, writes, 16, writer, grid, 'raw'), () => tessera.sync());

  // 3. The kernel layer (gpu/kernel.ts): binding-size checks, grid, uniforms by name.
  const kernel = kernelFor('host-cost', 'add', () => ({
    label: 'host-cost add',
    bindings: [{ name: 'a', type: 'array<f32>' }, { name: 'b', type: 'array<f32>', access: 'read_write' as const }],
    uniforms: [{ name: 'n', type: 'u32' as const }, { name: 's', type: 'f32' as const }],
    workgroupSize: 256,
    body: 'if (gid < P.n) { b[gid] = a[gid] + P.s; }',
  }));
  const values = { n: 256, s: 1 };
  await perCall('+ kernel.dispatch (uniforms by name)', () => dispatch(kernel, buffers, values, 1), () => tessera.sync());

  // 4. The pixel-program layer (codegen/program.ts): cache key, uniform values, vector dispatch.
  await perCall('+ runPixelProgram (key, kernel lookup, shapes)', () => runPixelProgram(program), () => tessera.sync());

  // 5. The elementwise generator: operands, WGSL body, a new output image from the pool.
  await perCall('+ elementwise (body, output image) + release', () => elementwise({ op: 'addImageAndScalar', inputs: [input], compute: 'f32', scalars: { s: 1 }, expr: 'a + P.s' }).release(), () => tessera.sync());

  // 6. The public operation: argument checks, the defineOp wrapper.
  await perCall('+ tessera.addImageAndScalar(16×16, 1) + release', () => tessera.addImageAndScalar(input, 1).release(), () => tessera.sync());

  // The submit of a batch, per dispatch it holds (Dawn encodes the Vulkan commands here).
  const flushes: number[] = [];
  let flushCpu = 0;
  for (let rep = 0; rep < REPS; rep++) {
    for (let j = 0; j < CALLS; j++) tessera.addImageAndScalar(input, 1).release();
    const c0 = cpuNs();
    const t0 = performance.now();
    tessera.flush();
    flushes.push(((performance.now() - t0) / CALLS) * 1e3);
    flushCpu += cpuNs() - c0;
    await tessera.sync();
  }
  report(`flush of a batch of ${CALLS} ops, per op`, flushes, flushCpu / 1e3 / (REPS * CALLS));

  // Long runs between syncs, as a user's loop: 10,000 calls, submits included.
  const long: number[] = [];
  let longCpu = 0;
  for (let rep = 0; rep < 5; rep++) {
    const c0 = cpuNs();
    const t0 = performance.now();
    for (let j = 0; j < 10000; j++) tessera.addImageAndScalar(input, 1).release();
    tessera.flush();
    long.push(((performance.now() - t0) / 10000) * 1e3);
    longCpu += cpuNs() - c0;
    await tessera.sync();
  }
  report('10,000 × addImageAndScalar then flush, per op', long, longCpu / 1e3 / 50000);

  // Round trips.
  const roundTrip = async (layer: string, fn: () => Promise<void> | void, n: number) => {
    const samples: number[] = [];
    const c0 = cpuNs();
    for (let j = 0; j < n; j++) {
      const t0 = performance.now();
      await fn();
      samples.push((performance.now() - t0) * 1e3);
    }
    report(layer, samples, (cpuNs() - c0) / 1e3 / n);
  };
  // The same round trip in Dawn calls alone (what tessera.sync adds is the difference), piece by
  // piece: what each of the error scope, the uniform write and the map of a small result adds to
  // one dispatch's submit and wait.
  const uniformBytes = new Uint8Array(256);
  const oneDispatch = () => {
    const e = device.createCommandEncoder();
    const p = e.beginComputePass();
    p.setPipeline(pipeline);
    p.setBindGroup(0, bindGroups[0]);
    p.dispatchWorkgroups(1);
    p.end();
    return e;
  };
  await roundTrip('Dawn: 1 dispatch, submit, await onSubmittedWorkDone', async () => {
    device.queue.submit([oneDispatch().finish()]);
    await device.queue.onSubmittedWorkDone();
  }, 400);
  await roundTrip('Dawn: 1 dispatch, error scope, submit, await both', async () => {
    const e = oneDispatch();
    device.pushErrorScope('validation');
    device.queue.submit([e.finish()]);
    const scope = device.popErrorScope();
    await device.queue.onSubmittedWorkDone();
    await scope;
  }, 400);
  const small = device.createBuffer({ size: 256, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  await roundTrip('Dawn: 1 dispatch, copy 4 B, submit, await mapAsync', async () => {
    const e = oneDispatch();
    e.copyBufferToBuffer(output.buffer, 0, small, 0, 4);
    device.queue.submit([e.finish()]);
    await small.mapAsync(GPUMapMode.READ, 0, 4);
    small.unmap();
  }, 400);
  await roundTrip('Dawn: 1 dispatch, writeBuffer, error scope, submit, await', async () => {
    const e = oneDispatch();
    device.pushErrorScope('validation');
    device.queue.writeBuffer(uniforms, 0, uniformBytes);
    device.queue.submit([e.finish()]);
    const scope = device.popErrorScope();
    await device.queue.onSubmittedWorkDone();
    await scope;
  }, 400);
  await roundTrip('empty tessera.sync()', () => tessera.sync(), 400);
  await roundTrip('addImageAndScalar(16×16) + sync', async () => { tessera.addImageAndScalar(input, 1).release(); await tessera.sync(); }, 400);
  await roundTrip('addImageAndScalar(16×16) + pull', async () => { const r = tessera.addImageAndScalar(input, 1); await tessera.pull(r); r.release(); }, 400);
  // Readbacks of a result's size after one small op: whole-image reductions read back one
  // partial per 4,096 pixels (2 KB for 2048×1024, 16 KB for 256³), statistics a table per label.
  const big = tessera.create([256, 256]);
  for (const bytes of [4, 2048, 16384, 262144]) {
    await roundTrip(`addImageAndScalar(16×16) + readBuffer of ${bytes} B`, async () => {
      const r = tessera.addImageAndScalar(input, 1);
      await readBuffer(big.buffer, bytes);
      r.release();
    }, 400);
  }
  big.release();

  input.release();
  output.release();
  const json = process.argv.indexOf('--json');
  if (json > 0) fs.writeFileSync(process.argv[json + 1], `${JSON.stringify({ adapter: (await tessera.info()).name, calls: CALLS, reps: REPS, rows }, null, 1)}\n`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
