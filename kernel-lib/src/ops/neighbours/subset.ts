import type { GpuImage } from '../../array/gpu-image';
import { create, push } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { computeType } from '../../dtype';
import { ZERO } from '../../codegen/snippets';
import { checkLabelSubset, type LabelSubset } from '../../validate/neighbours';

/**
 * Meshes restricted to a subset of labels (the surface and sub-surface meshes of
 * ops/surface/): a neighbour matrix ([N + 1, N + 1], row/column 0 the background) keeps the
 * entries [a, b] whose two labels belong to the subset — both to one list, or one to `from`
 * and the other to `to` — and is 0 elsewhere. Not an operation of its own: the mesh
 * operations take it as their `subset` option.
 */

/** One flag word per label 0..n: bit 0 = in `from`, bit 1 = in `to` (ids above n select nothing). */
function subsetFlags(subset: { from: ArrayLike<number>; to: ArrayLike<number> }, n: number): Uint32Array {
  const flags = new Uint32Array(n + 1);
  for (let k = 0; k < subset.from.length; k++) if (subset.from[k] <= n) flags[subset.from[k]] |= 1;
  for (let k = 0; k < subset.to.length; k++) if (subset.to[k] <= n) flags[subset.to[k]] |= 2;
  flags[0] = 0;
  return flags;
}

/**
 * `matrix` with the entries outside `subset` set to 0 (same shape and dtype, a new image), or
 * `matrix` itself when `subset` is undefined. `argument` names the option in errors.
 */
export function restrictToSubset(fn: string, matrix: GpuImage, subset: LabelSubset | undefined, argument = `${fn}: options.subset`): GpuImage {
  if (subset === undefined) return matrix;
  const sets = checkLabelSubset(subset, argument);
  const n = matrix.shape[0] - 1;
  const flags = push(subsetFlags(sets, n), [n + 1]);
  const t = computeType(matrix.dtype);
  const out = runPixelProgram({
    op: 'restrictToSubset',
    inputs: { m: matrix, f: flags },
    output: create(matrix.shape, matrix.dtype),
    coords: true,
    computeType: t,
    body: `let a = load_f(u32(c.y));
  let b = load_f(u32(c.x));
  let keep = ((a & 1u) != 0u && (b & 2u) != 0u) || ((b & 1u) != 0u && (a & 2u) != 0u);
  return select(${ZERO[t]}, load_m(i), keep);`,
  });
  flags.release();
  return out;
}
