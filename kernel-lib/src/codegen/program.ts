import { ComputeType, DType, computeType, pixelsPerWord } from '../dtype';
import type { GpuImage } from '../array/gpu-image';
import { pipelineFor, record } from '../gpu/commands';
import { deviceInfo } from '../gpu/device';
import { convertExpr, loader, packBits, storageElement } from './wgsl';

/**
 * A pixel program: the output pixel at linear index `i` (and, with `coords`, at position
 * `c = vec4<i32>(x, y, z, t)`) is computed by `body`, a few WGSL statements ending in
 * `return <value>;` of type `computeType`. The runner generates everything else: bindings,
 * a `load_<name>(i)` / `at_<name>(c)` accessor per input, the uniform struct, packing of
 * 8/16-bit outputs, saturation to the output dtype, and the dispatch.
 *
 * Shapes are uniforms `P.<name>_shape` (vec4<u32> as x, y, z, t); scalars are `P.<name>`.
 * One compiled pipeline serves every image size.
 */
export interface PixelProgram {
  /** Operation name; first part of the pipeline cache key. */
  op: string;
  /** Code-changing parameters (e.g. a flip axis), part of the cache key. */
  variant?: string;
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
}

const WORKGROUP = 256;

/** Uniform layout: shapes as vec4<u32>, then (n, first, count, words), then scalars. */
function layout(p: PixelProgram): { struct: string; size: number; fill: (view: DataView) => void } {
  const shapes = ['out', ...Object.keys(p.inputs)];
  const scalars = Object.entries(p.scalars ?? {});
  const fields = [...shapes.map((s) => `${s}_shape: vec4<u32>,`), 'range: vec4<u32>,', ...scalars.map(([n, s]) => `${n}: ${s.type},`)];
  const scalarBytes = scalars.length * 4;
  const size = Math.ceil(((shapes.length + 1) * 16 + scalarBytes) / 16) * 16;
  const images = [p.output, ...Object.values(p.inputs)];
  const fill = (v: DataView) => {
    images.forEach((img, k) => xyzt(img.shape).forEach((e, j) => v.setUint32(k * 16 + j * 4, e, true)));
    const n = p.output.size;
    const first = p.range?.start ?? 0;
    const count = p.range?.count ?? n;
    const epw = pixelsPerWord(p.output.dtype);
    const words = Math.ceil((first + count) / epw) - Math.floor(first / epw);
    const r = shapes.length * 16;
    [n, first, count, words].forEach((e, j) => v.setUint32(r + j * 4, e, true));
    scalars.forEach(([, s], j) => {
      const o = r + 16 + j * 4;
      if (s.type === 'f32') v.setFloat32(o, s.value, true);
      else if (s.type === 'i32') v.setInt32(o, s.value, true);
      else v.setUint32(o, s.value, true);
    });
  };
  return { struct: `struct Params {\n  ${fields.join('\n  ')}\n}`, size, fill };
}

/** A shape in z,y,x order as (x, y, z, t) with missing axes 1. */
export function xyzt(shape: readonly number[]): [number, number, number, number] {
  const r = [...shape].reverse();
  return [r[0] ?? 1, r[1] ?? 1, r[2] ?? 1, r[3] ?? 1];
}

