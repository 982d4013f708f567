import { dtypeRange } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { TesseraError } from '../../errors';
import { checkImage, checkInteger, checkNumber } from '../../validate/arguments';
import { gpuMinMax } from '../reductions/moments';
import { edgesImage, gpuFloatEdges, linspace64, recordHistogram } from './histogram-engine';
import { defineOp, image, integer, optionalNumber } from '../op';

/**
 * Histogram of all pixels: `numBins` uint32 counts in a 1D GPU image (pyclesperanto's dtype),
 * computed entirely on the GPU (workgroup-local atomics merged into global counts); nothing
 * is read back, so it stays a synchronous operation like the others.
 *
 * Bins are numpy's: numBins equal bins over [minimumIntensity, maximumIntensity], each closed
 * on the left, the last closed on both sides; values outside are not counted. Left out (or
 * NaN, pyclesperanto's default) the bounds are the image's own minimum / maximum, found on the
 * GPU. Equal to `np.histogram(a, numBins, range=(min, max))[0]` when both bounds are given
 * (edges computed on the host exactly as numpy), and to `np.histogram(a, numBins)[0]` when both
 * are left out: for float32 images the edges are computed on the GPU exactly as numpy's float32
 * linspace; for integer images bins are found in exact integer arithmetic (8/16-bit; float32
 * for 32-bit images), which equals numpy's float64 edges except, rarely, for a value lying
 * exactly on an edge when numBins is not a power of two.
 *
 * Deliberate deviation: pyclesperanto's `histogram` rounds values to the nearest of numBins
 * bin *centres* spanning [min, max] (its first and last bins are half as wide); Tessera uses
 * numpy's edges, which scikit-image's thresholds and most users expect.
 * pyclesperanto: `histogram`; numpy: `np.histogram`.
 */
export const histogram = defineOp({
  params: [
    image(),
    integer('numBins', 256, 1, 2 ** 24, [2, 1024]),
    optionalNumber('minimumIntensity', 'left out or NaN: the image minimum'),
    optionalNumber('maximumIntensity', 'left out or NaN: the image maximum'),
  ],
  output: 'uint32',
  tiling: 'global',
}, function histogram(input: GpuImage, numBins = 256, minimumIntensity?: number, maximumIntensity?: number): GpuImage {
  checkImage(input, 'histogram: input');
  const n = checkInteger(numBins, 'histogram: numBins', 1, 2 ** 24);
  const bound = (v: number | undefined, name: string) => (v === undefined || Number.isNaN(v) ? undefined : checkNumber(v, `histogram: ${name}`));
  const lo = bound(minimumIntensity, 'minimumIntensity');
  const hi = bound(maximumIntensity, 'maximumIntensity');
  if (lo !== undefined && hi !== undefined && lo > hi) {
    throw new TesseraError(`histogram: minimumIntensity (${lo}) must not exceed maximumIntensity (${hi})`);
  }
  const counts = create([n], 'uint32');
  if (lo !== undefined && hi !== undefined) {
    const edges = edgesImage(input.dtype, linspace64(lo, hi, n));
    recordHistogram('histogram', input, counts, n, { mode: 'edges', edges });
    edges.release(); // recorded work runs in order: a later user of this buffer writes after the histogram read it
    return counts;
  }
  const minMax = gpuMinMax('histogram', input);
  if (input.dtype === 'float32') {
    const edges = gpuFloatEdges('histogram', minMax, n, lo, hi);
    recordHistogram('histogram', input, counts, n, { mode: 'edges', edges });
    edges.release();
  } else {
    const [dlo, dhi] = dtypeRange(input.dtype);
    const inRange = (v: number) => Math.min(dhi, Math.max(dlo, v));
    recordHistogram('histogram', input, counts, n, {
      mode: 'scaled',
      minMax,
      lo: lo === undefined ? undefined : inRange(Math.ceil(lo)),
      hi: hi === undefined ? undefined : inRange(Math.floor(hi)),
    });
  }
  minMax.release();
  return counts;
});
