import { type ColumnOf, type LabelTable, labelTable } from './label-table';

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

/**
 * Eigenvalues of the symmetric 3×3 matrix [[a00, a01, a02], [a01, a11, a12], [a02, a12, a22]],
 * descending, written into one reused array that is returned (it runs once per label of a 3D
 * table, where the earlier Jacobi-only form cost ~0.3 µs per label on the H200's host, more than
 * the rest of a table row).
 *
 * Closed form first (Smith 1961): with q the mean of the diagonal and p the spread about it, the
 * eigenvalues are q + 2p·cos(φ + 2πk/3), φ = acos(r) / 3, r = det((A - qI)/p) / 2. Its rounding
 * error grows like 1/√(1 - r²), and r → ±1 where two eigenvalues coincide (prolate and oblate
 * labels: needles, disks, single-slice labels of a 3D image), where the closed form loses half
 * the digits and the minor axis would be off by 1e-4 relative. So past |r| > 1 - 1e-4 (error
 * below ~100 ulps of p otherwise) the eigenvalues come from cyclic Jacobi rotations, accurate to
 * a few ulps of the largest eigenvalue in every case.
 */
const eigenvalues = new Float64Array(3);
export function symmetricEigenvalues3(a00: number, a11: number, a22: number, a01: number, a02: number, a12: number): Float64Array {
  const off = a01 * a01 + a02 * a02 + a12 * a12;
  if (off === 0) return sortedEigenvalues(a00, a11, a22);
  const q = (a00 + a11 + a22) / 3;
  const [b00, b11, b22] = [a00 - q, a11 - q, a22 - q];
  const p = Math.sqrt((b00 * b00 + b11 * b11 + b22 * b22 + 2 * off) / 6);
  const r = (b00 * (b11 * b22 - a12 * a12) - a01 * (a01 * b22 - a12 * a02) + a02 * (a01 * a12 - b11 * a02)) / (2 * p * p * p);
  if (!(Math.abs(r) < 1 - 1e-4)) return jacobiEigenvalues3(a00, a11, a22, a01, a02, a12);
  const phi = Math.acos(r) / 3;
  return sortedEigenvalues(q + 2 * p * Math.cos(phi), q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3), q + 2 * p * Math.cos(phi + (4 * Math.PI) / 3));
}

/** {@link symmetricEigenvalues3} by cyclic Jacobi rotations. */
function jacobiEigenvalues3(a00: number, a11: number, a22: number, a01: number, a02: number, a12: number): Float64Array {
  let [d0, d1, d2, o01, o02, o12] = [a00, a11, a22, a01, a02, a12];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = o01 * o01 + o02 * o02 + o12 * o12;
    if (off === 0 || off < 1e-30 * (d0 * d0 + d1 * d1 + d2 * d2)) break;
    for (let k = 0; k < 3; k++) {
      // Zero o01 by a rotation in the (0, 1) plane (t: tan of its angle), which turns o02, o12.
      if (o01 !== 0) {
        const theta = (d1 - d0) / (2 * o01);
        const t = (theta < 0 ? -1 : 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        d0 -= t * o01;
        d1 += t * o01;
        o01 = 0;
        const u = o02;
        o02 = c * u - s * o12;
        o12 = s * u + c * o12;
      }
      // Renumber the axes cyclically (i becomes i - 1): the next rotation is in the next plane,
      // and three renumberings restore the order.
      const [e, f] = [d0, o01];
      [d0, d1, d2] = [d1, d2, e];
      [o01, o02, o12] = [o12, f, o02];
    }
  }
  return sortedEigenvalues(d0, d1, d2);
}

/** `eigenvalues` holding e0, e1, e2 in descending order. */
function sortedEigenvalues(e0: number, e1: number, e2: number): Float64Array {
  let t: number;
  if (e0 < e1) { t = e0; e0 = e1; e1 = t; }
  if (e1 < e2) { t = e1; e1 = e2; e2 = t; }
  if (e0 < e1) { t = e0; e0 = e1; e1 = t; }
  eigenvalues[0] = e0;
  eigenvalues[1] = e1;
  eigenvalues[2] = e2;
  return eigenvalues;
}

/**
 * The measurement table from the sums of rows `first..first+rows` (row r is label `first + r`;
 * labels without pixels get area 0 and NaN elsewhere). `ndim`: the image's dimensions (shape
 * measures follow skimage's 2D / 3D definitions; eccentricity is 2D only, NaN in 3D).
 */
