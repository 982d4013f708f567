import { ComputeType, DType, computeType, pixelsPerWord } from '../dtype';
import type { GpuImage } from '../array/gpu-image';
import { CHECK_KEYS, UniformField, UniformValues, dispatch, kernelFor, kernelSource, type KernelSpec } from '../gpu/kernel';
import { convertExpr, loader, packBits, storageElement } from './wgsl';

/**
 * A pixel program: the output pixel at linear index `i` (and, with `coords`, at position
 * `c = vec4<i32>(x, y, z, t)`) is computed by `body`, a few WGSL statements ending in
 * `return <value>;` of type `computeType`. The runner generates everything else: bindings,
 * a `load_<name>(i)` / `at_<name>(c)` accessor per input (and `load_out(i)` for the output's own pixels), the uniform struct, packing of
 * 8/16-bit outputs, saturation to the output dtype, and the dispatch.
 *
 * Shapes are uniforms `P.<name>_shape` (vec4<u32> as x, y, z, t); scalars are `P.<name>`.
 * One compiled pipeline serves every image size.
 */
export interface PixelProgram {
  /** Operation name (labels, profiles); with the code below, the pipeline cache key. */
  op: string;
  inputs: Record<string, GpuImage>;
  output: GpuImage;
  scalars?: Record<string, { type: ComputeType; value: number }>;
  /** Whether `body` uses coordinates `c` (else only the linear index `i`). */
  coords?: boolean;
  /** The type `body` returns; converted with saturation to the output dtype. */
  computeType: ComputeType;
  body: string;
  /** Extra WGSL functions the body calls. */
  helpers?: string;
  /** Write only output pixels [start, start + count) (linear); others keep their values. */
  range?: { start: number; count: number };
  /**
   * One pixel per thread also for 32-bit outputs (see VECTOR): for long bodies (unrolled
   * neighbourhoods), whose four inlined copies would multiply the shader compiler's work.
   */
  scalar?: boolean;
  /**
   * Gathers (geometric transforms): a workgroup computes a square tile of output pixels (32 × 32
   * vectorised, 16 × 16 with `scalar`) instead of consecutive ones, so that the input positions
   * it reads lie close together (a rotated row of 1,024 pixels crosses hundreds of input rows, a
   * rotated 32 × 32 tile about 45). For coordinate programs with 32-bit outputs; vectorised ones
   * need rows of whole vec4s (width a multiple of 4) and run as usual otherwise.
   */
  tile?: boolean;
}

const WORKGROUP = 256;
/** A tile's threads along x and pixels per thread (4 consecutive ones vectorised); WORKGROUP / threads rows. */
const tileLayout = (scalar: boolean) => {
  const threadsX = scalar ? 16 : 8;
  const per = scalar ? 1 : VECTOR;
  return { threadsX, per, x: threadsX * per, y: WORKGROUP / threadsX };
};
/** Workgroups (one per tile) over `planes` planes of nx × ny pixels. */
function tileCount(nx: number, ny: number, planes: number, scalar: boolean): number {
  const t = tileLayout(scalar);
  return Math.ceil(nx / t.x) * Math.ceil(ny / t.y) * planes;
}

/** What the generated code depends on (never sizes or values): the pipeline cache key. */
interface ProgramShape {
  op: string;
  inputs: Array<[string, DType]>;
  out: DType;
  scalars: Array<[string, ComputeType]>;
  coords: boolean;
  range: boolean;
  scalar: boolean;
  /** Whether this dispatch runs as tiles (see PixelProgram.tile; decided per output shape). */
  tile: boolean;
  computeType: ComputeType;
  body: string;
  helpers: string;
}

/** Whether `p` runs as tiles: asked for, with coordinates and a 32-bit output (vectorised: rows of whole vec4s). */
function tiled(p: PixelProgram): boolean {
  const n = p.output.shape.length;
  return p.tile === true && p.coords === true && !p.range && pixelsPerWord(p.output.dtype) === 1 && n >= 2 && (p.scalar === true || p.output.shape[n - 1] % VECTOR === 0);
}

function shapeOf(p: PixelProgram): ProgramShape {
  return {
    op: p.op,
    inputs: Object.entries(p.inputs).map(([n, img]) => [n, img.dtype]),
    out: p.output.dtype,
    scalars: Object.entries(p.scalars ?? {}).map(([n, s]) => [n, s.type]),
    coords: p.coords === true,
    range: p.range !== undefined,
    scalar: p.scalar === true,
    tile: tiled(p),
    computeType: p.computeType,
    body: p.body,
    helpers: p.helpers ?? '',
  };
}

