/**
 * The benchmark catalogue: each row names an operation as the seed's speed table does,
 * how Tessera runs it, and the same operation in CuPy, pyclesperanto and scipy/numpy
 * (Python expressions timed by bench/peers.py over the same inputs). Two kinds of inputs:
 * - rows without `inputs`: `a`, `b` float32 random in [0, 1) and `m`, `n` uint8 masks (~70% ones;
 *   bool in CuPy and scipy) of the row's shape, written by bench/driver.py;
 * - rows with `inputs`: a named input set of {@link INPUT_SETS}, made by Tessera (run.ts `make-set`)
 *   and written to disk as raw pixels + meta.json, which the peers read.
 * Every row calls its operation directly, so a renamed or missing operation fails the build of
 * the benchmark instead of silently dropping a row from the README's table.
 */
import * as tessera from 'tessera';

export interface BenchOp {
  name: string;
  shape: number[];
  /** A row of the seed's speed table: it gets a first-call column and counts towards issue 13's goal. */
  seed?: boolean;
  /** Bound by memory bandwidth (each pixel read and written once): compared with the copy ceiling. */
  memoryBound?: boolean;
  /** A named input set of INPUT_SETS instead of the random a, b, m, n. */
  inputs?: InputSetName;
  /** Runs the operation once on the prepared inputs; returns what to release. */
  run?: (x: Inputs) => RowResult;
  /** Bytes an ideal implementation moves (inputs read once + output written once). */
  bytes: number;
  cupy?: string;
  cle?: string;
  scipy?: string;
}

/** What a row's `run` returns. */
export type RowResult = tessera.GpuImage | Promise<unknown>;

/** Waits for a row's result (GPU work included) and releases what it returned. */
export async function settle(result: RowResult): Promise<void> {
  if (result instanceof tessera.GpuImage) {
    await tessera.sync();
    result.release();
  } else {
    const value = await result;
    if (value instanceof tessera.GpuImage) value.release();
  }
}

/** A row's images by variable name: `a`, `b`, `m`, `n`, or the names of its input set. */
export type Inputs = Record<string, tessera.GpuImage>;

const mask30 = (n: number, seed: number): Uint8Array => {
  const a = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) a[i] = (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296 < 0.3 ? 1 : 0;
  return a;
};

/**
 * The issue-11 stack (140 × 355 × 710, the seed's Tribolium size) cut into a grid of 5 × 17 × 19 =
 * 1,615 box-shaped labels that tile it without background: a pseudo-Voronoi map of touching
 * cells with the label count of the seed workflow's segmentation. label = 1 + (⌊z·gz/Z⌋·gy +
 * ⌊y·gy/Y⌋)·gx + ⌊x·gx/X⌋. With TESSERA_BENCH_SMALL=1 (driver.py --small, a rehearsal on a software GPU
 * that binds only 128 MB) the stack of this and of the embryo set is half as large along each axis.
 */
const SMALL = process.env.TESSERA_BENCH_SMALL === '1';
export const LABELS_SHAPE = SMALL ? [70, 178, 355] : [140, 355, 710];
export const LABEL_GRID: [number, number, number] = [5, 17, 19];

export function gridLabels(shape: readonly number[], grid: readonly number[]): Uint32Array {
  const [Z, Y, X] = shape;
  const [gz, gy, gx] = grid;
  const out = new Uint32Array(Z * Y * X);
  for (let z = 0, i = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const base = 1 + (Math.floor((z * gz) / Z) * gy + Math.floor((y * gy) / Y)) * gx;
      for (let x = 0; x < X; x++, i++) out[i] = base + Math.floor((x * gx) / X);
    }
  }
  if (out[out.length - 1] !== gz * gy * gx) throw new Error(`gridLabels: expected ${gz * gy * gx} labels, made ${out[out.length - 1]}`);
  return out;
}

/**
 * Input sets of the label rows (issue 11), made once by Tessera (run.ts) and written to disk so
 * that the peers time the same pixels:
 * - embryo: the seed's stack size (140×355×710 float32) with ~1,750 nuclei (tessera.syntheticNuclei,
 *   seed 1) as `e`, its top hat (5, 5, 0) as `h`, and Tessera's voronoiOtsuLabeling(h, 3.5, 1) as `L`;
 * - noise: 256³ uint8 random noise of 30 % ones as `q`;
 * - cells: the 1,615 box-shaped cells of {@link gridLabels} on the seed's stack size as `labels` (uint32).
 */
