import type { GpuImage } from '../../array/gpu-image';
import { pull, push } from '../../array/transfer';
import { TesseraError } from '../../errors';
import { checkIntensity, checkLabels } from '../../validate/labels';
import { defineOp, flag, image } from '../op';
import { FirstSums, SecondSums, type StatisticsTable, statisticsTable } from './derive';

/**
 * Per-label measurements. (First version: sums on the host; the GPU engine replaces it.)
 */
async function labelSums(intensity: GpuImage, labels: GpuImage): Promise<{ s1: FirstSums; s2: SecondSums; rows: number }> {
  const [v, l] = await Promise.all([pull(intensity), pull(labels)]);
  const shape = labels.shape;
  const nx = shape[shape.length - 1];
  const ny = shape.length > 1 ? shape[shape.length - 2] : 1;
  let max = 0;
  for (let i = 0; i < l.data.length; i++) max = Math.max(max, Number(l.data[i]));
  const rows = max + 1;
  const z = () => new Float64Array(rows);
  const fill = (x: number) => new Float64Array(rows).fill(x);
  const s1: FirstSums = {
    count: z(), sumX: z(), sumY: z(), sumZ: z(), minX: fill(Infinity), minY: fill(Infinity), minZ: fill(Infinity),
    maxX: fill(-Infinity), maxY: fill(-Infinity), maxZ: fill(-Infinity), sumV: z(), minV: fill(Infinity), maxV: fill(-Infinity),
    sumVX: z(), sumVY: z(), sumVZ: z(),
  };
  const at = (i: number) => [i % nx, Math.floor(i / nx) % ny, Math.floor(i / (nx * ny))];
  for (let i = 0; i < l.data.length; i++) {
    const k = Number(l.data[i]);
    if (k <= 0) continue;
    const [x, y, zz] = at(i);
    const val = Number(v.data[i]);
    s1.count[k]++;
    s1.sumX[k] += x; s1.sumY[k] += y; s1.sumZ[k] += zz;
    s1.minX[k] = Math.min(s1.minX[k], x); s1.minY[k] = Math.min(s1.minY[k], y); s1.minZ[k] = Math.min(s1.minZ[k], zz);
    s1.maxX[k] = Math.max(s1.maxX[k], x); s1.maxY[k] = Math.max(s1.maxY[k], y); s1.maxZ[k] = Math.max(s1.maxZ[k], zz);
    s1.sumV[k] += val; s1.minV[k] = Math.min(s1.minV[k], val); s1.maxV[k] = Math.max(s1.maxV[k], val);
    s1.sumVX[k] += val * x; s1.sumVY[k] += val * y; s1.sumVZ[k] += val * zz;
  }
  const s2: SecondSums = {
    refX: z(), refY: z(), refZ: z(), refV: z(), sumDV: z(), sumDV2: z(), sumDistC: z(), maxDistC: z(), sumDistM: z(), maxDistM: z(),
    sumDX: z(), sumDY: z(), sumDZ: z(), sumDXX: z(), sumDYY: z(), sumDZZ: z(), sumDXY: z(), sumDXZ: z(), sumDYZ: z(),
  };
  for (let k = 0; k < rows; k++) {
    const n = s1.count[k];
    s2.refX[k] = s1.sumX[k] / n; s2.refY[k] = s1.sumY[k] / n; s2.refZ[k] = s1.sumZ[k] / n; s2.refV[k] = s1.sumV[k] / n;
  }
  for (let i = 0; i < l.data.length; i++) {
    const k = Number(l.data[i]);
    if (k <= 0) continue;
    const [x, y, zz] = at(i);
    const dv = Number(v.data[i]) - s2.refV[k];
    const dx = x - s2.refX[k];
    const dy = y - s2.refY[k];
    const dz = zz - s2.refZ[k];
    const sv = s1.sumV[k];
    const dc = Math.hypot(dx, dy, dz);
    const dm = Math.hypot(x - s1.sumVX[k] / sv, y - s1.sumVY[k] / sv, zz - s1.sumVZ[k] / sv);
    s2.sumDV[k] += dv; s2.sumDV2[k] += dv * dv;
    s2.sumDistC[k] += dc; s2.maxDistC[k] = Math.max(s2.maxDistC[k], dc);
    s2.sumDistM[k] += dm; s2.maxDistM[k] = Math.max(s2.maxDistM[k], dm);
    s2.sumDX[k] += dx; s2.sumDY[k] += dy; s2.sumDZ[k] += dz;
    s2.sumDXX[k] += dx * dx; s2.sumDYY[k] += dy * dy; s2.sumDZZ[k] += dz * dz;
    s2.sumDXY[k] += dx * dy; s2.sumDXZ[k] += dx * dz; s2.sumDYZ[k] += dy * dz;
  }
  return { s1, s2, rows };
}

