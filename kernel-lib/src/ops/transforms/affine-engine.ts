import { DType, computeType, dtypeRange } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { Interpolation, samplerWgsl } from '../../codegen/interpolation';
import { runGeneratedProgram } from '../../codegen/program';
import { TesseraError } from '../../errors';
import { checkNumber } from '../../validate/arguments';
import { Mat4, apply, compose, cornerToCentre, invert, translation } from './matrix';
import { type TransformMode } from '../../validate/modes';
import type { DTypeRule, Tiling } from '../op';

/** The tiling of the geometric transforms. */
export const GEOMETRIC: Tiling = {
  notTileable: 'a geometric transform: an output pixel reads the input at a transformed position, possibly anywhere in the image',
};

/** The dtype rule of the transforms: float32 when the boolean parameter `interpolate` (linear) is set, else the input's. */
export const interpolatedOrSame = (interpolate: string): DTypeRule => (inputs, p) => (p[interpolate] ? 'float32' : inputs[0]);

/** The matrix's uniform names, spelled once (a name built per call is a new string to look up per call). */
const MATRIX_FIELDS = Array.from({ length: 12 }, (_, k) => `m${k}`);

export interface AffineSampling {
  input: GpuImage;
  outShape: number[];
  outDtype: DType;
  /** Output pixel centre (x, y, z) -> input position (x, y, z), scipy's convention (centres at integers). */
  inverse: Mat4;
  interpolation: Interpolation;
  mode: TransformMode;
  cval: number;
  /** Round half away from zero before the (saturating) conversion to an integer output, as scipy does. */
  roundHalfAway?: boolean;
}

/**
 * The one engine behind affineTransform, rotate, scale, translate, rigidTransform, resample
 * and scipyAffineTransform: one thread per output word evaluates the 3x4 inverse matrix
 * (uniforms; no per-pixel inversion) and samples the input (4 or 8 taps for linear; 4 when a
 * 3D transform keeps planes in place). Outputs run in tiles per workgroup (PixelProgram `tile`),
 * so that the input positions a tile reads lie close together: on an H200 vec4 tiles of 32 × 32
 * took Rotate2D's GPU time from 34 to 18 µs and Rotate3D's from 103 to 86 (bench/filter2d-paths.ts).
 * 2D images take 16 × 16 tiles of one pixel per thread (`scalar`): the same GPU time, and one
 * copy of the sampler per shader instead of four compiles faster (Rotate2D's first call 48 -> 31
 * ms); for 3D those measured 115 µs, so 3D keeps the vec4 tiles.
 * One pipeline per (dims, interpolation, mode, dtypes), shared by all those operations; sizes
 * and the matrix are uniforms.
 */
export function sampleAffine(s: AffineSampling): GpuImage {
  const m = s.inverse;
  // A 3D transform that keeps every plane in place (x and y independent of z, z -> z: rotations
  // about z, in-plane scales and shifts) samples within the pixel's own plane: 4 taps instead
  // of 8 for linear, the same values (the z weights would be exactly 1 and 0).
  const inPlane = s.input.ndim === 3 && m[2] === 0 && m[6] === 0 && m[8] === 0 && m[9] === 0 && m[10] === 1 && m[11] === 0;
  const dims = s.input.ndim === 3 && !inPlane ? 3 : 2;
  const scalars: Record<string, { type: 'f32'; value: number }> = {};
  for (let k = 0; k < 12; k++) scalars[MATRIX_FIELDS[k]] = { type: 'f32', value: m[k] };
  let cval = s.cval;
  const T = computeType(s.input.dtype);
  if (s.interpolation === 'nearest' && T !== 'f32') {
    // The fill value as the output stores it (scipy rounds half away from zero and clips).
    const [lo, hi] = dtypeRange(s.input.dtype);
    cval = Math.min(hi, Math.max(lo, Math.sign(cval) * Math.floor(Math.abs(cval) + 0.5)));
  }
  scalars.cval = { type: 'f32', value: cval };
  const sampleType = s.interpolation === 'linear' ? 'f32' : T;
  const round = s.roundHalfAway === true && sampleType === 'f32' && computeType(s.outDtype) !== 'f32';
  const codeKey = `affine|${s.input.dtype}|${s.outDtype}|${dims}|${inPlane}|${s.interpolation}|${s.mode}|${round}`;
  return runGeneratedProgram(
    { op: 'affineSample', inputs: { a: s.input }, output: create(s.outShape, s.outDtype), scalars, coords: true, tile: true, scalar: s.input.ndim === 2, computeType: sampleType },
    codeKey,
    () => {
      const row = (r: number) => `P.m${4 * r} * q.x + P.m${4 * r + 1} * q.y${dims === 3 ? ` + P.m${4 * r + 2} * q.z` : ''} + P.m${4 * r + 3}`;
      const body = `let q = vec3<f32>(f32(c.x), f32(c.y), f32(c.z));
  let p = vec3<f32>(${row(0)}, ${row(1)}, ${dims === 3 ? row(2) : inPlane ? 'f32(c.z)' : '0.0'});
  ${round ? 'let v = sample_a(p, c.w);\n  return sign(v) * floor(abs(v) + 0.5);' : 'return sample_a(p, c.w);'}`;
      return { body, helpers: samplerWgsl({ name: 'a', dtype: s.input.dtype, dims, interpolation: s.interpolation, mode: s.mode, cval: 'P.cval', planeFromZ: inPlane }) };
    },
  );
}



