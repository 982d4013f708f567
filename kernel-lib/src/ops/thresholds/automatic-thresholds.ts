import { DType, dtypeRange, pixelsPerWord } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { workgroupArrays, workgroupReduce } from '../../codegen/snippets';
import { loader, storageElement } from '../../codegen/wgsl';
import { TesseraError } from '../../errors';
import { acquireBuffer, releaseBuffer } from '../../gpu/buffer-pool';
import { recordCopy } from '../../gpu/commands';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { readBuffer } from '../../gpu/readback';
import { checkImage, checkInteger, checkNumber } from '../../validate/arguments';
import { greaterConstant } from '../logic/comparisons';
import { gpuMinMax, moments } from '../reductions/moments';
import { edgesImage, gpuFloatEdges, linspace32, linspace64, recordHistogram } from './histogram-engine';
import { liInteger, otsu, triangle, yen } from './threshold-algorithms';
import { type OpInfo, type ParamSpec, defineOp, image, integer } from '../op';

/**
 * Automatic thresholds, as scikit-image computes them. The histogram is made on the GPU and
 * read back once (1 KB for float32 and 8-bit images); the threshold is computed on the host
 * from it exactly as skimage.filters does (same histogram, same float32 arithmetic), and the
 * binary image `input > threshold` (uint8 0/1) is made on the GPU.
 *
 * skimage's histogram (nbins = 256): float32 images get 256 equal bins over [min, max] (numpy
 * float32 edges, bin centres halfway); integer images get one bin per integer value from min
 * to max (a bincount). Tessera matches both exactly, except for 32-bit integer images whose
 * value range exceeds 2^22: those get 256 equal bins (numpy's float64 edges) instead.
 *
 * These functions are async: the threshold must come back to the host. pyclesperanto's
 * `threshold_otsu` returns the binary image at once (it blocks); Tessera returns a Promise.
 */
const MAX_BINCOUNT = 2 ** 22;
const NBINS = 256;
const f = Math.fround;

interface Histogram {
  counts: ArrayLike<number>;
  centers: Float64Array;
  floatCenters: boolean;
  min: number;
  max: number;
}

/** skimage.exposure.histogram(image, 256, source_range='image'), computed on the GPU. */
async function skimageHistogram(fn: string, input: GpuImage): Promise<Histogram> {
  const d = input.dtype;
  if (d === 'float32') return floatHistogram(fn, input);
  if (pixelsPerWord(d) > 1) {
    // 8/16-bit: a bincount over the whole dtype range; min and max are its first and last non-zero bins.
    const [lo, hi] = dtypeRange(d);
    const n = hi - lo + 1;
    const counts = create([n], 'uint32');
    recordHistogram(fn, input, counts, n, { mode: 'direct', offset: lo });
    const all = await readCounts(counts, n);
    let first = 0;
    while (all[first] === 0) first++;
    let last = n - 1;
    while (all[last] === 0) last--;
    return bincount(all.slice(first, last + 1), lo + first);
  }
  const m = await moments(fn, input);
  if (m.maximum - m.minimum + 1 <= MAX_BINCOUNT) {
    const n = m.maximum - m.minimum + 1;
    const counts = create([n], 'uint32');
    recordHistogram(fn, input, counts, n, { mode: 'direct', offset: m.minimum });
    return bincount(await readCounts(counts, n), m.minimum);
  }
  // Documented deviation: 256 equal bins instead of a bincount of more than 2^22 values.
  const e = linspace64(m.minimum, m.maximum, NBINS);
  const edges = edgesImage(d, e);
  const counts = create([NBINS], 'uint32');
  recordHistogram(fn, input, counts, NBINS, { mode: 'edges', edges });
  const c = await readCounts(counts, NBINS);
  edges.release();
  return { counts: c, centers: Float64Array.from({ length: NBINS }, (_, k) => (e[k] + e[k + 1]) / 2), floatCenters: false, min: m.minimum, max: m.maximum };
}

function bincount(counts: Float64Array, min: number): Histogram {
  return { counts, centers: Float64Array.from({ length: counts.length }, (_, k) => min + k), floatCenters: false, min, max: min + counts.length - 1 };
}

