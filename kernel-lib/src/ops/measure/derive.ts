import { type LabelTable, labelTable } from './label-table';

/**
 * From per-label sums to the measurement columns, in float64 on the host. The sums come from
 * the GPU reduction engine (label-reduce.ts); pass 2 holds sums centred on pass 1's centres.
 */

/** Pass 1: sums over each label's pixels. Coordinates are pixel indices (x, y, z). */
export interface FirstSums {
  count: Float64Array;
  sumX: Float64Array;
  sumY: Float64Array;
  sumZ: Float64Array;
  minX: Float64Array;
  minY: Float64Array;
  minZ: Float64Array;
  maxX: Float64Array;
  maxY: Float64Array;
  maxZ: Float64Array;
  sumV: Float64Array;
  minV: Float64Array;
  maxV: Float64Array;
  sumVX: Float64Array;
  sumVY: Float64Array;
  sumVZ: Float64Array;
}

/**
 * Pass 2: sums about per-label reference values (`ref*`: the values pass 2 actually used: the
 * centroid rounded to whole pixels for the coordinate moments, the float32 mean for the intensity
 * deviations): intensity deviations, distances to centroid and mass centre (sum and maximum), and
 * the second moments of the coordinates about the reference.
 */
export interface SecondSums {
  refX: Float64Array;
  refY: Float64Array;
  refZ: Float64Array;
  refV: Float64Array;
  sumDV: Float64Array;
  sumDV2: Float64Array;
  sumDistC: Float64Array;
  maxDistC: Float64Array;
  sumDistM: Float64Array;
  maxDistM: Float64Array;
  sumDX: Float64Array;
  sumDY: Float64Array;
  sumDZ: Float64Array;
  sumDXX: Float64Array;
  sumDYY: Float64Array;
  sumDZZ: Float64Array;
  sumDXY: Float64Array;
  sumDXZ: Float64Array;
  sumDYZ: Float64Array;
}

/**
 * The columns of {@link statisticsOfLabelledPixels}, in table order. pyclesperanto's names
 * (`statistics_of_labelled_pixels`), then the shape measures of skimage.measure.regionprops.
 */
export const STATISTICS_COLUMNS = [
  'label', 'area',
  'bbox_min_x', 'bbox_min_y', 'bbox_min_z', 'bbox_max_x', 'bbox_max_y', 'bbox_max_z', 'bbox_width', 'bbox_height', 'bbox_depth',
  'centroid_x', 'centroid_y', 'centroid_z', 'mass_center_x', 'mass_center_y', 'mass_center_z',
  'sum_intensity', 'mean_intensity', 'min_intensity', 'max_intensity', 'standard_deviation_intensity',
  'sum_distance_to_centroid', 'mean_distance_to_centroid', 'max_distance_to_centroid',
  'sum_distance_to_mass_center', 'mean_distance_to_mass_center', 'max_distance_to_mass_center',
  'mean_max_distance_to_centroid_ratio', 'mean_max_distance_to_mass_center_ratio',
  'equivalent_diameter', 'extent', 'eccentricity', 'major_axis_length', 'minor_axis_length',
] as const;

export type StatisticsColumn = (typeof STATISTICS_COLUMNS)[number];
/** The table {@link statisticsOfLabelledPixels} returns. */
export type StatisticsTable = LabelTable<StatisticsColumn>;

/** Eigenvalues of a symmetric 3×3 matrix (cyclic Jacobi rotations), descending. */
export function symmetricEigenvalues3(a: number[][]): [number, number, number] {
  const m = a.map((r) => [...r]);
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = m[0][1] ** 2 + m[0][2] ** 2 + m[1][2] ** 2;
    if (off < 1e-30 * (m[0][0] ** 2 + m[1][1] ** 2 + m[2][2] ** 2) || off === 0) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
      if (m[p][q] === 0) continue;
      const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
      const tn = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(tn * tn + 1);
      const s = tn * c;
      for (let k = 0; k < 3; k++) {
        const mkp = m[k][p];
        const mkq = m[k][q];
        m[k][p] = c * mkp - s * mkq;
        m[k][q] = s * mkp + c * mkq;
      }
      for (let k = 0; k < 3; k++) {
        const mpk = m[p][k];
        const mqk = m[q][k];
        m[p][k] = c * mpk - s * mqk;
        m[q][k] = s * mpk + c * mqk;
      }
    }
  }
  const e = [m[0][0], m[1][1], m[2][2]].sort((x, y) => y - x);
  return [e[0], e[1], e[2]];
}

