import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { Epilogue, LinePass, runSeparable } from '../../codegen/separable';
import { Halo, boundaryOptions, defineOp, image, sigma } from '../op';
import { type BoundaryOptions, type Boundary, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkSigmas } from '../../validate/filters';

/** scipy.ndimage's kernel extent: radius = int(truncate · sigma + 0.5). */
export const TRUNCATE = 4.0;
export const gaussianRadius = (sigma: number): number => Math.trunc(TRUNCATE * sigma + 0.5);

/**
 * Correlation weights (index k + r for offset k) of a Gaussian of `sigma` or its first or
 * second derivative, as scipy.ndimage's `_gaussian_kernel1d` (normalised in float64, then
 * reversed because scipy correlates with it).
 */
export function gaussianWeights(sigma: number, order: 0 | 1 | 2, radius = gaussianRadius(sigma)): number[] {
  const s2 = sigma * sigma;
  const phi: number[] = [];
  for (let x = -radius; x <= radius; x++) phi.push(Math.exp((-0.5 / s2) * x * x));
  const sum = phi.reduce((a, b) => a + b, 0);
  const kernel = (x: number) => {
    const p = phi[x + radius] / sum;
    if (order === 0) return p;
    if (order === 1) return (-x / s2) * p;
    return (x * x / (s2 * s2) - 1 / s2) * p;
  };
  const w: number[] = [];
  for (let k = -radius; k <= radius; k++) w.push(kernel(-k));
  return w;
}

/** Weights by sigma and order, computed once: the passes of every later call with the same sigma share them (and their GPU table). */
const weightsBy = new Map<string, readonly number[]>();
function sharedWeights(sigma: number, order: 0 | 1 | 2): readonly number[] {
  const key = `${sigma}|${order}`;
  let w = weightsBy.get(key);
  if (!w) {
    if (weightsBy.size >= 256) weightsBy.clear();
    weightsBy.set(key, (w = gaussianWeights(sigma, order)));
  }
  return w;
}

/**
 * Separable Gaussian passes in scipy's axis order (z, y, x); axes with sigma 0 are skipped.
 * `orders` gives the derivative order per axis (x, y, z). @internal
 */
export function gaussianPasses(sigmas: readonly number[], orders: readonly (0 | 1 | 2)[] = [0, 0, 0]): LinePass[] {
  const passes: LinePass[] = [];
  for (const axis of [2, 1, 0] as const) {
    const s = sigmas[axis];
    if (!(s > 1e-15)) continue;
    const w = sharedWeights(s, orders[axis]);
    passes.push({ axis, radius: (w.length - 1) / 2, reduce: { kind: 'weights', weights: w } });
  }
  return passes;
}

/** Records a Gaussian (or derivative) of `input` into a new float32 image. @internal */
export function gaussianInto(
  op: string,
  input: GpuImage,
  sigmas: readonly number[],
  boundary: Boundary,
  orders: readonly (0 | 1 | 2)[] = [0, 0, 0],
  epilogue?: Epilogue,
): GpuImage {
  return runSeparable({
    op,
    input,
    output: create(input.shape, 'float32'),
    passes: gaussianPasses(sigmas, orders),
    mode: boundary.mode,
    cval: boundary.cval,
    valueType: 'f32',
    epilogue,
  });
}

/**
 * Gaussian blur with a sigma per axis (0 = no blur along that axis; sigmaZ is ignored for 2D
 * images). Input of any dtype; the result is float32, as pyclesperanto's.
 * pyclesperanto: `gaussian_blur`; scipy: `ndi.gaussian_filter(a.astype(np.float32),
 * (sigmaZ, sigmaY, sigmaX), mode=..., cval=..., truncate=4.0)`.
 *
 * Separable passes along z, y, x (scipy's order) with the kernel radius int(4·sigma + 0.5)
 * as scipy (pyclesperanto uses a kernel of about 8·sigma + 1 pixels, i.e. nearly the same).
 * Intermediate values are float32, as scipy's for float32 input.
 */
export const gaussianBlur = defineOp({
  params: [image(), sigma('sigmaX'), sigma('sigmaY'), sigma('sigmaZ'), boundaryOptions],
  output: 'float32',
  tiling: { halo: (p, shape) => sigmaHalo([p.sigmaZ, p.sigmaY, p.sigmaX], shape) },
}, function gaussianBlur(input: GpuImage, sigmaX = 0, sigmaY = 0, sigmaZ = 0, options?: BoundaryOptions): GpuImage {
  const fn = 'gaussianBlur';
  const img = checkFilterInput(input, fn);
  const sigmas = checkSigmas(img, fn, ['sigmaX', 'sigmaY', 'sigmaZ'], sigmaX, sigmaY, sigmaZ);
  return gaussianInto(fn, img, sigmas, checkBoundary(options, fn));
});

/** The (z, y, x) halo of Gaussian passes of sigmas (z, y, x): scipy's kernel radius int(4σ + 0.5) per axis the image has. */
export function sigmaHalo(sigmas: readonly unknown[], shape: readonly number[]): Halo {
  const r = (s: unknown, dim: number) => (shape.length > dim && Number(s) > 1e-15 ? gaussianRadius(Number(s)) : 0);
  return [r(sigmas[0], 2), r(sigmas[1], 1), r(sigmas[2], 0)];
}
