import type { GpuImage } from '../array/gpu-image';
import { TesseraError } from '../errors';
import { checkChoice, checkDims, checkImage, checkInteger, checkNumber } from './arguments';

/** Argument checks of the neighbourhood filters. */

/** A 1D, 2D or 3D image. */
export function checkFilterInput(input: unknown, fn: string, argument = 'input'): GpuImage {
  const img = checkImage(input, `${fn}: ${argument}`);
  checkDims(img, [1, 2, 3], `${fn}: ${argument}`);
  return img;
}

/**
 * Radii (x, y, z) as integers >= 0; axes the image lacks (z of a 2D image, y and z of a 1D
 * one) get radius 0, as in pyclesperanto. Axes of extent 1 keep their radius (scipy reads
 * outside pixels through the boundary mode there too).
 */
export function checkRadii(img: GpuImage, fn: string, rx: unknown, ry: unknown, rz: unknown): [number, number, number] {
  const r = [rx, ry, rz].map((v, k) => checkInteger(v, `${fn}: radius${'XYZ'[k]}`, 0, MAX_RADIUS));
  return [r[0], img.ndim >= 2 ? r[1] : 0, img.ndim >= 3 ? r[2] : 0];
}

/** The largest filter radius (pixels): larger kernels would only build enormous weight tables and shaders. */
export const MAX_RADIUS = 4096;

/** The largest sigma: its Gaussian kernel radius, int(4σ + 0.5) as scipy's, stays within MAX_RADIUS. */
export const MAX_SIGMA = (MAX_RADIUS - 0.5) / 4;

/** Sigmas (x, y, z) as finite numbers in [0, MAX_SIGMA]; axes the image lacks get 0. */
export function checkSigmas(img: GpuImage, fn: string, names: [string, string, string], sx: unknown, sy: unknown, sz: unknown): [number, number, number] {
  const s = [sx, sy, sz].map((v, k) => {
    const x = checkNumber(v, `${fn}: ${names[k]}`);
    if (x < 0) throw new TesseraError(`${fn}: ${names[k]} must be >= 0; got ${x}`);
    if (x > MAX_SIGMA) throw new TesseraError(`${fn}: ${names[k]} must be <= ${MAX_SIGMA} (a kernel radius int(4·sigma + 0.5) of at most ${MAX_RADIUS} pixels); got ${x}`);
    return x;
  });
  return [s[0], img.ndim >= 2 ? s[1] : 0, img.ndim >= 3 ? s[2] : 0];
}

/** pyclesperanto's `connectivity` argument: 'box' or 'sphere'. */
export function checkConnectivity(x: unknown, fn: string): 'box' | 'sphere' {
  return checkChoice(x, ['box', 'sphere'] as const, `${fn}: connectivity`);
}
