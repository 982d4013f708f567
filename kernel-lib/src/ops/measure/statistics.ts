import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { TesseraError } from '../../errors';
import { releaseBuffer } from '../../gpu/buffer-pool';
import { checkIntensity, checkLabels } from '../../validate/labels';
import { defineOp, flag, image } from '../op';
import { FirstSums, SecondSums, type StatisticsTable, statisticsTable } from './derive';
import { Quantity, ReductionKey, decodeReduction, readRange, readTogether, recordPerLabel, recordRange, recordReduction, reductionParts, releaseReduction } from './label-reduce';

/**
 * Per-label measurements: two passes of the per-label reduction engine (label-reduce.ts) and two
 * readbacks. Before them, one pass finds the largest label N and the intensity range (read back:
 * N sizes the tables, the range the fixed-point scales). Pass 1 sums counts, coordinates and
 * intensities (and takes bounding boxes and intensity extremes); a per-label kernel turns them
 * into centroids, means and mass centres on the GPU; pass 2 sums deviations from those (intensity
 * variance, distances, second central moments), so that variances and moments do not lose
 * precision to cancellation. Both tables come back in one transfer; the columns are derived in
 * float64 on the host (derive.ts).
 *
 * Accuracy: counts, bounding boxes, extremes and coordinate sums exact; intensity sums exact
 * fixed-point sums of the float32 values (label-reduce.ts), so sums, means, centroids and mass
 * centres agree with float64 computations to ~1e-7 relative (float32 products v·x). The standard
 * deviation and the central moments (axis lengths, eccentricity) are sums of deviations from the
 * float32 mean and from the centroid rounded to whole pixels (exact squares), moved to the exact
 * mean and centroid on the host, so long thin labels keep their small axes. Distances to the
 * centroid and mass centre are measured from those centres rounded to float32: absolute errors
 * of about a float32 ulp of the coordinate (3e-5 pixels at coordinate 700).
 */
const VABS = 'max(abs(vmin), abs(vmax))';
const VSPAN = '(vmax - vmin)';
const X = 'f32(P.shape.x)';
const Y = 'f32(P.shape.y)';
const Z = 'f32(P.shape.z)';
const DIAG = 'length(vec3<f32>(P.shape.xyz))';

const PASS1: readonly Quantity[] = [
  { name: 'count', kind: 'count' },
  { name: 'sumX', kind: 'sum', value: 'x', bound: X },
  { name: 'sumY', kind: 'sum', value: 'y', bound: Y },
  { name: 'sumZ', kind: 'sum', value: 'z', bound: Z },
  { name: 'minX', kind: 'min', value: 'x', type: 'u32' },
  { name: 'minY', kind: 'min', value: 'y', type: 'u32' },
  { name: 'minZ', kind: 'min', value: 'z', type: 'u32' },
  { name: 'maxX', kind: 'max', value: 'x', type: 'u32' },
  { name: 'maxY', kind: 'max', value: 'y', type: 'u32' },
  { name: 'maxZ', kind: 'max', value: 'z', type: 'u32' },
  { name: 'sumV', kind: 'sum', value: 'v', bound: VABS },
  { name: 'minV', kind: 'min', value: 'v', type: 'f32' },
  { name: 'maxV', kind: 'max', value: 'v', type: 'f32' },
  { name: 'sumVX', kind: 'sum', value: 'v * x', bound: `${VABS} * ${X}` },
  { name: 'sumVY', kind: 'sum', value: 'v * y', bound: `${VABS} * ${Y}` },
  { name: 'sumVZ', kind: 'sum', value: 'v * z', bound: `${VABS} * ${Z}` },
];

/**
 * Pass 1's per-label references for pass 2: centroid (0-2), mean intensity (3), mass centre
 * (4-6), and the centroid rounded to whole pixels (7-9): coordinate deviations from it are whole
 * numbers, so their squares and products are exact in float32 (below 4096 pixels), which keeps
 * the central moments of long thin labels exact; the host moves them to the exact centroid.
 */
const REFERENCES = [
  'q_sumX / q_count', 'q_sumY / q_count', 'q_sumZ / q_count', 'q_sumV / q_count', 'q_sumVX / q_sumV', 'q_sumVY / q_sumV', 'q_sumVZ / q_sumV',
  'round(q_sumX / q_count)', 'round(q_sumY / q_count)', 'round(q_sumZ / q_count)',
];

