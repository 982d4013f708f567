import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { TesseraError } from '../../errors';
import { checkDims, checkImage, checkInteger } from '../../validate/arguments';
import { extentsXYZ, shapeOf } from './affine-engine';
import { defineOp, image, integer } from '../op';

/**
 * Mean of factorX × factorY × factorZ blocks (binning, as a camera does). Output extent
 * floor(n / factor) per axis (trailing pixels that do not fill a block are dropped) and dtype
 * float32. Not in pyclesperanto (its prototype's `downsample_slice_by_slice_half_median`
 * takes medians of 2x2). numpy: `a[:d*fz, :h*fy, :w*fx].reshape(d, fz, h, fy, w, fx).mean(axis=(1, 3, 5))`
 * with d, h, w the output extents. Summed in float32 (rtol ~1e-6 against numpy's float64).
 * factorZ is ignored for 2D images.
 */
export const binning = defineOp({
  params: [
    image(),
    integer('factorX', 2, 1, undefined, [1, 8]), integer('factorY', 2, 1, undefined, [1, 8]), integer('factorZ', 1, 1, undefined, [1, 8]),
  ],
  output: 'float32',
  tiling: { notTileable: 'averages blocks of pixels: the result has another shape' },
}, function binning(input: GpuImage, factorX = 2, factorY = 2, factorZ = 1): GpuImage {
  const fn = 'binning';
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  const ext = extentsXYZ(input);
  const f = [factorX, factorY, input.ndim === 3 ? factorZ : 1].map((v, k) => {
    const x = checkInteger(v, `${fn}: factor${'XYZ'[k]}`, 1);
    if (x > ext[k]) throw new TesseraError(`${fn}: factor${'XYZ'[k]} (${x}) must not exceed the image extent along ${'xyz'[k]} (${ext[k]})`);
    return x;
  });
  const out = ext.map((n, k) => Math.floor(n / f[k])) as [number, number, number];
  return runPixelProgram({
    op: fn,
    inputs: { a: input },
    output: create(shapeOf(input, out), 'float32'),
    scalars: { fx: { type: 'i32', value: f[0] }, fy: { type: 'i32', value: f[1] }, fz: { type: 'i32', value: f[2] }, inv: { type: 'f32', value: 1 / (f[0] * f[1] * f[2]) } },
    coords: true,
    computeType: 'f32',
    body: `let o = vec3<i32>(c.x * P.fx, c.y * P.fy, c.z * P.fz);
  var s = 0.0;
  for (var dz = 0; dz < P.fz; dz++) {
    for (var dy = 0; dy < P.fy; dy++) {
      for (var dx = 0; dx < P.fx; dx++) { s += f32(at_a(vec4<i32>(o.x + dx, o.y + dy, o.z + dz, 0))); }
    }
  }
  return s * P.inv;`,
  });
});
