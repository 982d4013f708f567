/**
 * Host-side cost of the WebGPU calls one operation makes (µs per call, median of batches),
 * to see where per-call time goes: node bench/dist/overhead.js
 */
import * as tessera from 'tessera';
import { gpuDevice } from 'tessera/dist/src/gpu/device';

const N = 2000;

async function per(label: string, fn: (k: number) => void, after?: () => Promise<void>): Promise<void> {
  const times: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    for (let k = 0; k < N; k++) fn(k);
    times.push(((performance.now() - t0) / N) * 1e3);
    if (after) await after();
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(48)} ${times[2].toFixed(2)} µs`);
}

async function main(): Promise<void> {
  await tessera.init();
  const device = gpuDevice();
  const code = `@group(0) @binding(0) var<storage, read_write> b: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) { if (g.x < 16u) { b[g.x] = b[g.x] + 1u; } }`;
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
  const layout = pipeline.getBindGroupLayout(0);
  const buf = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const bg = device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: buf } }] });
  const drain = async () => { await device.queue.onSubmittedWorkDone(); };

  await per('createBindGroup', () => device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: buf } }] }));
  let enc = device.createCommandEncoder();
  await per('beginComputePass + end (empty)', () => enc.beginComputePass().end(), async () => { device.queue.submit([enc.finish()]); await drain(); enc = device.createCommandEncoder(); });
  await per('pass per dispatch (begin, set x2, dispatch, end)', () => {
    const p = enc.beginComputePass(); p.setPipeline(pipeline); p.setBindGroup(0, bg); p.dispatchWorkgroups(1); p.end();
  }, async () => { device.queue.submit([enc.finish()]); await drain(); enc = device.createCommandEncoder(); });
  let pass = enc.beginComputePass();
  await per('dispatch in an open pass (set x2, dispatch)', () => { pass.setPipeline(pipeline); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(1); },
    async () => { pass.end(); device.queue.submit([enc.finish()]); await drain(); enc = device.createCommandEncoder(); pass = enc.beginComputePass(); });
  pass.end();
  device.queue.submit([enc.finish()]);
  await per('createCommandEncoder + finish + submit (empty)', () => device.queue.submit([device.createCommandEncoder().finish()]), drain);
  const bytes = new Uint8Array(256);
  await per('queue.writeBuffer 256 B', () => device.queue.writeBuffer(buf, 0, bytes), drain);
  const sync: number[] = [];
  for (let k = 0; k < 200; k++) {
    const e = device.createCommandEncoder();
    const p = e.beginComputePass(); p.setPipeline(pipeline); p.setBindGroup(0, bg); p.dispatchWorkgroups(1); p.end();
    const t0 = performance.now();
    device.queue.submit([e.finish()]);
    await device.queue.onSubmittedWorkDone();
    sync.push((performance.now() - t0) * 1e3);
  }
  sync.sort((a, b) => a - b);
  console.log(`${'submit 1 dispatch + await onSubmittedWorkDone'.padEnd(48)} ${sync[100].toFixed(2)} µs`);
  const tiny = tessera.push(new Float32Array(1024));
  await tessera.sync();
  await per('tessera.addImageAndScalar on 1024 px (record only)', () => tessera.addImageAndScalar(tiny, 1).release(), () => tessera.sync());
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