const DIST_C = 'length(vec3<f32>(x - refv(0u), y - refv(1u), z - refv(2u)))';
// Mass centres may lie outside the image (intensities of both signs): bounded by the largest one.
const DIST_M = 'length(vec3<f32>(x - refv(4u), y - refv(5u), z - refv(6u)))';
const PASS2: readonly Quantity[] = [
  { name: 'count', kind: 'count' },
  { name: 'sumDV', kind: 'sum', value: '(v - refv(3u))', bound: VSPAN },
  { name: 'sumDV2', kind: 'sum', value: '(v - refv(3u)) * (v - refv(3u))', bound: `${VSPAN} * ${VSPAN}` },
  { name: 'sumDistC', kind: 'sum', value: DIST_C, bound: DIAG },
  { name: 'maxDistC', kind: 'max', value: DIST_C, type: 'f32' },
  { name: 'sumDistM', kind: 'sum', value: DIST_M, bound: `${DIAG} + 1.7320508 * rmax` },
  { name: 'maxDistM', kind: 'max', value: DIST_M, type: 'f32' },
  { name: 'sumDX', kind: 'sum', value: '(x - refv(7u))', bound: X },
  { name: 'sumDY', kind: 'sum', value: '(y - refv(8u))', bound: Y },
  { name: 'sumDZ', kind: 'sum', value: '(z - refv(9u))', bound: Z },
  { name: 'sumDXX', kind: 'sum', value: '(x - refv(7u)) * (x - refv(7u))', bound: `${X} * ${X}` },
  { name: 'sumDYY', kind: 'sum', value: '(y - refv(8u)) * (y - refv(8u))', bound: `${Y} * ${Y}` },
  { name: 'sumDZZ', kind: 'sum', value: '(z - refv(9u)) * (z - refv(9u))', bound: `${Z} * ${Z}` },
  { name: 'sumDXY', kind: 'sum', value: '(x - refv(7u)) * (y - refv(8u))', bound: `${X} * ${Y}` },
  { name: 'sumDXZ', kind: 'sum', value: '(x - refv(7u)) * (z - refv(9u))', bound: `${X} * ${Z}` },
  { name: 'sumDYZ', kind: 'sum', value: '(y - refv(8u)) * (z - refv(9u))', bound: `${Y} * ${Z}` },
];

/**
 * Both passes over `labels` with `intensity`; with `background`, label 0 is measured too.
 * Returns the decoded sums of rows 0..N.
 */