function source(p: PixelProgram, structDecl: string): string {
  const names = Object.keys(p.inputs);
  const out = p.output.dtype;
  const epw = pixelsPerWord(out);
  const partial = p.range !== undefined;
  const bindings = [
    ...names.map((n, k) => `@group(0) @binding(${k}) var<storage, read> ${n}_buf: array<${storageElement(p.inputs[n].dtype)}>;`),
    `@group(0) @binding(${names.length}) var<storage, read_write> out_buf: array<${storageElement(out)}>;`,
    `@group(0) @binding(${names.length + 1}) var<uniform> P: Params;`,
  ];
  const accessors = names.map((n) => `${loader(n, p.inputs[n].dtype)}
fn index_${n}(c: vec4<i32>) -> u32 { let s = P.${n}_shape; return ((u32(c.w) * s.z + u32(c.z)) * s.y + u32(c.y)) * s.x + u32(c.x); }
fn at_${n}(c: vec4<i32>) -> ${computeType(p.inputs[n].dtype)} { return load_${n}(index_${n}(c)); }`);
  const coordsFn = `fn coords_of(i: u32, s: vec4<u32>) -> vec4<i32> {
  let xy = s.x * s.y;
  return vec4<i32>(i32(i % s.x), i32((i / s.x) % s.y), i32((i / xy) % s.z), i32(i / (xy * s.z)));
}`;
  const value = `fn value(i: u32) -> ${p.computeType} {\n  ${p.coords ? 'let c = coords_of(i, P.out_shape);\n  ' : ''}${p.body.trim()}\n}`;
  const converted = (i: string) => convertExpr(`value(${i})`, p.computeType, out);
  let store: string;
  if (epw === 1 && !partial) {
    store = `out_buf[w] = ${converted('w')};`;
  } else if (epw === 1) {
    store = `let i = w + P.range.y; out_buf[i] = ${converted('i')};`;
  } else {
    // One thread owns one storage word, so packed pixels never race.
    const bits = 32 / epw;
    const wordIndex = partial ? `w + P.range.y / ${epw}u` : 'w';
    const keep = partial ? `out_buf[word_index]` : '0u';
    const inRange = partial ? `i >= P.range.y && i < P.range.y + P.range.z` : `i < P.range.x`;
    store = `let word_index = ${wordIndex};
  var word = ${keep};
  for (var k = 0u; k < ${epw}u; k++) {
    let i = word_index * ${epw}u + k;
    if (${inRange}) {
      let bits = ${packBits(converted('i'), out)};
      word = (word & ~(${2 ** bits - 1}u << (k * ${bits}u))) | (bits << (k * ${bits}u));
    }
  }
  out_buf[word_index] = word;`;
  }
  return `${structDecl}
${bindings.join('\n')}
${accessors.join('\n')}
${coordsFn}
${p.helpers ?? ''}
${value}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let w = (wid.y * nwg.x + wid.x) * ${WORKGROUP}u + lid;
  if (w >= P.range.w) { return; }
  ${store}
}
`;
}

/** Splits `groups` workgroups over x and y, within the per-dimension limit. */
export function workgroupGrid(groups: number): [number, number] {
  const max = deviceInfo().limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [Math.max(1, groups), 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y];
}

function programKey(p: PixelProgram): string {
  return [
    p.op, p.variant ?? '', p.computeType, p.coords ? 'c' : 'l', p.range ? 'r' : 'f',
    ...Object.entries(p.inputs).map(([n, img]) => `${n}:${img.dtype}`), `out:${p.output.dtype}`,
    ...Object.entries(p.scalars ?? {}).map(([n, s]) => `${n}:${s.type}`),
  ].join('|');
}

/**
 * The pipeline cache key and the WGSL that {@link runPixelProgram} compiles for `p`, for tools
 * that check user code before running it (custom kernels map compiler messages back to the
 * user's lines).
 */
export function pixelProgramSource(p: PixelProgram): { key: string; code: string } {
  return { key: programKey(p), code: source(p, layout(p).struct) };
}

/** Records a pixel program into the current batch. */
export function runPixelProgram(p: PixelProgram): GpuImage {
  const inputs = Object.entries(p.inputs);
  const key = programKey(p);
  const { struct, size, fill } = layout(p);
  const pipeline = pipelineFor(key, () => source(p, struct));
  const uniforms = new ArrayBuffer(size);
  const view = new DataView(uniforms);
  fill(view);
  const words = view.getUint32(Object.keys(p.inputs).length * 16 + 16 + 12, true);
  record({
    pipeline,
    buffers: [...inputs.map(([, img]) => img.buffer), p.output.buffer],
    uniforms,
    workgroups: workgroupGrid(Math.ceil(words / WORKGROUP)),
    label: p.op,
  });
  return p.output;
}

export type { DType };
