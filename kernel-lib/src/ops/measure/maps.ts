import type { GpuImage } from '../../array/gpu-image';
import { create, push } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { computeType } from '../../dtype';
import { TesseraError } from '../../errors';
import { releaseBuffer } from '../../gpu/buffer-pool';
import { checkImage, isGpuImage } from '../../validate/arguments';
import { checkIntensity, checkLabels } from '../../validate/labels';
import { defineOp, image } from '../op';
import { Quantity, ReductionKey, readRange, recordPerLabel, recordRange, recordReduction, releaseReduction } from './label-reduce';

/**
 * Parametric maps: every pixel of a label gets a measurement of its label (float32; background
 * 0). The measurement is computed per label on the GPU with the reduction engine and gathered
 * into the map on the GPU: only the largest label is read back (it sizes the per-label table),
 * so these operations are async. pyclesperanto computes its maps from a host table of
 * statistics; the values are the same measurements as {@link statisticsOfLabelledPixels}.
 */

/** Writes `values` (float32, one per label value 0..rows-1 — row 0 unused) into the map of `labels`. */
function gather(op: string, labels: GpuImage, values: GpuImage, shift: number): GpuImage {
  const signed = computeType(labels.dtype) === 'i32';
  return runPixelProgram({
    op: `${op}: map`,
    inputs: { l: labels, t: values },
    output: create(labels.shape, 'float32'),
    computeType: 'f32',
    // Labels beyond the table (parametricMap with a short column) are NaN; background 0.
    body: `let raw = load_l(i);
  ${signed ? 'if (raw <= 0i) { return 0.0; }\n  let k = u32(raw);' : 'let k = raw;\n  if (k == 0u) { return 0.0; }'}
  if (k - ${shift}u >= P.count) { return bitcast<f32>(P.nan); }
  return f32(load_t(k - ${shift}u));`,
    scalars: { nan: { type: 'u32', value: 0x7fc00000 }, count: { type: 'u32', value: values.size } },
  });
}

interface MapPass {
  quantities: readonly Quantity[];
  /** Per-label references for the next pass (WGSL of the q_ values), or the map value (last pass). */
  values: readonly string[];
}

/** A map from one or two reduction passes: the last pass's single value is gathered per pixel. */
async function labelMap(op: string, labels: GpuImage, intensity: GpuImage | undefined, passes: readonly MapPass[]): Promise<GpuImage> {
  const range = recordRange(op, labels, intensity);
  try {
    const { maxLabel } = await readRange(op, range, intensity ? 'intensity' : undefined);
    const rows = maxLabel + 1;
    let refs: GPUBuffer | undefined;
    let refCount = 0;
    for (const [k, pass] of passes.entries()) {
      const key: ReductionKey = { quantities: pass.quantities, labels: labels.dtype, intensity: intensity?.dtype, refs: refCount, background: false };
      const r = recordReduction(`${op}: pass ${k + 1}`, key, labels, intensity, rows, range, refs);
      if (refs) releaseBuffer(refs);
      if (k === passes.length - 1) {
        const table = create([rows], 'float32');
        recordPerLabel(op, r, pass.values, { into: table.buffer, empty: '0u' });
        releaseReduction(r);
        const map = gather(op, labels, table, 0);
        table.release();
        return map;
      }
      refs = recordPerLabel(`${op}: references`, r, pass.values);
      refCount = pass.values.length;
      releaseReduction(r);
    }
    throw new Error('internal: a map needs a pass');
  } finally {
    releaseBuffer(range);
  }
}

