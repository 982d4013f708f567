import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { createLike } from '../../array/transfer';
import { BOUNDARY_WGSL, MODE_CODE, cvalFor } from '../../codegen/boundary';
import { Footprint, FootprintShape, footprintCount, footprintRows, footprintTable } from '../../codegen/neighbourhood';
import { runPixelProgram } from '../../codegen/program';
import { deviceInfo } from '../../gpu/device';
import { type BoundaryOptions, type Boundary, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkRadii, checkConnectivity } from '../../validate/filters';
import { defineOp, footprintOp } from '../op';

/**
 * Footprints up to this size take the unrolled, register-only selection: 49 on GPUs; 9 on
 * software adapters (Mesa lavapipe), whose LLVM compile time grows steeply with the unrolled
 * code (seconds for 27 taps), while the private-array selection compiles in well under one.
 */
const maxUnrolledMedian = (): number => (deviceInfo().isSoftware ? 9 : 49);

/**
 * Median of a small footprint entirely in registers: the taps are unrolled (constant offsets,
 * so the values stay in registers rather than a private array in local memory) and the middle
 * value is found by forgetful selection: of the first (n+3)/2 values, the minimum and maximum
 * cannot be the median, so both are dropped and the next value joins; after (n-3)/2 rounds
 * the median is the middle of the last three. About n²/2 min/max operations, no branches.
 * The footprint is part of the pipeline key.
 */
function unrolledMedian(fn: string, img: GpuImage, footprint: Footprint, boundary: Boundary): GpuImage {
  const t = computeType(img.dtype);
  const taps: Array<[number, number, number]> = [];
  for (const [dz, dy, hx] of footprintRows(footprint)) for (let dx = -hx; dx <= hx; dx++) taps.push([dx, dy, dz]);
  const n = taps.length;
  const [rx, ry, rz] = footprint.radius;
  const inside = taps.map(([dx, dy, dz], k) => `v${k} = load_a(u32(o + ${dz} * nxy + ${dy} * nx + ${dx}));`);
  const outside = taps.map(([dx, dy, dz], k) => `v${k} = fetch(c, vec3<i32>(${dx}, ${dy}, ${dz}));`);
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
  return runPixelProgram({
    op: fn,
    variant: `unrolled|${footprint.shape}|${footprint.radius.join(',')}`,
    inputs: { a: img },
    output: createLike(img),
    scalars: {
      mode: { type: 'u32', value: MODE_CODE[boundary.mode] },
      cval: { type: t, value: cvalFor(boundary.cval, img.dtype).value },
    },
    coords: true,
    computeType: t,
    helpers: `${BOUNDARY_WGSL}
fn fetch(c: vec4<i32>, d: vec3<i32>) -> ${t} {
  let n = vec3<i32>(P.a_shape.xyz);
  let q = vec3<i32>(bnd(c.x + d.x, n.x, P.mode), bnd(c.y + d.y, n.y, P.mode), bnd(c.z + d.z, n.z, P.mode));
  if (any(q < vec3<i32>(0))) { return P.cval; }
  return load_a(u32((q.z * n.y + q.y) * n.x + q.x));
}`,
    body: `let nx = i32(P.a_shape.x);
  let nxy = nx * i32(P.a_shape.y);
  ${Array.from({ length: n }, (_, k) => `var v${k}: ${t};`).join(' ')}
  if (c.x >= ${rx} && c.x + ${rx} < nx && c.y >= ${ry} && c.y + ${ry} < i32(P.a_shape.y) && c.z >= ${rz} && c.z + ${rz} < i32(P.a_shape.z)) {
    let o = i32(i);
    ${inside.join('\n    ')}
  } else {
    ${outside.join('\n    ')}
  }
  ${lines.join('\n  ')}
  return ${result};`,
  });
}

/**
 * Median of a larger footprint by radix selection on order-preserving unsigned keys: for each
 * key bit from the highest, count the footprint values that share the bits found so far and
 * have a 0 there; the rank decides the bit. bits × count reads (8 for 8-bit pixels, 16 for
 * 16-bit, 32 otherwise), no per-thread array, any footprint size.
 */
