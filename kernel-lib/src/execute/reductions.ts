/**
 * Global operations over tiled data, each the whole-image result computed from per-tile parts:
 * statistics (count, min, max, sum, mean, variance: partial moments merged with Chan's update,
 * so the variance stays accurate far from zero), and Otsu's threshold from a histogram summed
 * over tiles, which is skimage's histogram of the whole image (one bin per value for integer
 * images, 256 numpy-float32 bins between the global min and max for float32), hence the same
 * threshold as `thresholdOtsu` on the whole image.
 */
import { create } from '../array/transfer';
import type { GpuImage } from '../array/gpu-image';
import { pixelsPerWord } from '../dtype';
import { analysePipeline } from './analyse';
import { readBuffer } from '../gpu/readback';
import type { HostImage } from '../array/transfer';
import type { ZarrArray } from '../io/zarr';
import { greaterConstant } from '../ops/logic/comparisons';
import { statisticsOfAllPixels, type PixelStatistics } from '../ops/reductions/statistics';
import { edgesImage, linspace32, linspace64, recordHistogram, type BinSpec } from '../ops/thresholds/histogram-engine';
import { otsu } from '../ops/thresholds/threshold-algorithms';
import { openInput, type Input } from './sources';
import { planVisits, visitTiles, type GlobalOptions } from './tile-visits';
import { tiled, type TiledOptions } from './tiled';
import { TesseraError } from '../errors';

/**
 * Count, minimum, maximum, sum, mean, variance and standard deviation of every pixel of a
 * (lazy) array, or of `options.pipeline`'s result, tile by tile on the GPU.
 * numpy: `a.min(), a.max(), a.mean(), a.std()`.
 */
export async function tiledStatistics(input: Input, options: GlobalOptions = {}): Promise<PixelStatistics> {
  const source = await openInput(input, 'tiledStatistics');
  const vp = await planVisits(source, options, 0);
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let sum = 0;
  let minimum = Infinity;
  let maximum = -Infinity;
  await visitTiles(source, vp, options, async (img) => {
    const s = await statisticsOfAllPixels(img);
    const nb = s.pixelCount;
    const delta = s.mean - mean;
    const total = n + nb;
    mean += (delta * nb) / total;
    m2 += s.variance * nb + (delta * delta * n * nb) / total;
    n = total;
    sum += s.sum;
    minimum = Math.min(minimum, s.minimum);
    maximum = Math.max(maximum, s.maximum);
  });
  const variance = m2 / n;
  return { pixelCount: n, minimum, maximum, sum, mean, variance, standardDeviation: Math.sqrt(variance) };
}

/** Reads and releases a histogram's counts. */
async function countsOf(counts: GpuImage, bins: number): Promise<Uint32Array> {
  try {
    return new Uint32Array(await readBuffer(counts.buffer, bins * 4));
  } finally {
    counts.release();
  }
}

/** skimage's 256-bin histogram of the whole array (one bin per value for integer images), summed over tiles. */
async function wholeHistogram(input: Input, options: GlobalOptions): Promise<{ counts: Float64Array; centers: Float64Array; floatCenters: boolean; min: number; max: number }> {
  const source = await openInput(input, 'tiledThresholdOtsu');
  const vp = await planVisits(source, options, 0);
  const stats = await tiledStatistics(source, options);
  const { minimum: min, maximum: max } = stats;
  let spec: (img: GpuImage) => { bins: number; bin: BinSpec; done?: () => void };
  let centers: Float64Array;
  let floatCenters = false;
  const dtype = options.pipeline ? (await analysePipeline(options.pipeline, source)).outputDType : source.dtype;
  if (dtype === 'float32') {
    const e = linspace32(min, max, 256);
    const edges = edgesImage('float32', e);
    spec = () => ({ bins: 256, bin: { mode: 'edges', edges } });
    centers = Float64Array.from({ length: 256 }, (_, k) => Math.fround(Math.fround(e[k] + e[k + 1]) / 2));
    floatCenters = true;
    try {
      return await histogramPass(source, vp, options, spec, centers, floatCenters, min, max);
    } finally {
      edges.release();
    }
  }
  if (pixelsPerWord(dtype) > 1 || max - min + 1 <= 2 ** 22) {
    const bins = max - min + 1;
    spec = () => ({ bins, bin: { mode: 'direct', offset: min } });
    centers = Float64Array.from({ length: bins }, (_, k) => min + k);
    return histogramPass(source, vp, options, spec, centers, false, min, max);
  }
  const e = linspace64(min, max, 256);
  const edges = edgesImage(dtype, e);
  try {
    centers = Float64Array.from({ length: 256 }, (_, k) => (e[k] + e[k + 1]) / 2);
    return await histogramPass(source, vp, options, () => ({ bins: 256, bin: { mode: 'edges', edges } }), centers, false, min, max);
  } finally {
    edges.release();
  }
}

async function histogramPass(
  source: import('../io/lazy-array').LazyArray, vp: Awaited<ReturnType<typeof planVisits>>, options: GlobalOptions,
  spec: (img: GpuImage) => { bins: number; bin: BinSpec }, centers: Float64Array, floatCenters: boolean, min: number, max: number,
) {
  const counts = new Float64Array(centers.length);
  await visitTiles(source, vp, options, async (img) => {
    const { bins, bin } = spec(img);
    const c = create([bins], 'uint32');
    recordHistogram('tiledThresholdOtsu', img, c, bins, bin);
    const got = await countsOf(c, bins);
    for (let k = 0; k < bins; k++) counts[k] += got[k];
  });
  return { counts, centers, floatCenters, min, max };
}

/**
 * Otsu's threshold of a whole (lazy) array, from a histogram summed over tiles: the value
 * `thresholdOtsuValue` gives for the whole image (skimage's `threshold_otsu`).
 */
export async function tiledThresholdOtsuValue(input: Input, options: GlobalOptions = {}): Promise<number> {
  const h = await wholeHistogram(input, options);
  if (h.min === h.max) return h.min;
  return otsu(h.counts, h.centers, h.floatCenters);
}

/**
 * The binary image (uint8 0/1) `input > threshold_otsu(input)` of a whole (lazy) array, tile
 * by tile: one pass for the global histogram, one to threshold. Written to `output` (a Zarr
 * path or array) or returned in host memory, as {@link tiled}. Equal to `thresholdOtsu` of the
 * whole image. With `options.pipeline`, the threshold of the pipeline's result.
 */
export async function tiledThresholdOtsu(input: Input, output?: string | ZarrArray, options: GlobalOptions & Omit<TiledOptions, 'workers' | 'slurm'> = {}): Promise<{ threshold: number; output: ZarrArray | HostImage }> {
  const source = await openInput(input, 'tiledThresholdOtsu');
  if (options.margin !== undefined && !options.pipeline) throw new TesseraError('tiledThresholdOtsu: margin applies to options.pipeline only');
  const threshold = await tiledThresholdOtsuValue(source, options);
  const pipe = options.pipeline;
  const apply = async (img: GpuImage) => greaterConstant(pipe ? await pipe(img) : img, threshold);
  const result = await tiled(apply, source, output, { ...options, label: options.label ?? `threshold ${threshold} over ${source.shape.join('×')}` });
  return { threshold, output: result };
}
