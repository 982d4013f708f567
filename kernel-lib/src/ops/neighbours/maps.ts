import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { checkLabelImage, checkNeighbourCount } from '../../validate/neighbours';
import { set } from '../arithmetic/set-operations';
import { defineOp, image } from '../op';
import { centroidsOfLabels } from '../measure/statistics';
import { averageDistanceOfNClosestPoints, averageDistanceOfTouchingNeighbors, generateDistanceMatrix } from './distance-matrix';
import { countTouchingNeighbors, generateTouchMatrix } from './touch-matrix';

/**
 * Label-wise neighbour maps: a per-label value (a vector [1, N + 1], entry k for label k) painted
 * onto the label image as float32, background 0.
 */

/**
 * Replaces each label k by `values[k]` (float32; labels beyond the vector give 0). What
 * pyclesperanto's `replace_intensities` does; kept internal here because the `labels` branch
 * owns the public label maps (to be swapped for its `replaceIntensities` at merge).
 */
export function labelValueMap(fn: string, labels: GpuImage, values: GpuImage): GpuImage {
  return runPixelProgram({
    op: `${fn} map`,
    inputs: { lab: labels, v: values },
    output: create(labels.shape, 'float32'),
    scalars: { n: { type: 'u32', value: values.size } },
    computeType: 'f32',
    body: `let l = u32(load_lab(i));
  if (l == 0u || l >= P.n) { return 0.0; }
  return f32(load_v(l));`,
  });
}

async function withTouchMatrix(fn: string, labels: GpuImage, use: (touch: GpuImage) => Promise<GpuImage> | GpuImage): Promise<GpuImage> {
  checkLabelImage(labels, `${fn}: labels`);
  const touch = await generateTouchMatrix(labels);
  try {
    // No labels: nothing touches, every pixel is background.
    if (touch.shape[0] === 1) return set(create(labels.shape, 'float32'), 0);
    return await use(touch);
  } finally {
    touch.release();
  }
}

/**
 * Each label replaced by the number of labels it touches (the background does not count),
 * float32. Async. pyclesperanto: `touching_neighbor_count_map`.
 */
export const touchingNeighborCountMap = defineOp(
  { params: [image('labels')], output: 'float32', tiling: 'global' },
  async function touchingNeighborCountMap(labels: GpuImage): Promise<GpuImage> {
    const fn = 'touchingNeighborCountMap';
    return withTouchMatrix(fn, labels, (touch) => {
      const counts = countTouchingNeighbors(touch, true);
      const map = labelValueMap(fn, labels, counts);
      counts.release();
      return map;
    });
  },
);

/**
 * The seed's "average centroid distance of neighbours": each label replaced by the mean
 * distance from its centroid to the centroids of the labels it touches (0 without
 * neighbours), float32. Assumes isotropic pixels. Async.
 * pyclesperanto_prototype: `average_neighbor_distance_map`.
 */
export const averageNeighborDistanceMap = defineOp(
  { params: [image('labels')], output: 'float32', tiling: 'global' },
  async function averageNeighborDistanceMap(labels: GpuImage): Promise<GpuImage> {
    const fn = 'averageNeighborDistanceMap';
    return withTouchMatrix(fn, labels, async (touch) => {
      const centroids = await centroidsOfLabels(labels);
      const distances = generateDistanceMatrix(centroids, centroids);
      const averages = averageDistanceOfTouchingNeighbors(distances, touch);
      const map = labelValueMap(fn, labels, averages);
      for (const img of [centroids, distances, averages]) img.release();
      return map;
    });
  },
);

/**
 * Each label replaced by the mean distance from its centroid to the centroids of its n closest
 * other labels, float32. Assumes isotropic pixels. Async.
 * pyclesperanto_prototype: `average_distance_of_n_closest_neighbors_map` (= `average_distance_of_n_nearest_neighbors_map`).
 */
export const averageDistanceOfNClosestNeighborsMap = defineOp(
  {
    params: [image('labels'), { name: 'n', kind: 'number', integer: true, default: 1, min: 1, soft: [1, 10] }],
    output: 'float32',
    tiling: 'global',
  },
  async function averageDistanceOfNClosestNeighborsMap(labels: GpuImage, n = 1): Promise<GpuImage> {
    const fn = 'averageDistanceOfNClosestNeighborsMap';
    checkLabelImage(labels, `${fn}: labels`);
    const centroids = await centroidsOfLabels(labels);
    try {
      checkNeighbourCount(n, centroids.shape[1] - 1, `${fn}: n`, 'labels');
      const distances = generateDistanceMatrix(centroids, centroids);
      const averages = averageDistanceOfNClosestPoints(distances, n);
      const map = labelValueMap(fn, labels, averages);
      distances.release();
      averages.release();
      return map;
    } finally {
      centroids.release();
    }
  },
);
