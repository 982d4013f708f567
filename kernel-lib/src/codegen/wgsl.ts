import { ComputeType, DType, computeType, dtypeRange, pixelsPerWord } from '../dtype';

/**
 * WGSL snippets shared by every generated kernel: how a dtype is stored (packed 8/16-bit
 * pixels in u32 words), read and written with saturation. Operations never deal with packing.
 */

/** Element type of the storage array that holds pixels of `d`. */
export function storageElement(d: DType): 'u32' | 'i32' | 'f32' {
  if (d === 'float32') return 'f32';
  if (d === 'int32') return 'i32';
  return 'u32';
}

/** WGSL for `fn load_<name>(i: u32) -> T`: pixel i (linear index) of buffer `<name>_buf`. */
export function loader(name: string, d: DType): string {
  const t = computeType(d);
  const epw = pixelsPerWord(d);
  if (epw === 1) return `fn load_${name}(i: u32) -> ${t} { return ${name}_buf[i]; }`;
  const bits = 32 / epw;
  const shift = `((i & ${epw - 1}u) * ${bits}u)`;
  const word = `${name}_buf[i >> ${Math.log2(epw)}u]`;
  if (t === 'u32') return `fn load_${name}(i: u32) -> u32 { return (${word} >> ${shift}) & ${2 ** bits - 1}u; }`;
  // Signed: move the field to the top bits, then an arithmetic shift sign-extends it.
  return `fn load_${name}(i: u32) -> i32 { return bitcast<i32>(${word} << (${32 - bits}u - ${shift})) >> ${32 - bits}u; }`;
}

const f32lit = (x: number): string => {
  const s = Math.fround(x).toString();
  return /[.eE]/.test(s) ? s : `${s}.0`;
};

/**
 * WGSL expression converting `v` (of compute type `from`) to the compute type of `to`,
 * saturating to the range of `to` as pyclesperanto's convert_*_sat does; float to integer
 * rounds toward zero and NaN becomes 0.
 */
export function convertExpr(v: string, from: ComputeType, to: DType): string {
  const target = computeType(to);
  const [lo, hi] = dtypeRange(to);
  if (target === 'f32') return from === 'f32' ? v : `f32(${v})`;
  if (from === 'f32') {
    // The largest f32 below 2^31 / 2^32 keeps the clamp inside the integer range.
    const hiF = to === 'int32' ? 2147483520 : to === 'uint32' ? 4294967040 : hi;
    const clamped = `clamp(${v}, ${f32lit(lo)}, ${f32lit(hiF)})`;
    let r = `${target}(${clamped})`;
    // Values at or beyond 2^31 / 2^32 (and +Inf) saturate to the integer maximum itself.
    if (to === 'int32') r = `select(${r}, 2147483647i, ${v} >= 2147483648.0)`;
    if (to === 'uint32') r = `select(${r}, 4294967295u, ${v} >= 4294967296.0)`;
    // NaN is tested on the bits: WGSL lets compilers assume that `v != v` is false.
    return `select(${r}, ${target}(0), (bitcast<u32>(${v}) & 0x7fffffffu) > 0x7f800000u)`;
  }
  if (from === target) {
    if (to === 'int32' || to === 'uint32') return v;
    return target === 'u32' ? `min(${v}, ${hi}u)` : `clamp(${v}, ${lo}i, ${hi}i)`;
  }
  if (from === 'i32') return to === 'uint32' ? `u32(max(${v}, 0i))` : `u32(clamp(${v}, 0i, ${hi}i))`;
  // from u32 to a signed type
  return `i32(min(${v}, ${hi}u))`;
}

/** WGSL expression turning a value of `d`'s compute type into its bits within a storage word. */
export function packBits(v: string, d: DType): string {
  const epw = pixelsPerWord(d);
  const mask = `${2 ** (32 / epw) - 1}u`;
  return computeType(d) === 'u32' ? `(${v} & ${mask})` : `(bitcast<u32>(${v}) & ${mask})`;
}

export { f32lit };
