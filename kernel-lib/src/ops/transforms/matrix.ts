import { TesseraError } from '../../errors';

/**
 * Host-side 4x4 homogeneous matrices (row-major, acting on column vectors (x, y, z, 1)) for
 * the affine transforms. Built and inverted once per call in float64; the GPU receives the
 * 3x4 inverse as uniforms and evaluates it with multiply-adds per pixel.
 */
export type Mat4 = number[];

export const identity = (): Mat4 => [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

/** a · b (apply b first, then a). */
export function multiply(a: Mat4, b: Mat4): Mat4 {
  const r = new Array<number>(16).fill(0);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[i * 4 + k] * b[k * 4 + j];
      r[i * 4 + j] = s;
    }
  }
  return r;
}

/** Composes transforms applied in the order given: compose(a, b, c) = c · b · a. */
export const compose = (...ms: Mat4[]): Mat4 => ms.reduce((acc, m) => multiply(m, acc), identity());

export function translation(tx: number, ty: number, tz: number): Mat4 {
  return [1, 0, 0, tx, 0, 1, 0, ty, 0, 0, 1, tz, 0, 0, 0, 1];
}

export function scaling(sx: number, sy: number, sz: number): Mat4 {
  return [sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, 0, 0, 0, 1];
}

/**
 * Rotation by `degrees` about axis 0 (x), 1 (y) or 2 (z), as pyclesperanto (CLIc
 * TransformMatrix::rotate): about z, (x, y) -> (x cos - y sin, x sin + y cos). Cosines and
 * sines below 1e-12 in magnitude become 0, so that multiples of 90° are exact.
 */
export function rotation(axis: 0 | 1 | 2, degrees: number): Mat4 {
  const rad = (degrees * Math.PI) / 180;
  const snap = (v: number) => (Math.abs(v) < 1e-12 ? 0 : v);
  const c = snap(Math.cos(rad));
  const s = snap(Math.sin(rad));
  const m = identity();
  const [i, j] = axis === 0 ? [1, 2] : axis === 1 ? [2, 0] : [0, 1];
  m[i * 4 + i] = c;
  m[i * 4 + j] = -s;
  m[j * 4 + i] = s;
  m[j * 4 + j] = c;
  return m;
}

/** The inverse, or undefined when the matrix is singular (relative pivot below 1e-12). */
export function invert(m: Mat4): Mat4 | undefined {
  const a = [...m];
  const inv = identity();
  const scale = Math.max(...m.map(Math.abs), 1e-300);
  for (let col = 0; col < 4; col++) {
    let pivot = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(a[r * 4 + col]) > Math.abs(a[pivot * 4 + col])) pivot = r;
    if (Math.abs(a[pivot * 4 + col]) <= 1e-12 * scale) return undefined;
    for (let k = 0; k < 4; k++) {
      [a[col * 4 + k], a[pivot * 4 + k]] = [a[pivot * 4 + k], a[col * 4 + k]];
      [inv[col * 4 + k], inv[pivot * 4 + k]] = [inv[pivot * 4 + k], inv[col * 4 + k]];
    }
    const p = a[col * 4 + col];
    for (let k = 0; k < 4; k++) {
      a[col * 4 + k] /= p;
      inv[col * 4 + k] /= p;
    }
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = a[r * 4 + col];
      if (f === 0) continue;
      for (let k = 0; k < 4; k++) {
        a[r * 4 + k] -= f * a[col * 4 + k];
        inv[r * 4 + k] -= f * inv[col * 4 + k];
      }
    }
  }
  return inv;
}

/** Applies m to the point (x, y, z). */
export function apply(m: Mat4, p: [number, number, number]): [number, number, number] {
  const r = [0, 1, 2].map((i) => m[i * 4] * p[0] + m[i * 4 + 1] * p[1] + m[i * 4 + 2] * p[2] + m[i * 4 + 3]);
  return [r[0], r[1], r[2]];
}

/**
 * pyclesperanto places pixel k on [k, k + 1) (corner coordinates, centres at k + 0.5);
 * scipy places its centre at k. The same mapping in scipy's coordinates:
 * T(-0.5) · m · T(+0.5).
 */
export const cornerToCentre = (m: Mat4): Mat4 => compose(translation(0.5, 0.5, 0.5), m, translation(-0.5, -0.5, -0.5));

/** Flattens a matrix given as a flat list, a typed array or nested rows; checks every entry is finite. */
export function flattenMatrix(x: unknown, argument: string): { values: number[]; rows: number; cols: number } {
  const bad = () => new TesseraError(`${argument} must be a matrix: a flat list of numbers or an array of equal-length rows of numbers`);
  let values: number[];
  let rows: number;
  let cols: number;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    values = Array.from(x as unknown as ArrayLike<number>, Number);
    rows = 1;
    cols = values.length;
  } else if (Array.isArray(x) && x.length > 0 && x.every((r) => typeof r === 'number')) {
    values = x as number[];
    rows = 1;
    cols = values.length;
  } else if (Array.isArray(x) && x.length > 0 && x.every((r) => Array.isArray(r) || ArrayBuffer.isView(r))) {
    const rs = x.map((r) => Array.from(r as ArrayLike<number>));
    cols = rs[0].length;
    if (cols === 0 || rs.some((r) => r.length !== cols || r.some((v) => typeof v !== 'number'))) throw bad();
    rows = rs.length;
    values = rs.flat();
  } else {
    throw bad();
  }
  const nonFinite = values.find((v) => !Number.isFinite(v));
  if (nonFinite !== undefined) throw new TesseraError(`${argument} must hold finite numbers; found ${nonFinite}`);
  return { values, rows, cols };
}
