import { DType, computeType } from '../../dtype';
import type { PixelProgram } from '../../codegen/program';
import { TesseraError } from '../../errors';
import {
  Binding, Param, type KernelParamSpec, aliases, boundInputs, checkCode, dtypeOf, inputLets, kernelLabel, makeKernel, marked, outputImage, parseSignature,
  type UserKernel,
} from './user-kernel';

export interface ElementwiseKernelOptions {
  /**
   * Dtypes of the placeholders used to check the code when the kernel is made (default:
   * float32 for each), e.g. `{ T: 'uint16' }` for code that only compiles for integers.
   */
  types?: Record<string, DType>;
  /** WGSL functions or constants the operation calls (compile errors in it are reported by its own line numbers too). */
  preamble?: string;
  /**
   * Metadata of number inputs, e.g. `{ gain: { min: 0, max: 4, default: 1 } }`: they become
   * sliders in `widgets.interact` (inputs not named here are images). See `kernel.info`.
   */
  params?: Record<string, KernelParamSpec>;
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
  const fn = kernelLabel('elementwiseKernel', name);
  checkCode(fn, 'operation', operation, true);
  if (typeof options !== 'object' || options === null) throw new TesseraError(`${fn}: options must be an object`);
  const preamble = checkCode(fn, 'options.preamble', options.preamble, false);
  const signature = parseSignature(fn, ['inParams', inParams], ['outParams', outParams]);
  const { inputs, out } = signature;
  const usesPos = /\bpos\b/.test(operation) || /\bpos\b/.test(preamble);

  const program = (b: Binding): PixelProgram => {
    const t = computeType(dtypeOf(out, b.types));
    return {
      op: `user:${name}`,
      ...boundInputs(b),
      output: outputImage(b.shape, dtypeOf(out, b.types)),
      coords: usesPos,
      computeType: t,
      helpers: `${aliases(b.types)}\n${marked(preamble)}`,
      body: `${usesPos ? 'let pos = c;\n' : ''}${inputLets(inputs, b)}\nvar ${out.name}: ${t};\n${marked(operation)}\nreturn ${out.name};`,
    };
  };
  const snippets = [{ label: 'the preamble', code: preamble }, { label: 'the operation', code: operation }];
  return makeKernel({ fn, name, signature, types: options.types, snippets, program, params: options.params });
}

export type { Param };
