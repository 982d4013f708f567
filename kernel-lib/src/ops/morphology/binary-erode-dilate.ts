import { bytesPerPixel, computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { FootprintShape, runNeighbourhood } from '../../codegen/neighbourhood';
import { LinePass, runSeparable } from '../../codegen/separable';
import { boundaryFunction } from '../../codegen/boundary';
import { xyzt } from '../../codegen/program';
import { type KernelSpec, type UniformField, dispatch, kernelFor } from '../../gpu/kernel';
import { type BoundaryMode, type BoundaryOptions, type Boundary, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkRadii, checkConnectivity } from '../../validate/filters';
import { nonZero, nonzeroBytesFn } from '../../codegen/snippets';
import { type OpInfo, boundaryOptions, defineOp, fixedHalo, footprintOp, image } from '../op';


/** The metadata of the radius-1 erosions and dilations. */
const RADIUS_ONE: OpInfo = { params: [image(), boundaryOptions], output: 'uint8', tiling: fixedHalo(1) };

/**
 * Most footprint rows (2·ry+1)·(2·rz+1) that one y/z pass combines; larger y/z footprints run as
 * a y pass and a z pass (one more read and write of 1 byte per pixel, but 2·ry+1 + 2·rz+1
 * windows per word instead of their product). 9: radius 1 in y and z (3×3 rows) combined.
 */
const MAX_COMBINED_ROWS = 9;

/**
 * Binary erosion (min) or dilation (max) of (input != 0) over a box or an ellipsoid; uint8 0/1
 * result. Outside the image: the boundary mode; with 'constant' the outside counts as
 * foreground when cval != 0 (scipy's border_value). Boxes run as {@link binaryBox}, ellipsoids
 * through the neighbourhood generator. `maxCombinedRows`: see {@link MAX_COMBINED_ROWS}
 * (bench/erode-paths.ts compares values). @internal
 */
export function binaryMorphology(
  op: string, kind: 'min' | 'max', shape: FootprintShape, input: GpuImage, radius: [number, number, number], boundary: Boundary,
  maxCombinedRows = MAX_COMBINED_ROWS,
): GpuImage {
  const output = create(input.shape, 'uint8');
  const prologue = `select(0u, 1u, ${nonZero(computeType(input.dtype), 'x')})`;
  const cval = boundary.cval !== 0 ? 1 : 0;
  if (shape === 'box') return binaryBox(op, kind, input, output, radius, boundary.mode, cval, prologue, maxCombinedRows);
  return runNeighbourhood({
    op,
    input,
    output,
    footprint: { shape, radius },
    mode: boundary.mode,
    cval,
    valueType: 'u32',
    prologue,
    computeType: 'u32',
    pre: `var m = ${kind === 'min' ? '1u' : '0u'};`,
    found: `m = ${kind}(m, v);`,
    post: 'return m;',
  });
}

/**
 * A binary box erosion/dilation in at most three passes over 1 byte per pixel (the separable
 * generator's 32-bit temporaries would move 4):
 *
 * 1. x: the separable generator's x pass with (input != 0) as prologue, written as packed
 *    uint8 0/1 (the x pass packs 4 pixels per word); it handles every dtype, NaN (non-zero, so
 *    foreground) and the x boundary per pixel;
 * 2. y and z at once ({@link rowsPassSpec}) over those bytes: 4 pixels per thread by AND / OR
 *    of whole words (min / max of 0/1 bytes), so no temporaries beyond the one uint8 image.
 *
 * 8-bit inputs without a z footprint (2D boxes) skip the x pass: the same word kernel reads the
 * input's bytes, 2·rx+1 windows per footprint row, each mapped to 0/1 per byte by a bit fold
 * (one dispatch instead of two, no temporary; Erode2D on an H200: GPU 31 -> 24 µs, wall 95-115 -> 67-75,
 * bench/results/2026-12-02-h200-words).
 *
 * DRAM traffic for a 3D radius-1 box: 4 bytes per pixel, against 18 for z, y, x passes with
 * 32-bit temporaries. The alternatives (issue 13; bench/erode-paths.ts times them side by side):
 * one non-separable pass of (2r+1)^d taps per pixel (runNeighbourhood) has no temporaries but
 * 27 byte loads and extractions per pixel in 3D, 5-25x slower than the separable passes on
 * lavapipe (compute that a GPU would spend as well); uint8 temporaries inside runSeparable
 * would need its y/z passes to own whole words, which rows that are not multiples of 4 wide do
 * not give; x by words too would send every row's first and last word (one per warp on a
 * 256-wide row) down the per-pixel boundary path: measured on the H200, an 8-bit 3D box's
 * first pass as the word kernel over the input's bytes (x alone, or x and y) made erodeBox on
 * 256³ slower, 176 -> 223 µs (x) and 322 µs (x and y; bench/results/2026-12-04-h200).
 */
function binaryBox(
  op: string, kind: 'min' | 'max', input: GpuImage, output: GpuImage, radius: [number, number, number],
  mode: BoundaryMode, cval: number, prologue: string, maxCombinedRows: number,
): GpuImage {
  const [rx, ry, rz] = radius;
  if (rz === 0 && bytesPerPixel(input.dtype) === 1) {
    // 8-bit pixels without a z footprint: x and y in one pass straight from the input's bytes.
    rowsPass(op, kind, input, output, [rx, ry, 0], mode, cval, true);
    return output;
  }
  const xPass: LinePass[] = [{ axis: 0, radius: rx, reduce: { kind } }];
  if (ry === 0 && rz === 0) return runSeparable({ op, input, output, passes: xPass, mode, cval, valueType: 'u32', prologue });
  const rows: Array<[number, number]> = (2 * ry + 1) * (2 * rz + 1) <= maxCombinedRows || ry === 0 || rz === 0 ? [[ry, rz]] : [[ry, 0], [0, rz]];
  let src = runSeparable({ op, input, output: create(input.shape, 'uint8'), passes: xPass, mode, cval, valueType: 'u32', prologue });
  rows.forEach(([y, z], k) => {
    const dst = k === rows.length - 1 ? output : create(input.shape, 'uint8');
    rowsPass(op, kind, src, dst, [0, y, z], mode, cval, false);
    src.release();
    src = dst;
  });
  return output;
}

const WG = 256;

/**
 * Records one pass of {@link binaryBox} into `dst`: over y and z from the packed 0/1 image `src`
 * (`raw` false, rx 0), or over x, y and z from an 8-bit input's own bytes (`raw`: non-zero bytes
 * count as 1).
 */
function rowsPass(op: string, kind: 'min' | 'max', src: GpuImage, dst: GpuImage, [rx, ry, rz]: [number, number, number], mode: BoundaryMode, cval: number, raw: boolean): void {
  const [nx, ny, nz] = xyzt(src.shape);
  const words = Math.ceil(src.size / 4);
  const kernel = kernelFor('binary-box-rows', raw ? `${kind}|${mode}|raw ${rx}` : `${kind}|${mode}`, () => rowsPassSpec(kind, mode, raw ? rx : undefined));
  const values = { shape: [nx, ny, nz, src.size], ry, rz, cval, words };
  dispatch(kernel, [src.buffer, dst.buffer], values, Math.ceil(words / WG), raw ? `${op}:xy` : `${op}:yz`);
}

/**
 * The y/z pass: one thread per output word (4 pixels, which may lie in two rows when the
 * width is not a multiple of 4). When every pixel of the word keeps its whole y/z footprint
 * inside the image, the neighbours at row offset o are the 4 bytes at byte position 4w + o:
 * one unaligned window (two word loads and a funnel shift) per footprint row, combined by AND
 * (min of 0/1) or OR (max). Words on the y/z faces (whole rows, so warps rarely diverge) go
 * pixel by pixel through the boundary mode. Bytes past the image's end stay 0.
 */
function rowsPassSpec(kind: 'min' | 'max', mode: BoundaryMode, rawRx?: number): KernelSpec {
  const raw = rawRx !== undefined;
  const rx = rawRx ?? 0;
  const dxs = Array.from({ length: 2 * rx + 1 }, (_, k) => k - rx);
  const [op, init4, init1] = kind === 'min' ? ['&', '0x01010101u', '1u'] : ['|', '0u', '0u'];
  const uniforms: UniformField[] = [
    { name: 'shape', type: 'vec4<u32>' },
    { name: 'ry', type: 'i32' },
    { name: 'rz', type: 'i32' },
    { name: 'cval', type: 'u32' },
    { name: 'words', type: 'u32' },
  ];
  const declarations = `${boundaryFunction(mode, 'bnd')}
fn byte_at(i: u32) -> u32 { return ${raw ? 'select(0u, 1u, ((src_buf[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu) != 0u)' : '(src_buf[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu'}; }${raw ? `\n${nonzeroBytesFn('u32')}` : ''}
// The 4 bytes from byte position p, any alignment. (b << 1) << (31 - s) is b << (32 - s) for
// s > 0 and 0 for s = 0 (WGSL would shift by 32 mod 32 = 0); the second word is clamped to the
// buffer (it only matters where the window crosses into it).
fn window4(p: u32) -> u32 {
  let w = p >> 2u;
  let s = (p & 3u) * 8u;
  return (src_buf[w] >> s) | ((src_buf[min(w + 1u, P.words - 1u)] << 1u) << (31u - s));
}`;
  const body = `let w = gid;
  if (w >= P.words) { return; }
  let nx = P.shape.x;
  let ny = P.shape.y;
  let nz = P.shape.z;
  let n = P.shape.w;
  let plane = nx * ny;
  let i0 = w * 4u;
  let i3 = min(i0 + 3u, n - 1u);
  // Rows of the first and last pixel (one division when both lie in the same row).
  let q0 = i0 / nx;
  var q3 = q0;
  if (i3 - q0 * nx >= nx) { q3 = i3 / nx; }
  let z0 = i32(q0 / ny);
  let z3 = i32(q3 / ny);
  let y0 = i32(q0) - z0 * i32(ny);
  let y3 = i32(q3) - z3 * i32(ny);
  // Pixels between i0 and i3 have z in [z0, z3]; y in [y0, y3] when z0 == z3, else y wraps.
  let inside = z0 >= P.rz && z3 + P.rz < i32(nz) && (P.ry == 0 || (z0 == z3 && y0 >= P.ry && y3 + P.ry < i32(ny)))${rx > 0 ? `
    && q0 == q3 && i0 - q0 * nx >= ${rx}u && i3 - q3 * nx + ${rx}u < nx` : ''};
  var word = 0u;
  if (inside) {
    word = ${init4};
    for (var dz = -P.rz; dz <= P.rz; dz++) {
      for (var dy = -P.ry; dy <= P.ry; dy++) {
        let row = i0 + u32(dz) * plane + u32(dy) * nx;
        ${dxs.map((dx) => { const w = `window4(row${dx === 0 ? '' : ` + u32(${dx}i)`})`; return `word = word ${op} ${raw ? `nonzero_bytes(${w})` : w};`; }).join('\n        ')}
      }
    }
    if (n - i0 < 4u) { word = word & ((1u << (8u * (n - i0))) - 1u); }
  } else {
    for (var k = 0u; k < 4u; k++) {
      let i = i0 + k;
      if (i >= n) { break; }
      let x = i % nx;
      let y = i32((i / nx) % ny);
      let z = i32(i / plane);
      var m = ${init1};
      for (var dz = -P.rz; dz <= P.rz; dz++) {
        let zz = bnd(z + dz, i32(nz));
        for (var dy = -P.ry; dy <= P.ry; dy++) {
          let yy = bnd(y + dy, i32(ny));
          for (var dx = -${rx}; dx <= ${rx}; dx++) {
            let xx = bnd(i32(x) + dx, i32(nx));
            var v = P.cval;
            if (min(xx, min(zz, yy)) >= 0) { v = byte_at((u32(zz) * ny + u32(yy)) * nx + u32(xx)); }
            m = ${kind}(m, v);
          }
        }
      }
      word = word | (m << (k * 8u));
    }
  }
  dst_buf[w] = word;`;
  return {
    label: `binary-box-rows:${kind}${raw ? ' raw' : ''}`,
    bindings: [
      { name: 'src_buf', type: 'array<u32>' },
      { name: 'dst_buf', type: 'array<u32>', access: 'read_write' },
    ],
    uniforms,
    workgroupSize: WG,
    declarations,
    body,
  };
}

function binary(fn: string, kind: 'min' | 'max', shape: FootprintShape, input: GpuImage, rx: number, ry: number, rz: number, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  return binaryMorphology(fn, kind, shape, img, radius, checkBoundary(options, fn));
}

/**
 * Binary erosion with radius 1 over the box (Moore) neighbourhood: 8 neighbours in 2D, 26 in
 * 3D. Input of any dtype (non-zero = foreground); result uint8 0/1. pyclesperanto: `erode_box`
 * (whose result has the input's dtype); scipy: `ndi.binary_erosion(a != 0, np.ones((3,)*ndim),
 * border_value=...)`. Outside pixels follow the boundary mode, by default 'nearest' as
 * pyclesperanto (scipy's default border_value=0 corresponds to { mode: 'constant', cval: 0 }).
 */
export const erodeBox = defineOp(RADIUS_ONE, function erodeBox(input: GpuImage, options?: BoundaryOptions): GpuImage {
  return binary('erodeBox', 'min', 'box', input, 1, 1, 1, options);
});

/**
 * Binary erosion with radius 1 over the von Neumann neighbourhood (4 neighbours in 2D, 6 in 3D);
 * uint8 0/1. pyclesperanto: `erode_sphere`; scipy: `ndi.binary_erosion(a != 0,
 * ndi.generate_binary_structure(ndim, 1), border_value=...)`. See {@link erodeBox}.
 */
export const erodeSphere = defineOp(RADIUS_ONE, function erodeSphere(input: GpuImage, options?: BoundaryOptions): GpuImage {
  return binary('erodeSphere', 'min', 'sphere', input, 1, 1, 1, options);
});

/** Binary dilation with radius 1 over the box neighbourhood; uint8 0/1. pyclesperanto: `dilate_box`; scipy: `ndi.binary_dilation`. See {@link erodeBox}. */
export const dilateBox = defineOp(RADIUS_ONE, function dilateBox(input: GpuImage, options?: BoundaryOptions): GpuImage {
  return binary('dilateBox', 'max', 'box', input, 1, 1, 1, options);
});

/** Binary dilation with radius 1 over the von Neumann neighbourhood; uint8 0/1. pyclesperanto: `dilate_sphere`. See {@link erodeSphere}. */
export const dilateSphere = defineOp(RADIUS_ONE, function dilateSphere(input: GpuImage, options?: BoundaryOptions): GpuImage {
  return binary('dilateSphere', 'max', 'sphere', input, 1, 1, 1, options);
});

/**
 * Binary erosion of (input != 0) with a box or ellipsoid (`connectivity` 'box' or 'sphere')
 * of the given integer radii; uint8 0/1. pyclesperanto: `binary_erode`; scipy:
 * `ndi.binary_erosion(a != 0, footprint, border_value=...)`. Boxes run as an x pass and one y/z
 * pass over 1 byte per pixel (y and z apart beyond radius 1 in both); see {@link erodeBox}.
 */
export const binaryErode = defineOp(footprintOp('uint8', { connectivity: true }), function binaryErode(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return binary('binaryErode', 'min', checkConnectivity(connectivity, 'binaryErode'), input, radiusX, radiusY, radiusZ, options);
});

/** Binary dilation; see {@link binaryErode}. pyclesperanto: `binary_dilate`; scipy: `ndi.binary_dilation`. */
export const binaryDilate = defineOp(footprintOp('uint8', { connectivity: true }), function binaryDilate(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return binary('binaryDilate', 'max', checkConnectivity(connectivity, 'binaryDilate'), input, radiusX, radiusY, radiusZ, options);
});