/**
 * The cache key of a program: every field of its shape, joined (no JSON: this runs on every
 * call, and the body and helpers are most of the key). Callers that run the same program over
 * and over compute it once and pass it to {@link runPixelProgram}.
 */
export function programKey(p: PixelProgram): string {
  let key = `${p.op}\u0001${p.output.dtype}\u0001${p.computeType}\u0001${p.coords === true ? 1 : 0}${p.range ? 1 : 0}${p.scalar === true ? 1 : 0}${p.tile === true ? 1 : 0}`;
  for (const name in p.inputs) key += `\u0001${name}:${p.inputs[name].dtype}`;
  if (p.scalars) for (const name in p.scalars) key += `\u0001${name}=${p.scalars[name].type}`;
  return `${key}\u0002${p.body}\u0002${p.helpers ?? ''}`;
}

/** A shape in z,y,x order as (x, y, z, t) with missing axes 1. */
export function xyzt(shape: readonly number[]): [number, number, number, number] {
  const n = shape.length;
  return [n > 0 ? shape[n - 1] : 1, n > 1 ? shape[n - 2] : 1, n > 2 ? shape[n - 3] : 1, n > 3 ? shape[n - 4] : 1];
}

/** The uniform field of an input's shape, `<name>_shape`, spelled once per name (no string per call). */
const shapeFields: Record<string, string> = Object.create(null);
const shapeField = (name: string) => (shapeFields[name] ??= `${name}_shape`);

/**
 * Programs whose output is 32-bit and written whole are vectorised: a thread computes four
 * consecutive pixels and stores them as one vec4, and 32-bit inputs are bound as vec4 arrays, so
 * that the four loads of neighbouring pixels become one 16-byte load (measured on an H200: one u32
 * per thread moves 1.95 TB/s, one vec4<u32> 3.17 TB/s). Buffers are whole multiples of 16 bytes
 * (gpu/buffer-pool.ts), so the last vector may read and write the padding behind an image.
 */
const VECTOR = 4;