/**
 * The measurement table from the sums of rows `first..first+rows` (row r is label `first + r`;
 * labels without pixels get area 0 and NaN elsewhere). `ndim`: the image's dimensions (shape
 * measures follow skimage's 2D / 3D definitions; eccentricity is 2D only, NaN in 3D).
 */
export function statisticsTable(s1: FirstSums, s2: SecondSums, first: number, rows: number, ndim: number): StatisticsTable {
  const col = () => new Float64Array(rows);
  const out: Record<StatisticsColumn, Float64Array | Uint32Array> = Object.fromEntries(STATISTICS_COLUMNS.map((c) => [c, c === 'label' ? new Uint32Array(rows) : col()])) as Record<StatisticsColumn, Float64Array | Uint32Array>;
  const set = (c: StatisticsColumn, r: number, v: number) => (out[c][r] = v);
  for (let r = 0; r < rows; r++) {
    const k = first + r;
    set('label', r, k);
    const n = s1.count[k];
    set('area', r, n);
    if (!(n > 0)) {
      for (const c of STATISTICS_COLUMNS) if (c !== 'label' && c !== 'area') set(c, r, NaN);
      continue;
    }
    const bbox = [s1.minX[k], s1.minY[k], s1.minZ[k], s1.maxX[k], s1.maxY[k], s1.maxZ[k]];
    (['bbox_min_x', 'bbox_min_y', 'bbox_min_z', 'bbox_max_x', 'bbox_max_y', 'bbox_max_z'] as const).forEach((c, j) => set(c, r, bbox[j]));
    const w = bbox[3] - bbox[0] + 1;
    const h = bbox[4] - bbox[1] + 1;
    const d = bbox[5] - bbox[2] + 1;
    set('bbox_width', r, w);
    set('bbox_height', r, h);
    set('bbox_depth', r, d);
    const cx = s1.sumX[k] / n;
    const cy = s1.sumY[k] / n;
    const cz = s1.sumZ[k] / n;
    set('centroid_x', r, cx);
    set('centroid_y', r, cy);
    set('centroid_z', r, cz);
    const sv = s1.sumV[k];
    set('mass_center_x', r, s1.sumVX[k] / sv);
    set('mass_center_y', r, s1.sumVY[k] / sv);
    set('mass_center_z', r, s1.sumVZ[k] / sv);
    const mean = sv / n;
    set('sum_intensity', r, sv);
    set('mean_intensity', r, mean);
    set('min_intensity', r, s1.minV[k]);
    set('max_intensity', r, s1.maxV[k]);
    // Σ(v - m)² about the exact mean from the sums about the reference m': Σ(v-m')² - n (m - m')².
    const dm = mean - s2.refV[k];
    const m2 = Math.max(0, s2.sumDV2[k] - 2 * dm * s2.sumDV[k] + n * dm * dm);
    set('standard_deviation_intensity', r, Math.sqrt(m2 / n));
    const meanC = s2.sumDistC[k] / n;
    const meanM = s2.sumDistM[k] / n;
    set('sum_distance_to_centroid', r, s2.sumDistC[k]);
    set('mean_distance_to_centroid', r, meanC);
    set('max_distance_to_centroid', r, s2.maxDistC[k]);
    set('sum_distance_to_mass_center', r, s2.sumDistM[k]);
    set('mean_distance_to_mass_center', r, meanM);
    set('max_distance_to_mass_center', r, s2.maxDistM[k]);
    set('mean_max_distance_to_centroid_ratio', r, s2.maxDistC[k] / meanC);
    set('mean_max_distance_to_mass_center_ratio', r, s2.maxDistM[k] / meanM);
    if (sv === 0) {
      // No mass centre (intensities summing to 0): no distances to it either.
      for (const c of ['sum_distance_to_mass_center', 'mean_distance_to_mass_center', 'max_distance_to_mass_center', 'mean_max_distance_to_mass_center_ratio'] as const) set(c, r, NaN);
    }
    set('equivalent_diameter', r, ((2 * ndim * n) / Math.PI) ** (1 / ndim));
    set('extent', r, n / (ndim === 1 ? w : ndim === 2 ? w * h : w * h * d));
    // Central moments about the exact centroid c from sums about the reference c' (δ = c - c'):
    // Σ(a-c)(b-c) = Σ(a-c')(b-c') - δa Σ(b-c') - δb Σ(a-c') + n δa δb.
    const dx = cx - s2.refX[k];
    const dy = cy - s2.refY[k];
    const dz = cz - s2.refZ[k];
    const central = (sab: number, sa: number, sb: number, da: number, db: number) => sab - da * sb - db * sa + n * da * db;
    const mxx = central(s2.sumDXX[k], s2.sumDX[k], s2.sumDX[k], dx, dx) / n;
    const myy = central(s2.sumDYY[k], s2.sumDY[k], s2.sumDY[k], dy, dy) / n;
    const mzz = central(s2.sumDZZ[k], s2.sumDZ[k], s2.sumDZ[k], dz, dz) / n;
    const mxy = central(s2.sumDXY[k], s2.sumDX[k], s2.sumDY[k], dx, dy) / n;
    const mxz = central(s2.sumDXZ[k], s2.sumDX[k], s2.sumDZ[k], dx, dz) / n;
    const myz = central(s2.sumDYZ[k], s2.sumDY[k], s2.sumDZ[k], dy, dz) / n;
    const [major, minor, ecc] = shapeFromMoments(ndim, mxx, myy, mzz, mxy, mxz, myz);
    set('eccentricity', r, ecc);
    set('major_axis_length', r, major);
    set('minor_axis_length', r, minor);
  }
  return labelTable(out);
}

