import type { GpuImage } from '../../array/gpu-image';
import { TesseraError } from '../../errors';
import { checkDims, checkImage, checkNumber, checkBoolean } from '../../validate/arguments';
import { applyForward, extentsXYZ, GEOMETRIC, interpolatedOrSame } from './affine-engine';
import { Mat4, compose, rotation, translation } from './matrix';
import { type TransformOptions, checkTransformOptions } from '../../validate/modes';
import { defineOp, flag, image, number, transformOptions } from '../op';

/** The rotation part shared by rotate and rigidTransform (pyclesperanto's order: about x, then y, then z). */
function rotations(fn: string, input: GpuImage, angleX: number, angleY: number, angleZ: number, centered: boolean): Mat4 {
  const [ax, ay, az] = [angleX, angleY, angleZ].map((a, k) => checkNumber(a, `${fn}: angle${'XYZ'[k]}`));
  if (input.ndim === 2 && (ax !== 0 || ay !== 0)) {
    throw new TesseraError(`${fn}: angle${ax !== 0 ? 'X' : 'Y'} must be 0 for a 2D input (only angleZ rotates in the x-y plane); got ${ax !== 0 ? ax : ay}`);
  }
  const [w, h, d] = extentsXYZ(input);
  const c: [number, number, number] = [w / 2, h / 2, input.ndim === 3 ? d / 2 : 0];
  const steps: Mat4[] = [];
  if (ax !== 0) steps.push(rotation(0, ax));
  if (ay !== 0) steps.push(rotation(1, ay));
  if (az !== 0) steps.push(rotation(2, az));
  return centered ? compose(translation(-c[0], -c[1], -c[2]), ...steps, translation(c[0], c[1], c[2])) : compose(...steps);
}

/**
 * Rotates by angleX, angleY, angleZ degrees about the x, y and z axes (applied in that order),
 * about the image centre when `centered`, else about the origin (the corner of pixel 0).
 * pyclesperanto: `rotate` (`angle_x`, `angle_y`, `angle_z`, `centered`, `interpolate`, `resize`).
 *
 * Sign convention: a positive angleZ maps (x, y) to (x cos - y sin, x sin + y cos) about the
 * centre, i.e. with y pointing down in a displayed image it turns the content clockwise,
 * the opposite of scipy's positive angle. scipy equivalents (reshape=False,
 * mode='grid-constant', order 0 or 1; scipy sorts `axes`, so (1, 0) means (0, 1)):
 * - 2D [y, x]: `rotate(a, 0, 0, θ)` = `scipy.ndimage.rotate(a, -θ, axes=(0, 1))`
 * - 3D [z, y, x]: angleZ = θ is `ndi.rotate(a, -θ, axes=(1, 2))`; angleX = θ is
 *   `ndi.rotate(a, -θ, axes=(0, 1))`; angleY = θ is `ndi.rotate(a, θ, axes=(0, 2))`.
 *
 * `interpolate` false: nearest neighbour, same dtype (scipy order=0); true: linear, float32
 * (scipy order=1). `resize`: the output grows to hold the whole rotated image (the rotated
 * box, rounded). Outside pixels are 0 (`options.mode`/`cval` change that; default
 * 'grid-constant'). 2D inputs accept only angleZ.
 *
 * Deviation: pyclesperanto centres a 1-pixel-thick axis at 0 instead of 0.5; Tessera uses the
 * true centre (n / 2 in corner coordinates) for every axis, as scipy does.
 */
export const rotate = defineOp({
  params: [
    image(),
    number('angleX', 0, [-180, 180]), number('angleY', 0, [-180, 180]), number('angleZ', 0, [-180, 180]),
    flag('centered', true), flag('interpolate', false), flag('resize', false),
    transformOptions(),
  ],
  output: interpolatedOrSame('interpolate'),
  tiling: GEOMETRIC,
}, function rotate(
  input: GpuImage, angleX = 0, angleY = 0, angleZ = 0, centered = true, interpolate = false, resize = false, options?: TransformOptions,
): GpuImage {
  const fn = 'rotate';
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  checkBoolean(centered, `${fn}: centered`);
  checkBoolean(interpolate, `${fn}: interpolate`);
  checkBoolean(resize, `${fn}: resize`);
  const forward = rotations(fn, input, angleX, angleY, angleZ, centered);
  return applyForward(fn, input, forward, interpolate, resize, checkTransformOptions(options, fn), 'the rotation');
});

/**
 * Rotation (as {@link rotate}) followed by a translation by (translateX, translateY,
 * translateZ) pixels. pyclesperanto: `rigid_transform` (`translate_x`, `translate_y`,
 * `translate_z`, `angle_x`, `angle_y`, `angle_z`, `centered`, `interpolate`, `resize`).
 * scipy: `ndi.affine_transform` with the inverse matrix (see {@link affineTransform}).
 * 2D inputs accept only angleZ and translateZ = 0.
 */
export const rigidTransform = defineOp({
  params: [
    image(),
    number('translateX', 0, [-100, 100]), number('translateY', 0, [-100, 100]), number('translateZ', 0, [-100, 100]),
    number('angleX', 0, [-180, 180]), number('angleY', 0, [-180, 180]), number('angleZ', 0, [-180, 180]),
    flag('centered', true), flag('interpolate', false), flag('resize', false),
    transformOptions(),
  ],
  output: interpolatedOrSame('interpolate'),
  tiling: GEOMETRIC,
}, function rigidTransform(
  input: GpuImage, translateX = 0, translateY = 0, translateZ = 0, angleX = 0, angleY = 0, angleZ = 0,
  centered = true, interpolate = false, resize = false, options?: TransformOptions,
): GpuImage {
  const fn = 'rigidTransform';
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  const [tx, ty, tz] = [translateX, translateY, translateZ].map((t, k) => checkNumber(t, `${fn}: translate${'XYZ'[k]}`));
  if (input.ndim === 2 && tz !== 0) throw new TesseraError(`${fn}: translateZ must be 0 for a 2D input; got ${tz}`);
  checkBoolean(centered, `${fn}: centered`);
  checkBoolean(interpolate, `${fn}: interpolate`);
  checkBoolean(resize, `${fn}: resize`);
  const forward = compose(rotations(fn, input, angleX, angleY, angleZ, centered), translation(tx, ty, tz));
  return applyForward(fn, input, forward, interpolate, resize, checkTransformOptions(options, fn), 'the transform');
});
