import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { computeType } from '../../dtype';
import { checkBoolean, checkInteger } from '../../validate/arguments';
import { checkLabels } from '../../validate/labels';
import { extremeFilter } from '../filters/minimum-maximum';
import { defineOp, fixedHalo, flag, image, integer } from '../op';
import { labelComponents } from './connected-components';
import { Growth } from './growth';
import { relabelSequential } from './relabel';

/**
 * Label morphology: masks of one label, label edges, and growing and shrinking labels as
 * pyclesperanto does (growth steps alternating box and diamond neighbourhoods, label erosion by
 * removing edges and then minimum filters). Results are uint32 label images (masks uint8).
 */

/** `labels` as a uint32 state image; negative labels (signed images) become 0. @internal */
export function labelState(op: string, labels: GpuImage, mask?: GpuImage, outside = 0xffffffff): GpuImage {
  const signed = computeType(labels.dtype) === 'i32';
  const value = signed ? 'u32(max(load_l(i), 0i))' : 'load_l(i)';
  return runPixelProgram({
    op: `${op}: state`,
    inputs: mask ? { l: labels, m: mask } : { l: labels },
    output: create(labels.shape, 'uint32'),
    computeType: 'u32',
    body: mask ? `if (load_m(i) == ${computeType(mask.dtype) === 'f32' ? '0.0' : `${computeType(mask.dtype)}(0)`}) { return ${outside}u; }\n  return ${value};` : `return ${value};`,
  });
}

/** WGSL: whether pixel `c` of `l` has a face neighbour inside the image with another value. */
const EDGE = (nd: number) => `fn is_edge(c: vec4<i32>) -> bool {
  let v = at_l(c);
  let n = vec3<i32>(P.l_shape.xyz);
  ${['x', 'y', 'z'].slice(0, nd).map((a) => `if (c.${a} > 0) { var d = c; d.${a} -= 1; if (at_l(d) != v) { return true; } }
  if (c.${a} + 1 < n.${a}) { var d = c; d.${a} += 1; if (at_l(d) != v) { return true; } }`).join('\n  ')}
  return false;
}`;

/** Labels without their edge pixels (those with a face neighbour of another value). */
function withoutEdges(op: string, labels: GpuImage): GpuImage {
  const signed = computeType(labels.dtype) === 'i32';
  return runPixelProgram({
    op: `${op}: without edges`,
    inputs: { l: labels },
    output: create(labels.shape, 'uint32'),
    coords: true,
    computeType: 'u32',
    helpers: EDGE(labels.ndim),
    body: `if (is_edge(c)) { return 0u; }\n  return ${signed ? 'u32(max(load_l(i), 0i))' : 'load_l(i)'};`,
  });
}

/**
 * A uint8 0/1 mask of the pixels whose label is `labelId`. pyclesperanto (prototype):
 * `label_to_mask` (= `equal_constant`); numpy: `(labels == label_id).astype(np.uint8)`.
 */
export const labelToMask = defineOp(
  { params: [image('labels'), integer('labelId', 1, undefined, undefined, [0, 100])], output: 'uint8', tiling: 'pointwise' },
  function labelToMask(labels: GpuImage, labelId = 1): GpuImage {
    const fn = 'labelToMask';
    const l = checkLabels(labels, fn);
    const signed = computeType(l.dtype) === 'i32';
    const id = checkInteger(labelId, `${fn}: labelId`, signed ? -2147483648 : 0, signed ? 2147483647 : 4294967295);
    return runPixelProgram({
      op: fn,
      inputs: { l },
      output: create(l.shape, 'uint8'),
      computeType: 'u32',
      scalars: { id: { type: signed ? 'i32' : 'u32', value: id } },
      body: 'return select(0u, 1u, load_l(i) == P.id);',
    });
  },
);

/**
 * Keeps only the edge pixels of each label: those with a face neighbour (4 in 2D, 6 in 3D) of
 * another value, the background included; pixels at the image border count as edges only if a
 * neighbour inside the image differs. Label values stay; uint32. pyclesperanto:
 * `reduce_labels_to_label_edges`; skimage: `labels * segmentation.find_boundaries(labels,
 * connectivity=1, mode='inner')`.
 */