const COUNT: Quantity = { name: 'count', kind: 'count' };
const VABS = 'max(abs(vmin), abs(vmax))';
const SUM_V: Quantity = { name: 'sumV', kind: 'sum', value: 'v', bound: VABS };
const CENTROID: readonly Quantity[] = [
  COUNT,
  { name: 'sumX', kind: 'sum', value: 'x', bound: 'f32(P.shape.x)' },
  { name: 'sumY', kind: 'sum', value: 'y', bound: 'f32(P.shape.y)' },
  { name: 'sumZ', kind: 'sum', value: 'z', bound: 'f32(P.shape.z)' },
];
const TO_CENTROID = ['q_sumX / q_count', 'q_sumY / q_count', 'q_sumZ / q_count'];
const DIST = 'length(vec3<f32>(x - refv(0u), y - refv(1u), z - refv(2u)))';
const DISTANCES: readonly Quantity[] = [
  COUNT,
  { name: 'sumD', kind: 'sum', value: DIST, bound: 'length(vec3<f32>(P.shape.xyz))' },
  { name: 'maxD', kind: 'max', value: DIST, type: 'f32' },
];

function intensityMap(fn: string, intensity: GpuImage, labels: GpuImage, passes: readonly MapPass[]): Promise<GpuImage> {
  const l = checkLabels(labels, fn);
  const v = checkIntensity(intensity, l, fn);
  return labelMap(fn, l, v, passes);
}

const intensityMapInfo = { params: [image('intensity'), image('labels')], output: 'float32', tiling: 'global' } as const;
const labelMapInfo = { params: [image('labels')], output: 'float32', tiling: 'global' } as const;

/**
 * Replaces every label by its pixel count (area / volume), float32; background 0. Async.
 * pyclesperanto: `label_pixel_count_map` / `pixel_count_map`; skimage: the `area` of
 * regionprops painted onto the labels.
 */
export const labelPixelCountMap = defineOp(labelMapInfo, async function labelPixelCountMap(labels: GpuImage): Promise<GpuImage> {
  const fn = 'labelPixelCountMap';
  return labelMap(fn, checkLabels(labels, fn), undefined, [{ quantities: [COUNT], values: ['q_count'] }]);
});

/**
 * Replaces every label by the mean of `intensity` over it, float32; background 0. Async.
 * pyclesperanto: `mean_intensity_map` / `label_mean_intensity_map`.
 */
export const meanIntensityMap = defineOp(intensityMapInfo, async function meanIntensityMap(intensity: GpuImage, labels: GpuImage): Promise<GpuImage> {
  return intensityMap('meanIntensityMap', intensity, labels, [{ quantities: [COUNT, SUM_V], values: ['q_sumV / q_count'] }]);
});

/** Replaces every label by the minimum of `intensity` over it, float32; background 0. Async. pyclesperanto: `minimum_intensity_map`. */
export const minimumIntensityMap = defineOp(intensityMapInfo, async function minimumIntensityMap(intensity: GpuImage, labels: GpuImage): Promise<GpuImage> {
  return intensityMap('minimumIntensityMap', intensity, labels, [{ quantities: [COUNT, { name: 'minV', kind: 'min', value: 'v', type: 'f32' }], values: ['q_minV'] }]);
});

/** Replaces every label by the maximum of `intensity` over it, float32; background 0. Async. pyclesperanto: `maximum_intensity_map`. */
export const maximumIntensityMap = defineOp(intensityMapInfo, async function maximumIntensityMap(intensity: GpuImage, labels: GpuImage): Promise<GpuImage> {
  return intensityMap('maximumIntensityMap', intensity, labels, [{ quantities: [COUNT, { name: 'maxV', kind: 'max', value: 'v', type: 'f32' }], values: ['q_maxV'] }]);
});

/**
 * Replaces every label by the standard deviation of `intensity` over it (population, as
 * numpy's std; two passes: the deviations from each label's mean are summed), float32;
 * background 0. Async. pyclesperanto: `standard_deviation_intensity_map`.
 */