function radixMedian(fn: string, img: GpuImage, footprint: Footprint, boundary: Boundary): GpuImage {
  const t = computeType(img.dtype);
  const { table, rows } = footprintTable(fn, footprint);
  const count = footprintCount(footprint);
  const code = {
    uint8: { bits: 8, key: 'u32(v)', value: 'k' },
    uint16: { bits: 16, key: 'u32(v)', value: 'k' },
    uint32: { bits: 32, key: 'v', value: 'k' },
    int8: { bits: 8, key: 'u32(v + 128)', value: 'i32(k) - 128' },
    int16: { bits: 16, key: 'u32(v + 32768)', value: 'i32(k) - 32768' },
    int32: { bits: 32, key: 'bitcast<u32>(v) ^ 0x80000000u', value: 'bitcast<i32>(k ^ 0x80000000u)' },
    float32: {
      bits: 32,
      key: 'select(bitcast<u32>(v) | 0x80000000u, ~bitcast<u32>(v), (bitcast<u32>(v) & 0x80000000u) != 0u)',
      value: 'bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u))',
    },
  }[img.dtype];
  const visit = `let kv = key_of(v);
          if ((kv & hi) == prefix && (kv & bit) == 0u) { cnt++; }`;
  return runPixelProgram({
    op: fn,
    variant: 'radix',
    inputs: { a: img, fp: table },
    output: createLike(img),
    scalars: {
      rows: { type: 'u32', value: rows },
      kth: { type: 'u32', value: (count - 1) / 2 },
      rx: { type: 'i32', value: footprint.radius[0] },
      ry: { type: 'i32', value: footprint.radius[1] },
      rz: { type: 'i32', value: footprint.radius[2] },
      mode: { type: 'u32', value: MODE_CODE[boundary.mode] },
      cval: { type: t, value: cvalFor(boundary.cval, img.dtype).value },
    },
    coords: true,
    computeType: t,
    helpers: `${BOUNDARY_WGSL}
fn key_of(v: ${t}) -> u32 { return ${code.key}; }
fn value_of(k: u32) -> ${t} { return ${code.value}; }`,
    body: `let nx = i32(P.a_shape.x);
  let ny = i32(P.a_shape.y);
  let nz = i32(P.a_shape.z);
  let inside = c.x >= P.rx && c.x + P.rx < nx && c.y >= P.ry && c.y + P.ry < ny && c.z >= P.rz && c.z + P.rz < nz;
  var prefix = 0u;
  var rank = P.kth;
  for (var b = ${code.bits - 1}; b >= 0; b--) {
    let bit = 1u << u32(b);
    let hi = ~((bit << 1u) - 1u);
    var cnt = 0u;
    for (var k = 0u; k < P.rows; k++) {
      let dz = load_fp(3u * k);
      let dy = load_fp(3u * k + 1u);
      let hx = load_fp(3u * k + 2u);
      if (inside) {
        let row = i32(i) + (dz * ny + dy) * nx;
        for (var dx = -hx; dx <= hx; dx++) {
          let v = load_a(u32(row + dx));
          ${visit}
        }
      } else {
        let zz = bnd(c.z + dz, nz, P.mode);
        let yy = bnd(c.y + dy, ny, P.mode);
        let plane = (zz * ny + yy) * nx;
        for (var dx = -hx; dx <= hx; dx++) {
          let xx = bnd(c.x + dx, nx, P.mode);
          var v: ${t} = P.cval;
          if (min(xx, min(yy, zz)) >= 0) { v = load_a(u32(plane + xx)); }
          ${visit}
        }
      }
    }
    if (rank >= cnt) {
      rank -= cnt;
      prefix = prefix | bit;
    }
  }
  return value_of(prefix);`,
  });
}

/**
 * Exact median: footprints up to 49 pixels (3×3, 5×5, 7×7, 3×3×3, balls of radius 2) by the
 * unrolled register selection (on GPUs; up to 9 on software adapters), larger ones by radix
 * selection.
 */
function medianOf(fn: string, shape: FootprintShape, input: GpuImage, rx: number, ry: number, rz: number, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  const boundary = checkBoundary(options, fn);
  const footprint = { shape, radius };
  footprintTable(fn, footprint);
  const count = footprintCount(footprint);
  if (count <= maxUnrolledMedian()) return unrolledMedian(fn, img, footprint, boundary);
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
