import { checkFitsOneBuffer } from '../gpu/buffer-pool';
import type { GpuImage } from '../array/gpu-image';
import { push } from '../array/transfer';
import { TesseraError } from '../errors';
import { addImages } from '../ops/arithmetic/image-arithmetic';
import { gaussianBlur } from '../ops/filters/gaussian-blur';
import { checkInteger, checkNumber, checkShape } from '../validate/arguments';
import { addGaussianNoise, uniform } from './random';

/**
 * Synthetic blobs, the sample data of the notebooks and the first image of many pyclesperanto
 * and stackview tutorials (ImageJ's `blobs.gif`): round bright objects of random size and
 * brightness on a dark background, blurred (the optics) and noisy (the camera), in 2D (y, x) or
 * 3D (z, y, x), with their ground truth. Deterministic for a seed; no download.
 */
export interface BlobsOptions {
  /** Shape (y, x) or (z, y, x); default [256, 256]. */
  shape?: readonly number[];
  /**
   * Number of blobs asked for; fewer are placed when they do not fit (see {@link Blobs.count}).
   * Default: enough to cover about 15 % of the image.
   */
  count?: number;
  /** Smallest and largest radius in pixels; default [4, 10]. */
  radius?: readonly [number, number];
  /** Range of the blobs' brightness above the background (before blur); default [120, 240]. */
  brightness?: readonly [number, number];
  /** The background: one value, or [at x = 0, at the last x] for a ramp along x; default 8. */
  background?: number | readonly [number, number];
  /** Sigma of the Gaussian blur, all axes (0: sharp edges); default 1.5. */
  blur?: number;
  /** Standard deviation of the additive Gaussian noise (0: none); default 4. */
  noise?: number;
  /** Random seed (an integer); default 1. */
  seed?: number;
}

/** One blob of the ground truth. */
export interface Blob {
  /** Its label in {@link Blobs.labels} (1, 2, ...). */
  label: number;
  /** Centre in pixels: [x, y] in 2D, [x, y, z] in 3D. */
  centre: number[];
  radius: number;
  /** Brightness above the background, before blur. */
  brightness: number;
  /** Number of pixels (voxels) of its label: the exact area (volume) of the digitised disc (sphere). */
  pixels: number;
}

/** What {@link blobs} makes. */
export interface Blobs {
  /** The image, float32. */
  image: GpuImage;
  /** Ground truth: blob k at its pixels before blurring, 0 elsewhere, uint32. */
  labels: GpuImage;
  /** Number of blobs placed (at most `options.count`). */
  count: number;
  /** The blobs, by label. */
  blobs: Blob[];
}

/** The fraction of the image the default number of blobs covers. */
const DEFAULT_COVER = 0.15;
/** Empty pixels kept between two blobs, so that they never touch (not even diagonally). */
const GAP = 2;

function checkRange(x: unknown, argument: string, min: number): [number, number] {
  if (!Array.isArray(x) || x.length !== 2) throw new TesseraError(`${argument} must be [smallest, largest]; got ${JSON.stringify(x)}`);
  const [lo, hi] = [checkNumber(x[0], `${argument}[0]`), checkNumber(x[1], `${argument}[1]`)];
  if (lo < min) throw new TesseraError(`${argument}[0] must be >= ${min}; got ${lo}`);
  if (hi < lo) throw new TesseraError(`${argument} must be [smallest, largest] with smallest <= largest; got [${lo}, ${hi}]`);
  return [lo, hi];
}

function checkNonNegative(x: unknown, argument: string): number {
  const v = checkNumber(x, argument);
  if (v < 0) throw new TesseraError(`${argument} must be >= 0; got ${v}`);
  return v;
}

/**
 * Makes blobs and their ground truth (defaults in {@link BlobsOptions}):
 *
 * ```ts
 * const { image, labels, blobs } = tessera.blobs();                          // 2D, 256 x 256
 * const stack = tessera.blobs({ shape: [64, 128, 128], radius: [3, 6] }).image; // 3D
 * ```
 *
 * Blobs are discs (2D) or spheres (3D) that lie wholly inside the image and keep at least 2
 * pixels apart, so every label is one connected object and measurements of the truth are exact.
 * The noise is drawn on the host, so an image is the same on every GPU.
 */
