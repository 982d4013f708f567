import { resolve } from 'node:path';

/** Path of the Python reference helpers (source tree, next to this file's source). */
const REF = resolve(__dirname, '../../../test/support/neighbourhood_ref.py');

/**
 * Wraps an oracle expression so it can call the helpers of neighbourhood_ref.py as `R.<name>`,
 * e.g. `withRef("R.mean(a, R.footprint('sphere', 3, 2, 2, 1), 'nearest')")`.
 */
export function withRef(expr: string): string {
  return `(lambda R: ${expr})(__import__('types').SimpleNamespace(**__import__('runpy').run_path(${JSON.stringify(REF)})))`;
}

/** Footprint expression for an image of `ndim` dimensions. */
export function fp(shape: 'box' | 'sphere', ndim: number, rx: number, ry: number, rz: number): string {
  return `R.footprint('${shape}', ${ndim}, ${rx}, ${ry}, ${rz})`;
}
