import type { GpuImage } from '../../array/gpu-image';
import { TesseraError } from '../../errors';
import { deviceInfo } from '../../gpu/device';
import { isSigned } from '../../dtype';
import { maximumOfAllPixels } from '../reductions/all-pixels';
import { moments } from '../reductions/moments';

/**
 * The number of labels N of a label image (its largest value; labels 1..N, 0 = background),
 * read back from the GPU as pyclesperanto's `maximum_of_all_pixels` does before it sizes a
 * matrix. Negative labels are an error.
 */
export async function labelCount(fn: string, labels: GpuImage): Promise<number> {
  // Unsigned labels cannot be negative: the plain maximum (a lighter pass than the moments) suffices.
  if (!isSigned(labels.dtype)) return maximumOfAllPixels(labels);
  const m = await moments(fn, labels);
  if (m.minimum < 0) throw new TesseraError(`${fn}: labels must not be negative; the label image holds ${m.minimum}`);
  return m.maximum;
}

/** Throws when a rows × columns matrix of 4-byte entries does not fit in one GPU buffer. */
export function checkMatrixFits(fn: string, rows: number, columns: number, what: string): void {
  const bytes = rows * columns * 4;
  const max = deviceInfo().limits.maxStorageBufferBindingSize;
  if (bytes > max) {
    const mb = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MB`;
    throw new TesseraError(
      `${fn}: the ${rows} × ${columns} ${what} needs ${mb(bytes)}, more than one GPU buffer holds on this device (${mb(max)}); ` +
        'reduce the number of labels or points (e.g. process the image in tiles)',
    );
  }
}