async function readCounts(counts: GpuImage, n: number): Promise<Float64Array> {
  try {
    return Float64Array.from(new Uint32Array(await readBuffer(counts.buffer, n * 4)));
  } finally {
    counts.release();
  }
}

/**
 * Float32 images: min/max, the 257 edges and the histogram all on the GPU, read back together
 * in one transfer. The edges are checked against numpy's (computed here from the same min and
 * max); should a GPU's rounding differ, the histogram is redone with the host's edges.
 */
async function floatHistogram(fn: string, input: GpuImage): Promise<Histogram> {
  const minMax = gpuMinMax(fn, input);
  const gpuEdges = gpuFloatEdges(fn, minMax, NBINS);
  const words = NBINS + NBINS + 1 + 2;
  const result = create([words], 'uint32');
  recordHistogram(fn, input, result, NBINS, { mode: 'edges', edges: gpuEdges });
  recordCopy(gpuEdges.buffer, 0, result.buffer, NBINS * 4, (NBINS + 1) * 4);
  recordCopy(minMax.buffer, 0, result.buffer, (2 * NBINS + 1) * 4, 8);
  let raw: ArrayBuffer;
  try {
    raw = await readBuffer(result.buffer, words * 4);
  } finally {
    result.release();
    gpuEdges.release();
    minMax.release();
  }
  let counts: Float64Array = Float64Array.from(new Uint32Array(raw, 0, NBINS));
  const got = new Float32Array(raw, NBINS * 4, NBINS + 1);
  const [min, max] = new Float32Array(raw, (2 * NBINS + 1) * 4, 2);
  const e = linspace32(min, max, NBINS);
  if (e.some((x, k) => !Object.is(x, got[k]))) {
    const edges = edgesImage('float32', e);
    const again = create([NBINS], 'uint32');
    recordHistogram(fn, input, again, NBINS, { mode: 'edges', edges });
    counts = await readCounts(again, NBINS);
    edges.release();
  }
  const centers = Float64Array.from({ length: NBINS }, (_, k) => f(f(e[k] + e[k + 1]) / 2));
  return { counts, centers, floatCenters: true, min, max };
}

/** The metadata of the thresholds: the threshold value (a host number) or the binary image above it, from the whole image. */
const VALUE: OpInfo = { params: [image()], output: 'none', tiling: 'global' };
const BINARY: OpInfo = { params: [image()], output: 'uint8', tiling: 'global' };

/**
 * The Otsu threshold, as `skimage.filters.threshold_otsu(a)` (nbins = 256; for integer
 * images one bin per value). A constant image gives its value.
 */
export const thresholdOtsuValue = defineOp(VALUE, async function thresholdOtsuValue(input: GpuImage): Promise<number> {
  checkImage(input, 'thresholdOtsuValue: input');
  const h = await skimageHistogram('thresholdOtsuValue', input);
  if (h.min === h.max) return h.min;
  return otsu(h.counts, h.centers, h.floatCenters);
});

/**
 * Binary image (uint8 0/1) of `input > threshold_otsu(input)`; async (see the module note).
 * pyclesperanto: `threshold_otsu` (whose own histogram differs slightly: Tessera matches
 * scikit-image); skimage: `a > filters.threshold_otsu(a)`.
 */
export const thresholdOtsu = defineOp(BINARY, async function thresholdOtsu(input: GpuImage): Promise<GpuImage> {
  checkImage(input, 'thresholdOtsu: input');
  return greaterConstant(input, await thresholdOtsuValue(input));
});

/** The Yen threshold, as `skimage.filters.threshold_yen(a)` (nbins = 256). */
export const thresholdYenValue = defineOp(VALUE, async function thresholdYenValue(input: GpuImage): Promise<number> {
  checkImage(input, 'thresholdYenValue: input');
  const h = await skimageHistogram('thresholdYenValue', input);
  return yen(h.counts, h.centers);
});