export const INPUT_SETS = {
  embryo: {
    shape: LABELS_SHAPE,
    make: async (): Promise<Inputs> => {
      const s = tessera.syntheticNuclei({ shape: LABELS_SHAPE, seed: 1 });
      s.labels.release();
      const h = tessera.topHatBox(s.image, 5, 5, 0);
      const L = await tessera.voronoiOtsuLabeling(h, 3.5, 1);
      return { e: s.image, h, L };
    },
  },
  noise: {
    shape: [256, 256, 256],
    make: async (): Promise<Inputs> => ({ q: tessera.push(mask30(256 ** 3, 11), [256, 256, 256]) }),
  },
  cells: {
    shape: LABELS_SHAPE,
    make: async (): Promise<Inputs> => ({ labels: tessera.push(gridLabels(LABELS_SHAPE, LABEL_GRID), LABELS_SHAPE) }),
  },
} as const;

export type InputSetName = keyof typeof INPUT_SETS;

/** Rows of the segmentation workflow, labelings and measurements (issue 11). */
function segmentationRows(): BenchOp[] {
  const e = LABELS_SHAPE.reduce((p, q) => p * q, 1);
  const q = 256 ** 3;
  const props = "('label', 'area', 'bbox', 'centroid', 'intensity_mean', 'intensity_min', 'intensity_max')";
  const embryo = { shape: INPUT_SETS.embryo.shape.slice(), inputs: 'embryo' as const };
  const noise = { shape: INPUT_SETS.noise.shape.slice(), inputs: 'noise' as const };
  return [
    { name: 'SeedTopHat', ...embryo, bytes: 8 * e, run: (x) => tessera.topHatBox(x.e, 5, 5, 0),
      cupy: 'e - xdi.grey_opening(e, size=(1, 11, 11))', cle: 'cle.top_hat_box(e, radius_x=5, radius_y=5, radius_z=0)' },
    { name: 'SeedVoronoiOtsu', ...embryo, bytes: 8 * e, run: (x) => tessera.voronoiOtsuLabeling(x.h, 3.5, 1),
      cle: 'cle.voronoi_otsu_labeling(h, spot_sigma=3.5, outline_sigma=1)' },
    { name: 'SeedWorkflow', ...embryo, bytes: 8 * e,
      run: async (x) => {
        const h = tessera.topHatBox(x.e, 5, 5, 0);
        const labels = await tessera.voronoiOtsuLabeling(h, 3.5, 1);
        h.release();
        return labels;
      },
      cle: 'cle.voronoi_otsu_labeling(cle.top_hat_box(e, radius_x=5, radius_y=5, radius_z=0), spot_sigma=3.5, outline_sigma=1)' },
    { name: 'StatisticsOfLabels', ...embryo, bytes: 8 * e, run: (x) => tessera.statisticsOfLabelledPixels(x.h, x.L),
      cle: 'cle.statistics_of_labelled_pixels(h, L)', scipy: `measure.regionprops_table(L, h, properties=${props})` },
    { name: 'CCL6', ...noise, bytes: 5 * q, run: (x) => tessera.connectedComponentsLabeling(x.q, 'diamond'),
      cupy: 'xdi.label(q, structure=fp6)[0]', cle: "cle.connected_component_labeling(q, connectivity='sphere')", scipy: 'ndi.label(q, structure=fp6)[0]' },
    { name: 'CCL26', ...noise, bytes: 5 * q, run: (x) => tessera.connectedComponentsLabeling(x.q, 'box'),
      cupy: 'xdi.label(q, structure=fp26)[0]', cle: "cle.connected_component_labeling(q, connectivity='box')", scipy: 'ndi.label(q, structure=fp26)[0]' },
  ];
}

export const SHAPES: Record<string, number[]> = { '2D': [2048, 1024], '3D': [256, 256, 256] };

