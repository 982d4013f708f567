import { computeType } from '../../array/dtype';
import { create } from '../../array/transfer';
import type { GpuImage } from '../../array/gpu-image';
import { runPixelProgram } from '../../codegen/program';
import { checkDims, checkImage } from '../../validate/arguments';

/**
 * Maximum along z: a [z, y, x] stack gives a [y, x] image ([t, z, y, x] gives [t, y, x]);
 * a 2D image is returned as a copy. Same dtype as the input. pyclesperanto:
 * `maximum_z_projection`; numpy: `a.max(axis=-3)`.
 */
export function maximumZProjection(input: GpuImage): GpuImage {
  checkImage(input, 'maximumZProjection: input');
  checkDims(input, [2, 3, 4], 'maximumZProjection: input');
  const shape = input.ndim === 2 ? input.shape : input.shape.filter((_, k) => k !== input.ndim - 3);
  // Each thread walks z for one (x, y): neighbouring threads read neighbouring pixels.
  return runPixelProgram({
    op: 'maximumZProjection',
    inputs: { a: input },
    output: create(shape, input.dtype),
    coords: true,
    computeType: computeType(input.dtype),
    body: `var m = at_a(vec4<i32>(c.x, c.y, 0, c.z));
  for (var z = 1; z < i32(P.a_shape.z); z++) { m = max(m, at_a(vec4<i32>(c.x, c.y, z, c.z))); }
  return m;`,
  });
}
