import { ComputeType, computeType } from '../dtype';
import type { GpuImage } from '../array/gpu-image';
import { boundaryFunction } from './boundary';
import { constantTable } from './constants';
import { TesseraError } from '../errors';
import { runGeneratedProgram, runPixelProgram } from './program';
import { type BoundaryMode } from '../validate/modes';

/**
 * One generator for every non-separable neighbourhood filter (CuPy's `_generate_nd_kernel`
 * idea): an operation gives three WGSL snippets,
 *
 * - `pre`   statements before the loop (declare accumulators; `c` is the pixel, `i` its index),
 * - `found` statements for each neighbour inside the footprint: `v` is its value (the value
 *   type, by default the input's compute type, through an optional `prologue`) and
 *   `dx, dy, dz` its offset,
 * - `post`  statements ending in `return <value>;` of `computeType`,
 *
 * and the generator writes the loops, the boundary handling (the shared `bnd` index map of
 * codegen/boundary.ts, the mode a uniform, or `cval` outside for 'constant') and everything runPixelProgram does (packing,
 * saturation, dispatch). Pixels whose whole footprint lies inside the image take a loop
 * without boundary checks, reading along contiguous rows.
 *
 * The footprint is a list of rows (dz, dy, half-width in x), uploaded once per shape; a box
 * has every row at full width, a sphere (ellipsoid with per-axis radii, as pyclesperanto's
 * `*_sphere`) the rows of { (dx/rx)² + (dy/ry)² + (dz/rz)² <= 1 }, axes of radius 0 dropped.
 */
export type FootprintShape = 'box' | 'sphere';

export interface Footprint {
  shape: FootprintShape;
  /** Radii along x, y, z (0 for axes the image lacks). */
  radius: [number, number, number];
}

/** Footprints of at most this many rows keep their rows for the next call (a filter asks several times per call). */
const KEPT_ROWS = 4096;
const rowsOf = new Map<string, ReadonlyArray<readonly [number, number, number]>>();

/** Rows of the footprint as (dz, dy, hx): offsets dx in [-hx, hx] belong to it. */
export function footprintRows(fp: Footprint): ReadonlyArray<readonly [number, number, number]> {
  const key = `${fp.shape}|${fp.radius[0]},${fp.radius[1]},${fp.radius[2]}`;
  const known = rowsOf.get(key);
  if (known) return known;
  const rows = computeRows(fp);
  if (rows.length <= KEPT_ROWS) rowsOf.set(key, rows);
  return rows;
}

function computeRows(fp: Footprint): Array<[number, number, number]> {
  const [rx, ry, rz] = fp.radius;
  const rows: Array<[number, number, number]> = [];
  for (let dz = -rz; dz <= rz; dz++) {
    for (let dy = -ry; dy <= ry; dy++) {
      if (fp.shape === 'box') {
        rows.push([dz, dy, rx]);
        continue;
      }
      // Exact integer test of dx²/rx² + dy²/ry² + dz²/rz² <= 1 over the axes with radius > 0.
      const axes = [[dy, ry], [dz, rz]].filter(([, r]) => r > 0);
      const rx2 = rx * rx;
      let num = 0;
      let den = 1;
      for (const [d, r] of axes) {
        num = num * r * r + d * d * den;
        den *= r * r;
      }
      // remaining budget for dx²/rx²: (den - num) / den
      if (num > den) continue;
      let hx = 0;
      if (rx > 0) while (hx < rx && (hx + 1) * (hx + 1) * den <= (den - num) * rx2) hx++;
      rows.push([dz, dy, hx]);
    }
  }
  return rows;
}

/** Number of pixels in the footprint. */
export function footprintCount(fp: Footprint): number {
  return footprintRows(fp).reduce((s, [, , hx]) => s + 2 * hx + 1, 0);
}