export function catalogue(): BenchOp[] {
  const rows: BenchOp[] = [];
  for (const [tag, shape] of Object.entries(SHAPES)) {
    const px = shape.reduce((p, q) => p * q, 1);
    const f = px * 4;
    const u = px;
    const is3 = tag === '3D';
    const r = is3 ? 'radius_x=1, radius_y=1, radius_z=1' : 'radius_x=1, radius_y=1, radius_z=0';
    const z = is3 ? ', sigma_z=2' : '';
    const add = (row: BenchOp) => rows.push({ ...row, name: row.name + tag, shape, seed: true });
    add({ name: 'AddImagesWeighted', shape, memoryBound: true, bytes: 3 * f, run: (x) => tessera.addImagesWeighted(x.a, x.b, 0.5, 0.5),
      cupy: 'a * 0.5 + b * 0.5', cle: 'cle.add_images_weighted(a, b, factor1=0.5, factor2=0.5)', scipy: 'a * 0.5 + b * 0.5' });
    add({ name: 'AddScalar', shape, memoryBound: true, bytes: 2 * f, run: (x) => tessera.addImageAndScalar(x.a, 5),
      cupy: 'a + 5', cle: 'cle.add_image_and_scalar(a, scalar=5)', scipy: 'a + 5' });
    add({ name: 'AutoThreshold', shape, bytes: f + u, run: (x) => tessera.thresholdOtsu(x.a),
      cupy: 'otsu(a)', cle: 'cle.threshold_otsu(a)', scipy: 'a > filters.threshold_otsu(a)' });
    add({ name: 'BinaryAnd', shape, memoryBound: true, bytes: 3 * u, run: (x) => tessera.binaryAnd(x.m, x.n),
      cupy: 'cp.logical_and(m, n)', cle: 'cle.binary_and(m, n)', scipy: 'np.logical_and(m, n)' });
    add({ name: 'Erode', shape, bytes: 2 * u, run: (x) => tessera.erodeBox(x.m),
      cupy: 'xdi.binary_erosion(m, structure=fp)', cle: 'cle.erode_box(m)', scipy: 'ndi.binary_erosion(m, structure=fp)' });
    // Not a seed row: the radius where binaryErode's box path splits y and z (issue 13).
    rows.push({ name: `BinaryErodeRadiusTwo${tag}`, shape, bytes: 2 * u, run: (x) => tessera.binaryErode(x.m, 2, 2, is3 ? 2 : 0),
      cupy: 'xdi.binary_erosion(m, structure=fp5)', cle: `cle.binary_erode(m, radius_x=2, radius_y=2, radius_z=${is3 ? 2 : 0}, connectivity='box')`,
      scipy: 'ndi.binary_erosion(m, structure=fp5)' });
    add({ name: 'FixedThreshold', shape, memoryBound: true, bytes: f + u, run: (x) => tessera.greaterConstant(x.a, 0.5),
      cupy: 'a > 0.5', cle: 'cle.greater_constant(a, scalar=0.5)', scipy: 'a > 0.5' });
    add({ name: 'Flip', shape, memoryBound: true, bytes: 2 * f, run: (x) => tessera.flip(x.a, true, false, false),
      cupy: 'cp.ascontiguousarray(cp.flip(a, axis=-1))', cle: 'cle.flip(a, flip_x=True, flip_y=False, flip_z=False)', scipy: 'np.ascontiguousarray(np.flip(a, axis=-1))' });
    add({ name: 'GaussianBlur', shape, bytes: 2 * f, run: (x) => tessera.gaussianBlur(x.a, 2, 2, is3 ? 2 : 0),
      cupy: 'xdi.gaussian_filter(a, sigma=2)', cle: `cle.gaussian_blur(a, sigma_x=2, sigma_y=2${z})`, scipy: 'ndi.gaussian_filter(a, sigma=2)' });
    add({ name: 'Mean', shape, bytes: 2 * f, run: (x) => tessera.meanBox(x.a, 1, 1, is3 ? 1 : 0),
      cupy: 'xdi.uniform_filter(a, size=3)', cle: `cle.mean_box(a, ${r})`, scipy: 'ndi.uniform_filter(a, size=3)' });
    add({ name: 'Median', shape, bytes: 2 * f, run: (x) => tessera.medianBox(x.a, 1, 1, is3 ? 1 : 0),
      cupy: 'xdi.median_filter(a, size=3)', cle: `cle.median_box(a, ${r})`, scipy: 'ndi.median_filter(a, size=3)' });
    add({ name: 'Minimum', shape, bytes: 2 * f, run: (x) => tessera.minimumBox(x.a, 1, 1, is3 ? 1 : 0),
      cupy: 'xdi.minimum_filter(a, size=3)', cle: `cle.minimum_box(a, ${r})`, scipy: 'ndi.minimum_filter(a, size=3)' });
    add({ name: 'MultiplyScalar', shape, memoryBound: true, bytes: 2 * f, run: (x) => tessera.multiplyImageAndScalar(x.a, 2),
      cupy: 'a * 2', cle: 'cle.multiply_image_and_scalar(a, scalar=2)', scipy: 'a * 2' });
    add({ name: 'Rotate', shape, bytes: 2 * f, run: (x) => tessera.rotate(x.a, 0, 0, 45, true, true),
      cupy: is3 ? 'xdi.rotate(a, 45, axes=(1, 2), reshape=False, order=1)' : 'xdi.rotate(a, 45, reshape=False, order=1)',
      cle: 'cle.rotate(a, angle_z=45, centered=True, interpolate=True)',
      scipy: is3 ? 'ndi.rotate(a, 45, axes=(1, 2), reshape=False, order=1)' : 'ndi.rotate(a, 45, reshape=False, order=1)' });
    if (is3) {
      rows.push({ name: 'MaximumZProjection', shape, seed: true, memoryBound: true, bytes: f + f / shape[0], run: (x) => tessera.maximumZProjection(x.a),
        cupy: 'a.max(axis=0)', cle: 'cle.maximum_z_projection(a)', scipy: 'a.max(axis=0)' });
      rows.push({ name: 'RadialReslice', shape, seed: true, bytes: 2 * f, run: (x) => tessera.radialReslice(x.a) });
    }
    // First-slice extras: whole-image reductions and copies.
    rows.push({ name: `SumOfAllPixels${tag}`, shape, memoryBound: true, bytes: f, run: (x) => tessera.sumOfAllPixels(x.a),
      cupy: 'float(a.sum())', cle: 'cle.sum_of_all_pixels(a)', scipy: 'float(a.sum())' });
    rows.push({ name: `MaximumOfAllPixels${tag}`, shape, memoryBound: true, bytes: f, run: (x) => tessera.maximumOfAllPixels(x.a),
      cupy: 'float(a.max())', cle: 'cle.maximum_of_all_pixels(a)', scipy: 'float(a.max())' });
    const crop = is3 ? [32, 32, 32, 192, 192, 192] : [256, 256, 0, 512, 1024, 1];
    const cropPx = is3 ? 192 ** 3 : 512 * 1024;
    rows.push({ name: `Crop${tag}`, shape, memoryBound: true, bytes: 8 * cropPx, run: (x) => tessera.crop(x.a, ...(crop as [number, number, number, number, number, number])),
      cupy: is3 ? 'cp.ascontiguousarray(a[32:224, 32:224, 32:224])' : 'cp.ascontiguousarray(a[256:1280, 256:768])',
      cle: `cle.crop(a, start_x=${crop[0]}, start_y=${crop[1]}, start_z=${crop[2]}, width=${crop[3]}, height=${crop[4]}, depth=${crop[5]})`,
      scipy: is3 ? 'np.ascontiguousarray(a[32:224, 32:224, 32:224])' : 'np.ascontiguousarray(a[256:1280, 256:768])' });
    if (is3) {
      rows.push({ name: 'Copy3D', shape, memoryBound: true, bytes: 2 * f, run: (x) => tessera.copy(x.a), cupy: 'a.copy()', cle: 'cle.copy(a)', scipy: 'a.copy()' });
      rows.push({ name: 'CopySlice', shape, bytes: 2 * 256 * 256 * 4, run: (x) => tessera.copySlice(x.a, 128),
        cupy: 'a[128].copy()', cle: 'cle.copy_slice(a, slice_index=128)', scipy: 'a[128].copy()' });
    }
  }
  // Whole workflows where per-call cost matters: the README's example (four operations, then one
  // pull of the result) on a one-plane stack of 2048×1024 and on 256³, timed as a user runs it. The
  // threshold suits the inputs in [0, 1) (the README's 40 suits camera counts).
  for (const shape of [[1, 2048, 1024], [256, 256, 256]]) {
    const px = shape.reduce((p, q) => p * q, 1);
    const plane = px / shape[0];
    rows.push({
      name: `ReadmeWorkflow${shape[0] === 1 ? '2D' : '3D'}`, shape, bytes: 2 * 4 * px + 3 * 4 * px + 5 * px + px + 2 * plane,
      run: async (x) => {
        const background = tessera.multiplyImageAndScalar(x.a, 0.9);
        const corrected = tessera.addImagesWeighted(x.a, background, 1, -1);
        const mask = tessera.greaterConstant(corrected, 0.05);
        const mip = tessera.maximumZProjection(mask);
        const pixels = await tessera.pull(mip);
        for (const img of [background, corrected, mask, mip]) img.release();
        return pixels;
      },
      cupy: 'cp.asnumpy((a - a * 0.9 > 0.05).max(axis=0))',
      cle: 'cle.pull(cle.maximum_z_projection(cle.greater_constant(cle.add_images_weighted(a, cle.multiply_image_and_scalar(a, scalar=0.9), factor1=1, factor2=-1), scalar=0.05)))',
      scipy: '(a - a * 0.9 > 0.05).max(axis=0)',
    });
  }
  // Issue 11: the touch matrix of the seed's ~1,615 labels (goal: pyclesperanto's 0.67 ms on the H200).
  // The row waits for the matrix itself (the promise resolves once the label count is read back).
  const labelPx = LABELS_SHAPE.reduce((p, q) => p * q, 1);
  const side = LABEL_GRID.reduce((p, q) => p * q, 1) + 1;
  rows.push({
    name: 'GenerateTouchMatrix1615', shape: LABELS_SHAPE, inputs: 'cells', bytes: 4 * labelPx + 4 * side * side,
    run: async (x) => {
      const matrix = await tessera.generateTouchMatrix(x.labels);
      await tessera.sync();
      return matrix;
    },
    cle: 'cle.generate_touch_matrix(labels)',
  });
  rows.push(...segmentationRows());
  // Issue 17: surface / sub-surface classification by ray casting, 1,000 directions (and the 6 axes)
  // through a 64 MB uint32 label volume (256³, the ~2,000 cells of a synthetic embryo). Goal: < 50 ms.
  const embryoPx = EMBRYO_SHAPE.reduce((p, q) => p * q, 1);
  rows.push({
    name: 'ClassifySurfaceLabels1000', shape: EMBRYO_SHAPE, bytes: 4 * embryoPx + embryoPx,
    run: async () => {
      const e = embryoCells();
      const c = await tessera.classifySurfaceLabels(e.cells, { directions: 1000 });
      if (!e.checked) {
        const same = c.surface.length === e.outer.length && c.surface.every((l, k) => l === e.outer[k]);
        if (!same) throw new Error(`ClassifySurfaceLabels1000: found ${c.surface.length} surface cells; the embryo has ${e.outer.length} on its outer shell`);
        e.checked = true;
      }
      return c.classes;
    },
  });
  return rows;
}

