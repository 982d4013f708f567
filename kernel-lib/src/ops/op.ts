import { AsyncLocalStorage } from 'node:async_hooks';
import type { GpuImage } from '../array/gpu-image';
import { planSlabs, readSlab, writeSlab } from '../array/slabs';
import { create } from '../array/transfer';
import { isGpuImage } from '../validate/arguments';
import { DTYPES, type DType } from '../dtype';
import { TesseraError } from '../errors';
import { BOUNDARY_MODES, TRANSFORM_MODES, type TransformMode } from '../validate/modes';

/**
 * What every operation declares next to its code: its parameters (types, defaults, ranges),
 * the dtype of its result, and how it can be tiled (its halo as a function of its parameters).
 * `defineOp(info, fn)` attaches this to the function (`tessera.gaussianBlur.info`), registers it
 * (`operations()`), and lets a pipeline be traced (`traceOperations`): the tiling planner sums
 * the halos of the operations a pipeline calls, and `interact` builds controls from `params`.
 */

/** One positional parameter of an operation, in the order the function takes them. */
export type ParamSpec =
  | { name: string; kind: 'image'; optional?: boolean; doc?: string }
  | {
      name: string;
      kind: 'number';
      default?: number;
      /** May be left out (no default): the operation then decides (e.g. the image's own minimum); see `doc`. */
      optional?: boolean;
      /** Whole numbers only (radii, sizes, indices). */
      integer?: boolean;
      /** Valid range (inclusive); values outside are rejected by the operation. */
      min?: number;
      max?: number;
      /** A range that makes a good slider where the valid range is open-ended. */
      soft?: [number, number];
      doc?: string;
    }
  | { name: string; kind: 'boolean'; default?: boolean; doc?: string }
  | { name: string; kind: 'enum'; values: readonly string[]; default?: string; doc?: string }
  /** A trailing options object (boundary mode, cval, ...); its fields are listed as `fields`. */
  | { name: string; kind: 'options'; fields: readonly ParamSpec[]; doc?: string }
  /** Anything else (matrices, lists): passed through, not offered as a control. */
  | { name: string; kind: 'value'; optional?: boolean; doc?: string };

/** Margins in pixels along (z, y, x) that a tile must read beyond its own region. */
export type Halo = [number, number, number];

/**
 * How an operation tiles:
 * - `'pointwise'`: each output pixel depends on the same input pixel only (halo 0);
 * - `{ halo }`: each output pixel depends on input pixels at most `halo(params, shape)` away
 *   (`shape`: the first image argument's). A tile read with that margin (clipped at the image
 *   border) gives the whole-image result in the tile. Boundary modes apply at the image border
 *   only, so a tile whose margin is clipped there is right in every mode except `'wrap'`, whose
 *   margin must come from the opposite side of the image;
 * - `'global'`: the result depends on the whole image (reductions, automatic thresholds,
 *   labelings): a tiled run needs the operation's own merge strategy;
 * - `{ notTileable }`: the output is not a per-tile function of the input with a margin
 *   (shape-changing transforms, rotations); the reason is shown to users who try.
 */
export type Tiling =
  | 'pointwise'
  | { halo: (p: Readonly<Record<string, unknown>>, shape: readonly number[]) => Halo }
  | 'global'
  | { notTileable: string };

/**
 * The dtype of the result: `'same'` as the first image argument, a fixed dtype, or a rule of
 * the image arguments' dtypes and the parameters. `'none'` for operations that return host
 * values (numbers, tables) rather than images.
 */
export type DTypeRule = 'same' | DType | 'none' | ((inputs: readonly DType[], p: Readonly<Record<string, unknown>>) => DType);

export interface OpInfo {
  /** Parameters in positional order, image arguments included. */
  params: readonly ParamSpec[];
  output: DTypeRule;
  tiling: Tiling;
  /**
   * The result is written into an image argument and returned: `true` for the first argument
   * (pyclesperanto's `set_*`), or the name of the image parameter written into when it is
   * given (`paste`'s and `copySlice`'s `destination`).
   */
  inPlace?: true | string;
}

/** An operation: the function itself, with its declared metadata. */
export type Op<F extends (...args: never[]) => unknown> = F & {
  readonly info: Readonly<OpInfo & { name: string }>;
  /** The function as written, before `defineOp` wrapped it (its source lists the real parameters and defaults). */
  readonly implementation: F;
};

const registry = new Map<string, Op<(...args: never[]) => unknown>>();

let trace: { calls: TracedCall[] } | undefined;
/**
 * Set while an operation runs, also across its awaits (an async operation's later steps):
 * the operations it calls are its own, not the pipeline's.
 */
const insideOperation = new AsyncLocalStorage<true>();

/** One top-level operation call recorded by {@link traceOperations}. */
export interface TracedCall {
  info: Readonly<OpInfo & { name: string }>;
  /** The arguments by parameter name (defaults filled in). */
  params: Record<string, unknown>;
  args: unknown[];
}

