import { DType, computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { xyzt } from '../../codegen/program';
import { orderKeyFunctions, workgroupArrays, workgroupReduce } from '../../codegen/snippets';
import { loader, storageElement } from '../../codegen/wgsl';
import { TesseraError } from '../../errors';
import { acquireBuffer, releaseBuffer } from '../../gpu/buffer-pool';
import { recordClear, recordCopy } from '../../gpu/commands';
import { deviceInfo } from '../../gpu/device';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { readBuffer } from '../../gpu/readback';

/**
 * The per-label reduction engine: one pass over the pixels accumulates, for every label, a list
 * of quantities (a pixel count, sums, minima and maxima of WGSL expressions of the pixel's
 * intensity, coordinates and per-label reference values) into a table with one row per label.
 *
 * Segmented, sort-free: each invocation walks RUN consecutive pixels (raster order) and keeps
 * its running values in registers while the label stays the same; at a label change (and at the
 * end of its run) it adds them into the label's row with atomics. Labels are mostly runs along
 * x, so there are far fewer atomics than labelled pixels, and background pixels cost one read.
 * A workgroup first stages its chunk of labels in workgroup memory with coalesced reads (rows of
 * RUN + 1 words, so that the invocations' reads of their own runs do not collide in banks).
 * (Listing a chunk's labelled pixels first and sharing out only those, so that lanes stay dense
 * where few pixels are labelled, was measured slower on an H200: the two passes of
 * statisticsOfLabelledPixels on the seed's stack took 561 + 855 µs against 430 + 628 µs; so
 * was adding each run first into a workgroup slot of its label, 16 slots per chunk, and the slots
 * into the global rows at the end: 481 + 658 µs. Neither lane divergence nor contention on the
 * global rows is what these passes wait for. bench/results/2026-12-04-h200.)
 *
 * Sums are exact fixed-point: each value is scaled by 2^e and rounded to an integer, and the
 * integers are added exactly in 64 bits (two u32 words: an atomicAdd of the low word whose carry
 * goes into the high word). e is chosen per quantity on the GPU from a bound of |value| over the
 * whole image times the pixel count, so that no sum can reach 2^62: the only error is the
 * rounding of each value to a multiple of 2^-e (≤ 2^-e-1 per pixel, i.e. below
 * 2^-62 · bound · pixels), and the result does not depend on the order of the atomics. Integer
 * quantities (counts, coordinate sums, integer intensities below 2^24) are exact. Values are
 * computed in float32 first (intensities as float32, products such as v·x with float32
 * rounding, ~6e-8 relative).
 *
 * Minima and maxima use atomicMax on order keys (minima on their complement), so that a table
 * cleared to zeros is the identity of every quantity. @internal
 */
export const RUN = 16;
const WORKGROUP = 256;
/** Invocations of the accumulation kernel per workgroup: a chunk of RUN_GROUP × RUN labels is staged in workgroup memory. */
const RUN_GROUP = 128;

export type Quantity =
  | { name: string; kind: 'count' }
  | {
      name: string;
      kind: 'sum';
      /** WGSL f32 expression: `v` (intensity), `x`, `y`, `z` (coordinates), `refv(k)` (reference k of the pixel's label). */
      value: string;
      /** WGSL f32 expression bounding |value| over all pixels: may use `vmin`, `vmax` (the intensity range) and `P.shape` (x, y, z, pixels). */
      bound: string;
    }
  | { name: string; kind: 'min' | 'max'; value: string; type: 'f32' | 'u32' };

/** Words per row of `quantities` and each quantity's offset in the row. */
export function rowLayout(quantities: readonly Quantity[]): { words: number; offset: Record<string, number> } {
  const offset: Record<string, number> = {};
  let words = 0;
  for (const q of quantities) {
    offset[q.name] = words;
    words += q.kind === 'sum' ? 2 : 1;
  }
  return { words, offset };
}

/** The label of pixel i as u32 (negative labels of signed images map to 0xffffffff: no row). */
function labelLoader(d: DType): string {
  const t = computeType(d);
  return `${loader('l', d)}\nfn label_of(i: u32) -> u32 { ${t === 'i32' ? 'let s = load_l(i); return select(u32(s), 0xffffffffu, s < 0i);' : 'return load_l(i);'} }`;
}

const FIXED_WGSL = `fn to_fixed(x: f32) -> vec2<u32> {
  let r = round(x);
  let hi = floor(r * 2.3283064365386963e-10);
  let lo = r - hi * 4294967296.0;
  return vec2<u32>(u32(lo), bitcast<u32>(i32(hi)));
}
fn add64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let lo = a.x + b.x;
  return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}
fn from_fixed(a: vec2<u32>, e: i32) -> f32 { return ldexp(f32(bitcast<i32>(a.y)) * 4294967296.0 + f32(a.x), -e); }`;

/** What the generated code depends on. */
export interface ReductionKey {
  quantities: readonly Quantity[];
  labels: DType;
  intensity?: DType;
  /** Reference values per label read by `refv(k)` (0: none). */
  refs: number;
  /** Whether label 0 (background) has a row of its own that is accumulated. */
  background: boolean;
  /** References whose largest |value| over the rows is `rmax` in the bounds. */
  rmax?: readonly number[];
}

/** Every binding must be used by the code (WebGPU's automatic layouts drop unused ones). */
const usesRefs = (qs: readonly Quantity[]) => qs.some((q) => q.kind !== 'count' && q.value.includes('refv('));

function accumulateSpec(key: ReductionKey): KernelSpec {
  const { words, offset } = rowLayout(key.quantities);
  const qs = key.quantities;
  const sums = qs.filter((q) => q.kind === 'sum');
  if ((key.refs > 0) !== usesRefs(qs)) throw new Error('internal: a reduction reads references exactly when it has them');
  if (key.intensity === undefined && qs.some((q) => q.kind !== 'count' && /\bv\b/.test(q.value))) throw new Error('internal: a quantity of the intensity without an intensity image');
  const decl = qs.map((q, k) => (q.kind === 'count' ? '' : q.kind === 'sum' ? `var a${k} = vec2<u32>(0u, 0u);` : `var a${k} = 0u;`)).join(' ');
  const reset = qs.map((q, k) => (q.kind === 'count' ? '' : q.kind === 'sum' ? `a${k} = vec2<u32>(0u, 0u);` : `a${k} = 0u;`)).join(' ');
  const keyOf = (q: Quantity & { kind: 'min' | 'max' }) => (q.type === 'f32' ? `order_key(${q.value})` : `u32(${q.value})`);
  const add = qs
    .map((q, k) => {
      if (q.kind === 'count') return '';
      // A non-finite value (a mass centre of a label whose intensities sum to 0) adds nothing.
      if (q.kind === 'sum') return `{ let s = ${q.value}; if ((bitcast<u32>(s) & 0x7fffffffu) < 0x7f800000u) { a${k} = add64(a${k}, to_fixed(ldexp(s, e${sums.indexOf(q)}))); } }`;
      // Minima as the maximum of the complement, so that zeros are the identity.
      return q.kind === 'max' ? `a${k} = max(a${k}, ${keyOf(q)});` : `a${k} = max(a${k}, ~${keyOf(q)});`;
    })
    .join('\n      ');
  const flush = qs
    .map((q, k) => {
      const o = `o + ${offset[q.name]}u`;
      if (q.kind === 'count') return `atomicAdd(&table[${o}], count);`;
      if (q.kind === 'sum') {
        return `{ let old = atomicAdd(&table[${o}], a${k}.x);
        let hi = a${k}.y + select(0u, 1u, old + a${k}.x < old);
        if (hi != 0u) { atomicAdd(&table[${o} + 1u], hi); } }`;
      }
      return `atomicMax(&table[${o}], a${k});`;
    })
    .join('\n      ');
  const first = key.background ? '0u' : '1u';
  return {
    label: 'per-label reduction',
    bindings: [
      { name: 'l_buf', type: `array<${storageElement(key.labels)}>` },
      ...(key.intensity ? [{ name: 'v_buf', type: `array<${storageElement(key.intensity)}>` }] : []),
      ...(key.refs > 0 ? [{ name: 'refs', type: 'array<f32>' }] : []),
      ...(sums.length > 0 ? [{ name: 'exps', type: 'array<i32>' }] : []),
      { name: 'table', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [{ name: 'shape', type: 'vec4<u32>' }, { name: 'rows', type: 'u32' }],
    workgroupSize: RUN_GROUP,
    declarations: `${labelLoader(key.labels)}
${key.intensity ? loader('v', key.intensity) : ''}
${orderKeyFunctions('f32')}
${FIXED_WGSL}
var<workgroup> staged: array<u32, ${RUN_GROUP * (RUN + 1)}>;
var<private> label: u32;
fn refv(k: u32) -> f32 { ${key.refs > 0 ? `return refs[label * ${key.refs}u + k];` : 'return 0.0;'} }
`,
    body: `let chunk = group * ${RUN_GROUP * RUN}u;
  for (var k = 0u; k < ${RUN}u; k++) {
    let j = k * ${RUN_GROUP}u + lid;
    let i = chunk + j;
    staged[(j / ${RUN}u) * ${RUN + 1}u + j % ${RUN}u] = select(0xffffffffu, label_of(min(i, P.shape.w - 1u)), i < P.shape.w);
  }
  workgroupBarrier();
  let start = chunk + lid * ${RUN}u;
  let mine = lid * ${RUN + 1}u;
  if (start >= P.shape.w) { return; }
  let end = min(start + ${RUN}u, P.shape.w);
  ${sums.map((_, k) => `let e${k} = exps[${k}];`).join(' ')}
  ${decl}
  var count = 0u;
  label = staged[mine];
  var xu = start % P.shape.x;
  var yu = (start / P.shape.x) % P.shape.y;
  var zu = start / (P.shape.x * P.shape.y);
  for (var i = start; i <= end; i++) {
    var l = 0xffffffffu;
    if (i < end) { l = staged[mine + i - start]; }
    if (l != label) {
      if (count > 0u) {
        let o = label * ${words}u;
      ${flush}
      }
      ${reset}
      count = 0u;
      label = l;
    }
    if (i == end) { break; }
    if (label >= ${first} && label < P.rows) {
      ${key.intensity ? 'let v = f32(load_v(i));' : 'let v = 0.0;'}
      let x = f32(xu);
      let y = f32(yu);
      let z = f32(zu);
      count++;
      ${add}
    }
    xu++;
    if (xu == P.shape.x) { xu = 0u; yu++; if (yu == P.shape.y) { yu = 0u; zu++; } }
  }`,
  };
}

/**
 * The fixed-point exponent of every sum from its bound times the pixel count (one workgroup).
 * Bounds may use `rmax`: the largest finite |refv(k)| over all rows for k in `key.rmax` (the
 * reference values of a second pass, e.g. mass centres, which may lie outside the image).
 */
function exponentsSpec(key: { bounds: readonly string[]; refs: number; rmax: readonly number[] }): KernelSpec {
  const reduce = key.rmax.length > 0;
  const v = { name: 'r', type: 'f32', combine: (a: string, b: string) => `max(${a}, ${b})` };
  return {
    label: 'per-label reduction: exponents',
    bindings: [
      { name: 'range', type: 'array<u32>' },
      ...(reduce ? [{ name: 'refs', type: 'array<f32>' }] : []),
      { name: 'exps', type: 'array<i32>', access: 'read_write' },
    ],
    uniforms: [{ name: 'shape', type: 'vec4<u32>' }, { name: 'rows', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: `${orderKeyFunctions('f32')}
${workgroupArrays([v], WORKGROUP)}
fn exponent_for(bound: f32) -> i32 {
  let total = bound * f32(P.shape.w);
  if (!(total > 1e-30)) { return 100; }
  let b = bitcast<u32>(total);
  let ceil_log2 = i32((b >> 23u) & 0xffu) - 127 + select(0, 1, (b & 0x7fffffu) != 0u);
  return min(61 - ceil_log2, 100);
}`,
    body: `var r = 0.0;
  ${reduce ? `for (var row = lid; row < P.rows; row += ${WORKGROUP}u) {
    ${key.rmax.map((k) => `{ let x = refs[row * ${key.refs}u + ${k}u]; if ((bitcast<u32>(x) & 0x7fffffffu) < 0x7f800000u) { r = max(r, abs(x)); } }`).join('\n    ')}
  }` : ''}
  sh_r[lid] = r;
  workgroupBarrier();
  ${workgroupReduce([v], WORKGROUP)}
  if (lid != 0u) { return; }
  let rmax = sh_r[0];
  let vmin = from_order_key(~range[1]);
  let vmax = from_order_key(range[2]);
  ${key.bounds.map((b, k) => `exps[${k}] = exponent_for(${b});`).join('\n  ')}`,
  };
}

function rangeSpec(key: { labels: DType; intensity?: DType }): KernelSpec {
  const vars = [
    { name: 'l', type: 'u32', combine: (a: string, b: string) => `max(${a}, ${b})` },
    { name: 'lo', type: 'u32', combine: (a: string, b: string) => `max(${a}, ${b})` },
    { name: 'hi', type: 'u32', combine: (a: string, b: string) => `max(${a}, ${b})` },
  ];
  return {
    label: 'per-label reduction: label and intensity range',
    bindings: [
      { name: 'l_buf', type: `array<${storageElement(key.labels)}>` },
      ...(key.intensity ? [{ name: 'v_buf', type: `array<${storageElement(key.intensity)}>` }] : []),
      { name: 'range', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: `${labelLoader(key.labels)}
${key.intensity ? loader('v', key.intensity) : ''}
${orderKeyFunctions('f32')}
${workgroupArrays(vars, WORKGROUP)}`,
    body: `var l = 0u;
  var lo = 0u;
  var hi = 0u;
  for (var k = 0u; k < 16u; k++) {
    let i = (group * 16u + k) * ${WORKGROUP}u + lid;
    if (i < P.n) {
      let label = label_of(i);
      if (label != 0xffffffffu) { l = max(l, label); }
      ${key.intensity ? 'let key = order_key(f32(load_v(i))); lo = max(lo, ~key); hi = max(hi, key);' : ''}
    }
  }
  sh_l[lid] = l;
  sh_lo[lid] = lo;
  sh_hi[lid] = hi;
  workgroupBarrier();
  ${workgroupReduce(vars, WORKGROUP)}
  if (lid == 0u) {
    atomicMax(&range[0], sh_l[0]);
    atomicMax(&range[1], sh_lo[0]);
    atomicMax(&range[2], sh_hi[0]);
  }`,
  };
}

/** The label range (and the intensity range) on the GPU: 4 words [largest label, ~min key, max key, 0]. */
export function recordRange(op: string, labels: GpuImage, intensity?: GpuImage): GPUBuffer {
  const range = acquireBuffer(16, `${op} label range`);
  recordClear(range, 0, 16);
  const n = labels.size;
  dispatch(
    kernelFor('labelRange', { labels: labels.dtype, intensity: intensity?.dtype }, rangeSpec),
    intensity ? [labels.buffer, intensity.buffer, range] : [labels.buffer, range],
    { n },
    Math.ceil(n / (16 * WORKGROUP)),
    `${op}: label range`,
  );
  return range;
}

const keyToFloat = (k: number): number => {
  const bits = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
  return new Float32Array(new Uint32Array([bits]).buffer)[0];
};

/**
 * Reads the range back: the largest label, and the intensity's minimum and maximum (float32).
 * Intensities with NaN or ±Inf are refused (they would make every sum undefined).
 */
export async function readRange(op: string, range: GPUBuffer, intensityArgument?: string): Promise<{ maxLabel: number; vmin: number; vmax: number }> {
  const w = new Uint32Array(await readBuffer(range, 16));
  const vmin = keyToFloat(~w[1] >>> 0);
  const vmax = keyToFloat(w[2]);
  if (intensityArgument && !(Number.isFinite(vmin) && Number.isFinite(vmax))) {
    throw new TesseraError(`${op}: ${intensityArgument} holds NaN or infinite values (range ${vmin} .. ${vmax}); replace them first, e.g. with nanToNum`);
  }
  return { maxLabel: w[0], vmin, vmax };
}

/** Per-label tables have a row per label value up to the largest: a huge largest label cannot be measured. */
export function checkRows(op: string, rows: number, words: number): void {
  const limit = deviceInfo().limits.maxStorageBufferBindingSize;
  if (rows * words * 4 > limit) {
    throw new TesseraError(
      `${op}: labels holds label values up to ${rows - 1}, and a per-label table of ${rows} rows (${((rows * words * 4) / 2 ** 20).toFixed(0)} MB) ` +
        `exceeds what this GPU binds (${(limit / 2 ** 20).toFixed(0)} MB); number the labels 1..N first (connectedComponentsLabeling of the label image gives sequential labels)`,
    );
  }
}

/** A recorded reduction: its table (rows × words u32) and the exponents of its sums. */
export interface Reduction {
  key: ReductionKey;
  rows: number;
  table: GPUBuffer;
  exps: GPUBuffer;
}

/**
 * Records one reduction over `labels` (and `intensity`) into a new table of `rows` rows (labels
 * 0 .. rows-1; larger labels are skipped). `range` is {@link recordRange}'s buffer; `refs` a
 * float32 table of `key.refs` values per row. The caller releases the table and exponents.
 */
export function recordReduction(op: string, key: ReductionKey, labels: GpuImage, intensity: GpuImage | undefined, rows: number, range: GPUBuffer, refs?: GPUBuffer): Reduction {
  const { words } = rowLayout(key.quantities);
  const [nx, ny, nz] = xyzt(labels.shape);
  const shape = [nx, ny, nz, labels.size];
  checkRows(op, rows, words);
  const table = acquireBuffer(rows * words * 4, `${op} per-label table (${rows} labels)`);
  recordClear(table, 0, rows * words * 4);
  const bounds = key.quantities.filter((q) => q.kind === 'sum').map((q) => (q as { bound: string }).bound);
  const exps = acquireBuffer(Math.max(1, bounds.length) * 4, `${op} exponents`);
  const rmax = key.rmax ?? [];
  if (bounds.length > 0) {
    dispatch(kernelFor('labelExponents', { bounds, refs: key.refs, rmax }, exponentsSpec), rmax.length > 0 ? [range, refs!, exps] : [range, exps], { shape, rows }, [1, 1, 1], `${op}: exponents`);
  }
  const buffers = [labels.buffer, ...(intensity ? [intensity.buffer] : []), ...(refs ? [refs] : []), ...(bounds.length > 0 ? [exps] : []), table];
  dispatch(kernelFor('labelReduce', key, accumulateSpec), buffers, { shape, rows }, Math.ceil(labels.size / (RUN * RUN_GROUP)), op);
  return { key, rows, table, exps };
}

export function releaseReduction(r: Reduction): void {
  releaseBuffer(r.table);
  releaseBuffer(r.exps);
}

/** How {@link recordPerLabel} lays out its values. */
export interface PerLabelOptions {
  /** 'rows' (default): the values of a row together; 'columns': value k of every row together. */
  layout?: 'rows' | 'columns';
  /** Rows before this one are not written (and the output starts at this row). Default 0. */
  firstRow?: number;
  /** Bits (a WGSL u32) of the float32 value of rows without pixels (default NaN). */
  empty?: string;
  /** Write into this buffer (at least the output's size) instead of a new one. */
  into?: GPUBuffer;
  /** The expressions are u32 (written as they are) instead of f32 (written as float32 bits). */
  u32?: boolean;
  /** Uniforms the expressions read as `P.<name>`. */
  params?: Readonly<Record<string, { type: 'u32' | 'f32'; value: number }>>;
}

/**
 * Records a per-row kernel over a reduction's table: `exprs` are WGSL f32 expressions of the
 * row's decoded quantities (`q_<name>`, f32; counts also as `n_<name>`, u32) written as float32
 * values into a new buffer (the caller releases it). Rows without pixels get `empty`.
 */
export function recordPerLabel(op: string, r: Reduction, exprs: readonly string[], o: PerLabelOptions = {}): GPUBuffer {
  const first = o.firstRow ?? 0;
  const rows = r.rows - first;
  const out = o.into ?? acquireBuffer(Math.max(1, rows * exprs.length) * 4, `${op} per-label values`);
  const sums = r.key.quantities.some((q) => q.kind === 'sum');
  const params = Object.entries(o.params ?? {});
  const key = {
    quantities: r.key.quantities, exprs, empty: o.empty ?? '0x7fc00000u', columns: o.layout === 'columns', u32: o.u32 === true,
    params: params.map(([name, p]) => ({ name, type: p.type })),
  };
  dispatch(
    kernelFor('labelValues', key, perLabelSpec),
    sums ? [r.table, r.exps, out] : [r.table, out],
    { rows: r.rows, first, ...Object.fromEntries(params.map(([name, p]) => [name, p.value])) },
    Math.ceil(Math.max(1, rows) / WORKGROUP),
    `${op}: per-label values`,
  );
  return out;
}

function perLabelSpec(p: {
  quantities: readonly Quantity[];
  exprs: readonly string[];
  empty: string;
  columns: boolean;
  u32: boolean;
  params: ReadonlyArray<{ name: string; type: 'u32' | 'f32' }>;
}): KernelSpec {
  const { words, offset } = rowLayout(p.quantities);
  const sums = p.quantities.filter((q) => q.kind === 'sum');
  const decode = p.quantities
    .map((q) => {
      const o = `o + ${offset[q.name]}u`;
      if (q.kind === 'count') return `let n_${q.name} = table[${o}];\n  let q_${q.name} = f32(n_${q.name});`;
      if (q.kind === 'sum') return `let q_${q.name} = from_fixed(vec2<u32>(table[${o}], table[${o} + 1u]), exps[${sums.indexOf(q)}]);`;
      const k = q.kind === 'max' ? `table[${o}]` : `~table[${o}]`;
      return `let q_${q.name} = ${q.type === 'f32' ? `from_order_key(${k})` : `f32(${k})`};`;
    })
    .join('\n  ');
  const count = p.quantities.find((q) => q.kind === 'count');
  const bits = (e: string) => (p.u32 ? `u32(${e})` : `bitcast<u32>(${e})`);
  return {
    label: 'per-label values',
    bindings: [
      { name: 'table', type: 'array<u32>' },
      ...(sums.length > 0 ? [{ name: 'exps', type: 'array<i32>' }] : []),
      { name: 'out', type: 'array<u32>', access: 'read_write' },
    ],
    uniforms: [{ name: 'rows', type: 'u32' }, { name: 'first', type: 'u32' }, ...p.params],
    workgroupSize: WORKGROUP,
    declarations: `${orderKeyFunctions('f32')}\n${FIXED_WGSL}`,
    body: `let row = gid + P.first;
  if (row >= P.rows) { return; }
  let o = row * ${words}u;
  let at = row - P.first;
  let n = P.rows - P.first;
  ${decode}
  ${p.exprs
    .map((e, k) => `out[${p.columns ? `${k}u * n + at` : `at * ${p.exprs.length}u + ${k}u`}] = ${count ? `select(${p.empty}, ${bits(e)}, q_${count.name} > 0.0)` : bits(e)};`)
    .join('\n  ')}`,
  };
}

/** Host decoding of a table read back as words: each quantity as a Float64Array over the rows. */
export function decodeTable(key: ReductionKey, rows: number, words: Uint32Array, exps: Int32Array): Record<string, Float64Array> {
  const { words: w, offset } = rowLayout(key.quantities);
  const sums = key.quantities.filter((q) => q.kind === 'sum');
  const ints = new Int32Array(words.buffer, words.byteOffset, words.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const fromKey = (k: number) => {
    u32[0] = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
    return f32[0];
  };
  const out: Record<string, Float64Array> = {};
  // All columns in one allocation: each ArrayBuffer is external memory that V8's collector
  // tracks one by one, and a table call decodes dozens of columns.
  const block = new Float64Array(rows * key.quantities.length);
  // One loop per kind of quantity (no branch per value: tables have a row per label).
  for (const [k, q] of key.quantities.entries()) {
    const col = block.subarray(k * rows, (k + 1) * rows);
    const o = offset[q.name];
    if (q.kind === 'count') {
      for (let r = 0, b = o; r < rows; r++, b += w) col[r] = words[b];
    } else if (q.kind === 'sum') {
      const scale = 2 ** -exps[sums.indexOf(q)];
      for (let r = 0, b = o; r < rows; r++, b += w) col[r] = (ints[b + 1] * 4294967296 + words[b]) * scale;
    } else {
      // Minima are kept as the complement of their order key.
      const flip = q.kind === 'max' ? 0 : 0xffffffff;
      if (q.type === 'f32') for (let r = 0, b = o; r < rows; r++, b += w) col[r] = fromKey((words[b] ^ flip) >>> 0);
      else for (let r = 0, b = o; r < rows; r++, b += w) col[r] = (words[b] ^ flip) >>> 0;
    }
    out[q.name] = col;
  }
  return out;
}

/**
 * Reads several buffers back in one transfer (copied into one staging buffer first), as word
 * views over one host buffer (each part's bytes a multiple of 4): copying each part out again
 * allocated host memory per call, and those allocations set off V8's full collections.
 */
export async function readTogether(op: string, parts: ReadonlyArray<{ buffer: GPUBuffer; bytes: number }>): Promise<Uint32Array[]> {
  const total = parts.reduce((s, p) => s + p.bytes, 0);
  const all = acquireBuffer(total, `${op} results`);
  let at = 0;
  for (const p of parts) {
    recordCopy(p.buffer, 0, all, at, p.bytes);
    at += p.bytes;
  }
  let raw: ArrayBuffer;
  try {
    raw = await readBuffer(all, total);
  } finally {
    releaseBuffer(all);
  }
  const views: Uint32Array[] = [];
  at = 0;
  for (const p of parts) {
    views.push(new Uint32Array(raw, at, p.bytes / 4));
    at += p.bytes;
  }
  return views;
}

/** The buffers of a reduction to read back: its table and its exponents. */
export function reductionParts(r: Reduction): Array<{ buffer: GPUBuffer; bytes: number }> {
  return [
    { buffer: r.table, bytes: r.rows * rowLayout(r.key.quantities).words * 4 },
    { buffer: r.exps, bytes: Math.max(1, r.key.quantities.filter((q) => q.kind === 'sum').length) * 4 },
  ];
}

/** Decodes a reduction from its two parts as {@link readTogether} returned them. */
export function decodeReduction(r: Reduction, table: Uint32Array, exps: Uint32Array): Record<string, Float64Array> {
  return decodeTable(r.key, r.rows, table, new Int32Array(exps.buffer, exps.byteOffset, exps.length));
}
