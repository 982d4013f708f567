import { ComputeType, DType, DTYPES, computeType, dtypeRange, isDType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { PixelProgram, pixelProgramSource, runPixelProgram } from '../../codegen/program';
import { TesseraError } from '../../errors';
import { afterSync } from '../../gpu/commands';
import { gpuDevice } from '../../gpu/device';
import { checkPlaceholderTypes, isGpuImage } from '../../validate/arguments';
import type { ParamSpec } from '../op';

/**
 * What custom kernels share: CuPy-style parameter lists ("T x, float32 alpha"), binding of
 * type placeholders to dtypes per call, code generation through the pixel-program runner, and
 * compiling user code with the compiler's messages mapped back to the user's own lines.
 */
export interface Param {
  /** A dtype name, or a type placeholder (an identifier starting with a capital letter). */
  type: string;
  name: string;
}

const RESERVED = new Set([
  'i', 'pos', 'P', 'value', 'main', 'coords_of', 'next_coords', 'bnd',
  // WGSL keywords and types a parameter must not shadow
  'var', 'let', 'const', 'fn', 'return', 'if', 'else', 'for', 'loop', 'while', 'break', 'continue', 'switch', 'case', 'default',
  'true', 'false', 'struct', 'alias', 'override', 'discard', 'enable', 'f32', 'i32', 'u32', 'f16', 'bool', 'vec2', 'vec3', 'vec4',
  'array', 'ptr', 'function', 'private', 'workgroup', 'uniform', 'storage', 'select', 'min', 'max', 'abs', 'clamp',
]);

/** Parses "T x, float32 alpha" (the kind of list cupy.ElementwiseKernel takes). */
export function parseParams(fn: string, what: string, text: unknown): Param[] {
  if (typeof text !== 'string') throw new TesseraError(`${fn}: ${what} must be a string like 'T x, T y'; got ${typeof text}`);
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(part);
    if (!m) throw new TesseraError(`${fn}: ${what}: cannot read ${JSON.stringify(part.trim())}; write 'TYPE name' with TYPE a dtype (${DTYPES.join(', ')}) or a placeholder such as T`);
    const [, type, name] = m;
    if (!isDType(type) && !/^[A-Z][A-Za-z0-9_]*$/.test(type)) {
      throw new TesseraError(`${fn}: ${what}: type ${JSON.stringify(type)} of ${name} is neither a dtype (${DTYPES.join(', ')}) nor a placeholder (starting with a capital letter, e.g. T)`);
    }
    if (RESERVED.has(name) || name.startsWith('__') || /^(load|at|index)_/.test(name) || /^in\d+$/.test(name)) {
      throw new TesseraError(`${fn}: ${what}: the name ${JSON.stringify(name)} is reserved; choose another`);
    }
    return { type, name };
  });
}

export function checkUnique(fn: string, params: Param[]): void {
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name)) throw new TesseraError(`${fn}: the parameter name ${JSON.stringify(p.name)} appears twice`);
    seen.add(p.name);
  }
}

/** A kernel's parsed signature: its inputs, its one output, and the type placeholders they use. */
export interface Signature {
  inputs: Param[];
  out: Param;
  placeholders: string[];
}

/**
 * The one parser of custom-kernel signatures: `inText` ("T x, float32 gain") and `outText` (one
 * output, "T z"), named `inWhat` / `outWhat` in errors; `reserved` names are refused. Checks that
 * names are unique, that there is at least one input, and that the output's type is a dtype or
 * the placeholder of an input.
 */
