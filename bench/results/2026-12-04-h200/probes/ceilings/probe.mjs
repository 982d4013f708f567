// Does the bench's ceiling step (copy bandwidths) slow a Tessera process's later calls?
import * as t from '../kernel-lib/dist/src/index.js';
import { runPixelProgram } from '../kernel-lib/dist/src/codegen/program.js';
import { gpuDevice } from '../kernel-lib/dist/src/gpu/device.js';
import { recordCopy, flush } from '../kernel-lib/dist/src/gpu/commands.js';
await t.init();
const mode = process.argv[2];
const a = t.push(new Float32Array(2048 * 1024).fill(1), [1024, 2048]);
async function loop(tag) {
  const s = [];
  for (let i = 0; i < 400; i++) { const t0 = performance.now(); const o = t.addImageAndScalar(a, 1); await t.sync(); s.push(performance.now() - t0); o.release(); }
  s.sort((x, y) => x - y); console.log(mode, tag, 'AddScalar2D median µs', (s[200] * 1000).toFixed(1), 'p10', (s[40] * 1000).toFixed(1), 'p90', (s[360] * 1000).toFixed(1));
}
async function kernelCopy() {
  const n = 64 * 1024 ** 2;
  const src = t.set(t.create([n / 1024, 1024]), 1), dst = t.create([n / 1024, 1024]);
  const run = () => runPixelProgram({ op: 'benchCopy', inputs: { a: src }, output: dst, computeType: 'f32', body: 'return load_a(i);' });
  for (let k = 0; k < 3; k++) run();
  await t.sync(); t.startProfiling(); for (let k = 0; k < 20; k++) run(); await t.stopProfiling();
  src.release(); dst.release();
}
async function bufferCopy() {
  const bytes = 4 * 64 * 1024 ** 2, d = gpuDevice();
  const u = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const src = d.createBuffer({ size: bytes, usage: u }), dst = d.createBuffer({ size: bytes, usage: u });
  for (let k = 0; k < 5; k++) { for (let j = 0; j < 10; j++) recordCopy(src, 0, dst, 0, bytes); flush(); await t.sync(); }
  src.destroy(); dst.destroy();
}
await loop('fresh');
await loop('fresh again');
if (mode === 'kernel' || mode === 'both') await kernelCopy();
if (mode === 'buffer' || mode === 'both') await bufferCopy();
if (mode === 'trim') { await kernelCopy(); await bufferCopy(); t.trimPool?.(); }
await loop('after');
await loop('after again');
