import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { elementwise, integerScalar } from '../../codegen/elementwise';
import { checkImage, checkNumber } from '../../validate/arguments';
import { defineOp, image, optionalNumber } from '../op';

/**
 * Limits pixel values to [minIntensity, maxIntensity], in the input's dtype. A bound left out
 * (or NaN, pyclesperanto's default meaning "the image's own minimum / maximum") does not
 * clip. With minIntensity > maxIntensity every pixel becomes maxIntensity (as numpy).
 * Integer images are clipped exactly in their own type (bounds rounded toward zero).
 * pyclesperanto: `clip`; numpy: `sat(np.clip(a, lo, hi), a.dtype)`.
 */
export const clip = defineOp({
  params: [
    image(),
    optionalNumber('minIntensity', 'left out or NaN: no lower bound'),
    optionalNumber('maxIntensity', 'left out or NaN: no upper bound'),
  ],
  output: 'same',
  tiling: 'pointwise',
}, function clip(input: GpuImage, minIntensity?: number, maxIntensity?: number): GpuImage {
  checkImage(input, 'clip: input');
  const given = (v: number | undefined, name: string) => (v === undefined || Number.isNaN(v) ? undefined : checkNumber(v, `clip: ${name}`));
  const lo = given(minIntensity, 'minIntensity');
  const hi = given(maxIntensity, 'maxIntensity');
  const t = computeType(input.dtype);
  const typed = (v: number) => (t === 'f32' ? { type: t, value: v } : integerScalar(input.dtype, v));
  const scalars: Record<string, { type: typeof t; value: number }> = {};
  let expr = 'a';
  if (lo !== undefined) {
    scalars.lo = typed(lo);
    expr = `max(${expr}, P.lo)`;
  }
  if (hi !== undefined) {
    scalars.hi = typed(hi);
    expr = `min(${expr}, P.hi)`;
  }
  return elementwise({ op: 'clip', inputs: [input], compute: t, scalars, expr });
});