/** Binary image of `input > threshold_yen(input)`; async. pyclesperanto: `threshold_yen`; skimage: `a > filters.threshold_yen(a)`. */
export const thresholdYen = defineOp(BINARY, async function thresholdYen(input: GpuImage): Promise<GpuImage> {
  checkImage(input, 'thresholdYen: input');
  return greaterConstant(input, await thresholdYenValue(input));
});

/** The triangle threshold, as `skimage.filters.threshold_triangle(a)` (nbins = 256). */
export const thresholdTriangleValue = defineOp(VALUE, async function thresholdTriangleValue(input: GpuImage): Promise<number> {
  checkImage(input, 'thresholdTriangleValue: input');
  const h = await skimageHistogram('thresholdTriangleValue', input);
  if (h.min === h.max) return h.min;
  return triangle(h.counts, h.centers);
});

/**
 * Binary image of `input > threshold_triangle(input)`; async. Not in pyclesperanto's list;
 * skimage: `a > filters.threshold_triangle(a)`.
 */
export const thresholdTriangle = defineOp(BINARY, async function thresholdTriangle(input: GpuImage): Promise<GpuImage> {
  checkImage(input, 'thresholdTriangle: input');
  return greaterConstant(input, await thresholdTriangleValue(input));
});

/**
 * The mean threshold: the mean pixel value (float64; skimage's `threshold_mean` returns numpy's
 * float32 mean for float32 images, which can differ in the last bits).
 */
export const thresholdMeanValue = defineOp(VALUE, async function thresholdMeanValue(input: GpuImage): Promise<number> {
  checkImage(input, 'thresholdMeanValue: input');
  return (await moments('thresholdMeanValue', input)).mean;
});

/** Binary image of `input > mean(input)`; async. pyclesperanto: `threshold_mean`; skimage: `a > filters.threshold_mean(a)`. */
export const thresholdMean = defineOp(BINARY, async function thresholdMean(input: GpuImage): Promise<GpuImage> {
  checkImage(input, 'thresholdMean: input');
  return greaterConstant(input, await thresholdMeanValue(input));
});

export interface LiOptions {
  /**
   * Stop when the threshold changes by at most this much. Default: integer images 0.5 (as
   * skimage); float32 images 0, i.e. iterate until the split of the pixels stops changing
   * (skimage uses half the smallest gap between distinct pixel values, which needs a sort).
   */
  tolerance?: number;
  /** At most this many iterations (default 1000). */
  maxIterations?: number;
}

/** {@link LiOptions} as metadata. */
const LI_OPTIONS: ParamSpec = {
  name: 'options',
  kind: 'options',
  fields: [
    { name: 'tolerance', kind: 'number', optional: true, min: 0, doc: 'left out: 0.5 for integer images, 0 for float32' },
    integer('maxIterations', 1000, 1),
  ],
};

/**
 * Li's minimum cross-entropy threshold, as `skimage.filters.threshold_li(a)`. Integer images:
 * computed on the host from the bincount histogram, as skimage does (identical result).
 * Float32 images: skimage's iteration on the pixels, each step one GPU pass (sums above and
 * below the current threshold) and one small readback; means are accumulated more precisely
 * than numpy's float32 sums, so the threshold can differ from skimage's in the last bits
 * (relative ~1e-6) and the stopping rule differs (see {@link LiOptions}).
 * Integer images whose values span more than 2^22 use the float32 iteration too.
 */
export const thresholdLiValue = defineOp({ ...VALUE, params: [image(), LI_OPTIONS] }, async function thresholdLiValue(
  input: GpuImage, options: LiOptions = {},
): Promise<number> {
  checkImage(input, 'thresholdLiValue: input');
  const tolerance = options.tolerance === undefined ? undefined : checkNumber(options.tolerance, 'thresholdLiValue: options.tolerance');
  if (tolerance !== undefined && tolerance < 0) throw new TesseraError(`thresholdLiValue: options.tolerance must be >= 0; got ${tolerance}`);
  const maxIterations = checkInteger(options.maxIterations ?? 1000, 'thresholdLiValue: options.maxIterations', 1);
  if (input.dtype !== 'float32') {
    const h = await skimageHistogram('thresholdLiValue', input);
    if (!h.floatCenters && h.centers.length === h.counts.length && h.centers[1] - h.centers[0] === 1) return liInteger(h.counts, h.min);
  }
  return liIterative(input, tolerance ?? (input.dtype === 'float32' ? 0 : 0.5), maxIterations);
});