function programSpec(s: ProgramShape): KernelSpec {
  const epw = pixelsPerWord(s.out);
  const vector = epw === 1 && !s.range && !s.scalar;
  // 32-bit inputs are vec4s also where a thread owns one word of 4 packed 8-bit pixels (the
  // 4 pixels of one input vec4: a 16-byte load instead of four 4-byte ones).
  const wide = (d: DType) => pixelsPerWord(d) === 1 && (vector || (epw === 4 && !s.scalar));
  const uniforms: UniformField[] = [
    { name: 'out_shape', type: 'vec4<u32>' },
    ...s.inputs.map(([n]): UniformField => ({ name: `${n}_shape`, type: 'vec4<u32>' })),
    { name: 'range', type: 'vec4<u32>' },
    ...s.scalars.map(([n, t]): UniformField => ({ name: n, type: t })),
  ];
  const accessors = s.inputs.map(([n, d]) => `${wide(d) ? `fn load_${n}(i: u32) -> ${computeType(d)} { return ${n}_buf[i >> 2u][i & 3u]; }` : loader(n, d)}
fn index_${n}(c: vec4<i32>) -> u32 { let s = P.${n}_shape; return ((u32(c.w) * s.z + u32(c.z)) * s.y + u32(c.y)) * s.x + u32(c.x); }
fn at_${n}(c: vec4<i32>) -> ${computeType(d)} { return load_${n}(index_${n}(c)); }`);
  // The output's own pixels, for programs that keep some of them (in-place and partial writes).
  accessors.push(vector ? `fn load_out(i: u32) -> ${computeType(s.out)} { return out_buf[i >> 2u][i & 3u]; }` : loader('out', s.out));
  // Coordinates cost integer divisions, as many as the whole memory-bound work of a pixel on a
  // GPU: they are computed once per thread (three divisions), and a thread's further pixels
  // step from there (carrying into y, z, t at the ends of rows, planes and volumes).
  const coordsFn = `fn coords_of(i: u32, s: vec4<u32>) -> vec4<i32> {
  let q = i / s.x;
  let r = q / s.y;
  let t = r / s.z;
  return vec4<i32>(i32(i - q * s.x), i32(q - r * s.y), i32(r - t * s.z), i32(t));
}
fn next_coords(c: vec4<i32>, s: vec4<u32>) -> vec4<i32> {
  var n = c + vec4<i32>(1, 0, 0, 0);
  if (n.x == i32(s.x)) { n.x = 0; n.y += 1; }
  if (n.y == i32(s.y)) { n.y = 0; n.z += 1; }
  if (n.z == i32(s.z)) { n.z = 0; n.w += 1; }
  return n;
}`;
  const value = `fn value(i: u32${s.coords ? ', c: vec4<i32>' : ''}) -> ${s.computeType} {\n  ${s.body.trim()}\n}`;
  const converted = (i: string, c: string) => convertExpr(`value(${i}${s.coords ? `, ${c}` : ''})`, s.computeType, s.out);
  let store: string;
  if (s.tile) {
    // One tile per workgroup over (x, y), the tiles of each plane (z, t) one after the other.
    const t = tileLayout(s.scalar);
    const lanes = Array.from({ length: t.per }, (_, k) => converted(`i0 + ${k}u`, `c${k}`));
    store = `let s = P.out_shape;
  let tiles_x = (s.x + ${t.x - 1}u) / ${t.x}u;
  let tiles_y = (s.y + ${t.y - 1}u) / ${t.y}u;
  let rest = group / tiles_x;
  let plane = rest / tiles_y;
  let x0 = (group - rest * tiles_x) * ${t.x}u + (lid % ${t.threadsX}u) * ${t.per}u;
  let y = (rest - plane * tiles_y) * ${t.y}u + lid / ${t.threadsX}u;
  if (plane >= s.z * s.w || y >= s.y || x0 >= s.x) { return; }
  let i0 = (plane * s.y + y) * s.x + x0;
  let c0 = vec4<i32>(i32(x0), i32(y), i32(plane % s.z), i32(plane / s.z));${lanes.slice(1).map((_, j) => ` let c${j + 1} = c0 + vec4<i32>(${j + 1}, 0, 0, 0);`).join('')}
  ${t.per === 1 ? `out_buf[i0] = ${lanes[0]};` : `out_buf[i0 / ${VECTOR}u] = vec4<${storageElement(s.out)}>(${lanes.join(', ')});`}`;
  } else if (vector) {
    const lanes = Array.from({ length: VECTOR }, (_, k) => converted(`i0 + ${k}u`, `c${k}`));
    const coords = s.coords
      ? `\n  let c0 = coords_of(i0, P.out_shape);${[1, 2, 3].map((k) => ` let c${k} = next_coords(c${k - 1}, P.out_shape);`).join('')}`
      : '';
    store = `let i0 = w * ${VECTOR}u;${coords}\n  out_buf[w] = vec4<${storageElement(s.out)}>(${lanes.join(', ')});`;
  } else if (epw === 1) {
    store = `let i = w + P.range.y;${s.coords ? ' let c = coords_of(i, P.out_shape);' : ''} out_buf[i] = ${converted('i', 'c')};`;
  } else {
    // One thread owns one storage word, so packed pixels never race.
    const bits = 32 / epw;
    const wordIndex = s.range ? `w + P.range.y / ${epw}u` : 'w';
    const keep = s.range ? 'out_buf[word_index]' : '0u';
    const inRange = s.range ? 'i >= P.range.y && i < P.range.y + P.range.z' : 'i < P.range.x';
    const pixel = (k: string) => `{
    let i = word_index * ${epw}u + ${k};
    if (${inRange}) {
      let bits = ${packBits(converted('i', 'c'), s.out)};
      word = (word & ~(${2 ** bits - 1}u << (${k} * ${bits}u))) | (bits << (${k} * ${bits}u));
    }${s.coords ? '\n    c = next_coords(c, P.out_shape);' : ''}
  }`;
    // Unrolled (constant pixel offsets, so that the loads of one input vec4 combine), except for long bodies.
    const pixels = s.scalar ? `for (var k = 0u; k < ${epw}u; k++) ${pixel('k')}` : Array.from({ length: epw }, (_, k) => pixel(`${k}u`)).join('\n  ');
    store = `let word_index = ${wordIndex};
  var word = ${keep};${s.coords ? `\n  var c = coords_of(word_index * ${epw}u, P.out_shape);` : ''}
  ${pixels}
  out_buf[word_index] = word;`;
  }
  return {
    label: s.op,
    bindings: [
      ...s.inputs.map(([n, d]) => ({ name: `${n}_buf`, type: wide(d) ? `array<vec4<${storageElement(d)}>>` : `array<${storageElement(d)}>` })),
      { name: 'out_buf', type: vector ? `array<vec4<${storageElement(s.out)}>>` : `array<${storageElement(s.out)}>`, access: 'read_write' as const },
    ],
    uniforms,
    workgroupSize: WORKGROUP,
    declarations: `${accessors.join('\n')}\n${coordsFn}\n${s.helpers}\n${value}`,
    body: s.tile ? store : vector ? `let w = gid;\n  if (w * ${VECTOR}u >= P.range.w) { return; }\n  ${store}` : `let w = gid;\n  if (w >= P.range.w) { return; }\n  ${store}`,
  };
}

