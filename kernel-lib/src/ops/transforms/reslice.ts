import type { GpuImage } from '../../array/gpu-image';
import { create, push } from '../../array/transfer';
import { samplerWgsl } from '../../codegen/interpolation';
import { runPixelProgram } from '../../codegen/program';
import { permute } from './transpose';
import { TesseraError } from '../../errors';
import { checkDims, checkImage, checkNumber } from '../../validate/arguments';
import { type OpInfo, defineOp, image, number, optionalNumber } from '../op';

function reslice(fn: string, input: GpuImage, outShape: number[], read: string): GpuImage {
  checkImage(input, `${fn}: input`);
  checkDims(input, [3], `${fn}: input`);
  return permute(fn, input, outShape, read);
}

/** The metadata of the reslices. */
const RESLICE: OpInfo = {
  params: [image()],
  output: 'same',
  tiling: { notTileable: 'views the stack from another side: axes are swapped, the result has another shape' },
};

/**
 * The stack seen from the top: output plane k is the input's row y = k (an x-z view).
 * pyclesperanto_prototype / CLIJ2: `reslice_top`; numpy: `a.transpose(1, 0, 2)` ([d, h, w] ->
 * [h, d, w]). 3D only; exact for every dtype.
 */
export const resliceTop = defineOp(RESLICE, function resliceTop(input: GpuImage): GpuImage {
  const s = input?.shape ?? [];
  return reslice('resliceTop', input, [s[1], s[0], s[2]], 'c.x, c.z, c.y');
});

/**
 * The stack seen from the bottom: {@link resliceTop} with the plane order reversed.
 * CLIJ2: `reslice_bottom`; numpy: `np.flip(a.transpose(1, 0, 2), axis=0)`. 3D only; exact.
 */
export const resliceBottom = defineOp(RESLICE, function resliceBottom(input: GpuImage): GpuImage {
  const s = input?.shape ?? [];
  return reslice('resliceBottom', input, [s[1], s[0], s[2]], 'c.x, i32(P.a_shape.y) - 1 - c.z, c.y');
});

/**
 * The stack seen from the left: output plane k is the input's column x = k, as a [d, h]
 * image (y along x). CLIJ2: `reslice_left`; numpy: `a.transpose(2, 0, 1)` ([d, h, w] ->
 * [w, d, h]). 3D only; exact.
 */
export const resliceLeft = defineOp(RESLICE, function resliceLeft(input: GpuImage): GpuImage {
  const s = input?.shape ?? [];
  return reslice('resliceLeft', input, [s[2], s[0], s[1]], 'c.z, c.x, c.y');
});

/**
 * The stack seen from the right: {@link resliceLeft} with the plane order reversed.
 * CLIJ2: `reslice_right`; numpy: `np.flip(a.transpose(2, 0, 1), axis=0)`. 3D only; exact.
 */
export const resliceRight = defineOp(RESLICE, function resliceRight(input: GpuImage): GpuImage {
  const s = input?.shape ?? [];
  return reslice('resliceRight', input, [s[2], s[0], s[1]], 'i32(P.a_shape.x) - 1 - c.z, c.x, c.y');
});

// (sin, cos) tables per angle list, computed in float64 on the host: WGSL's sin/cos may be
// off by 2^-11, which is a visible position error at large radii. A few are kept for reuse.
const tables = new Map<string, GpuImage>();

function angleTable(count: number, step: number, start: number): GpuImage {
  const key = `${count}|${step}|${start}`;
  const hit = tables.get(key);
  if (hit && !hit.released) return hit;
  const t = new Float32Array(2 * count);
  for (let k = 0; k < count; k++) {
    const rad = ((k * step + start) * Math.PI) / 180;
    t[2 * k] = Math.sin(rad);
    t[2 * k + 1] = Math.cos(rad);
  }
  const img = push(t, [2 * count]);
  tables.set(key, img);
  if (tables.size > 16) {
    const first = tables.keys().next().value as string;
    tables.delete(first);
  }
  return img;
}

