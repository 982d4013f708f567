import { TesseraError } from '../errors';
import { bindingLimit, deviceInfo, gpuDevice, onDeviceReset } from './device';
import { BufferBinding, recordDispatch } from './commands';
import { bufferSize } from './buffer-pool';

/**
 * The one way Tessera builds a compute kernel. A kernel is described by its storage bindings
 * (name, WGSL type, access), a uniform block described once (field names and types; values are
 * given per dispatch), a workgroup size, module-scope declarations and the body of `main`. The
 * builder writes the WGSL around it: bindings, the `Params` struct, the entry point and its index
 * prologue. In the body:
 *
 * - `group`: the linear index of this workgroup (workgroups are laid out over x and y to stay
 *   within the per-dimension limit; see {@link workgroupGrid}),
 * - `lid`: the invocation's index in its workgroup, `local`: its (x, y, z) position there,
 * - `gid`: `group * threads + lid`, the invocation's linear index over the whole dispatch,
 * - `wid`, `nwg`: the workgroup's id and the number of workgroups (for explicit 2D/3D grids),
 * - `P.<field>`: the uniforms.
 *
 * Kernels are compiled once per (family, parameters): `kernelFor(family, params, build)` caches
 * the compiled kernel under a key made from `params` (whatever changes the generated code, never
 * sizes: those are uniforms), so no key is written by hand. With `TESSERA_CHECK_KERNELS=1` (the
 * test suite sets it) every call regenerates the code and proves that its key never maps to two
 * different sources.
 */

export type Access = 'read' | 'read_write';

export interface Binding {
  /** The WGSL variable name. */
  name: string;
  /** Its WGSL type, e.g. `array<u32>` or `array<atomic<u32>>`. */
  type: string;
  /** Default 'read'. Written bindings are what a failed batch invalidates (gpu/commands.ts). */
  access?: Access;
}

export type UniformType = 'u32' | 'i32' | 'f32' | 'vec2<u32>' | 'vec2<i32>' | 'vec2<f32>' | 'vec4<u32>' | 'vec4<i32>' | 'vec4<f32>';

export interface UniformField {
  name: string;
  type: UniformType;
}

export interface KernelSpec {
  /** Shown in WebGPU errors and profiles. */
  label: string;
  bindings: readonly Binding[];
  uniforms?: readonly UniformField[];
  /** Threads per workgroup along x (and y). */
  workgroupSize: number | readonly [number, number];
  /** Module-scope WGSL: helper functions, constants, `var<workgroup>` arrays. */
  declarations?: string;
  /** Statements of `main` (see the module note for what is in scope). */
  body: string;
}

/** Values of a kernel's uniform fields by name: numbers, or arrays for vector fields. */
export type UniformValues = Readonly<Record<string, number | readonly number[]>>;

/** Where each uniform field sits: vec4 fields first, then vec2, then scalars, so each is naturally aligned. */
export interface UniformLayout {
  struct: string;
  size: number;
  fields: ReadonlyArray<{ name: string; type: UniformType; offset: number; lanes: number; kind: 'u' | 'i' | 'f' }>;
}

export function uniformLayout(fields: readonly UniformField[]): UniformLayout {
  const lanesOf = (t: UniformType) => (t.startsWith('vec4') ? 4 : t.startsWith('vec2') ? 2 : 1);
  const ordered = [...fields].sort((a, b) => lanesOf(b.type) - lanesOf(a.type));
  let offset = 0;
  const placed = ordered.map((f) => {
    const lanes = lanesOf(f.type);
    const scalar = lanes === 1 ? f.type : f.type.slice(5, 8);
    const entry = { name: f.name, type: f.type, offset, lanes, kind: scalar[0] as 'u' | 'i' | 'f' };
    offset += 4 * lanes;
    return entry;
  });
  const size = Math.max(16, Math.ceil(offset / 16) * 16);
  const struct = `struct Params {\n${ordered.map((f) => `  ${f.name}: ${f.type},`).join('\n')}\n}`;
  return { struct, size, fields: placed };
}

/** Writes `values` into `view` at `base` as `layout` says; a missing field is an internal error. */
export function writeUniforms(layout: UniformLayout, values: UniformValues, view: DataView, base: number): void {
  for (const f of layout.fields) {
    const v = values[f.name];
    if (v === undefined) throw new Error(`internal: uniform ${f.name} has no value`);
    for (let k = 0; k < f.lanes; k++) {
      const x = f.lanes === 1 ? (v as number) : ((v as readonly number[])[k] ?? 0);
      const o = base + f.offset + 4 * k;
      if (f.kind === 'f') view.setFloat32(o, x, true);
      else if (f.kind === 'i') view.setInt32(o, x, true);
      else view.setUint32(o, x, true);
    }
  }
}

/** A compiled kernel. */
export interface Kernel {
  readonly label: string;
  readonly code: string;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  readonly uniforms: UniformLayout | undefined;
  /** Per storage binding: whether the kernel writes it. */
  readonly writes: readonly boolean[];
  /** Invocations per workgroup. */
  readonly threads: number;
}

