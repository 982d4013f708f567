import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { createLike } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { checkDims, checkImage, checkBoolean } from '../../validate/arguments';
import { defineOp, flag, image } from '../op';

/**
 * Mirrors the image along x, y and/or z. pyclesperanto: `flip` (`flip_x`, `flip_y`,
 * `flip_z`, all default true); numpy: `np.flip(a, axis=...)` over the chosen axes
 * (x = last axis). Exact for every dtype; same shape and dtype. `flipZ` is ignored for 2D
 * inputs; a 4D input is flipped per volume. The flags are uniforms: one pipeline per dtype.
 */
export const flip = defineOp({
  params: [image(), flag('flipX', true), flag('flipY', true), flag('flipZ', true)],
  output: 'same',
  tiling: { notTileable: 'mirrors the image: the result of a tile belongs at the mirrored position, computed from pixels far away' },
}, function flip(input: GpuImage, flipX = true, flipY = true, flipZ = true): GpuImage {
  checkImage(input, 'flip: input');
  checkDims(input, [1, 2, 3, 4], 'flip: input');
  const flags = [flipX, flipY, flipZ].map((f, k) => (checkBoolean(f, `flip: flip${'XYZ'[k]}`) ? 1 : 0));
  const axis = (a: string, k: number) => `select(c.${a}, i32(P.a_shape.${a}) - 1 - c.${a}, P.f${k} != 0)`;
  return runPixelProgram({
    op: 'flip',
    inputs: { a: input },
    output: createLike(input),
    scalars: { f0: { type: 'i32', value: flags[0] }, f1: { type: 'i32', value: flags[1] }, f2: { type: 'i32', value: flags[2] } },
    coords: true,
    computeType: computeType(input.dtype),
    body: `return at_a(vec4<i32>(${axis('x', 0)}, ${axis('y', 1)}, ${axis('z', 2)}, c.w));`,
  });
});
