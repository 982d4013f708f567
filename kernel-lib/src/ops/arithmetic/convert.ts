import { DType, computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { elementwise } from '../../codegen/elementwise';
import { TesseraError } from '../../errors';
import { checkImage, checkNumber, checkDType } from '../../validate/arguments';
import { defineOp, dtype, image, number } from '../op';

export interface ConvertOptions {
  /** Multiply by this before converting (default 1). */
  scale?: number;
  /** Add this after scaling, before converting (default 0). */
  offset?: number;
}

/**
 * Converts to `dtype`, saturating to its range and rounding toward zero (NaN becomes 0), as
 * pyclesperanto's `convert_*_sat` and numpy's `np.clip(a, lo, hi).astype(dtype)` with `trunc`.
 * Without scaling the conversion is exact in integer arithmetic (e.g. int32 → uint32 clamps
 * negatives to 0). With `{ scale, offset }` the value `a * scale + offset` is computed in
 * float32 first, e.g. `convert(img16, 'uint8', { scale: 255 / 65535 })`.
 * pyclesperanto has no single `convert`; Tessera's name. numpy:
 * `sat(a.astype(np.float32) * scale + offset, dtype)`.
 */
export const convert = defineOp({
  params: [image(), dtype('dtype'), { name: 'options', kind: 'options', fields: [number('scale', 1), number('offset', 0)] }],
  output: (_, p) => p.dtype as DType,
  tiling: 'pointwise',
}, function convert(input: GpuImage, dtype: DType, options: ConvertOptions = {}): GpuImage {
  checkImage(input, 'convert: input');
  checkDType(dtype, 'convert: dtype');
  if (typeof options !== 'object' || options === null) throw new TesseraError(`convert: options must be an object; got ${String(options)}`);
  const scale = options.scale === undefined ? 1 : checkNumber(options.scale, 'convert: options.scale');
  const offset = options.offset === undefined ? 0 : checkNumber(options.offset, 'convert: options.offset');
  if (scale === 1 && offset === 0) {
    return elementwise({ op: 'convert', inputs: [input], output: dtype, compute: computeType(input.dtype), expr: 'a' });
  }
  return elementwise({ op: 'convertScaled', inputs: [input], output: dtype, compute: 'f32', scalars: { scale, offset }, expr: 'a * P.scale + P.offset' });
});