/** The volume of the surface row: 256³ uint32 labels (64 MB); with TESSERA_BENCH_SMALL=1 128³, its cells closer together. */
export const EMBRYO_SHAPE = SMALL ? [128, 128, 128] : [256, 256, 256];

let embryo: { cells: tessera.GpuImage; outer: Uint32Array; checked: boolean } | undefined;

/**
 * The cells of a synthetic embryo (tessera.syntheticEmbryo: two shells of nuclei, Voronoi cells in
 * the embryo) of {@link EMBRYO_SHAPE}, made once; fails loudly unless it holds about 2,000 cells
 * (and the row, unless the classification finds the outer shell).
 */
function embryoCells(): { cells: tessera.GpuImage; outer: Uint32Array; checked: boolean } {
  if (embryo) return embryo;
  const e = tessera.syntheticEmbryo({ shape: EMBRYO_SHAPE, ...(SMALL ? { spacing: 4.5 } : {}) });
  for (const img of [e.image, e.nuclei, e.mask]) img.release();
  if (e.count < 1800 || e.count > 2200) throw new Error(`ClassifySurfaceLabels1000: the synthetic embryo has ${e.count} cells, not about 2,000`);
  embryo = { cells: e.cells, outer: e.outer, checked: false };
  return embryo;
}