export const standardDeviationIntensityMap = defineOp(intensityMapInfo, async function standardDeviationIntensityMap(intensity: GpuImage, labels: GpuImage): Promise<GpuImage> {
  return intensityMap('standardDeviationIntensityMap', intensity, labels, [
    { quantities: [COUNT, SUM_V], values: ['q_sumV / q_count'] },
    {
      quantities: [COUNT, { name: 'sumD', kind: 'sum', value: '(v - refv(0u))', bound: '(vmax - vmin)' }, { name: 'sumD2', kind: 'sum', value: '(v - refv(0u)) * (v - refv(0u))', bound: '(vmax - vmin) * (vmax - vmin)' }],
      // Σ(v - m)² = Σ(v - m')² - (Σ(v - m'))² / n about the float32 mean m'.
      values: ['sqrt(max(0.0, q_sumD2 - q_sumD * q_sumD / q_count) / q_count)'],
    },
  ]);
});

/** Replaces every label by the mean distance of its pixels to its centroid, float32. Async. pyclesperanto: `mean_extension_map`. */
export const meanExtensionMap = defineOp(labelMapInfo, async function meanExtensionMap(labels: GpuImage): Promise<GpuImage> {
  const fn = 'meanExtensionMap';
  return labelMap(fn, checkLabels(labels, fn), undefined, [{ quantities: CENTROID, values: TO_CENTROID }, { quantities: DISTANCES, values: ['q_sumD / q_count'] }]);
});

/** Replaces every label by the largest distance of its pixels to its centroid, float32. Async. pyclesperanto: `maximum_extension_map`. */
export const maximumExtensionMap = defineOp(labelMapInfo, async function maximumExtensionMap(labels: GpuImage): Promise<GpuImage> {
  const fn = 'maximumExtensionMap';
  return labelMap(fn, checkLabels(labels, fn), undefined, [{ quantities: CENTROID, values: TO_CENTROID }, { quantities: DISTANCES, values: ['q_maxD'] }]);
});

/**
 * Replaces every label by the ratio of the largest to the mean distance of its pixels to its
 * centroid (NaN for single-pixel labels: 0 / 0), float32. Async. pyclesperanto: `extension_ratio_map`.
 */
export const extensionRatioMap = defineOp(labelMapInfo, async function extensionRatioMap(labels: GpuImage): Promise<GpuImage> {
  const fn = 'extensionRatioMap';
  return labelMap(fn, checkLabels(labels, fn), undefined, [{ quantities: CENTROID, values: TO_CENTROID }, { quantities: DISTANCES, values: ['q_maxD / (q_sumD / q_count)'] }]);
});

/**
 * Replaces every label k of `labels` by `values[k - 1]`, a measurement column (one value per
 * label 1..N, e.g. a column of {@link statisticsOfLabelledPixels}' table or a float GpuImage of
 * N values, read in raster order); background 0, labels beyond the column NaN. float32. Returns
 * at once (no readback).
 * pyclesperanto: `parametric_map(labels, props, property)` and `replace_intensities` (whose list
 * starts with label 0: pass `list.slice(1)`).
 */
export const parametricMap = defineOp(
  { params: [image('labels'), { name: 'values', kind: 'value' }], output: 'float32', tiling: 'pointwise' },
  function parametricMap(labels: GpuImage, values: ArrayLike<number> | GpuImage): GpuImage {
    const fn = 'parametricMap';
    const l = checkLabels(labels, fn);
    if (isGpuImage(values)) return gather(fn, l, checkImage(values, `${fn}: values`), 1);
    if (values === null || typeof values !== 'object' || typeof (values as ArrayLike<number>).length !== 'number') {
      throw new TesseraError(`${fn}: values must be an array of numbers (one per label 1..N) or a GpuImage; got ${values === null ? 'null' : typeof values}`);
    }
    const list = Float32Array.from(values as ArrayLike<number>);
    if (list.length === 0) throw new TesseraError(`${fn}: values is empty; it needs one value per label 1..N`);
    const column = push(list, [list.length], { allowNonFinite: true });
    const map = gather(fn, l, column, 1);
    column.release();
    return map;
  },
);
