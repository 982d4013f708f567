import { DType, computeType, isDType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { BOUNDARY_WGSL, MODE_CODE, cvalFor } from '../../codegen/boundary';
import type { PixelProgram } from '../../codegen/program';
import { TesseraError } from '../../errors';
import { Binding, aliases, checkUnique, dtypeOf, hashText, makeKernel, type UserKernel, marked, outputImage, parseParams } from './user-kernel';
import { checkPlaceholderTypes } from '../../validate/arguments';
import { type BoundaryMode, checkBoundary } from '../../validate/modes';

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
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TesseraError(`neighbourhoodKernel: name must be an identifier; got ${JSON.stringify(name)}`);
  const fn = `neighbourhoodKernel '${name}'`;
  const radius = typeof spec.radius === 'number' ? [spec.radius, spec.radius, spec.radius] : spec.radius;
  if (!Array.isArray(radius) || radius.length !== 3 || radius.some((r) => !Number.isInteger(r) || r < 0 || r > 1024)) {
    throw new TesseraError(`${fn}: radius must be an integer or [rx, ry, rz] of integers in 0..1024; got ${JSON.stringify(spec.radius)}`);
  }
  if (typeof spec.body !== 'string' || spec.body.trim() === '') throw new TesseraError(`${fn}: body must be a non-empty string of WGSL statements`);
  const preamble = spec.preamble ?? '';
  if (typeof preamble !== 'string') throw new TesseraError(`${fn}: preamble must be a string`);
  const boundary = checkBoundary({ mode: spec.mode, cval: spec.cval }, fn);
  const inputs = parseParams(fn, 'inputs', spec.inputs);
  const outputs = parseParams(fn, 'output', spec.output);
  if (outputs.length !== 1) throw new TesseraError(`${fn}: output must name exactly one parameter (e.g. 'T dst')`);
  if (inputs.length === 0) throw new TesseraError(`${fn}: inputs must name at least one input`);
  checkUnique(fn, [...inputs, ...outputs]);
  for (const p of [...inputs, ...outputs]) {
    if (/^(RX|RY|RZ)$/.test(p.name) || p.name.startsWith('tsr_') || /_at$/.test(p.name)) throw new TesseraError(`${fn}: the name ${JSON.stringify(p.name)} is reserved; choose another`);
  }
  const out = outputs[0];
  const placeholders = [...new Set([...inputs, out].map((p) => p.type).filter((t) => !isDType(t)))];
  if (!isDType(out.type) && !inputs.some((p) => p.type === out.type)) {
    throw new TesseraError(`${fn}: the output's type ${out.type} is not the type of any input; use a dtype or an input's placeholder`);
  }
  const probeTypes = checkPlaceholderTypes(fn, spec.types, placeholders);
  const [rx, ry, rz] = radius;
  const id = hashText(JSON.stringify([spec.inputs, spec.output, spec.body, preamble, radius]));

  const program = (b: Binding): PixelProgram => {
    const outType = dtypeOf(out, b.types);
    const imageIndex = new Map(b.images.map((x, k) => [x.param.name, k]));
    const scalarIndex = new Map(b.scalars.map((x, k) => [x.param.name, k]));
    const inputsRecord: Record<string, GpuImage> = {};
    const scalars: PixelProgram['scalars'] = { tsr_mode: { type: 'u32', value: MODE_CODE[boundary.mode] } };
    const accessors: string[] = [];
    b.images.forEach((x, k) => {
      inputsRecord[`in${k}`] = x.image;
      const t = computeType(x.image.dtype);
      scalars[`tsr_cval${k}`] = cvalFor(boundary.cval, x.image.dtype);
      accessors.push(`fn ${x.param.name}_at(dx: i32, dy: i32, dz: i32) -> ${t} {
  let s = vec3<i32>(P.in${k}_shape.xyz);
  let x = bnd(tsr_c.x + dx, s.x, P.tsr_mode);
  let y = bnd(tsr_c.y + dy, s.y, P.tsr_mode);
  let z = bnd(tsr_c.z + dz, s.z, P.tsr_mode);
  if (min(x, min(y, z)) < 0) { return P.tsr_cval${k}; }
  return at_in${k}(vec4<i32>(x, y, z, tsr_c.w));
}`);
    });
    b.scalars.forEach((x, k) => (scalars[`s${k}`] = { type: x.type, value: x.value }));
    const lets = inputs.map((p) => {
      const t = computeType(dtypeOf(p, b.types));
      return imageIndex.has(p.name) ? `let ${p.name}: ${t} = load_in${imageIndex.get(p.name)}(i);` : `let ${p.name}: ${t} = P.s${scalarIndex.get(p.name)};`;
    });
    return {
      op: `user:${name}`,
      variant: `${id}|${b.signature}`,
      inputs: inputsRecord,
      output: outputImage(b.shape, outType),
      scalars,
      coords: true,
      computeType: computeType(outType),
      helpers: `${aliases(b.types)}
const RX: i32 = ${rx};
const RY: i32 = ${ry};
const RZ: i32 = ${rz};
var<private> tsr_c: vec4<i32>;
${BOUNDARY_WGSL}
${accessors.join('\n')}
${marked(preamble)}`,
      body: `tsr_c = c;\nlet pos = c;\n${lets.join('\n')}\nvar ${out.name}: ${computeType(outType)};\n${marked(spec.body)}\nreturn ${out.name};`,
    };
  };
  const snippets = [{ label: 'the preamble', code: preamble }, { label: 'the body', code: spec.body }];
  return makeKernel({ fn, name, inputs, placeholders, probeTypes, snippets, program });
}
