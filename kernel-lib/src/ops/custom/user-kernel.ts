import { ComputeType, DType, DTYPES, computeType, dtypeRange, isDType } from '../../dtype';
import { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { PixelProgram, pixelProgramSource, runPixelProgram } from '../../codegen/program';
import { TesseraError } from '../../errors';
import { gpuDevice } from '../../gpu/device';

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
  'i', 'pos', 'P', 'value', 'main', 'coords_of', 'bnd',
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
    if (a instanceof GpuImage) {
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
    if (a instanceof GpuImage) images.push({ param: p, image: a });
    else {
      const d = dtypeOf(p, types);
      const t = computeType(d);
      // Numbers are converted like pixels: toward zero, saturated to the dtype.
      const [lo, hi] = dtypeRange(d);
      const v = t === 'f32' ? (a as number) : Math.min(hi, Math.max(lo, Math.trunc(a as number)));
      scalars.push({ param: p, type: t, value: v });
    }
  });
  const signature = inputs.map((p, k) => `${args[k] instanceof GpuImage ? 'img' : 'num'}:${dtypeOf(p, types)}`).join(',');
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

export interface CompiledProgram {
  program: PixelProgram;
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
  const { code } = pixelProgramSource(program);
  const device = gpuDevice();
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label: `${fn} (check)` });
  const info = await module.getCompilationInfo();
  await device.popErrorScope();
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

/** Records `program` (compiled once per cache key). */
export function run(program: PixelProgram): GpuImage {
  return runPixelProgram(program);
}

export function outputImage(shape: readonly number[], dtype: DType): GpuImage {
  return create(shape, dtype);
}

export function hashText(s: string): string {
  let h = 2166136261;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 16777619);
  return (h >>> 0).toString(36);
}

/** Validates `options.types`: placeholder → dtype. */
export function checkPlaceholderTypes(fn: string, types: unknown, placeholders: string[]): Record<string, DType> {
  if (types === undefined) return {};
  if (typeof types !== 'object' || types === null) throw new TesseraError(`${fn}: options.types must be an object like { T: 'uint8' }`);
  const out: Record<string, DType> = {};
  for (const [k, v] of Object.entries(types)) {
    if (!placeholders.includes(k)) throw new TesseraError(`${fn}: options.types names ${k}, which is not a placeholder of this kernel (${placeholders.join(', ') || 'none'})`);
    if (!isDType(v)) throw new TesseraError(`${fn}: options.types.${k} must be one of ${DTYPES.join(', ')}; got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

/** What both kernel factories hand to {@link makeKernel}. */
export interface KernelParts {
  fn: string;
  name: string;
  inputs: Param[];
  placeholders: string[];
  /** The placeholder dtypes checked when the kernel is made. */
  probeTypes: Record<string, DType>;
  /** The user's code snippets, for compile errors in the user's line numbers. */
  snippets: Array<{ label: string; code: string }>;
  /** The pixel program for one binding of arguments. */
  program: (b: Binding) => PixelProgram;
}

/** A compiled user kernel: call it with GpuImages and numbers, one per input parameter. */
export interface UserKernel {
  (...args: Array<GpuImage | number>): GpuImage;
  /** The kernel's name (used in messages and the pipeline cache). */
  readonly kernelName: string;
  /** Checks (and compiles) the code for these placeholder dtypes, throwing the compiler's errors with your line numbers. */
  compile(types: Record<string, DType>): Promise<void>;
}

/**
 * The shared part of elementwiseKernel and neighbourhoodKernel: checks that the code compiles
 * for the probe dtypes (throwing in the user's line numbers), then returns the callable. A call
 * with a new dtype combination is checked in the background; a failure is thrown by the next call.
 */
export async function makeKernel(k: KernelParts): Promise<UserKernel> {
  const typesNote = (types: Record<string, DType>) => {
    const e = Object.entries(types);
    return e.length ? ` for ${e.map(([n, v]) => `${n} = ${v}`).join(', ')}` : '';
  };
  const compile = async (types: Record<string, DType>) => {
    const preset = checkPlaceholderTypes(k.fn, types, k.placeholders);
    const probes = k.inputs.map((p) => outputImage([1], isDType(p.type) ? p.type : preset[p.type] ?? 'float32'));
    try {
      const b = bind(k.fn, k.inputs, probes, preset);
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
  await compile(k.probeTypes);

  const failed = new Map<string, Error>();
  const checked = new Set<string>();
  const kernel = ((...args: Array<GpuImage | number>): GpuImage => {
    const b = bind(k.fn, k.inputs, args);
    const bad = failed.get(b.signature);
    if (bad) throw bad;
    if (!checked.has(b.signature)) {
      checked.add(b.signature);
      const p = k.program(b);
      checkCompiles(k.fn, p, k.snippets, typesNote(b.types)).catch((e: Error) => failed.set(b.signature, e)).finally(() => p.output.release());
    }
    return run(k.program(b));
  }) as UserKernel;
  Object.defineProperty(kernel, 'kernelName', { value: k.name });
  kernel.compile = compile;
  return kernel;
}
