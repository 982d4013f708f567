import { TesseraError } from '../errors';
import { checkChoice, checkNumber, checkOptionKeys } from './arguments';

/**
 * How operations read outside the image: the boundary modes of the neighbourhood filters and
 * the modes of the geometric transforms (both scipy.ndimage's), and the checks of the options
 * objects that carry them. The WGSL that implements them is in codegen/boundary.ts and
 * codegen/interpolation.ts.
 */

/**
 * Boundary mode of a neighbourhood operation, exactly as scipy.ndimage's `mode` (the extension
 * is periodic, so any radius works, also one larger than the image):
 *
 * | mode       | extension of `a b c d`           |
 * |------------|----------------------------------|
 * | `nearest`  | `a a a a | a b c d | d d d d`    |
 * | `reflect`  | `d c b a | a b c d | d c b a` (period 2n)   |
 * | `mirror`   | `d c b | a b c d | c b a` (period 2n - 2; one pixel mirrors onto itself) |
 * | `constant` | `k k k k | a b c d | k k k k` (k = cval, default 0) |
 * | `wrap`     | `a b c d | a b c d | a b c d`    |
 *
 * `nearest` is Tessera's default, as pyclesperanto reads outside pixels clamped to the edge.
 */
export type BoundaryMode = 'nearest' | 'reflect' | 'mirror' | 'constant' | 'wrap';

export const BOUNDARY_MODES: readonly BoundaryMode[] = ['nearest', 'reflect', 'mirror', 'constant', 'wrap'];

/** The trailing options object of neighbourhood operations. */
export interface BoundaryOptions {
  /** Boundary mode (default `'nearest'`, as pyclesperanto). */
  mode?: BoundaryMode;
  /** Value outside the image for `mode: 'constant'` (default 0). */
  cval?: number;
}

export interface Boundary {
  mode: BoundaryMode;
  cval: number;
}

function checkOptionsObject(options: unknown, fn: string): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TesseraError(`${fn}: options must be an object like { mode: 'nearest', cval: 0 }; got ${JSON.stringify(options)}`);
  }
  return options as Record<string, unknown>;
}

/** Validates the boundary `options` of operation `fn`, naming the bad field. */
export function checkBoundary(options: unknown, fn: string): Boundary {
  if (options === undefined) return { mode: 'nearest', cval: 0 };
  const o = checkOptionsObject(options, fn);
  checkOptionKeys(o, ['mode', 'cval'], `${fn}: options`);
  const mode = o.mode === undefined ? 'nearest' : checkChoice(o.mode, BOUNDARY_MODES, `${fn}: options.mode`);
  const cval = o.cval === undefined ? 0 : checkNumber(o.cval, `${fn}: options.cval`);
  return { mode, cval };
}

/**
 * Mode of a geometric transform (scipy.ndimage's interpolation modes); see
 * codegen/interpolation.ts for what each does.
 */
export type TransformMode = 'constant' | 'grid-constant' | 'nearest' | 'reflect' | 'grid-mirror' | 'mirror' | 'wrap' | 'grid-wrap';

export const TRANSFORM_MODES: readonly TransformMode[] = [
  'constant', 'grid-constant', 'nearest', 'reflect', 'grid-mirror', 'mirror', 'wrap', 'grid-wrap',
];

/** Options every affine-type transform accepts after pyclesperanto's own parameters. */
export interface TransformOptions {
  /**
   * How pixels outside the input are filled (scipy.ndimage modes). Default `'grid-constant'`
   * with cval 0: what pyclesperanto's OpenCL sampler (CLK_ADDRESS_CLAMP) does.
   */
  mode?: TransformMode;
  /** Fill value for the constant modes (default 0). */
  cval?: number;
}

/** Checks a TransformOptions argument; returns the mode and cval with pyclesperanto's defaults. */
export function checkTransformOptions(options: unknown, fn: string, defaultMode: TransformMode = 'grid-constant'): { mode: TransformMode; cval: number } {
  if (options === undefined || options === null) return { mode: defaultMode, cval: 0 };
  const o = checkOptionsObject(options, fn);
  checkOptionKeys(o, ['mode', 'cval'], `${fn}: options`);
  const mode = o.mode === undefined ? defaultMode : checkChoice(o.mode, TRANSFORM_MODES, `${fn}: options.mode`);
  const cval = o.cval === undefined ? 0 : checkNumber(o.cval, `${fn}: options.cval`);
  return { mode, cval };
}
