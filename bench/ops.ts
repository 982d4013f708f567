/**
 * The benchmark catalogue: each row names an operation as the seed's speed table does,
 * how Tessera runs it, and the same operation in CuPy, pyclesperanto and scipy/numpy
 * (Python expressions timed by bench/peers.py over the same inputs). Inputs: `a`, `b`
 * float32 random in [0, 1); `m`, `n` uint8 masks (~70% ones); CuPy masks are bool.
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
  /** Runs the operation once on the prepared inputs; returns what to release. */
  run?: (x: Inputs) => tessera.GpuImage | Promise<unknown>;
  /** Bytes an ideal implementation moves (inputs read once + output written once). */
  bytes: number;
  cupy?: string;
  cle?: string;
  scipy?: string;
}

export interface Inputs {
  a: tessera.GpuImage;
  b: tessera.GpuImage;
  m: tessera.GpuImage;
  n: tessera.GpuImage;
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
  return rows;
}
