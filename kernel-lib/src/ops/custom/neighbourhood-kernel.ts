import { DType, computeType } from '../../dtype';
import { boundaryFunction, cvalFor } from '../../codegen/boundary';
import type { PixelProgram } from '../../codegen/program';
import { TesseraError } from '../../errors';
import { type BoundaryMode, checkBoundary } from '../../validate/modes';
import {
  Binding, type KernelParamSpec, aliases, boundInputs, checkCode, dtypeOf, inputLets, kernelLabel, makeKernel, marked, outputImage, parseSignature,
  type UserKernel,
} from './user-kernel';

export interface NeighbourhoodKernelSpec {
  /** Name for messages and the pipeline cache (default 'neighbourhood'). */
  name?: string;
  /** Neighbourhood radii [rx, ry, rz] (or one number for all axes): the constants RX, RY, RZ in the body. */
  radius: number | [number, number, number];
  /** Input parameters, e.g. 'T src' or 'T src, float32 k' (see elementwiseKernel). */
  inputs: string;
  /** The output parameter, e.g. 'T dst' or 'float32 dst'. */
  output: string;
  /** WGSL statements assigning the output; `src_at(dx, dy, dz)` reads a neighbour of input `src`. */
  body: string;
  /** How neighbours outside the image are read (default 'nearest', as pyclesperanto); see codegen/boundary.ts. */
  mode?: BoundaryMode;
  /** Value outside the image for mode 'constant' (default 0). */
  cval?: number;
  /** Placeholder dtypes used to check the code now (default float32). */
  types?: Record<string, DType>;
  /** WGSL functions or constants the body calls. */
  preamble?: string;
  /** Metadata of number inputs, for `widgets.interact` (see elementwiseKernel's `params`). */
  params?: Record<string, KernelParamSpec>;
}

/** A compiled neighbourhood kernel (see {@link UserKernel}). */
export type NeighbourhoodKernel = UserKernel;

/**
 * A custom neighbourhood operation from WGSL: for every output pixel the body reads its
 * inputs' neighbours through `<input>_at(dx, dy, dz)` (integer offsets; positions outside
 * the image follow `mode`, by default 'nearest' = clamped to the edge, from the shared
 * boundary helper of the filters), its centre value as `<input>`, its coordinates as `pos`,
 * and the radii as the i32 constants RX, RY, RZ (compile-time, so loops over them unroll):
 *
 * ```ts
 * const localRange = await tessera.neighbourhoodKernel({
 *   radius: [1, 1, 0], inputs: 'T src', output: 'T dst',
 *   body: `var lo = src; var hi = src;
 * for (var dy = -RY; dy <= RY; dy++) {
 *   for (var dx = -RX; dx <= RX; dx++) { let v = src_at(dx, dy, 0); lo = min(lo, v); hi = max(hi, v); }
 * }
 * dst = hi - lo;`,
 * });
 * const out = localRange(img);
 * ```
 *
 * Types, numbers, compile checks (with your line numbers) and caching are as in
 * {@link elementwiseKernel}. Each thread reads its neighbours from global memory (no shared-
 * memory tiling): fine for small radii; the built-in filters are faster for their jobs.
 */
export async function neighbourhoodKernel(spec: NeighbourhoodKernelSpec): Promise<NeighbourhoodKernel> {
  if (typeof spec !== 'object' || spec === null) throw new TesseraError('neighbourhoodKernel: expects an object { radius, inputs, output, body }');
  const name = spec.name ?? 'neighbourhood';
  const fn = kernelLabel('neighbourhoodKernel', name);
  const radius = typeof spec.radius === 'number' ? [spec.radius, spec.radius, spec.radius] : spec.radius;
  if (!Array.isArray(radius) || radius.length !== 3 || radius.some((r) => !Number.isInteger(r) || r < 0 || r > 1024)) {
    throw new TesseraError(`${fn}: radius must be an integer or [rx, ry, rz] of integers in 0..1024; got ${JSON.stringify(spec.radius)}`);
  }
  checkCode(fn, 'body', spec.body, true);
  const preamble = checkCode(fn, 'preamble', spec.preamble, false);
  const boundary = checkBoundary({ mode: spec.mode, cval: spec.cval }, fn);
  const signature = parseSignature(fn, ['inputs', spec.inputs], ['output', spec.output], (n) => /^(RX|RY|RZ)$/.test(n) || n.startsWith('tsr_') || /_at$/.test(n));
  const { inputs, out } = signature;
  const [rx, ry, rz] = radius;

  const program = (b: Binding): PixelProgram => {
    const t = computeType(dtypeOf(out, b.types));
    const bound = boundInputs(b);
    const accessors = b.images.map((x, k) => {
      bound.scalars[`tsr_cval${k}`] = cvalFor(boundary.cval, x.image.dtype);
      return `fn ${x.param.name}_at(dx: i32, dy: i32, dz: i32) -> ${computeType(x.image.dtype)} {
  let s = vec3<i32>(P.in${k}_shape.xyz);
  let x = bnd(tsr_c.x + dx, s.x);
  let y = bnd(tsr_c.y + dy, s.y);
  let z = bnd(tsr_c.z + dz, s.z);
  if (min(x, min(y, z)) < 0) { return P.tsr_cval${k}; }
  return at_in${k}(vec4<i32>(x, y, z, tsr_c.w));
}`;
    });
    return {
      op: `user:${name}`,
      ...bound,
      output: outputImage(b.shape, dtypeOf(out, b.types)),
      coords: true,
      computeType: t,
      helpers: `${aliases(b.types)}
const RX: i32 = ${rx};
const RY: i32 = ${ry};
const RZ: i32 = ${rz};
var<private> tsr_c: vec4<i32>;
${boundaryFunction(boundary.mode, 'bnd')}
${accessors.join('\n')}
${marked(preamble)}`,
      body: `tsr_c = c;\nlet pos = c;\n${inputLets(inputs, b)}\nvar ${out.name}: ${t};\n${marked(spec.body)}\nreturn ${out.name};`,
    };
  };
  const snippets = [{ label: 'the preamble', code: preamble }, { label: 'the body', code: spec.body }];
  return makeKernel({ fn, name, signature, types: spec.types, snippets, program, params: spec.params });
}