export function statisticsTable(s1: FirstSums, s2: SecondSums, first: number, rows: number, ndim: number): StatisticsTable {
  const label = new Uint32Array(rows);
  const columns = { label } as { [K in StatisticsColumn]: ColumnOf<K> };
  const measured: Float64Array[] = [];
  for (const c of STATISTICS_COLUMNS) if (c !== 'label') measured.push((columns[c] = new Float64Array(rows)));
  // A local per column: the loop below writes ~35 values per label, and looking each column up
  // by name cost more than all the arithmetic (3.8 ms for 1,615 labels).
  const col = (c: StatisticsColumn) => columns[c] as Float64Array;
  const area = col('area');
  const [bboxMinX, bboxMinY, bboxMinZ] = [col('bbox_min_x'), col('bbox_min_y'), col('bbox_min_z')];
  const [bboxMaxX, bboxMaxY, bboxMaxZ] = [col('bbox_max_x'), col('bbox_max_y'), col('bbox_max_z')];
  const [bboxWidth, bboxHeight, bboxDepth] = [col('bbox_width'), col('bbox_height'), col('bbox_depth')];
  const [centroidX, centroidY, centroidZ] = [col('centroid_x'), col('centroid_y'), col('centroid_z')];
  const [massX, massY, massZ] = [col('mass_center_x'), col('mass_center_y'), col('mass_center_z')];
  const [sumIntensity, meanIntensity, minIntensity, maxIntensity] = [col('sum_intensity'), col('mean_intensity'), col('min_intensity'), col('max_intensity')];
  const stdIntensity = col('standard_deviation_intensity');
  const [sumDistC, meanDistC, maxDistC] = [col('sum_distance_to_centroid'), col('mean_distance_to_centroid'), col('max_distance_to_centroid')];
  const [sumDistM, meanDistM, maxDistM] = [col('sum_distance_to_mass_center'), col('mean_distance_to_mass_center'), col('max_distance_to_mass_center')];
  const [ratioC, ratioM] = [col('mean_max_distance_to_centroid_ratio'), col('mean_max_distance_to_mass_center_ratio')];
  const [equivalentDiameter, extent] = [col('equivalent_diameter'), col('extent')];
  const [eccentricity, majorAxis, minorAxis] = [col('eccentricity'), col('major_axis_length'), col('minor_axis_length')];
  const { count, sumX, sumY, sumZ, minX, minY, minZ, maxX, maxY, maxZ, sumV, minV, maxV, sumVX, sumVY, sumVZ } = s1;
  const { refX, refY, refZ, refV, sumDV, sumDV2, sumDXX, sumDYY, sumDZZ, sumDXY, sumDXZ, sumDYZ, sumDX, sumDY, sumDZ } = s2;
  const diameterScale = (2 * ndim) / Math.PI;
  const root = ndim === 3 ? Math.cbrt : ndim === 2 ? Math.sqrt : (x: number) => x; // the ndim-th root
  for (let r = 0; r < rows; r++) {
    const k = first + r;
    label[r] = k;
    const n = count[k];
    if (!(n > 0)) {
      for (const col of measured) col[r] = NaN;
      area[r] = n;
      continue;
    }
    area[r] = n;
    bboxMinX[r] = minX[k];
    bboxMinY[r] = minY[k];
    bboxMinZ[r] = minZ[k];
    bboxMaxX[r] = maxX[k];
    bboxMaxY[r] = maxY[k];
    bboxMaxZ[r] = maxZ[k];
    const w = maxX[k] - minX[k] + 1;
    const h = maxY[k] - minY[k] + 1;
    const d = maxZ[k] - minZ[k] + 1;
    bboxWidth[r] = w;
    bboxHeight[r] = h;
    bboxDepth[r] = d;
    const cx = sumX[k] / n;
    const cy = sumY[k] / n;
    const cz = sumZ[k] / n;
    centroidX[r] = cx;
    centroidY[r] = cy;
    centroidZ[r] = cz;
    const sv = sumV[k];
    massX[r] = sumVX[k] / sv;
    massY[r] = sumVY[k] / sv;
    massZ[r] = sumVZ[k] / sv;
    const mean = sv / n;
    sumIntensity[r] = sv;
    meanIntensity[r] = mean;
    minIntensity[r] = minV[k];
    maxIntensity[r] = maxV[k];
    // Σ(v - m)² about the exact mean from the sums about the reference m': Σ(v-m')² - n (m - m')².
    const dm = mean - refV[k];
    stdIntensity[r] = Math.sqrt(Math.max(0, sumDV2[k] - 2 * dm * sumDV[k] + n * dm * dm) / n);
    const meanC = s2.sumDistC[k] / n;
    sumDistC[r] = s2.sumDistC[k];
    meanDistC[r] = meanC;
    maxDistC[r] = s2.maxDistC[k];
    ratioC[r] = s2.maxDistC[k] / meanC;
    if (sv === 0) {
      // No mass centre (intensities summing to 0): no distances to it either.
      sumDistM[r] = meanDistM[r] = maxDistM[r] = ratioM[r] = NaN;
    } else {
      const meanM = s2.sumDistM[k] / n;
      sumDistM[r] = s2.sumDistM[k];
      meanDistM[r] = meanM;
      maxDistM[r] = s2.maxDistM[k];
      ratioM[r] = s2.maxDistM[k] / meanM;
    }
    equivalentDiameter[r] = root(diameterScale * n);
    extent[r] = n / (ndim === 1 ? w : ndim === 2 ? w * h : w * h * d);
    // Central moments about the exact centroid c from sums about the reference c' (δ = c - c'):
    // Σ(a-c)(b-c) = Σ(a-c')(b-c') - δa Σ(b-c') - δb Σ(a-c') + n δa δb.
    const dx = cx - refX[k];
    const dy = cy - refY[k];
    const dz = cz - refZ[k];
    const mxx = central(n, sumDXX[k], sumDX[k], sumDX[k], dx, dx);
    const myy = central(n, sumDYY[k], sumDY[k], sumDY[k], dy, dy);
    const mzz = central(n, sumDZZ[k], sumDZ[k], sumDZ[k], dz, dz);
    const mxy = central(n, sumDXY[k], sumDX[k], sumDY[k], dx, dy);
    const mxz = central(n, sumDXZ[k], sumDX[k], sumDZ[k], dx, dz);
    const myz = central(n, sumDYZ[k], sumDY[k], sumDZ[k], dy, dz);
    const axes = shapeFromMoments(ndim, mxx, myy, mzz, mxy, mxz, myz);
    majorAxis[r] = axes[0];
    minorAxis[r] = axes[1];
    eccentricity[r] = axes[2];
  }
  return labelTable(columns);
}

