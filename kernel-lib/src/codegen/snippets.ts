import { ComputeType, DType, computeType } from '../dtype';

/**
 * WGSL pieces the hand-written kernels share: identities of min/max, order-preserving keys of
 * each compute type (so that atomics and radix selection can compare any pixel as a u32), and
 * the workgroup tree reduction. One spelling of each, here.
 */

/** The lowest value of a compute type (the identity of max). */
export const LOWEST: Readonly<Record<ComputeType, string>> = { f32: 'bitcast<f32>(0xff7fffffu)', i32: '(-2147483647i - 1i)', u32: '0u' };
/** The highest value of a compute type (the identity of min). */
export const HIGHEST: Readonly<Record<ComputeType, string>> = { f32: 'bitcast<f32>(0x7f7fffffu)', i32: '2147483647i', u32: '4294967295u' };
/** Zero of a compute type. */
export const ZERO: Readonly<Record<ComputeType, string>> = { f32: '0.0', i32: '0i', u32: '0u' };

/**
 * WGSL bool: `v` (of compute type `t`) is non-zero. Floats are tested on the bits without the
 * sign, so NaN counts as non-zero (numpy's `a != 0`) and -0 as zero: WGSL lets compilers assume
 * that no value is NaN, and lavapipe folds `NaN != 0.0` to false.
 */
export function nonZero(t: ComputeType, v: string): string {
  return t === 'f32' ? `((bitcast<u32>(${v}) << 1u) != 0u)` : `(${v} != ${ZERO[t]})`;
}

/**
 * `fn nonzero_bytes(b: T) -> T` for T `u32` or `vec4<u32>`: per byte of 8-bit pixels packed in
 * words, 1 where the byte is non-zero, else 0 (its 8 bits ORed into bit 0; the shifts bring bits
 * of the next byte only above bit 7). Binary images on words, 4 pixels per u32.
 */
export function nonzeroBytesFn(type: 'u32' | 'vec4<u32>'): string {
  const k = (v: string) => (type === 'u32' ? `${v}u` : `${type}(${v}u)`);
  return `fn nonzero_bytes(b: ${type}) -> ${type} { var t = b | (b >> ${k('4')}); t = t | (t >> ${k('2')}); t = t | (t >> ${k('1')}); return t & ${k('0x01010101')}; }`;
}

export type Combine = 'min' | 'max' | 'sum';

/** The identity of `op` in type `t`. */
export function identity(op: Combine, t: ComputeType): string {
  return op === 'sum' ? ZERO[t] : op === 'min' ? HIGHEST[t] : LOWEST[t];
}

/** WGSL combining `a` and `b` with `op`. */
export function combine(op: Combine, a: string, b: string): string {
  return op === 'sum' ? `(${a} + ${b})` : `${op}(${a}, ${b})`;
}

/**
 * `fn order_key(v: T) -> u32` and `fn from_order_key(k: u32) -> T` for compute type `t`: keys
 * compare as unsigned integers in the same order as the values (floats: the sign bit flipped
 * for positives, all bits for negatives), so min/max can use atomics and ranks radix selection.
 */
export function orderKeyFunctions(t: ComputeType): string {
  switch (t) {
    case 'u32':
      return 'fn order_key(v: u32) -> u32 { return v; }\nfn from_order_key(k: u32) -> u32 { return k; }';
    case 'i32':
      return 'fn order_key(v: i32) -> u32 { return bitcast<u32>(v) ^ 0x80000000u; }\nfn from_order_key(k: u32) -> i32 { return bitcast<i32>(k ^ 0x80000000u); }';
    case 'f32':
      return `fn order_key(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}
fn from_order_key(k: u32) -> f32 { return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u)); }`;
  }
}

/** The value of an order key of `dtype`'s compute type, on the host (inverse of `order_key`). */
export function fromOrderKey(key: number, dtype: DType): number {
  const t = computeType(dtype);
  if (t === 'u32') return key >>> 0;
  if (t === 'i32') return (key ^ 0x80000000) | 0;
  const bits = key & 0x80000000 ? (key ^ 0x80000000) >>> 0 : ~key >>> 0;
  return new Float32Array(new Uint32Array([bits]).buffer)[0];
}

/** One variable of a workgroup reduction: its workgroup array `sh_<name>` and how two values combine. */
export interface ReducedVariable {
  name: string;
  type: string;
  /** WGSL combining `a` (this lane's) and `b` (the partner's). */
  combine: (a: string, b: string) => string;
}

/** `var<workgroup> sh_<name>: array<T, size>;` for each variable. */
export function workgroupArrays(vars: readonly ReducedVariable[], size: number): string {
  return vars.map((v) => `var<workgroup> sh_${v.name}: array<${v.type}, ${size}>;`).join('\n');
}

/**
 * Statements reducing `sh_<name>[0 .. size)` of each variable into `sh_<name>[0]` by a tree over
 * the workgroup (`size` a power of two, `lane` the invocation's index in it). The values must be
 * stored (and a barrier passed) before; after it, `sh_<name>[0]` holds the result for every lane.
 */
export function workgroupReduce(vars: readonly ReducedVariable[], size: number, lane = 'lid'): string {
  const steps = vars.map((v) => `sh_${v.name}[${lane}] = ${v.combine(`sh_${v.name}[${lane}]`, `sh_${v.name}[${lane} + s]`)};`).join('\n      ');
  return `for (var s = ${size / 2}u; s > 0u; s >>= 1u) {
    if (${lane} < s) {
      ${steps}
    }
    workgroupBarrier();
  }`;
}

/**
 * Statements turning `sh_<name>[0 .. size)` (u32, `size` a power of two, values stored and a
 * barrier passed before) into its inclusive prefix sums (Hillis–Steele: log2(size) steps, each
 * reading before a barrier and adding after it). After it, `sh_<name>[k]` is the sum of entries
 * 0..k for every lane; an exclusive sum is that minus the lane's own value. Used by the labeling
 * kernels (sequential label numbers, compaction of label tables).
 */
export function workgroupInclusiveScan(name: string, size: number, lane = 'lid'): string {
  return `for (var s = 1u; s < ${size}u; s <<= 1u) {
    var add = 0u;
    if (${lane} >= s) { add = sh_${name}[${lane} - s]; }
    workgroupBarrier();
    sh_${name}[${lane}] += add;
    workgroupBarrier();
  }`;
}
