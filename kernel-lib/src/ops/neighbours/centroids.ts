/**
 * TEMPORARY — to be replaced at merge by the `labels` branch's `centroidsOfLabels`
 * (ops/measure/), which the neighbour maps and meshes call through this one import.
 * A minimal version so that the neighbour operations run and are tested before that merge:
 * exact 64-bit coordinate sums per label by atomics (one pass), then sum / count.
 * Contract the neighbour code relies on: `centroidsOfLabels(labels)` resolves to a float32
 * pointlist [ndim, N] (row 0 = x, 1 = y, 2 = z; column k - 1 = label k; N = the largest label),
 * NaN for labels without pixels. Not exported from the package.
 */
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { dispatch, kernelFor } from '../../gpu/kernel';
import { runPixelProgram, xyzt } from '../../codegen/program';
import { loader, storageElement } from '../../codegen/wgsl';
import { checkLabelImage } from '../../validate/neighbours';
import { set } from '../arithmetic/set-operations';
import { labelCount } from './label-count';

const WORKGROUP = 256;
/** Per label: pixel count and the x, y, z coordinate sums, each as (low, high) u32 words. */
const WORDS = 8;

const sumKernel = (dtype: GpuImage['dtype']) =>
  kernelFor('centroidSums', dtype, (d) => ({
    label: 'centroidsOfLabels sums',
    bindings: [
      { name: 'lab_buf', type: `array<${storageElement(d)}>` },
      { name: 'sums', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [{ name: 'shape', type: 'vec4<u32>' }, { name: 'count', type: 'u32' }, { name: 'labels', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: `${loader('lab', d)}
fn add64(k: u32, v: u32) {
  if (v == 0u) { return; }
  let old = atomicAdd(&sums[k], v);
  if (old + v < old) { atomicAdd(&sums[k + 1u], 1u); }
}`,
    body: `let i = gid;
  if (i >= P.count) { return; }
  let l = u32(load_lab(i));
  if (l == 0u || l > P.labels) { return; }
  let s = P.shape;
  let o = (l - 1u) * ${WORDS}u;
  add64(o, 1u);
  add64(o + 2u, i % s.x);
  add64(o + 4u, (i / s.x) % s.y);
  add64(o + 6u, i / (s.x * s.y));`,
  }));

/** The centroid of each label 1..N as a float32 pointlist [ndim, N] (see the module note). */
export async function centroidsOfLabels(labels: GpuImage): Promise<GpuImage> {
  const fn = 'centroidsOfLabels';
  checkLabelImage(labels, `${fn}: labels`);
  const n = await labelCount(fn, labels);
  const out = create([labels.ndim, Math.max(n, 1)], 'float32');
  const sums = set(create([Math.max(n, 1) * WORDS], 'uint32'), 0);
  dispatch(sumKernel(labels.dtype), [labels.buffer, sums.buffer], { shape: xyzt(labels.shape), count: labels.size, labels: n }, Math.ceil(labels.size / WORKGROUP));
  runPixelProgram({
    op: fn,
    inputs: { s: sums },
    output: out,
    coords: true,
    computeType: 'f32',
    helpers: 'fn wide(k: u32) -> f32 { return f32(load_s(k + 1u)) * 4294967296.0 + f32(load_s(k)); }',
    body: `let o = u32(c.x) * ${WORDS}u;
  let count = load_s(o);
  // NaN from a run-time value (a constant NaN does not compile).
  if (count == 0u) { return bitcast<f32>(0x7fc00000u | count); }
  return wide(o + 2u + 2u * u32(c.y)) / f32(count);`,
  });
  sums.release();
  return out;
}