/**
 * Measurements of every label 1..N of `labels` (N its largest label) over `intensity`: a
 * {@link StatisticsTable}, one row per label (row k-1 is label k; labels without pixels have
 * area 0 and NaN elsewhere). Columns (pyclesperanto's names, then skimage's shape measures):
 *
 * - `label`; `area` (pixel / voxel count);
 * - `bbox_min_x/y/z`, `bbox_max_x/y/z` (inclusive pixel indices), `bbox_width/height/depth`;
 * - `centroid_x/y/z` (mean pixel coordinate), `mass_center_x/y/z` (intensity-weighted);
 * - `sum_intensity`, `mean_intensity`, `min_intensity`, `max_intensity`,
 *   `standard_deviation_intensity` (population, as numpy's std);
 * - `sum/mean/max_distance_to_centroid`, `sum/mean/max_distance_to_mass_center`,
 *   `mean_max_distance_to_centroid_ratio`, `mean_max_distance_to_mass_center_ratio` (max / mean);
 * - `equivalent_diameter` ((2·ndim·area/π)^(1/ndim)), `extent` (area / bounding-box area),
 *   `eccentricity` (2D; NaN for 3D), `major_axis_length`, `minor_axis_length` (from the second
 *   central moments, as skimage.measure.regionprops).
 *
 * Coordinates are pixel indices along x (last axis), y, z; 2D images have z = 0. Columns are
 * Float64Array (`label`: Uint32Array). Async: the table is read back from the GPU.
 * pyclesperanto: `statistics_of_labelled_pixels(intensity, labels)`; skimage:
 * `measure.regionprops_table(labels, intensity, properties=...)`.
 */
export const statisticsOfLabelledPixels = defineOp(
  { params: [image('intensity'), image('labels')], output: 'none', tiling: 'global' },
  async function statisticsOfLabelledPixels(intensity: GpuImage, labels: GpuImage): Promise<StatisticsTable> {
    const fn = 'statisticsOfLabelledPixels';
    const l = checkLabels(labels, fn);
    const v = checkIntensity(intensity, l, fn);
    const { s1, s2, rows } = await labelSums(v, l);
    return statisticsTable(s1, s2, 1, rows - 1, l.ndim);
  },
);

/**
 * {@link statisticsOfLabelledPixels} with a first row for the background (label 0: the pixels
 * whose label is 0). pyclesperanto: `statistics_of_background_and_labelled_pixels`.
 */
export const statisticsOfBackgroundAndLabelledPixels = defineOp(
  { params: [image('intensity'), image('labels')], output: 'none', tiling: 'global' },
  async function statisticsOfBackgroundAndLabelledPixels(intensity: GpuImage, labels: GpuImage): Promise<StatisticsTable> {
    const fn = 'statisticsOfBackgroundAndLabelledPixels';
    const l = checkLabels(labels, fn);
    const v = checkIntensity(intensity, l, fn);
    // First version: shift labels by one on the host.
    const pulled = await pull(l);
    const shifted = new Uint32Array(pulled.data.length);
    for (let i = 0; i < shifted.length; i++) shifted[i] = Number(pulled.data[i]) + 1;
    const s = push(shifted, l.shape);
    try {
      const { s1, s2, rows } = await labelSums(v, s);
      const table = statisticsTable(s1, s2, 1, rows - 1, l.ndim);
      for (let r = 0; r < table.rowCount; r++) table.label[r] = r;
      return table;
    } finally {
      s.release();
    }
  },
);

/**
 * The centroids of labels 1..N as a point list: a float32 GpuImage of shape [ndim, N], row 0
 * the x coordinates, row 1 y, row 2 z (3D), column k-1 label k (labels without pixels: NaN).
 * With `includeBackground`, N+1 columns, the first for label 0. Async (the label count is read
 * back first). pyclesperanto: `centroids_of_labels`.
 */
export const centroidsOfLabels = defineOp(
  { params: [image('labels'), flag('includeBackground', false)], output: 'float32', tiling: 'global' },
  async function centroidsOfLabels(labels: GpuImage, includeBackground = false): Promise<GpuImage> {
    const fn = 'centroidsOfLabels';
    const l = checkLabels(labels, fn);
    const table = includeBackground ? await statisticsOfBackgroundAndLabelledPixels(l, l) : await statisticsOfLabelledPixels(l, l);
    const n = table.rowCount;
    const nd = l.ndim;
    const out = new Float32Array(nd * n);
    const cols = [table.centroid_x, table.centroid_y, table.centroid_z];
    for (let d = 0; d < nd; d++) for (let k = 0; k < n; k++) out[d * n + k] = cols[d][k];
    if (n === 0) throw new TesseraError(`${fn}: labels holds no label (every pixel is 0); a point list needs at least one point`);
    return push(out, [nd, n], { allowNonFinite: true });
  },
);
