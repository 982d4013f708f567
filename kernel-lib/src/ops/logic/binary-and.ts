import { create } from '../../array/transfer';
import type { GpuImage } from '../../array/gpu-image';
import { runPixelProgram } from '../../codegen/program';
import { checkImage, checkSameShape } from '../../validate/arguments';

/**
 * Binary image (uint8 0/1): 1 where both inputs are non-zero. pyclesperanto: `binary_and`;
 * numpy: `np.logical_and(a, b)`. Inputs of any dtype.
 */
export function binaryAnd(input0: GpuImage, input1: GpuImage): GpuImage {
  checkImage(input0, 'binaryAnd: input0');
  checkImage(input1, 'binaryAnd: input1');
  checkSameShape(input0, input1, ['binaryAnd: input0', 'input1']);
  const zero = (img: GpuImage) => (img.dtype === 'float32' ? '0.0' : img.dtype.startsWith('int') ? '0i' : '0u');
  return runPixelProgram({
    op: 'binaryAnd',
    inputs: { a: input0, b: input1 },
    output: create(input0.shape, 'uint8'),
    computeType: 'u32',
    body: `return select(0u, 1u, load_a(i) != ${zero(input0)} && load_b(i) != ${zero(input1)});`,
  });
}