/**
 * Radial reslice: for each angle, the plane along the ray from (centerX, centerY) in the
 * direction of that angle, through every z. CLIJ2: `resliceRadial(source, destination,
 * numberOfAngles, angleStepSize, startAngleDegrees, centerX, centerY, scaleFactorX,
 * scaleFactorY)` (ImageJ's "Radial Reslice"); not in pyclesperanto.
 *
 * Output, for a 3D [d, h, w] input: [n, d, R] float32 with n = floor(numberOfAngles /
 * angleStepSize) angles (as CLIJ2, `numberOfAngles` is the angular range in degrees when the
 * step is not 1) and R = floor(sqrt(floor(w/2)² + floor(h/2)²)) radii (at least 1). For a 2D
 * [h, w] input: [n, R]. Pixel (r, z) of angle k holds the input at
 * x = centerX + sin(θk) · r · scaleFactorX, y = centerY + cos(θk) · r · scaleFactorY, z,
 * θk = (k · angleStepSize + startAngleDegrees)°, with pixel centres at integer positions,
 * bilinear interpolation in x-y and 0 outside the image (scipy
 * `ndi.map_coordinates(a, [z, y, x], order=1, mode='grid-constant', cval=0)`).
 * Defaults: centerX = w / 2, centerY = h / 2 (CLIJ2's).
 *
 * Deviation from CLIJ2: the output is float32 (CLIJ2 keeps the input type, truncating the
 * interpolated values), and 2D inputs give a 2D image instead of [n, 1, R].
 */
export const resliceRadial = defineOp({
  params: [
    image(),
    number('numberOfAngles', 360, [1, 360]), number('angleStepSize', 1, [0.1, 10]), number('startAngleDegrees', 0, [0, 360]),
    optionalNumber('centerX', 'left out: the image centre, width / 2'), optionalNumber('centerY', 'left out: the image centre, height / 2'),
    number('scaleFactorX', 1, [0.1, 4]), number('scaleFactorY', 1, [0.1, 4]),
  ],
  output: 'float32',
  tiling: { notTileable: 'samples the stack along rays through a centre: each output plane reads pixels across the whole image' },
}, function resliceRadial(
  input: GpuImage, numberOfAngles = 360, angleStepSize = 1, startAngleDegrees = 0,
  centerX?: number, centerY?: number, scaleFactorX = 1, scaleFactorY = 1,
): GpuImage {
  const fn = 'resliceRadial';
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  const range = checkNumber(numberOfAngles, `${fn}: numberOfAngles`);
  const step = checkNumber(angleStepSize, `${fn}: angleStepSize`);
  if (step <= 0) throw new TesseraError(`${fn}: angleStepSize must be > 0; got ${step}`);
  const n = Math.floor(range / step + 1e-9);
  if (n < 1) throw new TesseraError(`${fn}: numberOfAngles / angleStepSize must be at least 1; got ${range} / ${step}`);
  if (n > 65536) throw new TesseraError(`${fn}: numberOfAngles / angleStepSize must be at most 65536; got ${n}`);
  const start = checkNumber(startAngleDegrees, `${fn}: startAngleDegrees`);
  const w = input.shape[input.ndim - 1];
  const h = input.shape[input.ndim - 2];
  const cx = centerX === undefined ? w / 2 : checkNumber(centerX, `${fn}: centerX`);
  const cy = centerY === undefined ? h / 2 : checkNumber(centerY, `${fn}: centerY`);
  const sx = checkNumber(scaleFactorX, `${fn}: scaleFactorX`);
  const sy = checkNumber(scaleFactorY, `${fn}: scaleFactorY`);
  const radius = Math.max(1, Math.floor(Math.sqrt(Math.floor(w / 2) ** 2 + Math.floor(h / 2) ** 2)));
  const is3D = input.ndim === 3;
  const outShape = is3D ? [n, input.shape[0], radius] : [n, radius];
  const angle = is3D ? 'c.z' : 'c.y';
  return runPixelProgram({
    op: fn,
    inputs: { a: input, t: angleTable(n, step, start) },
    output: create(outShape, 'float32'),
    scalars: {
      cx: { type: 'f32', value: cx }, cy: { type: 'f32', value: cy },
      sx: { type: 'f32', value: sx }, sy: { type: 'f32', value: sy }, cval: { type: 'f32', value: 0 },
    },
    coords: true,
    computeType: 'f32',
    helpers: samplerWgsl({ name: 'a', dtype: input.dtype, dims: is3D ? 3 : 2, interpolation: 'linear', mode: 'grid-constant', cval: 'P.cval' }),
    body: `let k = 2u * u32(${angle});
  let r = f32(c.x);
  let p = vec3<f32>(P.cx + load_t(k) * r * P.sx, P.cy + load_t(k + 1u) * r * P.sy, ${is3D ? 'f32(c.y)' : '0.0'});
  return sample_a(p, 0);`,
  });
});

/** Alias of {@link resliceRadial} under the benchmark's name (CLIJ2 calls it resliceRadial). */
export const radialReslice = resliceRadial;