export interface NeighbourhoodProgram {
  op: string;
  input: GpuImage;
  output: GpuImage;
  footprint: Footprint;
  mode: BoundaryMode;
  /** Value outside the image for mode 'constant', in the value type. */
  cval: number;
  /** Type of `v` in `found` (default: the input's compute type). */
  valueType?: ComputeType;
  /** WGSL expression of `x` (the input's compute type) giving `v` (default a plain conversion). */
  prologue?: string;
  computeType: ComputeType;
  pre: string;
  found: string;
  post: string;
  /**
   * Instead of the loop, declare every footprint value as `v0 … v{n-1}` (offsets unrolled as
   * constants, so small footprints stay in registers; the order is footprintRows' with dx
   * innermost). `found` is then unused and `post` works on the taps. The taps share one
   * boundary-mapped position per axis and offset (and one row start per (dz, dy)), so the
   * boundary code appears once per offset rather than once per tap, and the program runs one
   * pixel per thread: the code stays small enough to compile quickly.
   */
  unrolled?: boolean;
  helpers?: string;
  /**
   * Names what `pre`, `found`, `post`, `prologue`, `helpers` and the value type depend on, when
   * they are generated from parameters: the program's code is then generated once per key and
   * footprint (see runGeneratedProgram) instead of on every call.
   */
  codeKey?: string;
  /** Extra images (same shape as the output), read as `load_<name>(i)` / `at_<name>(c)`. */
  inputs?: Record<string, GpuImage>;
  scalars?: Record<string, { type: ComputeType; value: number }>;
}

/** Most footprint rows ((2·ry+1)·(2·rz+1)) a footprint may have. */
export const MAX_FOOTPRINT_ROWS = 1 << 20;
/**
 * Most pixels a footprint may hold: every output pixel visits them all, so a radius meant in
 * other units (say 4096 on an 8×8 image) would run for minutes instead of failing.
 */
export const MAX_FOOTPRINT_PIXELS = 1 << 24;

/**
 * The footprint's rows as a GPU table of int32 triples (dz, dy, hx), uploaded once per
 * footprint, and their number. Throws for footprints of more than MAX_FOOTPRINT_ROWS rows or
 * MAX_FOOTPRINT_PIXELS pixels.
 */
export function footprintTable(op: string, fp: Footprint): { table: GpuImage; rows: number } {
  const [, ry, rz] = fp.radius;
  if ((2 * ry + 1) * (2 * rz + 1) > MAX_FOOTPRINT_ROWS) {
    throw new TesseraError(`${op}: the footprint (radii ${fp.radius.join(', ')}) is too large; at most ${MAX_FOOTPRINT_ROWS} rows of (2·radiusY+1)·(2·radiusZ+1)`);
  }
  const pixels = footprintCount(fp);
  if (pixels > MAX_FOOTPRINT_PIXELS) {
    throw new TesseraError(`${op}: the footprint (radii ${fp.radius.join(', ')}) holds ${pixels} pixels, and every output pixel visits them all; at most ${MAX_FOOTPRINT_PIXELS} (radii are in pixels)`);
  }
  const table = constantTable(`fp|${fp.shape}|${fp.radius.join(',')}`, () => Int32Array.from(footprintRows(fp).flat()));
  return { table, rows: table.size / 3 };
}

/** The footprint's offsets (dx, dy, dz), in footprintRows' order with dx innermost. */
export function footprintTaps(fp: Footprint): Array<[number, number, number]> {
  const taps: Array<[number, number, number]> = [];
  for (const [dz, dy, hx] of footprintRows(fp)) for (let dx = -hx; dx <= hx; dx++) taps.push([dx, dy, dz]);
  return taps;
}

/**
 * The footprint walk: pixels whose whole footprint lies inside the image take a loop without
 * boundary checks, reading along contiguous rows; the others map each position through the
 * boundary mode. `visit` runs for every neighbour with `v` its value.
 */
