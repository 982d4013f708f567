import { DType, computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { createLike } from '../../array/transfer';
import { cvalFor } from '../../codegen/boundary';
import { Footprint, FootprintShape, footprintCount, footprintTable, runNeighbourhood } from '../../codegen/neighbourhood';
import { orderKeyFunctions } from '../../codegen/snippets';
import { deviceInfo } from '../../gpu/device';
import { checkBoundary, type Boundary, type BoundaryOptions } from '../../validate/modes';
import { checkConnectivity, checkFilterInput, checkRadii } from '../../validate/filters';
import { defineOp, footprintOp } from '../op';

/**
 * Footprints up to this size take the unrolled, register-only selection: 49 on GPUs; 27 on
 * software adapters (Mesa lavapipe), whose LLVM compile time grows steeply with the unrolled
 * code (0.2 s for 27 taps, 11 s for 49), while the radix selection's code does not grow with
 * the footprint (but runs bits × footprint reads).
 */
const maxUnrolledMedian = (): number => registerLimit ?? (deviceInfo().isSoftware ? 27 : 49);
let registerLimit: number | undefined;

/**
 * @internal Sets the largest footprint (in pixels) the register selection takes; undefined
 * restores the adapter's default. For tests and benchmarks that run either selection anywhere.
 */
export function limitRegisterMedian(taps: number | undefined): void {
  registerLimit = taps;
}

/**
 * Median of a small footprint entirely in registers: the generator unrolls the taps (constant
 * offsets, so the values stay in registers rather than a private array in local memory) and the
 * middle value is found by forgetful selection: of the first (n+3)/2 values, the minimum and
 * maximum cannot be the median, so both are dropped and the next value joins; after (n-3)/2
 * rounds the median is the middle of the last three. About n²/2 min/max operations, no branches.
 */
function unrolledMedian(fn: string, img: GpuImage, footprint: Footprint, count: number, boundary: Boundary): GpuImage {
  return runNeighbourhood({
    op: fn,
    input: img,
    output: createLike(img),
    footprint,
    mode: boundary.mode,
    cval: cvalFor(boundary.cval, img.dtype).value,
    computeType: computeType(img.dtype),
    unrolled: true,
    pre: '',
    found: '',
    post: selectionNetwork(count),
    codeKey: 'unrolled-median',
  });
}

/** The selection network of {@link unrolledMedian} over v0 … v{n-1}, generated once per n. */
const networks = new Map<number, string>();
function selectionNetwork(n: number): string {
  const known = networks.get(n);
  if (known !== undefined) return known;
  const lines: string[] = [];
  const cswap = (a: string, b: string) => lines.push(`{ let lo = min(${a}, ${b}); ${b} = max(${a}, ${b}); ${a} = lo; }`);
  let result: string;
  if (n === 1) {
    result = 'v0';
  } else {
    let window = Array.from({ length: Math.min(n, (n + 3) / 2) }, (_, k) => `v${k}`);
    let next = window.length;
    while (window.length > 3) {
      const last = window.length - 1;
      for (let j = 1; j <= last; j++) cswap(window[0], window[j]);
      for (let j = 1; j < last; j++) cswap(window[j], window[last]);
      window = window.slice(1, last);
      if (next < n) window.push(`v${next++}`);
    }
    const [a, b, c] = window;
    result = `max(min(${a}, ${b}), min(max(${a}, ${b}), ${c}))`;
  }
  const network = `${lines.join('\n  ')}\n  return ${result};`;
  networks.set(n, network);
  return network;
}

/**
 * Order-preserving unsigned keys for radix selection: 8/16-bit pixels need only 8/16 key bits
 * (an offset makes signed values unsigned); 32-bit pixels use the shared order keys.
 */
function radixKeys(d: DType): { bits: number; functions: string } {
  const narrow: Partial<Record<DType, [number, string, string]>> = {
    uint8: [8, 'u32(v)', 'k'],
    uint16: [16, 'u32(v)', 'k'],
    int8: [8, 'u32(v + 128)', 'i32(k) - 128'],
    int16: [16, 'u32(v + 32768)', 'i32(k) - 32768'],
  };
  const t = computeType(d);
  const n = narrow[d];
  if (!n) return { bits: 32, functions: orderKeyFunctions(t) };
  return { bits: n[0], functions: `fn order_key(v: ${t}) -> u32 { return ${n[1]}; }\nfn from_order_key(k: u32) -> ${t} { return ${n[2]}; }` };
}

/**
 * Median of a larger footprint by radix selection on order-preserving unsigned keys: for each
 * key bit from the highest, count the footprint values that share the bits found so far and
 * have a 0 there (one walk of the footprint per bit, with the generator's loop); the rank
 * decides the bit. bits × count reads (8 for 8-bit pixels, 16 for 16-bit, 32 otherwise), no
 * per-thread array, any footprint size.
 */
function radixMedian(fn: string, img: GpuImage, footprint: Footprint, boundary: Boundary): GpuImage {
  const { bits, functions } = radixKeys(img.dtype);
  return runNeighbourhood({
    op: fn,
    input: img,
    output: createLike(img),
    footprint,
    mode: boundary.mode,
    cval: cvalFor(boundary.cval, img.dtype).value,
    computeType: computeType(img.dtype),
    helpers: functions,
    scalars: { kth: { type: 'u32', value: (footprintCount(footprint) - 1) / 2 } },
    // The footprint walk sits inside the loop over key bits that pre opens and post closes.
    pre: `var prefix = 0u;
  var rank = P.kth;
  for (var b = ${bits - 1}; b >= 0; b--) {
    let bit = 1u << u32(b);
    let hi = ~((bit << 1u) - 1u);
    var cnt = 0u;`,
    found: `let kv = order_key(v);
        if ((kv & hi) == prefix && (kv & bit) == 0u) { cnt++; }`,
    post: `if (rank >= cnt) {
      rank -= cnt;
      prefix = prefix | bit;
    }
  }
  return from_order_key(prefix);`,
  });
}

/**
 * Exact median: footprints up to 49 pixels (3×3, 5×5, 7×7, 3×3×3, balls of radius 2) by the
 * unrolled register selection (on GPUs; up to 27 on software adapters), larger ones by radix
 * selection.
 */
function medianOf(fn: string, shape: FootprintShape, input: GpuImage, rx: number, ry: number, rz: number, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  const boundary = checkBoundary(options, fn);
  const footprint = { shape, radius };
  footprintTable(fn, footprint);
  const count = footprintCount(footprint);
  if (count <= maxUnrolledMedian()) return unrolledMedian(fn, img, footprint, count, boundary);
  return radixMedian(fn, img, footprint, boundary);
}

/**
 * Local median over a box of (2·radiusX+1) × (2·radiusY+1) × (2·radiusZ+1) pixels; same
 * dtype as the input, exact for every dtype (the footprint size is odd, so this is the middle
 * value). pyclesperanto: `median_box`; scipy: `ndi.median_filter(a, size=(2rz+1, 2ry+1, 2rx+1), mode=...)`.
 * Any radius: up to 49 pixels the values stay in registers; beyond, the time grows with
 * footprint size × key bits (8 for 8-bit pixels, 16 for 16-bit, 32 otherwise).
 */
export const medianBox = defineOp(footprintOp('same'), function medianBox(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return medianOf('medianBox', 'box', input, radiusX, radiusY, radiusZ, options);
});

/**
 * Local median over an ellipsoid { (dx/rx)² + (dy/ry)² + (dz/rz)² <= 1 }; see
 * {@link medianBox}. pyclesperanto: `median_sphere`; scipy:
 * `ndi.median_filter(a, footprint=ellipsoid, mode=...)`.
 */
export const medianSphere = defineOp(footprintOp('same'), function medianSphere(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return medianOf('medianSphere', 'sphere', input, radiusX, radiusY, radiusZ, options);
});

/** {@link medianBox} or {@link medianSphere} by `connectivity`. pyclesperanto: `median`. */
export const median = defineOp(footprintOp('same', { connectivity: true }), function median(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return medianOf('median', checkConnectivity(connectivity, 'median'), input, radiusX, radiusY, radiusZ, options);
});