export function blobs(options: BlobsOptions = {}): Blobs {
  const fn = 'blobs';
  if (typeof options !== 'object' || options === null) throw new TesseraError(`${fn}: options must be an object like { shape: [256, 256] }`);
  const shape = checkShape([...(options.shape ?? [256, 256])], `${fn}: options.shape`);
  if (shape.length !== 2 && shape.length !== 3) throw new TesseraError(`${fn}: options.shape must be 2D (y, x) or 3D (z, y, x); got [${shape}]`);
  checkFitsOneBuffer(shape.reduce((a, b) => a * b, 1) * 4, () => `${fn}(shape [${shape}])`);
  const [rmin, rmax] = checkRange(options.radius ?? [4, 10], `${fn}: options.radius`, 0.5);
  const [bmin, bmax] = checkRange(options.brightness ?? [120, 240], `${fn}: options.brightness`, -Infinity);
  const bg = options.background ?? 8;
  const [g0, g1] = typeof bg === 'number' ? [checkNumber(bg, `${fn}: options.background`), bg] : checkRange(bg, `${fn}: options.background`, -Infinity);
  const sigma = checkNonNegative(options.blur ?? 1.5, `${fn}: options.blur`);
  const noise = checkNonNegative(options.noise ?? 4, `${fn}: options.noise`);
  const seed = checkInteger(options.seed ?? 1, `${fn}: options.seed`);
  const is3D = shape.length === 3;
  const [nz, ny, nx] = is3D ? shape : [1, ...shape];
  const extent = [nx, ny, nz];
  const axes = is3D ? 3 : 2;
  for (let k = 0; k < axes; k++) {
    if (extent[k] < 2 * Math.ceil(rmax) + 3) {
      throw new TesseraError(`${fn}: blobs of radius up to ${rmax} (options.radius) do not fit in shape [${shape}]: each extent must be at least ${2 * Math.ceil(rmax) + 3}`);
    }
  }
  const n = nx * ny * nz;
  const meanSize = is3D ? (4 / 3) * Math.PI * ((rmin + rmax) / 2) ** 3 : Math.PI * ((rmin + rmax) / 2) ** 2;
  const wanted = checkInteger(options.count ?? Math.max(1, Math.round((DEFAULT_COVER * n) / meanSize)), `${fn}: options.count`, 0);

  // Place blobs by rejection sampling; a grid of cells (one largest blob plus the gap wide) finds the neighbours to check.
  const rand = uniform(seed);
  const cell = 2 * rmax + GAP;
  const cells = extent.map((e) => Math.ceil(e / cell));
  const cellOf = (p: readonly number[]) => p.map((c, k) => Math.min(cells[k] - 1, Math.floor(c / cell)));
  const grid = new Map<number, number[]>();
  const placed: Array<{ centre: number[]; radius: number }> = [];
  for (let attempt = 0; attempt < 60 * wanted && placed.length < wanted; attempt++) {
    const radius = rmin + (rmax - rmin) * rand();
    const centre = extent.slice(0, axes).map((e) => radius + 1 + (e - 2 * radius - 3) * rand());
    const p = [...centre, 0, 0].slice(0, 3);
    const [cx, cy, cz] = cellOf(p);
    let free = true;
    for (let dz = -1; dz <= 1 && free; dz++) {
      for (let dy = -1; dy <= 1 && free; dy++) {
        for (let dx = -1; dx <= 1 && free; dx++) {
          const [gx, gy, gz] = [cx + dx, cy + dy, cz + dz];
          if (gx < 0 || gy < 0 || gz < 0 || gx >= cells[0] || gy >= cells[1] || gz >= cells[2]) continue;
          for (const j of grid.get((gz * cells[1] + gy) * cells[0] + gx) ?? []) {
            const q = placed[j];
            if (Math.hypot(...centre.map((c, k) => c - q.centre[k])) < radius + q.radius + GAP) {
              free = false;
              break;
            }
          }
        }
      }
    }
    if (!free) continue;
    const key = (cz * cells[1] + cy) * cells[0] + cx;
    grid.set(key, [...(grid.get(key) ?? []), placed.length]);
    placed.push({ centre, radius });
  }

  // Draw: the background, then each blob's pixels, labelled in the truth.
  const pixels = new Float32Array(n);
  const truth = new Uint32Array(n);
  for (let i = 0; i < n; i++) pixels[i] = g0 + ((g1 - g0) * (i % nx)) / Math.max(1, nx - 1);
  const result: Blob[] = placed.map(({ centre, radius }, k) => {
    const brightness = bmin + (bmax - bmin) * rand();
    const [x0, y0, z0] = [...centre, 0];
    let count = 0;
    const zr = is3D ? radius : 0;
    for (let z = Math.ceil(z0 - zr); z <= Math.floor(z0 + zr); z++) {
      for (let y = Math.ceil(y0 - radius); y <= Math.floor(y0 + radius); y++) {
        for (let x = Math.ceil(x0 - radius); x <= Math.floor(x0 + radius); x++) {
          if ((x - x0) ** 2 + (y - y0) ** 2 + (is3D ? (z - z0) ** 2 : 0) > radius * radius) continue;
          const i = (z * ny + y) * nx + x;
          truth[i] = k + 1;
          pixels[i] += brightness;
          count++;
        }
      }
    }
    return { label: k + 1, centre, radius, brightness, pixels: count };
  });

  const sharp = push(pixels, shape);
  let image = sharp;
  if (sigma > 0) {
    image = gaussianBlur(sharp, sigma, sigma, is3D ? sigma : 0);
    sharp.release();
  }
  if (noise > 0) {
    const e = new Float32Array(n);
    addGaussianNoise(e, noise, rand);
    const noiseImage = push(e, shape);
    const noisy = addImages(image, noiseImage);
    image.release();
    noiseImage.release();
    image = noisy;
  }
  return { image, labels: push(truth, shape), count: result.length, blobs: result };
}