/** Arguments by parameter name, with declared defaults for those left out. */
export function namedArguments(info: OpInfo, args: readonly unknown[]): Record<string, unknown> {
  const named: Record<string, unknown> = {};
  info.params.forEach((p, k) => {
    const v = args[k];
    named[p.name] = v === undefined && 'default' in p ? p.default : v;
  });
  return named;
}

/**
 * Declares `fn` an operation with its metadata. The returned function behaves exactly as `fn`;
 * while a pipeline is traced it also records the call (only top-level calls: operations called
 * by other operations, also after an await of an async one, are theirs to declare).
 */
export function defineOp<F extends (...args: never[]) => unknown>(info: OpInfo, fn: F): Op<F> {
  const name = fn.name;
  if (!name) throw new Error('defineOp: the operation function must be named');
  if (registry.has(name)) throw new Error(`defineOp: ${name} is defined twice`);
  const full = Object.freeze({ ...info, name });
  // Pointwise and halo operations run on images larger than one GPU binding slab by slab; the
  // others handle such images themselves where they can (reductions) or refuse them clearly.
  const slabbed = info.tiling === 'pointwise' || (typeof info.tiling === 'object' && 'halo' in info.tiling);
  const call = fn as unknown as (...a: unknown[]) => unknown;
  const run = (self: unknown, args: unknown[]) => (slabbed && hasLargeImage(args) ? runInSlabs(full, call, args) : call.apply(self, args));
  const op = function (this: unknown, ...args: unknown[]) {
    if (trace === undefined) return run(this, args);
    if (!insideOperation.getStore()) trace.calls.push({ info: full, params: namedArguments(info, args), args });
    return insideOperation.run(true, () => run(this, args));
  } as unknown as Op<F>;
  Object.defineProperty(op, 'name', { value: name });
  Object.defineProperty(op, 'length', { value: fn.length });
  Object.defineProperty(op, 'info', { value: full, enumerable: true });
  Object.defineProperty(op, 'implementation', { value: fn });
  registry.set(name, op as Op<(...args: never[]) => unknown>);
  return op;
}

function hasLargeImage(args: readonly unknown[]): boolean {
  for (const a of args) if (isGpuImage(a) && a.large) return true;
  return false;
}

/**
 * Runs a pointwise or halo operation on images larger than one GPU binding: slab by slab along the
 * first axis with the operation's halo as margin (array/slabs.ts), every image argument cut to the
 * slab, the cores of the results assembled into one large output (or the in-place target).
 */
function runInSlabs(info: Readonly<OpInfo & { name: string }>, call: (...a: unknown[]) => unknown, args: unknown[]): GpuImage {
  const images = args.filter(isGpuImage);
  const shape = images.find((i) => i.large)!.shape;
  for (const img of images) {
    if (img.shape.length !== shape.length || img.shape.some((e, k) => e !== shape[k])) {
      throw new TesseraError(`${info.name}: images of shapes [${shape}] and [${img.shape}] cannot be processed together in slabs; they must have one shape`);
    }
  }
  const named = namedArguments(info, args);
  const halo = haloOf(info, named, shape) as Halo;
  const margin = shape.length >= 3 ? halo[0] : shape.length === 2 ? halo[1] : halo[2];
  const out = outputDType(info, images.map((i) => i.dtype), named) ?? images[0].dtype;
  const target = info.inPlace ? (typeof info.inPlace === 'string' ? (named[info.inPlace] as GpuImage) : images[0]) : create(shape, out);
  for (const tile of planSlabs(info.name, shape, margin, [...images.map((i) => i.dtype), out])) {
    const slabArgs = args.map((a) => (isGpuImage(a) ? readSlab(a, tile.read) : a));
    const result = call(...slabArgs);
    if (!isGpuImage(result)) throw new Error(`internal: ${info.name} returned no image for a slab`);
    writeSlab(result, tile.inner, target, tile.core);
    for (const x of new Set([...slabArgs.filter(isGpuImage), result])) x.release();
  }
  return target;
}

/** Every operation defined so far, by name. */
export function operations(): ReadonlyMap<string, Op<(...args: never[]) => unknown>> {
  return registry;
}

/**
 * Runs `pipeline` and returns its result together with the top-level operations it called (in
 * call order, with their arguments). Used by the tiling planner to find a pipeline's halo.
 * Pipelines may be async; traces do not nest.
 */
export async function traceOperations<T>(pipeline: () => T | Promise<T>): Promise<{ result: T; calls: TracedCall[] }> {
  if (trace) throw new TesseraError('traceOperations: a trace is already running (traces do not nest)');
  const t = { calls: [] as TracedCall[] };
  trace = t;
  try {
    const result = await pipeline();
    return { result, calls: t.calls };
  } finally {
    trace = undefined;
  }
}

