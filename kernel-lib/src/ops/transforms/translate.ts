import type { GpuImage } from '../../array/gpu-image';
import { TesseraError } from '../../errors';
import { checkDims, checkImage, checkNumber, checkBoolean } from '../../validate/arguments';
import { applyForward, GEOMETRIC, interpolatedOrSame } from './affine-engine';
import { translation } from './matrix';
import { type TransformOptions, checkTransformOptions } from '../../validate/modes';
import { defineOp, flag, image, number, transformOptions } from '../op';

/**
 * Shifts by (translateX, translateY, translateZ) pixels: output(x) = input(x - t); the
 * shape is kept. pyclesperanto: `translate` (`translate_x`, `translate_y`, `translate_z`,
 * `interpolate`). scipy: `scipy.ndimage.shift(a, (tz, ty, tx), order=0|1, mode='grid-constant')`.
 * Nearest keeps the dtype (at exact .5 shifts rounding follows floor(x + 0.5)); linear gives
 * float32. 2D inputs need translateZ = 0.
 */
export const translate = defineOp({
  params: [
    image(),
    number('translateX', 0, [-100, 100]), number('translateY', 0, [-100, 100]), number('translateZ', 0, [-100, 100]),
    flag('interpolate', false),
    transformOptions(),
  ],
  output: interpolatedOrSame('interpolate'),
  tiling: GEOMETRIC,
}, function translate(
  input: GpuImage, translateX = 0, translateY = 0, translateZ = 0, interpolate = false, options?: TransformOptions,
): GpuImage {
  const fn = 'translate';
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  const [tx, ty, tz] = [translateX, translateY, translateZ].map((t, k) => checkNumber(t, `${fn}: translate${'XYZ'[k]}`));
  if (input.ndim === 2 && tz !== 0) throw new TesseraError(`${fn}: translateZ must be 0 for a 2D input; got ${tz}`);
  checkBoolean(interpolate, `${fn}: interpolate`);
  return applyForward(fn, input, translation(tx, ty, tz), interpolate, false, checkTransformOptions(options, fn), 'the translation');
});
