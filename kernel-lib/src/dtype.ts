/**
 * Pixel types. Binary images are uint8 holding 0 or 1, as in pyclesperanto.
 * WGSL storage buffers only hold 32-bit words, so 8- and 16-bit types are stored packed
 * (4 or 2 pixels per u32 word) and unpacked in the shader; see codegen/wgsl.ts.
 */
export type DType = 'uint8' | 'uint16' | 'uint32' | 'int8' | 'int16' | 'int32' | 'float32';

export const DTYPES: readonly DType[] = ['uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32', 'float32'];

/** The WGSL scalar a pixel is computed in. */
export type ComputeType = 'u32' | 'i32' | 'f32';

export type TypedArray =
  | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array
  | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

interface DTypeInfo {
  bytes: number;
  compute: ComputeType;
  min: number;
  max: number;
  array: new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => TypedArray;
}

const INFO: Record<DType, DTypeInfo> = {
  uint8: { bytes: 1, compute: 'u32', min: 0, max: 255, array: Uint8Array },
  uint16: { bytes: 2, compute: 'u32', min: 0, max: 65535, array: Uint16Array },
  uint32: { bytes: 4, compute: 'u32', min: 0, max: 4294967295, array: Uint32Array },
  int8: { bytes: 1, compute: 'i32', min: -128, max: 127, array: Int8Array },
  int16: { bytes: 2, compute: 'i32', min: -32768, max: 32767, array: Int16Array },
  int32: { bytes: 4, compute: 'i32', min: -2147483648, max: 2147483647, array: Int32Array },
  float32: { bytes: 4, compute: 'f32', min: -3.4028234663852886e38, max: 3.4028234663852886e38, array: Float32Array },
};

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export const bytesPerPixel = (d: DType): number => INFO[d].bytes;
export const computeType = (d: DType): ComputeType => INFO[d].compute;
export const dtypeRange = (d: DType): [number, number] => [INFO[d].min, INFO[d].max];
/** Pixels per 32-bit storage word: 4 for 8-bit, 2 for 16-bit, 1 otherwise. */
export const pixelsPerWord = (d: DType): number => 4 / INFO[d].bytes;
export const isFloat = (d: DType): boolean => d === 'float32';
export const isSigned = (d: DType): boolean => d.startsWith('int') || d === 'float32';

/** A typed array of `d` over `buffer` (a view, no copy). */
export function typedArrayOf(d: DType, buffer: ArrayBuffer, byteOffset: number, length: number): TypedArray {
  return new INFO[d].array(buffer, byteOffset, length);
}

export function allocTypedArray(d: DType, length: number, shared = false): TypedArray {
  const bytes = length * INFO[d].bytes;
  return new INFO[d].array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes), 0, length);
}

/** The dtype a typed array holds (Float64Array maps to float32, converted on push as cle does); undefined for anything else. */
export function dtypeOfTypedArray(a: unknown): DType | undefined {
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Float32Array || a instanceof Float64Array) return 'float32';
  return undefined;
}