/**
 * The WGSL that {@link runPixelProgram} compiles for `p`, for tools that check user code before
 * running it (custom kernels map compiler messages back to the user's lines).
 */
export function pixelProgramSource(p: PixelProgram): string {
  return kernelSource(programSpec(shapeOf(p))).code;
}

/** Generated code by code key (see {@link runGeneratedProgram}), with its pipeline key. */
const generated = new Map<string, { body: string; helpers: string; key: string }>();

/**
 * Records a pixel program whose WGSL (`body`, `helpers`) is generated from parameters, generating
 * it only on the first call for `codeKey`: for operations whose code takes longer to build (and to
 * hash as a pipeline key) than the dispatch takes to record, such as rotate's sampler or the
 * unrolled median network. `codeKey` must name everything the code and the program's types depend
 * on; with TESSERA_CHECK_KERNELS=1 every call generates the code again and checks that.
 */
export function runGeneratedProgram(
  p: Omit<PixelProgram, 'body' | 'helpers'>, codeKey: string, generate: () => { body: string; helpers?: string },
): GpuImage {
  let code = generated.get(codeKey);
  if (!code || CHECK_KEYS) {
    const fresh = generate();
    const helpers = fresh.helpers ?? '';
    if (code && (code.body !== fresh.body || code.helpers !== helpers)) {
      throw new Error(`internal: the code key ${JSON.stringify(codeKey)} maps to two different programs; it misses a parameter that changes the code`);
    }
    if (!code) {
      code = { body: fresh.body, helpers, key: programKey({ ...p, body: fresh.body, helpers }) };
      generated.set(codeKey, code);
    }
  }
  return runPixelProgram({ ...p, body: code.body, helpers: code.helpers }, code.key);
}

/**
 * Records a pixel program into the current batch and returns its output. `key` is
 * {@link programKey}(p), for callers that keep it (with TESSERA_CHECK_KERNELS=1 it is checked).
 */
export function runPixelProgram(p: PixelProgram, key?: string): GpuImage {
  if (key !== undefined && CHECK_KEYS && key !== programKey(p)) throw new Error(`internal: ${p.op} passed a pixel-program key that is not its program's`);
  // A tiled and an untiled run of one program are two pipelines (the key names the request, the family the outcome).
  const tile = tiled(p);
  const k = kernelFor(tile ? 'pixel-tiled' : 'pixel', key ?? programKey(p), () => programSpec(shapeOf(p)));
  const n = p.output.size;
  const first = p.range?.start ?? 0;
  const count = p.range?.count ?? n;
  const epw = pixelsPerWord(p.output.dtype);
  const words = Math.ceil((first + count) / epw) - Math.floor(first / epw);
  const values: Record<string, number | readonly number[]> = { out_shape: xyzt(p.output.shape), range: [n, first, count, words] };
  const buffers: GPUBuffer[] = [];
  for (const name in p.inputs) {
    const img = p.inputs[name];
    values[shapeField(name)] = xyzt(img.shape);
    buffers.push(img.buffer);
  }
  buffers.push(p.output.buffer);
  if (p.scalars) for (const name in p.scalars) values[name] = p.scalars[name].value;
  const vector = pixelsPerWord(p.output.dtype) === 1 && !p.range && p.scalar !== true;
  const [nx, ny, nz, nt] = values.out_shape as number[];
  const groups = tile ? tileCount(nx, ny, nz * nt, p.scalar === true) : Math.ceil(words / (vector ? VECTOR : 1) / WORKGROUP);
  dispatch(k, buffers, values as UniformValues, groups, p.op);
  return p.output;
}