/**
 * skimage's axis lengths and eccentricity from the coordinate covariances (μ/μ0): the inertia
 * tensor's eigenvalues l (descending, clipped at 0); 2D: 4√l1, 4√l2, √(1 - l2/l1); 3D:
 * √(10 (l1 + l2 - l3)), √(10 (-l1 + l2 + l3)); 1D: the 2D formulas with one axis.
 */
function shapeFromMoments(ndim: number, xx: number, yy: number, zz: number, xy: number, xz: number, yz: number): [number, number, number] {
  if (ndim === 3) {
    // Inertia tensor of skimage: diagonal Σ_j μ_jj - μ_ii, off-diagonal -μ_ij.
    const tr = xx + yy + zz;
    const l = symmetricEigenvalues3([
      [tr - xx, -xy, -xz],
      [-xy, tr - yy, -yz],
      [-xz, -yz, tr - zz],
    ]).map((v) => Math.max(0, v));
    return [Math.sqrt(10 * Math.max(0, l[0] + l[1] - l[2])), Math.sqrt(10 * Math.max(0, -l[0] + l[1] + l[2])), NaN];
  }
  if (ndim === 1) return [4 * Math.sqrt(Math.max(0, xx)), 0, xx > 0 ? 1 : 0];
  // 2D: tensor [[yy, -xy], [-xy, xx]] in skimage's (row, col) order; same eigenvalues.
  const mean = (xx + yy) / 2;
  const root = Math.sqrt(((xx - yy) / 2) ** 2 + xy * xy);
  const l1 = Math.max(0, mean + root);
  const l2 = Math.max(0, mean - root);
  return [4 * Math.sqrt(l1), 4 * Math.sqrt(l2), l1 === 0 ? 0 : Math.sqrt(1 - l2 / l1)];
}
