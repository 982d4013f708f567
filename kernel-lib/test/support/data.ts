import type { DType, TypedArray } from '../../src';
import type { Pixels } from './oracle';

const RANGES: Record<DType, [number, number]> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  uint32: [0, 4294967295], int32: [-2147483648, 2147483647], float32: [-1000, 1000],
};
const CTORS: Record<DType, new (n: number) => TypedArray> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array,
};

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random pixels of `dtype` over `shape`. `range` narrows the values (default: the whole
 * integer range, or [-1000, 1000] for float32).
 */
export function randomPixels(shape: readonly number[], dtype: DType, seed = 1, range?: [number, number]): Pixels & { data: TypedArray } {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new CTORS[dtype](n);
  const [lo, hi] = range ?? RANGES[dtype];
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const v = lo + r() * (hi - lo);
    data[i] = dtype === 'float32' ? v : Math.floor(v + r());
  }
  return { data, shape, dtype };
}

/** The dtypes every first-slice operation is tested with. */
export const ALL_DTYPES: DType[] = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32'];
