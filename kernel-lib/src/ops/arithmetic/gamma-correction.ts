import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { MATH_HELPERS, forDevice } from '../../codegen/elementwise';
import { runPixelProgram } from '../../codegen/program';
import { gpuMinMax } from '../reductions/moments';
import { checkImage, checkNumber } from '../../validate/arguments';
import { defineOp, image, number } from '../op';

/**
 * Gamma correction relative to the image's maximum m: `(input / m) ** gamma * m`, in the
 * input's dtype (float32 math, saturating, rounding toward zero). The maximum is found on the
 * GPU and read there, so nothing waits for the host. pyclesperanto: `gamma_correction`;
 * numpy: `sat(np.power(a / m, gamma) * m, a.dtype)` in float32 with `m = a.max()`.
 */
export const gammaCorrection = defineOp({
  params: [image(), number('gamma', 1, [0, 5])],
  output: 'same',
  tiling: 'global',
}, function gammaCorrection(input: GpuImage, gamma = 1): GpuImage {
  checkImage(input, 'gammaCorrection: input');
  const g = checkNumber(gamma, 'gammaCorrection: gamma');
  const minMax = gpuMinMax('gammaCorrection', input);
  const out = runPixelProgram({
    op: 'gammaCorrection',
    inputs: { a: input, mm: minMax },
    output: create(input.shape, input.dtype),
    scalars: { g: { type: 'f32', value: g } },
    computeType: 'f32',
    helpers: forDevice(MATH_HELPERS),
    body: 'let m = f32(load_mm(1u));\n  return pow_ieee(div_ieee(f32(load_a(i)), m), P.g) * m;',
  });
  minMax.release();
  return out;
});
