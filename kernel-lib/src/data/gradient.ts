import { checkFitsOneBuffer } from '../gpu/buffer-pool';
import type { GpuImage } from '../array/gpu-image';
import { push } from '../array/transfer';
import { TesseraError } from '../errors';
import { checkChoice, checkNumber, checkShape } from '../validate/arguments';

/** Options of {@link gradient}. */
export interface GradientOptions {
  /** The axis along which the values change; default 'x'. */
  axis?: 'x' | 'y' | 'z';
  /** Value at the first pixel along the axis; default 0. */
  from?: number;
  /** Value at the last pixel along the axis; default 1. */
  to?: number;
}

/**
 * A linear ramp over `shape` (z, y, x order), float32: `from` at the first pixel along `axis`,
 * `to` at the last, constant across the other axes — an uneven illumination or background to add
 * to an image, e.g. to try background subtraction (`topHatBox`) or tiling margins on it.
 * numpy: `np.broadcast_to(np.linspace(from, to, n), shape)` along that axis.
 *
 * ```ts
 * const background = tessera.gradient([256, 256], { from: 10, to: 80 });
 * const uneven = tessera.addImages(tessera.blobs().image, background);
 * ```
 */
export function gradient(shape: readonly number[], options: GradientOptions = {}): GpuImage {
  const fn = 'gradient';
  const s = checkShape(Array.isArray(shape) ? [...shape] : shape, `${fn}: shape`);
  checkFitsOneBuffer(s.reduce((a, b) => a * b, 1) * 4, () => `${fn}(shape [${s}])`);
  if (typeof options !== 'object' || options === null) throw new TesseraError(`${fn}: options must be an object like { axis: 'x', from: 0, to: 1 }`);
  const axis = checkChoice(options.axis ?? 'x', ['x', 'y', 'z'], `${fn}: options.axis`);
  const from = checkNumber(options.from ?? 0, `${fn}: options.from`);
  const to = checkNumber(options.to ?? 1, `${fn}: options.to`);
  const k = s.length - 1 - 'xyz'.indexOf(axis); // index of the axis in (.., z, y, x)
  if (k < 0) throw new TesseraError(`${fn}: options.axis '${axis}' is not an axis of a ${s.length}D shape [${s}]`);
  const n = s[k];
  const stride = s.slice(k + 1).reduce((a, b) => a * b, 1);
  const values = new Float32Array(s.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) {
    const j = Math.floor(i / stride) % n;
    values[i] = n === 1 ? from : from + ((to - from) * j) / (n - 1);
  }
  return push(values, s);
}
