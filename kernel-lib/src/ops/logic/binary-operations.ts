import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { elementwise } from '../../codegen/elementwise';
import { nonZero, nonzeroBytesFn } from '../../codegen/snippets';
import { bytesPerPixel, computeType } from '../../dtype';
import { type KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { checkImage, checkImagePair } from '../../validate/arguments';
import { type OpInfo, defineOp, image } from '../op';

/**
 * Logical operations on binary images. Inputs of any dtype; a pixel counts as "true" when it
 * is non-zero (NaN counts as true, as in numpy). Result: uint8 holding 0 or 1.
 */
function logical2(fn: string, input0: GpuImage, input1: GpuImage, expr: string, bytesExpr: string): GpuImage {
  const [a, b] = checkImagePair(fn, input0, input1);
  if (bytesPerPixel(a.dtype) === 1 && bytesPerPixel(b.dtype) === 1) return logicalBytes(fn, [a, b], bytesExpr);
  const nz = (name: 'a' | 'b', img: GpuImage) => nonZero(computeType(img.dtype), name);
  return elementwise({
    op: fn,
    inputs: [a, b],
    output: 'uint8',
    compute: 'u32',
    operands: ['native', 'native'],
    result: 'u32',
    expr: `select(0u, 1u, ${expr.replace('A', nz('a', a)).replace('B', nz('b', b))})`,
  });
}

const WG = 256;

/**
 * 8-bit inputs (masks): 16 pixels per thread, one vec4 of words per input, each byte mapped to
 * 0/1 (nonzero_bytes) and combined by bit operations `expr` over `A`, `B`: one 16-byte load per
 * input and one store per thread (the per-pixel generator made 4-byte loads: BinaryAnd3D at 53 %
 * of the copy bandwidth on an H200). Pixels past the image's end stay 0.
 */
function logicalBytes(fn: string, inputs: GpuImage[], expr: string): GpuImage {
  const output = create(inputs[0].shape, 'uint8');
  const vecs = Math.ceil(output.size / 16);
  const kernel = kernelFor('binaryBytes', `${inputs.length}|${expr}`, () => bytesSpec(inputs.length, expr));
  dispatch(kernel, [...inputs.map((img) => img.buffer), output.buffer], { n: output.size, vecs }, Math.ceil(vecs / WG), fn);
  return output;
}

function bytesSpec(count: number, expr: string): KernelSpec {
  const names = ['a', 'b'].slice(0, count);
  return {
    label: 'binaryBytes',
    bindings: [
      ...names.map((n) => ({ name: `${n}_buf`, type: 'array<vec4<u32>>' })),
      { name: 'out_buf', type: 'array<vec4<u32>>', access: 'read_write' as const },
    ],
    uniforms: [{ name: 'n', type: 'u32' }, { name: 'vecs', type: 'u32' }],
    workgroupSize: WG,
    declarations: nonzeroBytesFn('vec4<u32>'),
    body: `let v = gid;
  if (v >= P.vecs) { return; }
  ${names.map((n) => `let ${n.toUpperCase()} = nonzero_bytes(${n}_buf[v]);`).join(' ')}
  // Each word's pixels inside the image (0 to 4), and the bytes to keep.
  let first = vec4<u32>(v * 16u) + vec4<u32>(0u, 4u, 8u, 12u);
  let inside = min(select(P.n - first, vec4<u32>(0u), first >= vec4<u32>(P.n)), vec4<u32>(4u));
  let keep = select((vec4<u32>(1u) << (inside * 8u)) - vec4<u32>(1u), vec4<u32>(0xffffffffu), inside == vec4<u32>(4u));
  out_buf[v] = (${expr}) & vec4<u32>(0x01010101u) & keep;`,
  };
}

/** The metadata of the logical operations: a 0/1 uint8 image, pointwise. */
const PAIR: OpInfo = { params: [image('input0'), image('input1')], output: 'uint8', tiling: 'pointwise' };

/** 1 where both inputs are non-zero. pyclesperanto: `binary_and`; numpy: `np.logical_and(a, b)`. */
export const binaryAnd = defineOp(PAIR, function binaryAnd(input0: GpuImage, input1: GpuImage): GpuImage {
  return logical2('binaryAnd', input0, input1, 'A && B', 'A & B');
});

/** 1 where either input is non-zero. pyclesperanto: `binary_or`; numpy: `np.logical_or(a, b)`. */
export const binaryOr = defineOp(PAIR, function binaryOr(input0: GpuImage, input1: GpuImage): GpuImage {
  return logical2('binaryOr', input0, input1, 'A || B', 'A | B');
});

/** 1 where exactly one input is non-zero. pyclesperanto: `binary_xor`; numpy: `np.logical_xor(a, b)`. */
export const binaryXor = defineOp(PAIR, function binaryXor(input0: GpuImage, input1: GpuImage): GpuImage {
  return logical2('binaryXor', input0, input1, 'A != B', 'A ^ B');
});

/** 1 where `input0` is non-zero and `input1` is zero. pyclesperanto: `binary_subtract`; numpy: `a.astype(bool) & ~b.astype(bool)`. */
export const binarySubtract = defineOp(PAIR, function binarySubtract(input0: GpuImage, input1: GpuImage): GpuImage {
  return logical2('binarySubtract', input0, input1, 'A && !B', 'A & ~B');
});

/** 1 where the input is zero. pyclesperanto: `binary_not`; numpy: `np.logical_not(a)`. */
export const binaryNot = defineOp({ ...PAIR, params: [image()] }, function binaryNot(input: GpuImage): GpuImage {
  checkImage(input, 'binaryNot: input');
  if (bytesPerPixel(input.dtype) === 1) return logicalBytes('binaryNot', [input], '~A');
  const t = computeType(input.dtype);
  return elementwise({ op: 'binaryNot', inputs: [input], output: 'uint8', compute: t, result: 'u32', expr: `select(0u, 1u, !${nonZero(t, 'a')})` });
});
