import type { GpuImage } from '../../array/gpu-image';
import { checkImage, checkSameShape } from '../../validate/arguments';
import { notEqual } from '../logic/comparisons';
import { squaredDifference } from '../arithmetic/image-arithmetic';
import { forEachSlab } from '../../array/slabs';
import { moments, readMoments, recordMoments } from './moments';
import { type OpInfo, defineOp, image } from '../op';

/**
 * Whole-image and per-slice statistics, returned to the host (async). One GPU pass and one
 * readback each; partial results are combined in float64 (exact sums for 8/16-bit pixels,
 * float32 partial sums of 4096 pixels otherwise; variances from per-chunk centred sums, so
 * they stay accurate for data far from zero).
 */
export interface PixelStatistics {
  pixelCount: number;
  minimum: number;
  maximum: number;
  sum: number;
  mean: number;
  /** Population standard deviation (numpy's `std()`, ddof = 0). */
  standardDeviation: number;
  /** Population variance (numpy's `var()`). */
  variance: number;
}

/** The metadata of the statistics: host values from every pixel (of one image, of the masked pixels, of two images). */
const HOST_VALUE: OpInfo = { params: [image()], output: 'none', tiling: 'global' };
const MASKED: OpInfo = { ...HOST_VALUE, params: [image(), image('mask')] };
const PAIR: OpInfo = { ...HOST_VALUE, params: [image('input0'), image('input1')] };

/** The mean pixel value. pyclesperanto: `mean_of_all_pixels`; numpy: `a.mean(dtype=np.float64)`. */
export const meanOfAllPixels = defineOp(HOST_VALUE, async function meanOfAllPixels(input: GpuImage): Promise<number> {
  checkImage(input, 'meanOfAllPixels: input');
  return (await moments('meanOfAllPixels', input)).mean;
});

/**
 * The population variance (ddof = 0) of all pixels. Tessera's addition next to
 * pyclesperanto's `standard_deviation_of_all_pixels`; numpy: `a.var(dtype=np.float64)`.
 */
export const varianceOfAllPixels = defineOp(HOST_VALUE, async function varianceOfAllPixels(input: GpuImage): Promise<number> {
  checkImage(input, 'varianceOfAllPixels: input');
  return (await moments('varianceOfAllPixels', input)).variance;
});

/**
 * The population standard deviation (ddof = 0) of all pixels, as pyclesperanto's
 * `standard_deviation_of_all_pixels` (sqrt of the mean squared deviation); numpy:
 * `a.std(dtype=np.float64)`.
 */
export const standardDeviationOfAllPixels = defineOp(HOST_VALUE, async function standardDeviationOfAllPixels(input: GpuImage): Promise<number> {
  checkImage(input, 'standardDeviationOfAllPixels: input');
  return Math.sqrt((await moments('standardDeviationOfAllPixels', input)).variance);
});

/**
 * Count, minimum, maximum, sum, mean, standard deviation and variance of all pixels in one
 * pass (Tessera's addition; numpy: `a.min()`, `a.max()`, `a.mean()`, `a.std()` ...).
 */
export const statisticsOfAllPixels = defineOp(HOST_VALUE, async function statisticsOfAllPixels(input: GpuImage): Promise<PixelStatistics> {
  checkImage(input, 'statisticsOfAllPixels: input');
  const m = await moments('statisticsOfAllPixels', input);
  return { ...m, standardDeviation: Math.sqrt(m.variance) };
});

/** Per-slice statistics: one entry per z-slice in each array. */
export interface SliceStatistics {
  pixelCount: number[];
  minimum: number[];
  maximum: number[];
  sum: number[];
  mean: number[];
  /** Population standard deviation per slice (ddof = 0). */
  standardDeviation: number[];
  variance: number[];
}

/**
 * Statistics of each z-slice of a stack, as host arrays indexed by z (a 2D image is one
 * slice; [t, z, y, x] gives t·z slices in t-major order). One pass and one readback for the
 * whole stack. Tessera's addition (pyclesperanto has none); numpy:
 * `a.min(axis=(1, 2))`, `a.mean(axis=(1, 2))`, `a.std(axis=(1, 2))` ...
 */