export function parseSignature(
  fn: string,
  [inWhat, inText]: [string, unknown],
  [outWhat, outText]: [string, unknown],
  reserved: (name: string) => boolean = () => false,
): Signature {
  const inputs = parseParams(fn, inWhat, inText);
  const outputs = parseParams(fn, outWhat, outText);
  if (outputs.length !== 1) throw new TesseraError(`${fn}: ${outWhat} must name exactly one output (e.g. 'T z'); got ${outputs.length}`);
  if (inputs.length === 0) throw new TesseraError(`${fn}: ${inWhat} must name at least one input`);
  checkUnique(fn, [...inputs, ...outputs]);
  for (const p of [...inputs, ...outputs]) {
    if (reserved(p.name)) throw new TesseraError(`${fn}: the name ${JSON.stringify(p.name)} is reserved; choose another`);
  }
  const out = outputs[0];
  const placeholders = [...new Set([...inputs, out].map((p) => p.type).filter((t) => !isDType(t)))];
  if (!isDType(out.type) && !inputs.some((p) => p.type === out.type)) {
    throw new TesseraError(`${fn}: the output's type ${out.type} is not the type of any input; use a dtype (e.g. 'float32 ${out.name}') or an input's placeholder`);
  }
  return { inputs, out, placeholders };
}

/** The images (`in<k>`) and numbers (`s<k>`) of a binding, as a pixel program's inputs and scalars. */
export function boundInputs(b: Binding): { inputs: Record<string, GpuImage>; scalars: NonNullable<PixelProgram['scalars']> } {
  const inputs: Record<string, GpuImage> = {};
  b.images.forEach((x, k) => (inputs[`in${k}`] = x.image));
  const scalars: NonNullable<PixelProgram['scalars']> = {};
  b.scalars.forEach((x, k) => (scalars[`s${k}`] = { type: x.type, value: x.value }));
  return { inputs, scalars };
}

/** Checks the name of a kernel (an identifier) and returns how messages name the kernel. */
export function kernelLabel(factory: string, name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new TesseraError(`${factory}: name must be an identifier like 'squared_difference'; got ${JSON.stringify(name)}`);
  }
  return `${factory} '${name}'`;
}

/** Checks a piece of user WGSL: `required` ones must be non-empty. */
export function checkCode(fn: string, what: string, code: unknown, required: boolean): string {
  if (code === undefined && !required) return '';
  if (typeof code !== 'string' || (required && code.trim() === '')) {
    throw new TesseraError(`${fn}: ${what} must be a ${required ? 'non-empty ' : ''}string of WGSL${required ? ' statements' : ''}`);
  }
  return code;
}

/** `let <name>: T = ...;` for each input: images loaded at `i` through `load_in<k>`, numbers from `P.s<k>`. */
export function inputLets(inputs: Param[], b: Binding): string {
  const imageIndex = new Map(b.images.map((x, k) => [x.param.name, k]));
  const scalarIndex = new Map(b.scalars.map((x, k) => [x.param.name, k]));
  return inputs
    .map((p) => {
      const t = computeType(dtypeOf(p, b.types));
      return imageIndex.has(p.name) ? `let ${p.name}: ${t} = load_in${imageIndex.get(p.name)}(i);` : `let ${p.name}: ${t} = P.s${scalarIndex.get(p.name)};`;
    })
    .join('\n');
}

/** A call's arguments bound to the parameters: image inputs, scalars and the placeholders' dtypes. */
export interface Binding {
  images: Array<{ param: Param; image: GpuImage }>;
  scalars: Array<{ param: Param; type: ComputeType; value: number }>;
  types: Record<string, DType>;
  shape: readonly number[];
  /** The pipeline-relevant part: which params are images, and every dtype. */
  signature: string;
}

const WGSL_TYPE: Record<ComputeType, ComputeType> = { u32: 'u32', i32: 'i32', f32: 'f32' };

/** The dtype a parameter has in a binding. */
export function dtypeOf(p: Param, types: Record<string, DType>): DType {
  return isDType(p.type) ? p.type : types[p.type];
}

/**
 * Binds call arguments (GpuImages and numbers) to `inputs`. Placeholders take the dtype of
 * the images passed for them; a placeholder met only by numbers is float32 (unless `preset`).
 */
