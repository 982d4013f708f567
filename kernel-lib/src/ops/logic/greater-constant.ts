import { computeType, dtypeRange } from '../../array/dtype';
import { create } from '../../array/transfer';
import type { GpuImage } from '../../array/gpu-image';
import { runPixelProgram } from '../../codegen/program';
import { checkImage, checkNumber } from '../../validate/arguments';

/**
 * Binary image (uint8 0/1): 1 where `input > scalar`. pyclesperanto: `greater_constant`.
 * Integer images compare exactly against floor(scalar) in their own integer type.
 */
export function greaterConstant(input: GpuImage, scalar = 0): GpuImage {
  checkImage(input, 'greaterConstant: input');
  checkNumber(scalar, 'greaterConstant: scalar');
  const t = computeType(input.dtype);
  let threshold = scalar;
  if (t !== 'f32') {
    // For integer x: x > s  <=>  x > floor(s). Clamping keeps the comparison exact at the dtype's ends.
    const [lo, hi] = dtypeRange(input.dtype);
    threshold = Math.floor(scalar);
    if (threshold < lo) return runPixelProgram(constant(input, 1));
    if (threshold >= hi) return runPixelProgram(constant(input, 0));
  }
  return runPixelProgram({
    op: 'greaterConstant',
    inputs: { a: input },
    output: create(input.shape, 'uint8'),
    scalars: { s: { type: t, value: threshold } },
    computeType: 'u32',
    body: 'return select(0u, 1u, load_a(i) > P.s);',
  });
}

function constant(input: GpuImage, value: number) {
  return { op: 'constant', inputs: {}, output: create(input.shape, 'uint8'), scalars: { v: { type: 'u32' as const, value } }, computeType: 'u32' as const, body: 'return P.v;' };
}
