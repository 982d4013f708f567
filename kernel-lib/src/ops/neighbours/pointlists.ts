import type { GpuImage } from '../../array/gpu-image';
import { create, pull } from '../../array/transfer';
import { computeType } from '../../dtype';
import { TesseraError } from '../../errors';
import { runPixelProgram, xyzt } from '../../codegen/program';
import { loader, storageElement } from '../../codegen/wgsl';
import { dispatch, kernelFor } from '../../gpu/kernel';
import { checkImage, checkShape } from '../../validate/arguments';
import { checkLabelImage, checkPointlist } from '../../validate/neighbours';
import { set } from '../arithmetic/set-operations';
import { maximumXProjection } from '../projections';
import { defineOp, image } from '../op';
import { labelCount } from './label-count';

/**
 * Pointlists ↔ label images, as pyclesperanto: a pointlist is a 2D image [dims, N] whose column
 * k - 1 holds the coordinates of point (label) k, row 0 = x, row 1 = y, row 2 = z (pixel units,
 * the reverse of numpy's index order).
 */

const WORKGROUP = 256;

/** Per label the largest linear index + 1 of its pixels (so that a label of several pixels gives a deterministic point). */
const lastPixelKernel = (dtype: GpuImage['dtype']) =>
  kernelFor('lastPixelOfLabel', dtype, (d) => ({
    label: 'labelledSpotsToPointlist',
    bindings: [
      { name: 'lab_buf', type: `array<${storageElement(d)}>` },
      { name: 'last', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [{ name: 'count', type: 'u32' }, { name: 'labels', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: loader('lab', d),
    body: `let i = gid;
  if (i >= P.count) { return; }
  let l = u32(load_lab(i));
  if (l > 0u && l <= P.labels) { atomicMax(&last[l - 1u], i + 1u); }`,
  }));

/**
 * The coordinates of labelled spots (single pixels labelled 1..N, e.g. from `labelSpots`) as a
 * float32 pointlist [ndim, N]. A label of several pixels gives its last pixel in raster order
 * (use a centroid for larger labels); a missing label gives NaN. Async: N is read back first.
 * pyclesperanto: `labelled_spots_to_pointlist` (float32 as the prototype; pyclesperanto 0.25 gives
 * uint32); numpy: `np.argwhere(spots)[np.argsort(spots[spots > 0])][:, ::-1].T`.
 */
export const labelledSpotsToPointlist = defineOp(
  { params: [image('labelledSpots')], output: 'float32', tiling: 'global' },
  async function labelledSpotsToPointlist(labelledSpots: GpuImage): Promise<GpuImage> {
    const fn = 'labelledSpotsToPointlist';
    const spots = checkLabelImage(labelledSpots, `${fn}: labelledSpots`);
    const n = await labelCount(fn, spots);
    if (n === 0) throw new TesseraError(`${fn}: labelledSpots holds no spots (all pixels are 0); a pointlist needs at least one point`);
    const last = set(create([n], 'uint32'), 0);
    dispatch(lastPixelKernel(spots.dtype), [spots.buffer, last.buffer], { count: spots.size, labels: n }, Math.ceil(spots.size / WORKGROUP));
    const out = runPixelProgram({
      op: fn,
      inputs: { last },
      output: create([spots.ndim, n], 'float32'),
      scalars: { sx: { type: 'u32', value: xyzt(spots.shape)[0] }, sy: { type: 'u32', value: xyzt(spots.shape)[1] } },
      coords: true,
      computeType: 'f32',
      body: `let v = load_last(u32(c.x));
  if (v == 0u) { return bitcast<f32>(0x7fc00000u | v); } // NaN (a constant NaN does not compile)
  let k = v - 1u;
  var coord = array<u32, 3>(k % P.sx, (k / P.sx) % P.sy, k / (P.sx * P.sy));
  return f32(coord[c.y]);`,
    });
    last.release();
    return out;
  },
);

const spotsKernel = (dtype: GpuImage['dtype']) =>
  kernelFor('pointlistToLabelledSpots', dtype, (d) => ({
    label: 'pointlistToLabelledSpots',
    bindings: [
      { name: 'p_buf', type: `array<${storageElement(d)}>` },
      { name: 'out', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [{ name: 'shape', type: 'vec4<u32>' }, { name: 'points', type: 'u32' }, { name: 'dims', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: loader('p', d),
    body: `let j = gid;
  if (j >= P.points) { return; }
  var index = 0u;
  var stride = 1u;
  for (var k = 0u; k < P.dims; k++) {
    let v = f32(load_p(k * P.points + j));
    let extent = P.shape[k];
    // Coordinates are truncated toward zero, as pyclesperanto's; points outside the image are skipped.
    if (!(v >= 0.0) || v >= f32(extent)) { return; }
    index += u32(v) * stride;
    stride *= extent;
  }
  atomicMax(&out[index], j + 1u);`,
  }));

/**
 * A uint32 label image with pixel (x, y, z) of point k of the pointlist set to k (1-based), 0
 * elsewhere; coordinates are truncated toward zero, points outside the image are skipped, and
 * where points share a pixel the larger index wins. `shape` (z, y, x order, one axis per row of
 * the pointlist) defaults to the largest coordinate + 1 per axis (then async: read back first).
 * pyclesperanto: `pointlist_to_labelled_spots`; numpy: `out[tuple(p[::-1].astype(int))] = arange(1, N + 1)`.
 */
export const pointlistToLabelledSpots = defineOp(
  { params: [image('pointlist'), { name: 'shape', kind: 'value', optional: true }], output: 'uint32', tiling: 'global' },
  async function pointlistToLabelledSpots(pointlist: GpuImage, shape?: readonly number[]): Promise<GpuImage> {
    const fn = 'pointlistToLabelledSpots';
    const p = checkPointlist(pointlist, `${fn}: pointlist`);
    const dims = p.shape[0];
    const extents = shape === undefined ? await shapeOfPointlist(fn, p) : checkShape([...shape], `${fn}: shape`);
    if (extents.length !== dims) throw new TesseraError(`${fn}: shape [${extents}] must have one axis per row of the pointlist (${dims})`);
    const out = set(create(extents, 'uint32'), 0);
    dispatch(spotsKernel(p.dtype), [p.buffer, out.buffer], { shape: xyzt(extents), points: p.shape[1], dims }, Math.ceil(p.shape[1] / WORKGROUP));
    return out;
  },
);

/** The image shape (z, y, x order) that holds every point: the largest coordinate + 1 per axis. */
export async function shapeOfPointlist(fn: string, p: GpuImage): Promise<number[]> {
  const max = maximumXProjection(p);
  const { data } = await pull(max);
  max.release();
  const extents = [...data].map((v) => Math.floor(Number(v)) + 1);
  if (extents.some((e) => !(e >= 1))) throw new TesseraError(`${fn}: the pointlist's coordinates must be >= 0 (and not NaN) to size an image; pass a shape`);
  return extents.reverse();
}

const WG_SCAN = 256;

/**
 * Numbers the non-zero pixels of a spot image 1, 2, ... in raster order (x fastest, then y, then
 * z) into a uint32 label image. Three passes on the GPU: spots per row, an exclusive scan of the
 * row counts in one workgroup, then each row written from its offset.
 * pyclesperanto: `label_spots`; numpy: `out[spots != 0] = arange(1, count + 1)`.
 */
export const labelSpots = defineOp(
  { params: [image('spots')], output: 'uint32', tiling: 'global' },
  function labelSpots(spots: GpuImage): GpuImage {
    const fn = 'labelSpots';
    const img = checkImage(spots, `${fn}: spots`);
    if (img.ndim > 3) throw new TesseraError(`${fn}: spots must have 1 to 3 dimensions; got shape [${img.shape}]`);
    const width = xyzt(img.shape)[0];
    const rows = img.size / width;
    const t = computeType(img.dtype);
    const zero = t === 'f32' ? '0.0' : `${t}(0)`;
    // Spots per row (the extra last entry receives the total in the scan).
    const counts = runPixelProgram({
      op: `${fn} count`,
      inputs: { a: img },
      output: create([rows + 1], 'uint32'),
      scalars: { w: { type: 'u32', value: width }, rows: { type: 'u32', value: rows } },
      computeType: 'u32',
      body: `if (i >= P.rows) { return 0u; }
  var k = 0u;
  for (var x = 0u; x < P.w; x++) { if (load_a(i * P.w + x) != ${zero}) { k++; } }
  return k;`,
    });
    const scan = kernelFor('rowOffsetsScan', '', () => ({
      label: `${fn} scan`,
      bindings: [{ name: 'counts', type: 'array<u32>', access: 'read_write' }],
      uniforms: [{ name: 'rows', type: 'u32' }],
      workgroupSize: WG_SCAN,
      declarations: `var<workgroup> part: array<u32, ${WG_SCAN}>;`,
      body: `let chunk = (P.rows + ${WG_SCAN - 1}u) / ${WG_SCAN}u;
  let start = min(lid * chunk, P.rows);
  let end = min(start + chunk, P.rows);
  var total = 0u;
  for (var r = start; r < end; r++) { total += counts[r]; }
  part[lid] = total;
  workgroupBarrier();
  for (var s = 1u; s < ${WG_SCAN}u; s <<= 1u) {
    let add = select(0u, part[select(0u, lid - s, lid >= s)], lid >= s);
    workgroupBarrier();
    part[lid] += add;
    workgroupBarrier();
  }
  var offset = part[lid] - total;
  for (var r = start; r < end; r++) { let k = counts[r]; counts[r] = offset; offset += k; }
  if (lid == ${WG_SCAN - 1}u) { counts[P.rows] = part[lid]; }`,
    }));
    dispatch(scan, [counts.buffer], { rows }, [1, 1, 1]);
    const out = create(img.shape, 'uint32');
    runPixelProgram({
      op: `${fn} write`,
      inputs: { a: img, o: counts },
      output: out,
      scalars: { w: { type: 'u32', value: width } },
      computeType: 'u32',
      body: `if (load_a(i) == ${zero}) { return 0u; }
  let row = i / P.w;
  var k = load_o(row);
  for (var x = row * P.w; x <= i; x++) { if (load_a(x) != ${zero}) { k++; } }
  return k;`,
    });
    counts.release();
    return out;
  },
);

/**
 * The coordinates of the non-zero pixels of a spot image (e.g. from `detectMaxima`) as a float32
 * pointlist [ndim, N], in raster order. pyclesperanto: `spots_to_pointlist`; numpy:
 * `np.argwhere(spots)[:, ::-1].T`.
 */
export const spotsToPointlist = defineOp(
  { params: [image('spots')], output: 'float32', tiling: 'global' },
  async function spotsToPointlist(spots: GpuImage): Promise<GpuImage> {
    const labelled = labelSpots(spots);
    try {
      return await labelledSpotsToPointlist(labelled);
    } finally {
      labelled.release();
    }
  },
);