export function bind(fn: string, inputs: Param[], args: unknown[], preset: Record<string, DType> = {}): Binding {
  if (args.length !== inputs.length) {
    throw new TesseraError(`${fn}: expects ${inputs.length} argument(s) (${inputs.map((p) => `${p.type} ${p.name}`).join(', ')}); got ${args.length}`);
  }
  const types: Record<string, DType> = {};
  const from: Record<string, string> = {};
  let shape: readonly number[] | undefined;
  let shapeFrom = '';
  inputs.forEach((p, k) => {
    const a = args[k];
    if (isGpuImage(a)) {
      if (a.released) throw new TesseraError(`${fn}: argument ${p.name} was released and cannot be used any more`);
      if (isDType(p.type)) {
        if (a.dtype !== p.type) throw new TesseraError(`${fn}: argument ${p.name} must be a ${p.type} image; got ${a.dtype}`);
      } else if (types[p.type] && types[p.type] !== a.dtype) {
        throw new TesseraError(`${fn}: ${p.type} is ${types[p.type]} (from ${from[p.type]}) but ${p.name} is ${a.dtype}; images of one placeholder must share a dtype`);
      } else {
        types[p.type] = a.dtype;
        from[p.type] = p.name;
      }
      if (shape && (shape.length !== a.shape.length || shape.some((e, j) => e !== a.shape[j]))) {
        throw new TesseraError(`${fn}: ${shapeFrom} (shape [${shape}]) and ${p.name} (shape [${a.shape}]) must have the same shape`);
      }
      if (!shape) {
        shape = a.shape;
        shapeFrom = p.name;
      }
    } else if (typeof a !== 'number' || !Number.isFinite(a)) {
      throw new TesseraError(`${fn}: argument ${p.name} must be a GpuImage or a finite number; got ${a === null ? 'null' : typeof a === 'number' ? a : typeof a}`);
    }
  });
  if (!shape) throw new TesseraError(`${fn}: at least one argument must be a GpuImage (it gives the output's shape)`);
  for (const p of inputs) if (!isDType(p.type) && !types[p.type]) types[p.type] = preset[p.type] ?? 'float32';
  const images: Binding['images'] = [];
  const scalars: Binding['scalars'] = [];
  inputs.forEach((p, k) => {
    const a = args[k];
    if (isGpuImage(a)) images.push({ param: p, image: a });
    else {
      const d = dtypeOf(p, types);
      const t = computeType(d);
      // Numbers are converted like pixels: toward zero, saturated to the dtype.
      const [lo, hi] = dtypeRange(d);
      const v = t === 'f32' ? (a as number) : Math.min(hi, Math.max(lo, Math.trunc(a as number)));
      scalars.push({ param: p, type: t, value: v });
    }
  });
  const signature = inputs.map((p, k) => `${isGpuImage(args[k]) ? 'img' : 'num'}:${dtypeOf(p, types)}`).join(',');
  return { images, scalars, types, shape, signature };
}

/** `alias T = u32;` lines for the bound placeholders. */
export function aliases(types: Record<string, DType>): string {
  return Object.entries(types).map(([k, d]) => `alias ${k} = ${WGSL_TYPE[computeType(d)]};`).join('\n');
}

const MARK = '// @@tessera-user-code@@';

/** User code with a marker line before it, so that its position in the generated WGSL can be found. */
export function marked(code: string): string {
  return `${MARK}\n${code}`;
}


function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

/**
 * Compiles `program` on its own (without using it) and throws a TesseraError quoting the
 * user's lines for every compiler error. `snippets` are the user's code pieces, each marked
 * with {@link marked} in the order they appear in the generated source.
 */