/** Binary image of `input > threshold_li(input)`; async. Not in pyclesperanto's list; skimage: `a > filters.threshold_li(a)`. */
export const thresholdLi = defineOp({ ...BINARY, params: [image(), LI_OPTIONS] }, async function thresholdLi(
  input: GpuImage, options: LiOptions = {},
): Promise<GpuImage> {
  checkImage(input, 'thresholdLi: input');
  return greaterConstant(input, await thresholdLiValue(input, options));
});

const LI_WORKGROUP = 256;
const LI_CHUNK = LI_WORKGROUP * 16;

function liSpec(d: DType): KernelSpec {
  const sums = { name: 'sums', type: 'vec4<f32>', combine: (a: string, b: string) => `${a} + ${b}` };
  return {
    label: 'thresholdLi',
    bindings: [
      { name: 'a_buf', type: `array<${storageElement(d)}>` },
      { name: 'partials', type: 'array<vec4<f32>>', access: 'read_write' },
    ],
    uniforms: [{ name: 'pixels', type: 'u32' }, { name: 'groups', type: 'u32' }, { name: 'min', type: 'f32' }, { name: 't', type: 'f32' }],
    workgroupSize: LI_WORKGROUP,
    declarations: `${loader('a', d)}\n${workgroupArrays([sums], LI_WORKGROUP)}`,
    body: `if (group >= P.groups) { return; }
  // (pixels above, their sum, pixels at or below, their sum) of the image shifted by its minimum.
  var acc = vec4<f32>(0.0);
  for (var k = 0u; k < 16u; k++) {
    let i = group * ${LI_CHUNK}u + k * ${LI_WORKGROUP}u + lid;
    if (i < P.pixels) {
      let v = f32(load_a(i)) - P.min;
      if (v > P.t) { acc = acc + vec4<f32>(1.0, v, 0.0, 0.0); } else { acc = acc + vec4<f32>(0.0, 0.0, 1.0, v); }
    }
  }
  sh_sums[lid] = acc;
  workgroupBarrier();
  ${workgroupReduce([sums], LI_WORKGROUP)}
  if (lid == 0u) { partials[group] = sh_sums[0]; }`,
  };
}

async function liIterative(input: GpuImage, tolerance: number, maxIterations: number): Promise<number> {
  const m = await moments('thresholdLiValue', input);
  const min = f(m.minimum);
  if (m.minimum === m.maximum) return m.minimum;
  const groups = Math.ceil(input.size / LI_CHUNK);
  const partials = acquireBuffer(groups * 16, 'thresholdLiValue partial sums');
  const kernel = kernelFor('thresholdLi', input.dtype, liSpec);
  try {
    let tNext = f(m.mean - m.minimum);
    let tCurr = -2 * tolerance - 1;
    for (let it = 0; it < maxIterations && Math.abs(tNext - tCurr) > tolerance; it++) {
      tCurr = tNext;
      dispatch(kernel, [input.buffer, partials], { pixels: input.size, groups, min, t: tCurr }, groups, 'thresholdLiValue');
      const p = new Float32Array(await readBuffer(partials, groups * 16));
      let nf = 0, sf = 0, nb = 0, sb = 0;
      for (let g = 0; g < groups; g++) {
        nf += p[4 * g];
        sf += p[4 * g + 1];
        nb += p[4 * g + 2];
        sb += p[4 * g + 3];
      }
      // skimage's float32 arithmetic on float32 means.
      const meanFore = f(sf / nf);
      const meanBack = f(sb / nb);
      if (meanBack === 0) break;
      tNext = f(f(meanBack - meanFore) / f(f(Math.log(meanBack)) - f(Math.log(meanFore))));
    }
    return f(tNext + min);
  } finally {
    releaseBuffer(partials);
  }
}
