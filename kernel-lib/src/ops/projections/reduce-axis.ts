import { ComputeType, DType, computeType, pixelsPerWord } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { HIGHEST, LOWEST, ZERO } from '../../codegen/snippets';
import { convertExpr, loader, packBits, storageElement } from '../../codegen/wgsl';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';

/**
 * Reductions along one axis (the projections). Two kernels:
 *
 * - `strided`: the input is viewed as [outer][n][inner] and reduced over n (Z and Y
 *   projections). Neighbouring threads own neighbouring output words, so reads along x are
 *   coalesced; each workgroup is 64 lanes × 4 splits of n, combined in shared memory, which
 *   keeps enough loads in flight when the output plane is small.
 * - `rows`: the input's x rows are reduced (X projection): T threads per row read the row
 *   interleaved (coalesced) and reduce in shared memory; R rows per workgroup, R a multiple of
 *   4 so that one workgroup owns whole packed output words.
 *
 * A reducer is described once (state, step, combine, result) and used by both kernels.
 */
export type Reducer = 'max' | 'min' | 'sum' | 'mean' | 'std' | 'argmax' | 'argmin';

interface ReducerCode {
  /** Per-thread state: names and WGSL types. */
  state: Array<[string, string]>;
  /** Initial value of each state variable (the identity). */
  init: string[];
  /** Statements folding value `v` (compute type) at index `j` into the state. */
  step: string;
  /** Statements merging `o_<name>` (the other part, later or any indices) into the state. */
  combine: string;
  /** The result, an expression of `resultType` (may use the axis length `P.n`). */
  result: string;
  resultType: ComputeType;
  /** Output dtype for an input dtype. */
  output: DType;
  /** Whether the reducer needs `x0`, the first value along the axis (shift for std). */
  shift?: boolean;
}


/** Exact integer accumulation for 8/16-bit pixels (any z extent below 65537 fits 32 bits), else float32. */
function sumType(d: DType): ComputeType {
  return pixelsPerWord(d) > 1 ? computeType(d) : 'f32';
}

function reducerCode(r: Reducer, d: DType): ReducerCode {
  const t = computeType(d);
  switch (r) {
    case 'max':
    case 'min':
      return {
        state: [['m', t]],
        init: [r === 'max' ? LOWEST[t] : HIGHEST[t]],
        step: `m = ${r}(m, v);`,
        combine: `m = ${r}(m, o_m);`,
        result: 'm',
        resultType: t,
        output: d,
      };
    case 'argmax':
    case 'argmin': {
      const better = r === 'argmax' ? '>' : '<';
      return {
        state: [['m', t], ['k', 'u32']],
        init: [r === 'argmax' ? LOWEST[t] : HIGHEST[t], '4294967295u'],
        step: `if (v ${better} m || k == 4294967295u) { m = v; k = j; }`,
        // Ties go to the smaller index, as numpy's argmax.
        combine: `if (o_k != 4294967295u && (o_m ${better} m || (o_m == m && o_k < k) || k == 4294967295u)) { m = o_m; k = o_k; }`,
        result: 'k',
        resultType: 'u32',
        output: 'uint32',
      };
    }
    case 'sum':
    case 'mean': {
      const s = sumType(d);
      const zero = ZERO[s];
      const mean = s === 'f32' ? 's / f32(P.n)' : `s / ${s}(P.n)`; // integer division truncates toward zero, as the conversion would
      return {
        state: [['s', s]],
        init: [zero],
        step: `s = s + ${s}(v);`,
        combine: 's = s + o_s;',
        result: r === 'sum' ? 'f32(s)' : mean,
        resultType: r === 'sum' ? 'f32' : s,
        output: r === 'sum' ? 'float32' : d,
      };
    }
    case 'std':
      // Sums of values shifted by the first one along the axis: one pass, and stable for
      // data far from zero. Sample standard deviation (n - 1), as pyclesperanto.
      return {
        state: [['s1', 'f32'], ['s2', 'f32']],
        init: ['0.0', '0.0'],
        step: 'let dv = f32(v) - x0; s1 = s1 + dv; s2 = s2 + dv * dv;',
        combine: 's1 = s1 + o_s1; s2 = s2 + o_s2;',
        result: 'select(0.0, sqrt(max(0.0, (s2 - s1 * s1 / f32(P.n)) / f32(P.n - 1u))), P.n > 1u)',
        resultType: 'f32',
        output: 'float32',
        shift: true,
      };
  }
}