/** Input extents as (x, y, z), z = 1 for 2D. */
export function extentsXYZ(img: GpuImage): [number, number, number] {
  const s = img.shape;
  return img.ndim === 3 ? [s[2], s[1], s[0]] : [s[1], s[0], 1];
}

/** A z,y,x shape of the input's rank from (x, y, z) extents. */
export function shapeOf(img: GpuImage, xyz: [number, number, number]): number[] {
  return img.ndim === 3 ? [xyz[2], xyz[1], xyz[0]] : [xyz[1], xyz[0]];
}

/**
 * Applies a pyclesperanto-style forward transform (input -> output, corner coordinates:
 * pixel k spans [k, k + 1)) the way CLIc's affine_transform does: with `resize`, the output
 * box is the transformed input box (extents rounded, at least 1) moved to the origin;
 * otherwise the output has the input's shape. Interpolating transforms return float32,
 * nearest ones keep the input dtype.
 */
export function applyForward(
  fn: string, input: GpuImage, forward: Mat4, interpolate: boolean, resize: boolean,
  options: { mode: TransformMode; cval: number }, matrixArgument: string,
): GpuImage {
  if (input.ndim === 2) {
    // A 2D image has no z: the transform must keep z apart (it acts in the x-y plane).
    const mixes = [forward[2], forward[6], forward[8], forward[9], forward[11]].some((v) => v !== 0) || forward[10] !== 1;
    if (mixes) throw new TesseraError(`${fn}: ${matrixArgument} moves z (rotation about x or y, or a z scale/shift) but input is 2D; use a 3D image`);
  }
  let m = forward;
  let xyz = extentsXYZ(input);
  if (resize) {
    const [w, h, d] = xyz;
    const corners: Array<[number, number, number]> = [];
    for (const x of [0, w]) for (const y of [0, h]) for (const z of [0, d]) corners.push(apply(m, [x, y, z]));
    const lo = [0, 1, 2].map((k) => Math.min(...corners.map((c) => c[k])));
    const hi = [0, 1, 2].map((k) => Math.max(...corners.map((c) => c[k])));
    const size = [0, 1, 2].map((k) => Math.max(1, Math.round(hi[k] - lo[k])));
    xyz = input.ndim === 2 ? [size[0], size[1], 1] : [size[0], size[1], size[2]];
    m = compose(m, translation(-lo[0], -lo[1], input.ndim === 2 ? 0 : -lo[2]));
  }
  const inv = invert(m);
  if (!inv) throw new TesseraError(`${fn}: ${matrixArgument} is singular (not invertible)`);
  return sampleAffine({
    input,
    outShape: shapeOf(input, xyz),
    outDtype: interpolate ? 'float32' : input.dtype,
    inverse: cornerToCentre(inv),
    interpolation: interpolate ? 'linear' : 'nearest',
    mode: options.mode,
    cval: options.cval,
  });
}