export async function checkCompiles(fn: string, program: PixelProgram, snippets: Array<{ label: string; code: string }>, typesNote: string): Promise<void> {
  const code = pixelProgramSource(program);
  const device = gpuDevice();
  // The scope is closed right after the module is made: anything recorded while the compiler
  // works must not land in it (its errors would be swallowed here instead of being reported).
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label: `${fn} (check)` });
  const scope = device.popErrorScope();
  const [info] = await Promise.all([module.getCompilationInfo(), scope]);
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length === 0) return;
  const lines = code.split('\n');
  const starts: number[] = [];
  lines.forEach((l, k) => {
    if (l.trim() === MARK) starts.push(k + 2); // 1-based number of the snippet's first line
  });
  const report = errors.map((m) => {
    for (let s = snippets.length - 1; s >= 0; s--) {
      const start = starts[s];
      const userLines = snippets[s].code.split('\n');
      if (start !== undefined && m.lineNum >= start && m.lineNum < start + userLines.length) {
        const line = m.lineNum - start + 1;
        const text = userLines[line - 1];
        // Snippets are indented when inserted; keep the column relative to the user's text.
        const generated = lines[m.lineNum - 1];
        const shift = generated.length - generated.trimStart().length - (text.length - text.trimStart().length);
        const col = Math.max(1, m.linePos - Math.max(0, shift));
        return `line ${line} of ${snippets[s].label}: ${firstLine(m.message)}\n    ${line} | ${text}\n    ${' '.repeat(String(line).length)} | ${' '.repeat(col - 1)}^`;
      }
    }
    return `in the code generated around yours (generated line ${m.lineNum}: ${JSON.stringify((lines[m.lineNum - 1] ?? '').trim())}): ${firstLine(m.message)}`;
  });
  throw new TesseraError(`${fn}: the kernel does not compile${typesNote}:\n  ${report.join('\n  ')}`);
}


export function outputImage(shape: readonly number[], dtype: DType): GpuImage {
  return create(shape, dtype);
}



/** What both kernel factories hand to {@link makeKernel}. */
export interface KernelParts {
  fn: string;
  name: string;
  signature: Signature;
  /** `options.types` as the user gave them: the placeholder dtypes checked when the kernel is made. */
  types: unknown;
  /** The user's code snippets, for compile errors in the user's line numbers. */
  snippets: Array<{ label: string; code: string }>;
  /** The pixel program for one binding of arguments. */
  program: (b: Binding) => PixelProgram;
  /** Declared metadata of number inputs (`options.params`), for `interact`. */
  params?: unknown;
}

/**
 * Metadata of a number input of a custom kernel, as operations declare theirs (`ParamSpec` of
 * kind 'number' without the name): what `interact` makes a slider of.
 */
export interface KernelParamSpec {
  default?: number;
  min?: number;
  max?: number;
  /** A good slider range where the valid range is open-ended. */
  soft?: [number, number];
  integer?: boolean;
  doc?: string;
}

/** A compiled user kernel: call it with GpuImages and numbers, one per input parameter. */
export interface UserKernel {
  (...args: Array<GpuImage | number>): GpuImage;
  /** The kernel's name (used in messages and the pipeline cache). */
  readonly kernelName: string;
  /** Checks (and compiles) the code for these placeholder dtypes, throwing the compiler's errors with your line numbers. */
  compile(types: Record<string, DType>): Promise<void>;
  /**
   * Its parameters as operations declare theirs (`defineOp`): inputs declared in `params` are
   * numbers with their ranges, the others images. What `widgets.interact` builds controls from.
   */
  readonly info: Readonly<{ name: string; params: readonly ParamSpec[]; output: DType | 'same'; tiling: { notTileable: string } }>;
}