const LANES = 64;
const SPLITS = 4;
/** Loads per thread issued before their values are folded (strided kernel). */
const UNROLL = 8;
const unrolled = Array.from({ length: UNROLL }, (_, u) => u);

function stridedSpec({ r, d }: { r: Reducer; d: DType }): KernelSpec {
  const rc = reducerCode(r, d);
  const epw = pixelsPerWord(rc.output);
  const decl = rc.state.map(([n, ty], k) => `var ${n}: ${ty} = ${rc.init[k]};`).join(' ');
  const shared = rc.state.map(([n, ty]) => `var<workgroup> sh_${n}: array<${ty}, ${LANES * SPLITS}>;`).join('\n');
  const save = rc.state.map(([n]) => `sh_${n}[split * ${LANES}u + lane] = ${n};`).join(' ');
  const load = rc.state.map(([n]) => `let o_${n} = sh_${n}[q * ${LANES}u + lane];`).join(' ');
  return {
    label: 'reduce strided',
    bindings: [
      { name: 'a_buf', type: `array<${storageElement(d)}>` },
      { name: 'out_buf', type: `array<${storageElement(rc.output)}>`, access: 'read_write' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }, { name: 'inner', type: 'u32' }, { name: 'total', type: 'u32' }, { name: 'words', type: 'u32' }],
    workgroupSize: [LANES, SPLITS],
    declarations: `${loader('a', d)}
${shared}`,
    body: `let lane = local.x;
  let split = local.y;
  let word = group * ${LANES}u + lane;
  let chunk = (P.n + ${SPLITS - 1}u) / ${SPLITS}u;
  let j0 = split * chunk;
  let j1 = min(P.n, j0 + chunk);
  var results: array<${rc.resultType}, ${epw}>;
  for (var e = 0u; e < ${epw}u; e++) {
    let p = word * ${epw}u + e;
    let valid = word < P.words && p < P.total;
    let o = p / P.inner;
    let base = o * P.n * P.inner + (p - o * P.inner);
    ${decl}
    if (valid) {
      ${rc.shift ? 'let x0 = f32(load_a(base));' : ''}
      // UNROLL independent loads in flight per thread (one dependent load at a time left the
      // memory system idle); folded in index order, so the results do not change.
      var jb = j0;
      for (; jb + ${UNROLL - 1}u < j1; jb += ${UNROLL}u) {
        ${unrolled.map((u) => `let v${u} = load_a(base + (jb + ${u}u) * P.inner);`).join(' ')}
        ${unrolled.map((u) => `{ let j = jb + ${u}u; let v = v${u}; ${rc.step} }`).join('\n        ')}
      }
      for (var j = jb; j < j1; j++) {
        let v = load_a(base + j * P.inner);
        ${rc.step}
      }
    }
    ${save}
    workgroupBarrier();
    if (split == 0u) {
      for (var q = 1u; q < ${SPLITS}u; q++) {
        ${load}
        ${rc.combine}
      }
      results[e] = ${rc.result};
    }
    workgroupBarrier();
  }
  if (split == 0u && word < P.words) {
    ${storeWord(rc, 'word', epw, (e) => `results[${e}]`, 'P.total')}
  }`,
  };
}

/** WGSL storing `epw` results into output word `word` (packed for 8/16-bit outputs). */
function storeWord(rc: ReducerCode, word: string, epw: number, value: (e: string) => string, total: string): string {
  if (epw === 1) return `out_buf[${word}] = ${convertExpr(value('0'), rc.resultType, rc.output)};`;
  const bits = 32 / epw;
  return `var packed = 0u;
    for (var e = 0u; e < ${epw}u; e++) {
      if (${word} * ${epw}u + e < ${total}) {
        packed = packed | (${packBits(convertExpr(value('e'), rc.resultType, rc.output), rc.output)} << (e * ${bits}u));
      }
    }
    out_buf[${word}] = packed;`;
}

