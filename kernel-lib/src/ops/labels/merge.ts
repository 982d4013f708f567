import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runPixelProgram, xyzt } from '../../codegen/program';
import { computeType, DType } from '../../dtype';
import { loader, storageElement } from '../../codegen/wgsl';
import { releaseBuffer } from '../../gpu/buffer-pool';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { checkLabels } from '../../validate/labels';
import { ReductionKey, readRange, recordPerLabel, recordRange, recordReduction, releaseReduction } from '../measure/label-reduce';
import { defineOp, image } from '../op';
import { numbersFromFlags, replaceLabels } from './relabel';
import { unionFind } from './union-find';

/**
 * Merging touching labels: union-find over the label values on the GPU (the same Playne & Hawick
 * union as the connected-component labeling, on a table with one entry per label): every pair of
 * face-adjacent pixels with two different non-zero labels unites them; each group is numbered in
 * the order of its smallest label. One readback (the largest label).
 */
const WORKGROUP = 256;

function labelOf(d: DType): string {
  return `${loader('l', d)}\nfn label_of(i: u32) -> u32 { return ${computeType(d) === 'i32' ? 'u32(max(load_l(i), 0i))' : 'load_l(i)'}; }`;
}

function touchSpec({ nd, labels }: { nd: number; labels: DType }): KernelSpec {
  const steps = [
    ['p.x + 1u < P.shape.x', '1u'],
    ...(nd > 1 ? [['p.y + 1u < P.shape.y', 'P.shape.x']] : []),
    ...(nd > 2 ? [['p.z + 1u < P.shape.z', 'P.shape.x * P.shape.y']] : []),
  ];
  return {
    label: 'mergeTouchingLabels: touches',
    bindings: [
      { name: 'l_buf', type: `array<${storageElement(labels)}>` },
      { name: 'parents', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [{ name: 'shape', type: 'vec4<u32>' }],
    workgroupSize: WORKGROUP,
    declarations: `${labelOf(labels)}\n${unionFind('label_', 'parents')}`,
    body: `let i = gid;
  if (i >= P.shape.w) { return; }
  let a = label_of(i);
  if (a == 0u) { return; }
  let p = vec3<u32>(i % P.shape.x, (i / P.shape.x) % P.shape.y, i / (P.shape.x * P.shape.y));
  ${steps.map(([inside, step]) => `if (${inside}) { let b = label_of(i + ${step}); if (b != 0u && b != a) { label_union(a, b); } }`).join('\n  ')}`,
  };
}

/** Per label: parents[k] = its root; keep[k] = 1 for the roots of labels present. */
const rootsSpec = (): KernelSpec => ({
  label: 'mergeTouchingLabels: roots',
  bindings: [
    { name: 'parents', type: 'array<atomic<u32>>', access: 'read_write' },
    { name: 'present', type: 'array<u32>' },
    { name: 'keep', type: 'array<u32>', access: 'read_write' },
  ],
  uniforms: [{ name: 'rows', type: 'u32' }],
  workgroupSize: WORKGROUP,
  declarations: unionFind('label_', 'parents'),
  body: `let k = gid;
  if (k >= P.rows) { return; }
  let r = label_find(k);
  atomicStore(&parents[k], r);
  keep[k] = select(0u, 1u, r == k && present[k] != 0u);`,
});

/** map[k] = numbers[root of k] (parents already point at the roots). */
const mapSpec = (): KernelSpec => ({
  label: 'mergeTouchingLabels: map',
  bindings: [
    { name: 'parents', type: 'array<u32>' },
    { name: 'numbers', type: 'array<u32>' },
    { name: 'map', type: 'array<u32>', access: 'read_write' },
  ],
  uniforms: [{ name: 'rows', type: 'u32' }],
  workgroupSize: WORKGROUP,
  body: `let k = gid;
  if (k >= P.rows) { return; }
  map[k] = select(numbers[parents[k]], 0u, k == 0u);`,
});

/**
 * Merges labels that touch (share a face: 4 neighbours in 2D, 6 in 3D), transitively, into one
 * label per group, and numbers the groups 1..M in the order of their smallest label; uint32.
 * Async (the largest label is read back). pyclesperanto: `merge_touching_labels` (same groups;
 * its numbering follows each group's largest label); skimage: the connected components of the
 * label-adjacency graph.
 */
export const mergeTouchingLabels = defineOp(
  { params: [image('labels')], output: 'uint32', tiling: 'global' },
  async function mergeTouchingLabels(labels: GpuImage): Promise<GpuImage> {
    const fn = 'mergeTouchingLabels';
    const l = checkLabels(labels, fn);
    const range = recordRange(fn, l);
    try {
      const { maxLabel } = await readRange(fn, range);
      const rows = maxLabel + 1;
      const [nx, ny, nz] = xyzt(l.shape);
      const key: ReductionKey = { quantities: [{ name: 'count', kind: 'count' }], labels: l.dtype, refs: 0, background: false };
      const counts = recordReduction(fn, key, l, undefined, rows, range);
      const present = create([rows], 'uint32');
      recordPerLabel(fn, counts, ['select(0u, 1u, n_count > 0u)'], { into: present.buffer, u32: true, empty: '0u' });
      releaseReduction(counts);
      const parents = runPixelProgram({ op: `${fn}: parents`, inputs: {}, output: create([rows], 'uint32'), computeType: 'u32', body: 'return i;' });
      dispatch(kernelFor('mergeTouches', { nd: l.ndim, labels: l.dtype }, touchSpec), [l.buffer, parents.buffer], { shape: [nx, ny, nz, l.size] }, Math.ceil(l.size / WORKGROUP), `${fn}: touches`);
      const keep = create([rows], 'uint32');
      dispatch(kernelFor('mergeRoots', '', rootsSpec), [parents.buffer, present.buffer, keep.buffer], { rows }, Math.ceil(rows / WORKGROUP), `${fn}: roots`);
      present.release();
      const numbers = numbersFromFlags(fn, keep);
      keep.release();
      const map = create([rows], 'uint32');
      dispatch(kernelFor('mergeMap', '', mapSpec), [parents.buffer, numbers.buffer, map.buffer], { rows }, Math.ceil(rows / WORKGROUP), `${fn}: map`);
      parents.release();
      numbers.release();
      const out = replaceLabels(fn, l, map);
      map.release();
      return out;
    } finally {
      releaseBuffer(range);
    }
  },
);