/** The declared parameters of a kernel's inputs (see {@link KernelParamSpec}). */
function declareParams(fn: string, inputs: Param[], declared: unknown): ParamSpec[] {
  if (declared !== undefined && (typeof declared !== 'object' || declared === null)) throw new TesseraError(`${fn}: params must be an object of { name: { min, max, default } }`);
  const given = (declared ?? {}) as Record<string, KernelParamSpec>;
  for (const name of Object.keys(given)) {
    if (!inputs.some((p) => p.name === name)) throw new TesseraError(`${fn}: params declares ${JSON.stringify(name)}, which is not an input (${inputs.map((p) => p.name).join(', ')})`);
    const d = given[name];
    const numbers = ['default', 'min', 'max'].every((k) => (d as Record<string, unknown>)[k] === undefined || Number.isFinite((d as Record<string, unknown>)[k]));
    const soft = d.soft === undefined || (Array.isArray(d.soft) && d.soft.length === 2 && d.soft.every(Number.isFinite));
    if (typeof d !== 'object' || d === null || !numbers || !soft) throw new TesseraError(`${fn}: params.${name} must be { default?, min?, max?, soft?: [lo, hi], integer? } of finite numbers`);
  }
  return inputs.map((p) => (p.name in given ? { name: p.name, kind: 'number', ...given[p.name] } : { name: p.name, kind: 'image' }));
}

/**
 * Compile checks of dtype combinations met for the first time in a call, still running or not
 * yet reported: the next readback waits for them and throws a failure in the user's own line
 * numbers (the call itself already ran; its batch fails and its outputs are marked invalid).
 */
const pendingChecks = new Set<Promise<void>>();
afterSync(() => {
  if (pendingChecks.size === 0) return undefined;
  const checks = [...pendingChecks];
  pendingChecks.clear();
  return Promise.all(checks).then(() => undefined);
});

/**
 * The shared part of elementwiseKernel and neighbourhoodKernel: checks that the code compiles
 * for the probe dtypes (throwing in the user's line numbers), then returns the callable. A call
 * with a new dtype combination is checked in the background: a failure is thrown by the next
 * readback (pull, a statistic, sync) and by every later call with those dtypes.
 */
export async function makeKernel(k: KernelParts): Promise<UserKernel> {
  const { inputs, placeholders } = k.signature;
  const typesNote = (types: Record<string, DType>) => {
    const e = Object.entries(types);
    return e.length ? ` for ${e.map(([n, v]) => `${n} = ${v}`).join(', ')}` : '';
  };
  const compile = async (types: unknown) => {
    const preset = checkPlaceholderTypes(k.fn, types, placeholders);
    const probes = inputs.map((p) => outputImage([1], isDType(p.type) ? p.type : preset[p.type] ?? 'float32'));
    try {
      const b = bind(k.fn, inputs, probes, preset);
      const p = k.program(b);
      try {
        await checkCompiles(k.fn, p, k.snippets, typesNote(b.types));
      } finally {
        p.output.release();
      }
    } finally {
      probes.forEach((x) => x.release());
    }
  };
  await compile(k.types);

  const failed = new Map<string, Error>();
  const checked = new Set<string>();
  const kernel = ((...args: Array<GpuImage | number>): GpuImage => {
    const b = bind(k.fn, inputs, args);
    const bad = failed.get(b.signature);
    if (bad) throw bad;
    const program = k.program(b);
    if (!checked.has(b.signature)) {
      checked.add(b.signature);
      const check = checkCompiles(k.fn, program, k.snippets, typesNote(b.types)).catch((e: Error) => {
        failed.set(b.signature, e);
        throw e;
      });
      check.catch(() => {}); // reported by the next readback (afterSync below), not as an unhandled rejection
      pendingChecks.add(check);
    }
    return runPixelProgram(program);
  }) as UserKernel;
  Object.defineProperty(kernel, 'kernelName', { value: k.name });
  const out = k.signature.out.type;
  Object.defineProperty(kernel, 'info', {
    value: Object.freeze({ name: k.name, params: declareParams(k.fn, inputs, k.params), output: isDType(out) ? out : 'same', tiling: { notTileable: 'a custom kernel' } }),
  });
  kernel.compile = compile;
  return kernel;
}