function rowsSpec({ r, d, T, R }: { r: Reducer; d: DType; T: number; R: number }): KernelSpec {
  const rc = reducerCode(r, d);
  const epw = pixelsPerWord(rc.output);
  const decl = rc.state.map(([n, ty], k) => `var ${n}: ${ty} = ${rc.init[k]};`).join(' ');
  const shared = rc.state.map(([n, ty]) => `var<workgroup> sh_${n}: array<${ty}, ${T * R}>;`).join('\n');
  const save = rc.state.map(([n]) => `sh_${n}[me] = ${n};`).join(' ');
  const load = rc.state.map(([n]) => `let o_${n} = sh_${n}[me + q];`).join(' ');
  return {
    label: 'reduce rows',
    bindings: [
      { name: 'a_buf', type: `array<${storageElement(d)}>` },
      { name: 'out_buf', type: `array<${storageElement(rc.output)}>`, access: 'read_write' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }, { name: 'ny', type: 'u32' }, { name: 'nz', type: 'u32' }, { name: 'total', type: 'u32' }, { name: 'words', type: 'u32' }],
    workgroupSize: [T, R],
    declarations: `${loader('a', d)}
${shared}
var<workgroup> res: array<${rc.resultType}, ${R}>;`,
    body: `let t = local.x;
  let r = local.y;
  let me = r * ${T}u + t;
  // Output pixel p is (y, z) in pyclesperanto's layout [y][z]; its input row is (z, y).
  let p = group * ${R}u + r;
  let valid = p < P.total;
  let y = p / P.nz;
  let base = ((p - y * P.nz) * P.ny + y) * P.n;
  ${decl}
  if (valid) {
    ${rc.shift ? 'let x0 = f32(load_a(base));' : ''}
    for (var j = t; j < P.n; j += ${T}u) {
      let v = load_a(base + j);
      ${rc.step}
    }
  }
  ${save}
  workgroupBarrier();
  for (var q = ${T / 2}u; q > 0u; q >>= 1u) {
    if (t < q) {
      ${load}
      ${rc.combine}
      ${save}
    }
    workgroupBarrier();
  }
  if (t == 0u) { res[r] = ${rc.result}; }
  workgroupBarrier();
  if (me < ${R / epw}u) {
    let word = group * ${R / epw}u + me;
    if (word < P.words) {
      ${storeWord(rc, 'word', epw, (e) => `res[me * ${epw}u + ${e}]`, 'P.total')}
    }
  }`,
  };
}

/**
 * Reduces `input` over axis `n` of the view [outer][n][inner]; the result has shape `shape`
 * (outer * inner pixels, in that order).
 */
export function reduceStrided(op: string, r: Reducer, input: GpuImage, outer: number, n: number, inner: number, shape: number[]): GpuImage {
  const rc = reducerCode(r, input.dtype);
  const output = create(shape, rc.output);
  const total = outer * inner;
  const words = Math.ceil(total / pixelsPerWord(rc.output));
  dispatch(kernelFor('reduceStrided', `${r}|${input.dtype}`, () => stridedSpec({ r, d: input.dtype })), [input.buffer, output.buffer], { n, inner, total, words }, Math.ceil(words / LANES), op);
  return output;
}

/**
 * Reduces the x rows of a [nz][ny][n] input; the result is [ny][nz] (pyclesperanto's layout
 * of X projections) given as `shape`.
 */
export function reduceRows(op: string, r: Reducer, input: GpuImage, nz: number, ny: number, n: number, shape: number[]): GpuImage {
  const rc = reducerCode(r, input.dtype);
  const output = create(shape, rc.output);
  const total = ny * nz;
  const words = Math.ceil(total / pixelsPerWord(rc.output));
  // Long rows: 64 threads per row, 4 rows per workgroup; short rows: 16 threads, 16 rows.
  const [T, R] = n >= 256 ? [64, 4] : [16, 16];
  dispatch(kernelFor('reduceRows', `${r}|${input.dtype}|${T}|${R}`, () => rowsSpec({ r, d: input.dtype, T, R })), [input.buffer, output.buffer], { n, ny, nz, total, words }, Math.ceil(total / R), op);
  return output;
}
