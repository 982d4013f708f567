import type { GpuImage } from '../../array/gpu-image';
import { TesseraError } from '../../errors';
import { checkDims, checkImage, checkNumber, checkBoolean } from '../../validate/arguments';
import { applyForward, extentsXYZ, sampleAffine, shapeOf, GEOMETRIC, interpolatedOrSame } from './affine-engine';
import { compose, cornerToCentre, scaling, translation } from './matrix';
import { type TransformOptions, checkTransformOptions } from '../../validate/modes';
import { defineOp, flag, image, number, transformOptions } from '../op';

function factors(fn: string, input: GpuImage, fx: unknown, fy: unknown, fz: unknown): [number, number, number] {
  const f = [fx, fy, fz].map((v, k) => {
    const x = checkNumber(v, `${fn}: factor${'XYZ'[k]}`);
    if (x === 0) throw new TesseraError(`${fn}: factor${'XYZ'[k]} must not be 0 (the transform would not be invertible)`);
    return x;
  });
  // A 2D image has no z to scale: factorZ is ignored (pyclesperanto's result does not depend on it either).
  return [f[0], f[1], input.ndim === 3 ? f[2] : 1];
}

/**
 * Scales by factorX, factorY, factorZ: output(x) = input(x / factor). pyclesperanto: `scale`
 * (`factor_x`, `factor_y`, `factor_z`, `centered`, `interpolate`, `resize`).
 *
 * - `centered` (and not `resize`): scales about the image centre, output shape = input shape.
 * - `resize`: the output holds the whole scaled image, extent round(n * factor) (at least 1),
 *   scaled about the origin corner (`centered` is then irrelevant, as in pyclesperanto).
 * - `interpolate` false: nearest (same dtype, scipy order=0); true: linear, float32 (order=1).
 *
 * scipy equivalents: with `resize` and n * factor whole numbers,
 * `scipy.ndimage.zoom(a, (fz, fy, fx), order=o, grid_mode=True, mode='grid-constant')`;
 * centred: `ndi.affine_transform(a, diag(1 / f), offset=c - c / f, mode='grid-constant')`
 * with c = (n - 1) / 2. Factor 0 is refused; negative factors mirror. For 2D inputs factorZ
 * is ignored.
 */
export const scale = defineOp({
  params: [
    image(),
    number('factorX', 1, [0.1, 4]), number('factorY', 1, [0.1, 4]), number('factorZ', 1, [0.1, 4]),
    flag('centered', true), flag('interpolate', false), flag('resize', false),
    transformOptions(),
  ],
  output: interpolatedOrSame('interpolate'),
  tiling: GEOMETRIC,
}, function scale(
  input: GpuImage, factorX = 1, factorY = 1, factorZ = 1, centered = true, interpolate = false, resize = false, options?: TransformOptions,
): GpuImage {
  const fn = 'scale';
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  const [fx, fy, fz] = factors(fn, input, factorX, factorY, factorZ);
  checkBoolean(centered, `${fn}: centered`);
  checkBoolean(interpolate, `${fn}: interpolate`);
  checkBoolean(resize, `${fn}: resize`);
  const [w, h, d] = extentsXYZ(input);
  const c = [w / 2, h / 2, input.ndim === 3 ? d / 2 : 0];
  const forward = centered && !resize
    ? compose(translation(-c[0], -c[1], -c[2]), scaling(fx, fy, fz), translation(c[0], c[1], c[2]))
    : scaling(fx, fy, fz);
  return applyForward(fn, input, forward, interpolate, resize, checkTransformOptions(options, fn), 'the scaling');
});

/**
 * Resamples by factors: output extent floor(n * factor) (at least 1) and output(x) =
 * input(x / factor) in corner coordinates (pixel k spans [k, k + 1)). pyclesperanto_prototype:
 * `resample(source, factor_x, factor_y, factor_z, linear_interpolation)` (deprecated there in
 * favour of `scale(..., resize=True)`, which rounds the extent instead of flooring it).
 * scipy: `ndi.zoom(a, f, order=o, grid_mode=True, mode='grid-constant')` when n * f are whole
 * numbers. Nearest keeps the dtype; linear gives float32. Factors must be > 0.
 */
export const resample = defineOp({
  params: [
    image(),
    number('factorX', 1, [0.1, 4]), number('factorY', 1, [0.1, 4]), number('factorZ', 1, [0.1, 4]),
    flag('linearInterpolation', false),
    transformOptions(),
  ],
  output: interpolatedOrSame('linearInterpolation'),
  tiling: GEOMETRIC,
}, function resample(
  input: GpuImage, factorX = 1, factorY = 1, factorZ = 1, linearInterpolation = false, options?: TransformOptions,
): GpuImage {
  const fn = 'resample';
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  const f = factors(fn, input, factorX, factorY, factorZ);
  f.forEach((v, k) => {
    if (v < 0) throw new TesseraError(`${fn}: factor${'XYZ'[k]} must be > 0; got ${v}`);
  });
  checkBoolean(linearInterpolation, `${fn}: linearInterpolation`);
  const { mode, cval } = checkTransformOptions(options, fn);
  const ext = extentsXYZ(input);
  const out = ext.map((n, k) => Math.max(1, Math.floor(n * f[k] + 1e-9))) as [number, number, number];
  return sampleAffine({
    input,
    outShape: shapeOf(input, out),
    outDtype: linearInterpolation ? 'float32' : input.dtype,
    inverse: cornerToCentre(scaling(1 / f[0], 1 / f[1], 1 / f[2])),
    interpolation: linearInterpolation ? 'linear' : 'nearest',
    mode,
    cval,
  });
});