/** The WGSL of a kernel spec. */
export function kernelSource(spec: KernelSpec): { code: string; uniforms: UniformLayout | undefined } {
  const [wx, wy] = typeof spec.workgroupSize === 'number' ? [spec.workgroupSize, 1] : spec.workgroupSize;
  const uniforms = spec.uniforms && spec.uniforms.length > 0 ? uniformLayout(spec.uniforms) : undefined;
  const bindings = spec.bindings.map((b, k) => `@group(0) @binding(${k}) var<storage, ${b.access ?? 'read'}> ${b.name}: ${b.type};`);
  if (uniforms) bindings.push(`@group(0) @binding(${spec.bindings.length}) var<uniform> P: Params;`);
  const code = `${uniforms ? `${uniforms.struct}\n` : ''}${bindings.join('\n')}
${spec.declarations?.trim() ?? ''}
@compute @workgroup_size(${wx}, ${wy})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(local_invocation_id) local: vec3<u32>) {
  let group = wid.y * nwg.x + wid.x;
  let gid = group * ${wx * wy}u + lid;
  ${spec.body.trim()}
}
`;
  return { code, uniforms };
}

/** Compiled kernels by family, then key (two levels: no key string is built per call). */
const kernels = new Map<string, Map<string, Kernel>>();
/** Compiled pipelines by their WGSL: two families (or keys) that generate the same code share one. */
const byCode = new Map<string, Kernel>();
onDeviceReset(() => {
  kernels.clear();
  byCode.clear();
});

/**
 * @internal Whether caches keyed by hand-made keys must prove their keys (TESSERA_CHECK_KERNELS=1,
 * set by the test runner before the process starts; read once).
 */
export const CHECK_KEYS = process.env.TESSERA_CHECK_KERNELS === '1';

function compile(spec: KernelSpec, code: string, uniforms: UniformLayout | undefined): Kernel {
  const shared = byCode.get(code);
  if (shared) return shared;
  const device = gpuDevice();
  const module = device.createShaderModule({ code, label: spec.label });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: spec.label });
  const [wx, wy] = typeof spec.workgroupSize === 'number' ? [spec.workgroupSize, 1] : spec.workgroupSize;
  const k: Kernel = {
    label: spec.label,
    code,
    pipeline,
    layout: pipeline.getBindGroupLayout(0),
    uniforms,
    writes: spec.bindings.map((b) => b.access === 'read_write'),
    threads: wx * wy,
  };
  byCode.set(code, k);
  return k;
}

/**
 * The compiled kernel of `family` for `params` (a string, or a JSON-serialisable object naming
 * everything that changes the code: dtypes, modes, sizes of unrolled loops ...). `build` must be
 * a pure function of `params`. Hot callers may pass the key string themselves (with a `build`
 * that closes over the same values the string spells out), to skip serialising per call.
 */
export function kernelFor<P>(family: string, params: P, build: (p: P) => KernelSpec): Kernel {
  const key = typeof params === 'string' ? params : JSON.stringify(params);
  let ofFamily = kernels.get(family);
  if (!ofFamily) kernels.set(family, (ofFamily = new Map()));
  const found = ofFamily.get(key);
  if (found && !CHECK_KEYS) return found;
  const spec = build(params);
  const { code, uniforms } = kernelSource(spec);
  if (found) {
    if (found.code !== code) {
      throw new Error(`internal: the kernel key ${JSON.stringify(`${family}|${key}`)} maps to two different sources; its parameters miss something that changes the code`);
    }
    return found;
  }
  const k = compile(spec, code, uniforms);
  ofFamily.set(key, k);
  return k;
}

/** How many distinct pipelines have been compiled (for tests of the cache). */
export const compiledKernelCount = (): number => byCode.size;

/** Splits `groups` workgroups over x and y, within the per-dimension limit. */
export function workgroupGrid(groups: number): [number, number] {
  const max = deviceInfo().limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [Math.max(1, groups), 1];
  const y = Math.ceil(groups / max);
  if (y > max) throw new TesseraError(`a dispatch of ${groups} workgroups exceeds this GPU's limits (${max} × ${max})`);
  return [Math.ceil(groups / y), y];
}

/**
 * Records one dispatch of `k` over `buffers` (in binding order: whole buffers, or ranges of
 * them) with `uniforms`. `groups` is a
 * number of workgroups (laid out by {@link workgroupGrid}) or an explicit [x, y, z] grid.
 */
export function dispatch(
  k: Kernel,
  buffers: readonly BufferBinding[],
  uniforms: UniformValues | undefined,
  groups: number | readonly [number, number, number],
  label = k.label,
): void {
  if (buffers.length !== k.writes.length) throw new Error(`internal: ${k.label} takes ${k.writes.length} buffers; got ${buffers.length}`);
  const limit = bindingLimit();
  for (const b of buffers) {
    // Images larger than one binding run in slabs where the operation supports it (array/slabs.ts); anything else stops here.
    const size = 'buffer' in b ? b.size : bufferSize(b);
    if (size > limit) {
      throw new TesseraError(
        `${label}: an image of ${(size / 1024 ** 2).toFixed(1)} MB is larger than this GPU binds at once ` +
          `(${(limit / 1024 ** 2).toFixed(1)} MB), and this operation does not run on such images in slabs. ` +
          'Crop the image, or process it in tiles (tessera.tiled).',
      );
    }
  }
  const grid: readonly [number, number, number] = typeof groups === 'number' ? [...workgroupGrid(groups), 1] : groups;
  const layout = k.uniforms;
  recordDispatch(
    k.pipeline,
    k.layout,
    buffers,
    k.writes,
    layout ? layout.size : 0,
    layout ? (view, base) => writeUniforms(layout, uniforms ?? {}, view, base) : undefined,
    grid,
    label,
  );
}