/** The central moment Σ(a-c)(b-c) / n from the sums about the reference: see statisticsTable. */
function central(n: number, sab: number, sa: number, sb: number, da: number, db: number): number {
  return (sab - da * sb - db * sa + n * da * db) / n;
}

/**
 * skimage's axis lengths and eccentricity from the coordinate covariances (μ/μ0): the inertia
 * tensor's eigenvalues l (descending, clipped at 0); 2D: 4√l1, 4√l2, √(1 - l2/l1); 3D:
 * √(10 (l1 + l2 - l3)), √(10 (-l1 + l2 + l3)); 1D: the 2D formulas with one axis. Returns
 * [major, minor, eccentricity] in one reused array (it runs once per label).
 */
const axes = new Float64Array(3);
function shapeFromMoments(ndim: number, xx: number, yy: number, zz: number, xy: number, xz: number, yz: number): Float64Array {
  if (ndim === 3) {
    // Inertia tensor of skimage: diagonal Σ_j μ_jj - μ_ii, off-diagonal -μ_ij.
    const tr = xx + yy + zz;
    const e = symmetricEigenvalues3(tr - xx, tr - yy, tr - zz, -xy, -xz, -yz);
    const l0 = Math.max(0, e[0]);
    const l1 = Math.max(0, e[1]);
    const l2 = Math.max(0, e[2]);
    axes[0] = Math.sqrt(10 * Math.max(0, l0 + l1 - l2));
    axes[1] = Math.sqrt(10 * Math.max(0, -l0 + l1 + l2));
    axes[2] = NaN;
  } else if (ndim === 1) {
    axes[0] = 4 * Math.sqrt(Math.max(0, xx));
    axes[1] = 0;
    axes[2] = xx > 0 ? 1 : 0;
  } else {
    // 2D: tensor [[yy, -xy], [-xy, xx]] in skimage's (row, col) order; same eigenvalues.
    const mean = (xx + yy) / 2;
    const root = Math.sqrt(((xx - yy) / 2) ** 2 + xy * xy);
    const l1 = Math.max(0, mean + root);
    const l2 = Math.max(0, mean - root);
    axes[0] = 4 * Math.sqrt(l1);
    axes[1] = 4 * Math.sqrt(l2);
    axes[2] = l1 === 0 ? 0 : Math.sqrt(1 - l2 / l1);
  }
  return axes;
}