/** The halo a call needs, or why it has none. */
export function haloOf(info: OpInfo, params: Readonly<Record<string, unknown>>, shape: readonly number[]): Halo | 'global' | { notTileable: string } {
  const t = info.tiling;
  if (t === 'pointwise') return [0, 0, 0];
  if (t === 'global') return 'global';
  if ('notTileable' in t) return t;
  return t.halo(params, shape);
}

/** The dtype a call returns (for 'none', undefined). */
export function outputDType(info: OpInfo, inputs: readonly DType[], params: Readonly<Record<string, unknown>>): DType | undefined {
  const o = info.output;
  if (o === 'none') return undefined;
  if (o === 'same') return inputs[0];
  if (typeof o === 'function') return o(inputs, params);
  return o;
}

// Shorthands for the common parameter declarations.

/** An image parameter. */
export const image = (name = 'input', optional = false): ParamSpec => ({ name, kind: 'image', optional });
/** A whole-number radius (0..4096, as validate/filters' checkRadii), default 1. */
export const radius = (name: string, value = 1): ParamSpec => ({ name, kind: 'number', integer: true, default: value, min: 0, max: 4096, soft: [0, 20] });
/** A sigma (>= 0), default `value`. */
export const sigma = (name: string, value = 0): ParamSpec => ({ name, kind: 'number', default: value, min: 0, soft: [0, 20] });
/** A finite number. */
export const number = (name: string, value?: number, soft?: [number, number]): ParamSpec => ({ name, kind: 'number', default: value, soft });
/** A whole number in [min, max] (an index, a count, a factor). */
export const integer = (name: string, value: number | undefined, min?: number, max?: number, soft?: [number, number]): ParamSpec =>
  ({ name, kind: 'number', integer: true, default: value, min, max, soft });
/** A number that may be left out; `doc` says what leaving it out means. */
export const optionalNumber = (name: string, doc: string, soft?: [number, number]): ParamSpec =>
  ({ name, kind: 'number', optional: true, soft, doc });
/** A true/false switch. */
export const flag = (name: string, value: boolean): ParamSpec => ({ name, kind: 'boolean', default: value });
/** One of `values`. */
export const choice = (name: string, values: readonly string[], value?: string): ParamSpec => ({ name, kind: 'enum', values, default: value });
/** A pixel type. */
export const dtype = (name: string, value?: DType): ParamSpec => choice(name, DTYPES, value);
/** A boundary options object `{ mode, cval }` (validate/modes.ts, codegen/boundary.ts). */
export const boundaryOptions: ParamSpec = {
  name: 'options',
  kind: 'options',
  fields: [choice('mode', BOUNDARY_MODES, 'nearest'), number('cval', 0)],
};
/** A geometric transform's options object `{ mode, cval }` (scipy's interpolation modes). */
export const transformOptions = (mode: TransformMode = 'grid-constant'): ParamSpec => ({
  name: 'options',
  kind: 'options',
  fields: [choice('mode', TRANSFORM_MODES, mode), number('cval', 0)],
});
/** pyclesperanto's `connectivity`: 'box' or 'sphere'. */
export const connectivity: ParamSpec = choice('connectivity', ['box', 'sphere'], 'box');

// Shorthands for the common tilings.

/** Radii as (z, y, x) margins from parameters named radiusX/Y/Z (axes the image lacks: 0), times `factor`. */
export function radiusHalo(factor = 1): Tiling {
  return {
    halo: (p, shape) => {
      const r = (k: string, dim: number) => (shape.length > dim ? Number(p[k] ?? 0) * factor : 0);
      return [r('radiusZ', 2), r('radiusY', 1), r('radiusX', 0)];
    },
  };
}

/** A fixed margin per axis (x, y, z), whatever the parameters; axes the image lacks: 0. */
export function fixedHalo(x: number, y = x, z = x): Tiling {
  return { halo: (_, shape) => [shape.length > 2 ? z : 0, shape.length > 1 ? y : 0, x] };
}

/** The tiling of operations whose result at a pixel depends on its coordinates, not only on pixel values. */
export const positional: Tiling = {
  notTileable: 'the result depends on absolute pixel coordinates: an operation on a tile would see the tile\'s own coordinates',
};

/**
 * The metadata of a filter over a box or ellipsoid of radii (radiusX, radiusY, radiusZ):
 * parameters `(input, radiusX, radiusY, radiusZ[, connectivity], options)`, the halo `reach`
 * times the radii (2 for openings, closings and hats: two filters in a row).
 */
export function footprintOp(output: DTypeRule, o: { reach?: number; connectivity?: boolean; radiusZ?: number } = {}): OpInfo {
  return {
    params: [
      image(), radius('radiusX'), radius('radiusY'), radius('radiusZ', o.radiusZ ?? 1),
      ...(o.connectivity ? [connectivity] : []), boundaryOptions,
    ],
    output,
    tiling: radiusHalo(o.reach ?? 1),
  };
}