export const statisticsOfSlices = defineOp(HOST_VALUE, async function statisticsOfSlices(input: GpuImage): Promise<SliceStatistics> {
  checkImage(input, 'statisticsOfSlices: input');
  const slices = input.ndim <= 2 ? 1 : input.size / (input.shape[input.ndim - 1] * input.shape[input.ndim - 2]);
  const plane = input.ndim <= 2 ? input.size : input.shape[input.ndim - 1] * input.shape[input.ndim - 2];
  // Large images: slabs hold whole slices (cut along the first axis), so their slice statistics simply follow each other.
  const all = input.large
    ? (await Promise.all(forEachSlab('statisticsOfSlices', input, (slab) => readMoments(recordMoments('statisticsOfSlices', slab, slab.size / plane), input.dtype)))).flat()
    : await readMoments(recordMoments('statisticsOfSlices', input, slices), input.dtype);
  const pick = (f: (m: (typeof all)[number]) => number) => all.map(f);
  return {
    pixelCount: pick((m) => m.pixelCount),
    minimum: pick((m) => m.minimum),
    maximum: pick((m) => m.maximum),
    sum: pick((m) => m.sum),
    mean: pick((m) => m.mean),
    standardDeviation: pick((m) => Math.sqrt(m.variance)),
    variance: pick((m) => m.variance),
  };
});

function maskedArgs(fn: string, input: GpuImage, mask: GpuImage): void {
  checkImage(input, `${fn}: input`);
  checkImage(mask, `${fn}: mask`);
  checkSameShape(input, mask, [`${fn}: input`, 'mask']);
}

/**
 * The smallest pixel value where `mask` is non-zero; NaN when the mask is empty
 * (pyclesperanto returns 0 then). pyclesperanto: `minimum_of_masked_pixels`; numpy: `a[m != 0].min()`.
 */
export const minimumOfMaskedPixels = defineOp(MASKED, async function minimumOfMaskedPixels(input: GpuImage, mask: GpuImage): Promise<number> {
  maskedArgs('minimumOfMaskedPixels', input, mask);
  return (await moments('minimumOfMaskedPixels', input, mask)).minimum;
});

/** The largest pixel value where `mask` is non-zero (NaN for an empty mask). pyclesperanto_prototype: `maximum_of_masked_pixels`; numpy: `a[m != 0].max()`. */
export const maximumOfMaskedPixels = defineOp(MASKED, async function maximumOfMaskedPixels(input: GpuImage, mask: GpuImage): Promise<number> {
  maskedArgs('maximumOfMaskedPixels', input, mask);
  return (await moments('maximumOfMaskedPixels', input, mask)).maximum;
});

/** The mean pixel value where `mask` is non-zero (NaN for an empty mask). Tessera's addition; numpy: `a[m != 0].mean()`. */
export const meanOfMaskedPixels = defineOp(MASKED, async function meanOfMaskedPixels(input: GpuImage, mask: GpuImage): Promise<number> {
  maskedArgs('meanOfMaskedPixels', input, mask);
  return (await moments('meanOfMaskedPixels', input, mask)).mean;
});

/**
 * Mean of the squared differences (computed in float32 per pixel, averaged in float64).
 * pyclesperanto: `mean_squared_error`; numpy: `np.mean(np.square(a.astype(np.float32) - b))`.
 */
export const meanSquaredError = defineOp(PAIR, async function meanSquaredError(input0: GpuImage, input1: GpuImage): Promise<number> {
  checkImage(input0, 'meanSquaredError: input0');
  checkImage(input1, 'meanSquaredError: input1');
  checkSameShape(input0, input1, ['meanSquaredError: input0', 'input1']);
  const sq = squaredDifference(input0, input1);
  try {
    return (await moments('meanSquaredError', sq)).mean;
  } finally {
    sq.release();
  }
});

/**
 * Whether two images have the same shape and equal pixel values (compared as by
 * {@link notEqual}; dtypes may differ). pyclesperanto: `array_equal`; numpy: `np.array_equal(a, b)`.
 */
export const arrayEqual = defineOp(PAIR, async function arrayEqual(input0: GpuImage, input1: GpuImage): Promise<boolean> {
  checkImage(input0, 'arrayEqual: input0');
  checkImage(input1, 'arrayEqual: input1');
  if (input0.ndim !== input1.ndim || input0.shape.some((e, k) => e !== input1.shape[k])) return false;
  const diff = notEqual(input0, input1);
  try {
    return (await moments('arrayEqual', diff)).maximum === 0;
  } finally {
    diff.release();
  }
});
