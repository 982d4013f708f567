import { DType, computeType, isDType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import type { PixelProgram } from '../../codegen/program';
import { TesseraError } from '../../errors';
import { Binding, Param, aliases, checkUnique, dtypeOf, hashText, makeKernel, type UserKernel, marked, outputImage, parseParams } from './user-kernel';
import { checkPlaceholderTypes } from '../../validate/arguments';

export interface ElementwiseKernelOptions {
  /**
   * Dtypes of the placeholders used to check the code when the kernel is made (default:
   * float32 for each), e.g. `{ T: 'uint16' }` for code that only compiles for integers.
   */
  types?: Record<string, DType>;
  /** WGSL functions or constants the operation calls (compile errors in it are reported by its own line numbers too). */
  preamble?: string;
}

/** A compiled elementwise kernel (see {@link UserKernel}). */
export type ElementwiseKernel = UserKernel;

/**
 * A custom elementwise operation from a snippet of WGSL, like CuPy's
 * `cp.ElementwiseKernel('T x, T y', 'T z', 'z = (x - y) * (x - y)', 'squared_difference')`:
 *
 * ```ts
 * const sqdiff = await tessera.elementwiseKernel('T x, T y', 'T z', 'z = (x - y) * (x - y);', 'squared_difference');
 * const out = sqdiff(a, b);          // a, b: GpuImages of one dtype; out has it too
 * const scaled = await tessera.elementwiseKernel('T x, float32 s', 'float32 y', 'y = f32(x) * s;', 'scale');
 * scaled(img, 0.5);
 * ```
 *
 * - Parameters are `TYPE name`, TYPE a dtype (uint8 ... float32) or a placeholder (a capital
 *   identifier such as T), bound per call to the dtype of the images passed for it; a
 *   placeholder met only by numbers is float32. Each argument is a GpuImage or a number
 *   (numbers are converted like pixels: toward zero and saturated for integer types).
 * - In the operation (WGSL statements), each input is a value of its dtype's compute type
 *   (u32 for unsigned, i32 for signed, f32 for float32 pixels; packing of 8/16-bit pixels is
 *   handled), each placeholder is a WGSL alias of that type (`T(0)` works), `i` is the pixel's
 *   linear index and `pos` its coordinates `vec4<i32>(x, y, z, t)`. Assign the output
 *   variable; it is converted to the output dtype with saturation (rounding toward zero, NaN
 *   to 0), as every Tessera operation.
 * - The code is compiled now (async) for `options.types` (default float32 placeholders), and
 *   compile errors are thrown as a TesseraError quoting your line, e.g.
 *   `line 2 of the operation: unresolved value 'q'`. Other dtype combinations are compiled on
 *   their first call (sync; once each, then cached); check them in advance with
 *   `await kernel.compile({ T: 'uint8' })`, else an error shows at the next `pull`.
 *
 * Images must have one shape (no broadcasting). One output (CuPy allows several).
 */
export async function elementwiseKernel(
  inParams: string,
  outParams: string,
  operation: string,
  name = 'kernel',
  options: ElementwiseKernelOptions = {},
): Promise<ElementwiseKernel> {
  const fn = `elementwiseKernel '${typeof name === 'string' ? name : '?'}'`;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TesseraError(`elementwiseKernel: name must be an identifier like 'squared_difference'; got ${JSON.stringify(name)}`);
  if (typeof operation !== 'string' || operation.trim() === '') throw new TesseraError(`${fn}: operation must be a non-empty string of WGSL statements`);
  if (typeof options !== 'object' || options === null) throw new TesseraError(`${fn}: options must be an object`);
  const preamble = options.preamble ?? '';
  if (typeof preamble !== 'string') throw new TesseraError(`${fn}: options.preamble must be a string`);
  const inputs = parseParams(fn, 'inParams', inParams);
  const outputs = parseParams(fn, 'outParams', outParams);
  if (outputs.length !== 1) throw new TesseraError(`${fn}: outParams must name exactly one output (e.g. 'T z'); got ${outputs.length}`);
  if (inputs.length === 0) throw new TesseraError(`${fn}: inParams must name at least one input`);
  checkUnique(fn, [...inputs, ...outputs]);
  const out = outputs[0];
  const placeholders = [...new Set([...inputs, out].map((p) => p.type).filter((t) => !isDType(t)))];
  if (!isDType(out.type) && !inputs.some((p) => p.type === out.type)) {
    throw new TesseraError(`${fn}: the output's type ${out.type} is not the type of any input; use a dtype (e.g. 'float32 ${out.name}') or an input's placeholder`);
  }
  const probeTypes = checkPlaceholderTypes(fn, options.types, placeholders);
  const usesPos = /\bpos\b/.test(operation) || /\bpos\b/.test(preamble);
  const id = hashText(JSON.stringify([inParams, outParams, operation, preamble]));

  const program = (b: Binding): PixelProgram => {
    const outType = dtypeOf(out, b.types);
    const imageIndex = new Map(b.images.map((x, k) => [x.param.name, k]));
    const scalarIndex = new Map(b.scalars.map((x, k) => [x.param.name, k]));
    const lets = inputs.map((p) => {
      const t = computeType(dtypeOf(p, b.types));
      return imageIndex.has(p.name) ? `let ${p.name}: ${t} = load_in${imageIndex.get(p.name)}(i);` : `let ${p.name}: ${t} = P.s${scalarIndex.get(p.name)};`;
    });
    const inputsRecord: Record<string, GpuImage> = {};
    b.images.forEach((x, k) => (inputsRecord[`in${k}`] = x.image));
    const scalars: PixelProgram['scalars'] = {};
    b.scalars.forEach((x, k) => (scalars[`s${k}`] = { type: x.type, value: x.value }));
    return {
      op: `user:${name}`,
      variant: `${id}|${b.signature}`,
      inputs: inputsRecord,
      output: outputImage(b.shape, outType),
      scalars,
      coords: usesPos,
      computeType: computeType(outType),
      helpers: `${aliases(b.types)}\n${marked(preamble)}`,
      body: `${usesPos ? 'let pos = c;\n' : ''}${lets.join('\n')}\nvar ${out.name}: ${computeType(outType)};\n${marked(operation)}\nreturn ${out.name};`,
    };
  };
  const snippets = [{ label: 'the preamble', code: preamble }, { label: 'the operation', code: operation }];
  return makeKernel({ fn, name, inputs, placeholders, probeTypes, snippets, program });
}

export type { Param };