export const reduceLabelsToLabelEdges = defineOp(
  { params: [image('labels')], output: 'uint32', tiling: fixedHalo(1) },
  function reduceLabelsToLabelEdges(labels: GpuImage): GpuImage {
    const fn = 'reduceLabelsToLabelEdges';
    const l = checkLabels(labels, fn);
    const signed = computeType(l.dtype) === 'i32';
    return runPixelProgram({
      op: fn,
      inputs: { l },
      output: create(l.shape, 'uint32'),
      coords: true,
      computeType: 'u32',
      helpers: EDGE(l.ndim),
      body: `if (!is_edge(c)) { return 0u; }\n  return ${signed ? 'u32(max(load_l(i), 0i))' : 'load_l(i)'};`,
    });
  },
);

/**
 * Grows every label by `radius` steps into the background (0) without overwriting other labels:
 * in each step a background pixel takes the largest label among its neighbours, the steps
 * alternating box (8 / 26 neighbours) and diamond (4 / 6) so that labels grow as octagons
 * (pyclesperanto stops at the first step that changes nothing; without a mask that is a fixed
 * point, so `radius` steps give the same). uint32. Returns at once (no readback). pyclesperanto: `dilate_labels`; similar to skimage's `segmentation.expand_labels`
 * (which grows by Euclidean distance, and gives contested pixels to the nearest label rather
 * than the largest).
 */
export const dilateLabels = defineOp(
  {
    params: [image('labels'), integer('radius', 2, 0, 4096, [0, 20])],
    output: 'uint32',
    tiling: { halo: (p, shape) => [shape.length > 2 ? Number(p.radius) : 0, shape.length > 1 ? Number(p.radius) : 0, Number(p.radius)] },
  },
  function dilateLabels(labels: GpuImage, radius = 2): GpuImage {
    const fn = 'dilateLabels';
    const l = checkLabels(labels, fn);
    const r = checkInteger(radius, `${fn}: radius`, 0, 4096);
    const growth = new Growth(fn, labelState(fn, l));
    for (let k = 0; k < r; k++) growth.step();
    return growth.finish();
  },
);

/**
 * Shrinks every label by `radius`: its edge pixels (a face neighbour of another value) are
 * removed, then `radius - 1` minimum filters of radius 1 alternate diamond and box neighbourhoods
 * (as pyclesperanto's `erode_labels`). Labels may vanish or split: with `relabel`, the remaining
 * pixels are labeled anew as connected components (diamond connectivity); else the remaining
 * labels are renumbered 1..M in order. uint32. Async (the renumbering reads the label count back).
 * pyclesperanto: `erode_labels(labels, radius, relabel)`.
 */
export const erodeLabels = defineOp(
  { params: [image('labels'), integer('radius', 1, 0, 4096, [0, 20]), flag('relabel', false)], output: 'uint32', tiling: 'global' },
  async function erodeLabels(labels: GpuImage, radius = 1, relabel = false): Promise<GpuImage> {
    const fn = 'erodeLabels';
    const l = checkLabels(labels, fn);
    const r = checkInteger(radius, `${fn}: radius`, 0, 4096);
    const again = checkBoolean(relabel, `${fn}: relabel`);
    if (r === 0) return labelState(fn, l);
    let img = withoutEdges(fn, l);
    const unit: [number, number, number] = [1, l.ndim > 1 ? 1 : 0, l.ndim > 2 ? 1 : 0];
    for (let k = 0; k < r - 1; k++) {
      const next = extremeFilter(fn, 'min', k % 2 === 0 ? 'sphere' : 'box', img, unit, { mode: 'nearest', cval: 0 });
      img.release();
      img = next;
    }
    try {
      if (!again) return await relabelSequential(img);
      const binary = runPixelProgram({ op: `${fn}: mask`, inputs: { a: img }, output: create(img.shape, 'uint8'), computeType: 'u32', body: 'return select(0u, 1u, load_a(i) != 0u);' });
      const out = labelComponents(fn, binary, 'diamond');
      binary.release();
      return out;
    } finally {
      img.release();
    }
  },
);