function footprintLoop(p: NeighbourhoodProgram, t: ComputeType): string {
  if (p.unrolled) {
    const taps = footprintTaps(p.footprint);
    const [rx, ry, rz] = p.footprint.radius;
    const at = (d: number) => (d < 0 ? `m${-d}` : `p${d}`);
    const lines: string[] = [];
    for (const [axis, r, n] of [['x', rx, 'nx'], ['y', ry, 'ny'], ['z', rz, 'nz']] as const) {
      for (let d = -r; d <= r; d++) lines.push(`let ${axis}_${at(d)} = bnd(c.${axis} + ${d}, ${n});`);
    }
    // Row starts, -1 where the row lies outside ('constant' mode).
    for (const [dz, dy] of footprintRows(p.footprint)) {
      const [z, y] = [`z_${at(dz)}`, `y_${at(dy)}`];
      lines.push(`let r_${at(dz)}_${at(dy)} = select(-1, (${z} * ny + ${y}) * nx, min(${z}, ${y}) >= 0);`);
    }
    taps.forEach(([dx, dy, dz], k) => lines.push(`var v${k}: ${t} = tap(r_${at(dz)}_${at(dy)}, x_${at(dx)});`));
    return lines.join('\n  ');
  }
  return `if (inside) {
    for (var k = 0u; k < P.rows; k++) {
      let dz = load_fp(3u * k);
      let dy = load_fp(3u * k + 1u);
      let hx = load_fp(3u * k + 2u);
      let row = i32(i) + (dz * ny + dy) * nx;
      for (var dx = -hx; dx <= hx; dx++) {
        let v = pro(load_a(u32(row + dx)));
        ${p.found.trim()}
      }
    }
  } else {
    for (var k = 0u; k < P.rows; k++) {
      let dz = load_fp(3u * k);
      let dy = load_fp(3u * k + 1u);
      let hx = load_fp(3u * k + 2u);
      let zz = bnd(c.z + dz, nz);
      let yy = bnd(c.y + dy, ny);
      let plane = (zz * ny + yy) * nx;
      for (var dx = -hx; dx <= hx; dx++) {
        let xx = bnd(c.x + dx, nx);
        var v: ${t} = P.cval;
        if (min(xx, min(yy, zz)) >= 0) { v = pro(load_a(u32(plane + xx))); }
        ${p.found.trim()}
      }
    }
  }`;
}

/** Records the program and returns its output. */
export function runNeighbourhood(p: NeighbourhoodProgram): GpuImage {
  const { table, rows: rowCount } = footprintTable(p.op, p.footprint);
  const [rx, ry, rz] = p.footprint.radius;
  const t = p.valueType ?? computeType(p.input.dtype);
  const generate = () => ({
    body: `let nx = i32(P.a_shape.x);
  let ny = i32(P.a_shape.y);
  let nz = i32(P.a_shape.z);
  ${p.unrolled ? '' : 'let inside = c.x >= P.rx && c.x + P.rx < nx && c.y >= P.ry && c.y + P.ry < ny && c.z >= P.rz && c.z + P.rz < nz;'}
  ${p.pre.trim()}
  ${footprintLoop(p, t)}
  ${p.post.trim()}`,
    helpers: [
      boundaryFunction(p.mode, 'bnd'),
      `fn pro(x: ${computeType(p.input.dtype)}) -> ${t} { return ${p.prologue ?? `${t}(x)`}; }`,
      p.unrolled
        ? `fn tap(row: i32, x: i32) -> ${t} {
  if (min(row, x) < 0) { return P.cval; }
  return pro(load_a(u32(row + x)));
}`
        : '',
      p.helpers ?? '',
    ].join('\n'),
  });
  const program = {
    op: p.op,
    inputs: p.unrolled ? { a: p.input, ...(p.inputs ?? {}) } : { a: p.input, fp: table, ...(p.inputs ?? {}) },
    output: p.output,
    scalars: {
      rows: { type: 'u32' as const, value: rowCount },
      rx: { type: 'i32' as const, value: rx },
      ry: { type: 'i32' as const, value: ry },
      rz: { type: 'i32' as const, value: rz },
      cval: { type: t, value: p.cval },
      ...(p.scalars ?? {}),
    },
    coords: true,
    scalar: p.unrolled === true,
    computeType: p.computeType,
  };
  if (p.codeKey === undefined) return runPixelProgram({ ...program, ...generate() });
  const types = (images: Record<string, GpuImage>) => Object.entries(images).map(([n, img]) => `${n}:${img.dtype}`).join(',');
  const scalarTypes = Object.entries(p.scalars ?? {}).map(([n, v]) => `${n}:${v.type}`).join(',');
  const codeKey = `neighbourhood|${p.op}|${p.codeKey}|${p.input.dtype}>${p.output.dtype}|${t}|${p.computeType}|${p.unrolled === true}|` +
    `${p.footprint.shape}|${p.footprint.radius.join(',')}|${p.mode}|${types(p.inputs ?? {})}|${scalarTypes}`;
  return runGeneratedProgram(program, codeKey, generate);
}
