import { resolve } from 'node:path';
import { rng } from './data';

/** Path of the neighbour-graph reference helpers (source tree). */
const REF = resolve(__dirname, '../../../test/support/neighbours_ref.py');

/** Wraps an oracle expression so it can call the helpers of neighbours_ref.py as `N.<name>`. */
export function withNeighbours(expr: string): string {
  return `(lambda N: ${expr})(__import__('types').SimpleNamespace(**__import__('runpy').run_path(${JSON.stringify(REF)})))`;
}

/**
 * A Voronoi-like label image: each pixel takes the label (1..seeds) of its nearest random seed,
 * or 0 where that seed is farther than `radius` (so some labels touch, some touch the
 * background, some stand alone). Deterministic for a seed. `drop` labels are set to 0 (gaps).
 */
export function voronoiLabels(shape: readonly number[], seeds: number, radius: number, seed = 1, drop: number[] = []): { data: Uint32Array; shape: number[]; dtype: string } {
  const r = rng(seed);
  const dims = shape.length;
  const points = Array.from({ length: seeds }, () => shape.map((e) => r() * e));
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Uint32Array(n);
  const idx = new Array(dims).fill(0);
  for (let i = 0; i < n; i++) {
    let rest = i;
    for (let d = dims - 1; d >= 0; d--) {
      idx[d] = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
    }
    let best = -1;
    let bestD = Infinity;
    points.forEach((p, k) => {
      const dd = p.reduce((s, v, d) => s + (v - idx[d]) ** 2, 0);
      if (dd < bestD) [best, bestD] = [k, dd];
    });
    const label = best + 1;
    data[i] = Math.sqrt(bestD) <= radius && !drop.includes(label) ? label : 0;
  }
  return { data, shape: [...shape], dtype: 'uint32' };
}

/** Path of the Python reference helpers of the labeling tests (source tree). */
const LABELS_REF = resolve(__dirname, '../../../test/support/labels_ref.py');

/**
 * Wraps an oracle expression so it can call the helpers of labels_ref.py as `L.<name>`, e.g.
 * `withLabelsRef("L.label(a, 'box')")`.
 */
export function withLabelsRef(expr: string): string {
  return `(lambda L: ${expr})(__import__('types').SimpleNamespace(**__import__('runpy').run_path(${JSON.stringify(LABELS_REF)})))`;
}
