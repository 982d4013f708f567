import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { xyzt } from '../../codegen/program';
import { releaseBuffer } from '../../gpu/buffer-pool';
import { recordClear } from '../../gpu/commands';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { checkLabels } from '../../validate/labels';
import { Quantity, ReductionKey, readRange, recordPerLabel, recordRange, recordReduction, releaseReduction } from '../measure/label-reduce';
import { defineOp, image } from '../op';

const CENTROID: readonly Quantity[] = [
  { name: 'count', kind: 'count' },
  { name: 'sumX', kind: 'sum', value: 'x', bound: 'f32(P.shape.x)' },
  { name: 'sumY', kind: 'sum', value: 'y', bound: 'f32(P.shape.y)' },
  { name: 'sumZ', kind: 'sum', value: 'z', bound: 'f32(P.shape.z)' },
];

/** Writes label k at its centroid (coordinates truncated to whole pixels); the larger label wins a shared pixel. */
const writeSpec = (): KernelSpec => ({
  label: 'reduceLabelsToCentroids: write',
  bindings: [
    { name: 'centres', type: 'array<f32>' },
    { name: 'out', type: 'array<atomic<u32>>', access: 'read_write' },
  ],
  uniforms: [{ name: 'shape', type: 'vec4<u32>' }, { name: 'rows', type: 'u32' }],
  workgroupSize: 256,
  body: `let k = gid + 1u;
  if (k >= P.rows) { return; }
  let c = vec3<f32>(centres[3u * k], centres[3u * k + 1u], centres[3u * k + 2u]);
  // Labels without pixels have the centre -1: no pixel.
  if (c.x < 0.0) { return; }
  let p = min(vec3<u32>(c), P.shape.xyz - vec3<u32>(1u));
  atomicMax(&out[(p.z * P.shape.y + p.y) * P.shape.x + p.x], k);`,
});

/**
 * Reduces every label to one pixel at its centroid (the mean pixel coordinate, truncated to whole
 * pixels as pyclesperanto does), keeping its value; all other pixels 0; uint32. Where two labels'
 * centroids fall on one pixel, the larger label is kept. Async (the largest label is read back).
 * pyclesperanto: `reduce_labels_to_centroids`.
 */
export const reduceLabelsToCentroids = defineOp(
  { params: [image('labels')], output: 'uint32', tiling: 'global' },
  async function reduceLabelsToCentroids(labels: GpuImage): Promise<GpuImage> {
    const fn = 'reduceLabelsToCentroids';
    const l = checkLabels(labels, fn);
    const range = recordRange(fn, l);
    try {
      const { maxLabel } = await readRange(fn, range);
      const rows = maxLabel + 1;
      const key: ReductionKey = { quantities: CENTROID, labels: l.dtype, refs: 0, background: false };
      const r = recordReduction(fn, key, l, undefined, rows, range);
      const centres = recordPerLabel(fn, r, ['q_sumX / q_count', 'q_sumY / q_count', 'q_sumZ / q_count'], { empty: '0xbf800000u' });
      releaseReduction(r);
      const out = create(l.shape, 'uint32');
      recordClear(out.buffer, 0, out.storageBytes);
      const [nx, ny, nz] = xyzt(l.shape);
      if (rows > 1) dispatch(kernelFor('centroidWrite', '', writeSpec), [centres, out.buffer], { shape: [nx, ny, nz, l.size], rows }, Math.ceil((rows - 1) / 256), `${fn}: write`);
      releaseBuffer(centres);
      return out;
    } finally {
      releaseBuffer(range);
    }
  },
);
