import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { checkFilterInput } from '../../validate/filters';
import { defineOp, fixedHalo, image } from '../op';

/**
 * Gradient along one axis, float32, as pyclesperanto's `gradient` kernel and numpy's
 * `np.gradient(a.astype(np.float32), axis=k)`: the central difference (f[p+1] - f[p-1]) / 2
 * inside, the one-sided difference f[1] - f[0] / f[n-1] - f[n-2] at the first / last pixel,
 * and 0 along an axis of extent 1 or one the image lacks (e.g. gradientZ of a 2D image).
 */
function gradient(fn: string, axis: 0 | 1 | 2, input: GpuImage): GpuImage {
  const img = checkFilterInput(input, fn);
  const comp = 'xyz'[axis];
  const step = ['vec4<i32>(1, 0, 0, 0)', 'vec4<i32>(0, 1, 0, 0)', 'vec4<i32>(0, 0, 1, 0)'][axis];
  return runPixelProgram({
    op: fn,
    inputs: { a: img },
    output: create(img.shape, 'float32'),
    coords: true,
    computeType: 'f32',
    body: `let n = i32(P.a_shape.${comp});
  if (n == 1) { return 0.0; }
  let p = c.${comp};
  let fwd = select(c + ${step}, c, p == n - 1);
  let bwd = select(c - ${step}, c, p == 0);
  let diff = f32(at_a(fwd)) - f32(at_a(bwd));
  return select(diff * 0.5, diff, p == 0 || p == n - 1);`,
  });
}

/** Gradient along x; see {@link gradient}. pyclesperanto: `gradient_x`; numpy: `np.gradient(a, axis=-1)`. */
export const gradientX = defineOp({ params: [image()], output: 'float32', tiling: fixedHalo(1, 0, 0) }, function gradientX(
  input: GpuImage,
): GpuImage {
  return gradient('gradientX', 0, input);
});

/** Gradient along y (float32, 0 for 1D images). pyclesperanto: `gradient_y`; numpy: `np.gradient(a, axis=-2)`. */
export const gradientY = defineOp({ params: [image()], output: 'float32', tiling: fixedHalo(0, 1, 0) }, function gradientY(
  input: GpuImage,
): GpuImage {
  return gradient('gradientY', 1, input);
});

/** Gradient along z (float32, 0 for 2D images). pyclesperanto: `gradient_z`; numpy: `np.gradient(a, axis=-3)`. */
export const gradientZ = defineOp({ params: [image()], output: 'float32', tiling: fixedHalo(0, 0, 1) }, function gradientZ(
  input: GpuImage,
): GpuImage {
  return gradient('gradientZ', 2, input);
});