async function labelSums(op: string, intensity: GpuImage, labels: GpuImage, background: boolean): Promise<{ s1: FirstSums; s2: SecondSums; rows: number }> {
  const range = recordRange(op, labels, intensity);
  try {
    const { maxLabel } = await readRange(op, range, 'intensity');
    const rows = maxLabel + 1;
    const key1: ReductionKey = { quantities: PASS1, labels: labels.dtype, intensity: intensity.dtype, refs: 0, background };
    const key2: ReductionKey = { quantities: PASS2, labels: labels.dtype, intensity: intensity.dtype, refs: REFERENCES.length, background, rmax: [4, 5, 6] };
    const r1 = recordReduction(`${op}: pass 1`, key1, labels, intensity, rows, range);
    const refs = recordPerLabel(`${op}: centres`, r1, REFERENCES);
    const r2 = recordReduction(`${op}: pass 2`, key2, labels, intensity, rows, range, refs);
    try {
      const [t1, e1, t2, e2, f] = await readTogether(op, [...reductionParts(r1), ...reductionParts(r2), { buffer: refs, bytes: rows * REFERENCES.length * 4 }]);
      const centres = new Float32Array(f.buffer, f.byteOffset, f.length);
      // Pass 2's references as columns (rounded centroid x, y, z and the mean), in one allocation.
      const used = [7, 8, 9, 3];
      const references = new Float64Array(used.length * rows);
      const [refX, refY, refZ, refV] = used.map((k, at) => {
        const c = references.subarray(at * rows, (at + 1) * rows);
        for (let r = 0; r < rows; r++) c[r] = centres[r * REFERENCES.length + k];
        return c;
      });
      const s1 = decodeReduction(r1, t1, e1) as unknown as FirstSums;
      const s2 = { ...decodeReduction(r2, t2, e2), refX, refY, refZ, refV } as unknown as SecondSums;
      return { s1, s2, rows };
    } finally {
      releaseReduction(r1);
      releaseReduction(r2);
      releaseBuffer(refs);
    }
  } finally {
    releaseBuffer(range);
  }
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
 * Float64Array (`label`: Uint32Array). Negative labels (signed label images) are not measured.
 * Async: the table is read back from the GPU. Accuracy: see the module note.
 * pyclesperanto: `statistics_of_labelled_pixels(intensity, labels)`; skimage:
 * `measure.regionprops_table(labels, intensity, properties=...)`.
 */
export const statisticsOfLabelledPixels = defineOp(
  { params: [image('intensity'), image('labels')], output: 'none', tiling: 'global' },
  async function statisticsOfLabelledPixels(intensity: GpuImage, labels: GpuImage): Promise<StatisticsTable> {
    const fn = 'statisticsOfLabelledPixels';
    const l = checkLabels(labels, fn);
    const v = checkIntensity(intensity, l, fn);
    const { s1, s2, rows } = await labelSums(fn, v, l, false);
    return statisticsTable(s1, s2, 1, rows - 1, l.ndim);
  },
);

/**
 * {@link statisticsOfLabelledPixels} with a first row for the background (label 0: the pixels
 * whose label is 0), so row k is label k. pyclesperanto: `statistics_of_background_and_labelled_pixels`.
 */
export const statisticsOfBackgroundAndLabelledPixels = defineOp(
  { params: [image('intensity'), image('labels')], output: 'none', tiling: 'global' },
  async function statisticsOfBackgroundAndLabelledPixels(intensity: GpuImage, labels: GpuImage): Promise<StatisticsTable> {
    const fn = 'statisticsOfBackgroundAndLabelledPixels';
    const l = checkLabels(labels, fn);
    const v = checkIntensity(intensity, l, fn);
    const { s1, s2, rows } = await labelSums(fn, v, l, true);
    return statisticsTable(s1, s2, 0, rows, l.ndim);
  },
);

const CENTROID: readonly Quantity[] = [
  { name: 'count', kind: 'count' },
  { name: 'sumX', kind: 'sum', value: 'x', bound: X },
  { name: 'sumY', kind: 'sum', value: 'y', bound: Y },
  { name: 'sumZ', kind: 'sum', value: 'z', bound: Z },
];

/**
 * The centroids of labels 1..N as a point list: a float32 GpuImage of shape [ndim, N], row 0
 * the x coordinates, row 1 y, row 2 z (3D), column k-1 label k (labels without pixels: NaN).
 * With `includeBackground`, N+1 columns, the first for label 0. Async: the largest label is read
 * back first (it sizes the list); the centroids themselves stay on the GPU. Exact sums of the
 * coordinates, one float32 division. pyclesperanto: `centroids_of_labels`.
 */
export const centroidsOfLabels = defineOp(
  { params: [image('labels'), flag('includeBackground', false)], output: 'float32', tiling: 'global' },
  async function centroidsOfLabels(labels: GpuImage, includeBackground = false): Promise<GpuImage> {
    const fn = 'centroidsOfLabels';
    const l = checkLabels(labels, fn);
    const range = recordRange(fn, l);
    try {
      const { maxLabel } = await readRange(fn, range);
      const first = includeBackground ? 0 : 1;
      const n = maxLabel + 1 - first;
      if (n === 0) throw new TesseraError(`${fn}: labels holds no label (every pixel is 0); a point list needs at least one point`);
      const key: ReductionKey = { quantities: CENTROID, labels: l.dtype, refs: 0, background: includeBackground };
      const r = recordReduction(fn, key, l, undefined, maxLabel + 1, range);
      const nd = l.ndim;
      const out = create([nd, n], 'float32');
      recordPerLabel(fn, r, ['q_sumX / q_count', 'q_sumY / q_count', 'q_sumZ / q_count'].slice(0, nd), { layout: 'columns', firstRow: first, into: out.buffer });
      releaseReduction(r);
      return out;
    } finally {
      releaseBuffer(range);
    }
  },
);
