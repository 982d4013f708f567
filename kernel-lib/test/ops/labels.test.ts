import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType, GpuImage, TypedArray } from '../../src';
import { assertClose } from '../support/assert';
import { randomPixels, rng } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { withLabelsRef } from '../support/labels';
import { oracle, type Pixels } from '../support/oracle';

/**
 * Labeling, segmentation and label editing against scikit-image / scipy (and numpy emulations of
 * pyclesperanto's documented iterations where Tessera follows pyclesperanto), 1D/2D/3D, odd
 * sizes spanning several GPU tiles, thin and degenerate shapes. Label images are compared
 * exactly (numbering included) unless a test says it compares partitions.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const n = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A random 0/1 mask of `dtype` with about `density` ones. */
function randomMask(shape: number[], density: number, seed: number, dtype: DType = 'uint8'): Pixels & { data: TypedArray } {
  const p = randomPixels(shape, dtype, seed, [0, 0]);
  const r = rng(seed + 1000);
  for (let i = 0; i < p.data.length; i++) p.data[i] = r() < density ? 1 : 0;
  return p;
}

/** Pulls `img` and compares it with the oracle's result exactly. */
async function sameAs(img: GpuImage | Promise<GpuImage>, expr: string, inputs: Record<string, Pixels>, what: string, dtype = 'uint32'): Promise<void> {
  const got = await pulled(await img);
  const ref = await oracle(withLabelsRef(expr), inputs);
  assert.equal(got.dtype, dtype, `${what}: dtype`);
  assert.deepEqual(got.shape, ref.shape, `${what}: shape`);
  assertClose(got.data, ref.data, { what });
}

describe('connectedComponentsLabeling', () => {
  const SHAPES: Record<string, number[]> = { '1D': [1500], '2D': [71, 93], '3D': [13, 37, 45], 'flat 3D': [1, 40, 50], 'column 3D': [30, 1, 1] };
  for (const [dims, shape] of Object.entries(SHAPES)) {
    test(`${dims}: random masks of many densities, both connectivities, numbering as skimage.measure.label`, async () => {
      for (const [k, density] of [0.02, 0.1, 0.3, 0.45, 0.6, 0.8, 0.97].entries()) {
        const a = randomMask(shape, density, 10 + k);
        for (const c of ['box', 'diamond'] as const) {
          await sameAs(t.connectedComponentsLabeling(pushed(a), c), `L.label(a, '${c}')`, { a }, `${dims} density ${density} ${c}`);
        }
      }
    });
  }

  test('pyclesperanto\'s "sphere" is the diamond (4 / 6) neighbourhood; box is the default', async () => {
    const a = randomMask([17, 19, 21], 0.35, 3);
    await sameAs(t.connectedComponentsLabeling(pushed(a), 'sphere'), "L.label(a, 'diamond')", { a }, 'sphere');
    await sameAs(t.connectedComponentsLabeling(pushed(a)), "L.label(a, 'box')", { a }, 'default');
  });

  test('thin and degenerate shapes: empty, full, single pixels, 1-pixel lines and diagonals, checkerboards', async () => {
    const shape = [9, 40, 37];
    const cases: Record<string, (z: number, y: number, x: number) => number> = {
      empty: () => 0,
      full: () => 1,
      'single pixel': (z, y, x) => (z === 4 && y === 20 && x === 18 ? 1 : 0),
      'corner pixels': (z, y, x) => ((z === 0 || z === 8) && (y === 0 || y === 39) && (x === 0 || x === 36) ? 1 : 0),
      'x lines': (z, y) => (y % 2 === 0 ? 1 : 0),
      'y lines': (z, y, x) => (x % 2 === 0 ? 1 : 0),
      'z lines': (z, y, x) => (x % 2 === 0 && y % 2 === 0 ? 1 : 0),
      diagonals: (z, y, x) => ((x + y + z) % 3 === 0 ? 1 : 0),
      checkerboard: (z, y, x) => ((x + y + z) % 2),
      'a spiral across tiles': (z, y, x) => (z === 4 && (Math.min(x, y, 36 - x, 39 - y) % 2 === 0) ? 1 : 0),
    };
    for (const [name, f] of Object.entries(cases)) {
      const a = randomMask(shape, 0, 1);
      let i = 0;
      for (let z = 0; z < shape[0]; z++) for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[2]; x++) a.data[i++] = f(z, y, x);
      for (const c of ['box', 'diamond'] as const) await sameAs(t.connectedComponentsLabeling(pushed(a), c), `L.label(a, '${c}')`, { a }, `${name} ${c}`);
      const a2 = { data: a.data.slice(4 * 40 * 37, 5 * 40 * 37), shape: [40, 37], dtype: 'uint8' };
      for (const c of ['box', 'diamond'] as const) await sameAs(t.connectedComponentsLabeling(pushed(a2), c), `L.label(a, '${c}')`, { a: a2 }, `${name} 2D ${c}`);
    }
  });

  test('label images: touching labels stay apart (every integer dtype, values beyond 16 bits)', async () => {
    // Each dtype compiles its own kernels (slow on a software GPU): one shape and connectivity per dtype.
    const cases: Array<[DType, number[], 'box' | 'diamond']> = [
      ['uint8', [53, 61], 'box'], ['int8', [11, 23, 29], 'diamond'], ['uint16', [11, 23, 29], 'box'],
      ['int16', [53, 61], 'diamond'], ['uint32', [11, 23, 29], 'box'], ['int32', [53, 61], 'box'],
    ];
    for (const [dtype, shape, c] of cases) {
      {
        const a = randomPixels(shape, dtype, 21, [0, 3]);
        if (dtype.endsWith('32')) for (let i = 0; i < a.data.length; i++) a.data[i] = a.data[i] === 0 ? 0 : (dtype === 'int32' ? -70000 : 70000) * a.data[i];
        if (dtype === 'int8' || dtype === 'int16') for (let i = 0; i < a.data.length; i++) a.data[i] = a.data[i] === 2 ? -2 : a.data[i];
        await sameAs(t.connectedComponentsLabeling(pushed(a), c), `L.label(a, '${c}')`, { a }, `${dtype} ${shape.length}D ${c}`);
      }
    }
  });

  test('a large 3D mask over many tiles (30 % noise)', async () => {
    const a = randomMask([40, 70, 90], 0.3, 5);
    for (const c of ['box', 'diamond'] as const) await sameAs(t.connectedComponentsLabeling(pushed(a), c), `L.label(a, '${c}')`, { a }, `noise ${c}`);
  });

  test('bad input: float images, 4D images, unknown connectivities, released images', async () => {
    const f = t.push(new Float32Array(12), [3, 4]);
    assert.throws(() => t.connectedComponentsLabeling(f), /connectedComponentsLabeling: binary must be an integer label image or mask.*got float32/);
    const four = t.push(new Uint8Array(16), [2, 2, 2, 2]);
    assert.throws(() => t.connectedComponentsLabeling(four), /connectedComponentsLabeling: binary must have 1 or 2 or 3 dimensions/);
    const m = t.push(new Uint8Array(12), [3, 4]);
    assert.throws(() => t.connectedComponentsLabeling(m, 'octagon'), /connectivity must be one of 'box', 'diamond', 'sphere'; got "octagon"/);
    assert.throws(() => t.connectedComponentsLabeling([1, 2] as unknown as GpuImage), /binary must be a GpuImage/);
    m.release();
    assert.throws(() => t.connectedComponentsLabeling(m), /binary was released/);
  });
});

/** A label image with gaps: random labels 0..maxLabel (in blobs), some values missing. */
async function gappyLabels(shape: number[], seed: number, dtype = 'uint32'): Promise<Pixels> {
  const r = await oracle(
    `(lambda l: np.where(np.isin(l, [2, 5, 6]), 0, l * 3).astype(np.${dtype}))(skimage.measure.label(ndi.gaussian_filter(np.random.default_rng(${seed}).random(${JSON.stringify(shape)}), 1.2) > 0.52))`,
  );
  return { data: r.data as TypedArray, shape: r.shape, dtype };
}

describe('relabeling and excluding labels', () => {
  for (const [dims, shape] of Object.entries({ '2D': [57, 63], '3D': [13, 29, 31] })) {
    test(`${dims}: relabelSequential, excludeLabelsOnEdges, size filters against skimage / numpy`, async () => {
      const a = await gappyLabels(shape, 40);
      await sameAs(t.relabelSequential(pushed(a)), 'L.relabel(a)', { a }, 'relabelSequential');
      await sameAs(t.excludeLabelsOnEdges(pushed(a)), "L.on_edges(a, 'xyz')", { a }, 'excludeLabelsOnEdges');
      await sameAs(t.excludeLabelsOnEdges(pushed(a), false, true, false), "L.on_edges(a, 'y')", { a }, 'excludeLabelsOnEdges y');
      await sameAs(t.excludeLabelsOnEdges(pushed(a), true, false, true), "L.on_edges(a, 'xz')", { a }, 'excludeLabelsOnEdges x z');
      await sameAs(t.excludeLabelsOutsideSizeRange(pushed(a), 5, 40), 'L.size_range(a, 5, 40)', { a }, 'size range');
      await sameAs(t.excludeLabelsOutsideSizeRange(pushed(a), 4.5, 40.5), 'L.size_range(a, 5, 40)', { a }, 'size range, fractional bounds');
      await sameAs(t.excludeLabelsOutsideSizeRange(pushed(a)), 'L.size_range(a, 0, 100)', { a }, 'size range defaults');
      await sameAs(t.excludeSmallLabels(pushed(a), 10), 'L.size_range(a, 10, 1e12)', { a }, 'excludeSmallLabels');
      await sameAs(t.excludeLargeLabels(pushed(a), 10), 'L.size_range(a, 0, 10)', { a }, 'excludeLargeLabels');
    });
  }

  test('uint8 / int16 labels (negative values are background), empty and single-label images', async () => {
    const a = await gappyLabels([41, 43], 41, 'uint8');
    await sameAs(t.relabelSequential(pushed(a)), 'L.relabel(a)', { a }, 'uint8');
    const s = { data: Int16Array.from([0, -3, 7, 7, 0, 2, -1, 9]), shape: [8], dtype: 'int16' };
    await sameAs(t.relabelSequential(pushed(s)), 'L.relabel(a)', { a: s }, 'int16 with negatives');
    const empty = { data: new Uint16Array(30), shape: [5, 6], dtype: 'uint16' };
    await sameAs(t.relabelSequential(pushed(empty)), 'L.relabel(a)', { a: empty }, 'empty');
    await sameAs(t.excludeLabelsOnEdges(pushed(empty)), "L.on_edges(a, 'xyz')", { a: empty }, 'empty, edges');
    const one = { data: new Uint32Array(30).fill(4), shape: [5, 6], dtype: 'uint32' };
    await sameAs(t.excludeLabelsOnEdges(pushed(one)), "L.on_edges(a, 'xyz')", { a: one }, 'one label everywhere');
    await sameAs(t.relabelSequential(pushed(one)), 'L.relabel(a)', { a: one }, 'one label, relabeled');
  });

  test('bad input', async () => {
    const f = t.push(new Float32Array(12), [3, 4]);
    await assert.rejects(t.relabelSequential(f), /relabelSequential: labels must be an integer label image/);
    const l = t.push(new Uint8Array(12), [3, 4]);
    await assert.rejects(t.excludeLabelsOutsideSizeRange(l, 10, 5), /excludeLabelsOutsideSizeRange: maximumSize \(5\) must be >= minimumSize \(10\)/);
    await assert.rejects(t.excludeLabelsOutsideSizeRange(l, NaN, 5), /excludeLabelsOutsideSizeRange: minimumSize must be a finite number/);
    await assert.rejects(t.excludeLabelsOnEdges(l, 'yes' as unknown as boolean), /excludeLabelsOnEdges: excludeX must be true or false/);
  });
});

/** Sparse random labels: about `count` single pixels or small blobs with random label values. */
function sparseLabels(shape: number[], count: number, seed: number): Pixels & { data: Uint32Array } {
  const data = new Uint32Array(n(shape));
  const r = rng(seed);
  for (let k = 0; k < count; k++) data[Math.floor(r() * data.length)] = 1 + Math.floor(r() * 3 * count);
  return { data, shape, dtype: 'uint32' };
}

describe('Voronoi labelings', () => {
  for (const [dims, shape] of Object.entries({ '1D': [300], '2D': [61, 79], '3D': [19, 31, 37] })) {
    test(`${dims}: extendLabelingViaVoronoi gives every pixel a nearest label (exact squared distances; scipy differs only at ties)`, async () => {
      for (const [k, count] of [1, 5, 40, 400].entries()) {
        const a = sparseLabels(shape, count, 50 + k);
        const got = await pulled(t.extendLabelingViaVoronoi(pushed(a)));
        const [wrong, vsScipy, ties] = (await oracle(withLabelsRef('L.nearest_label_check(a, r)'), { a, r: got })).data as Float64Array;
        assert.equal(wrong, 0, `${dims}, ${count} labels: pixels not given a nearest label`);
        assert.ok(vsScipy <= ties, `${dims}, ${count} labels: ${vsScipy} pixels differ from scipy, more than the ${ties} tie pixels`);
      }
    });
  }

  test('extendLabelingViaVoronoi: labels keep their pixels; no labels give zeros; int16 labels; a large 2D image', async () => {
    const a = sparseLabels([40, 50], 30, 60);
    const got = await pulled(t.extendLabelingViaVoronoi(pushed(a)));
    for (let i = 0; i < a.data.length; i++) if (a.data[i] !== 0) assert.equal(got.data[i], a.data[i]);
    const none = { data: new Uint8Array(60), shape: [6, 10], dtype: 'uint8' };
    assert.ok((await pulled(t.extendLabelingViaVoronoi(pushed(none)))).data.every((x) => x === 0));
    const s = { data: Int16Array.from([0, 0, 3, 0, 0, 0, 0, 7, 0]), shape: [9], dtype: 'int16' };
    assert.deepEqual([...(await pulled(t.extendLabelingViaVoronoi(pushed(s)))).data], [3, 3, 3, 3, 3, 7, 7, 7, 7]);
    const big = sparseLabels([300, 700], 200, 61);
    const r = await pulled(t.extendLabelingViaVoronoi(pushed(big)));
    const [wrong] = (await oracle(withLabelsRef('L.nearest_label_check(a, r)'), { a: big, r })).data as Float64Array;
    assert.equal(wrong, 0);
  });

  test('voronoiLabeling: components of the binary image, then nearest labels', async () => {
    const a = randomMask([33, 47], 0.02, 62);
    const got = await pulled(t.voronoiLabeling(pushed(a)));
    const spots = await oracle(withLabelsRef("L.label(a, 'box')"), { a });
    const [wrong] = (await oracle(withLabelsRef('L.nearest_label_check(s, r)'), { s: { data: spots.data as Int32Array, shape: spots.shape, dtype: spots.dtype }, r: got })).data as Float64Array;
    assert.equal(wrong, 0);
  });

  for (const [dims, shape] of Object.entries({ '2D': [67, 71], '3D': [17, 33, 29] })) {
    test(`${dims}: maskedVoronoiLabeling as pyclesperanto's octagonal growth (numpy emulation, exact)`, async () => {
      const mask = await oracle(`(ndi.gaussian_filter(np.random.default_rng(63).random(${JSON.stringify(shape)}), 2) > 0.5).astype(np.uint8)`);
      const m = { data: mask.data as Uint8Array, shape, dtype: 'uint8' };
      for (const density of [0.002, 0.02]) {
        const b = randomMask(shape, density, 64);
        await sameAs(t.maskedVoronoiLabeling(pushed(b), pushed(m)), 'L.masked_voronoi(b, m)', { b, m }, `density ${density}`);
      }
    });
  }

  test('maskedVoronoiLabeling against the Euclidean nearest label cut by the mask: agreement rate', async () => {
    // Geodesic octagonal growth vs Euclidean cells: measured 81-85 % of the labelled pixels on these blob masks with
    // sparse random seeds (non-convex masks route growth around corners), 100 % on the synthetic embryo's nuclei.
    const shape = [40, 64, 64];
    const mask = await oracle(`(ndi.gaussian_filter(np.random.default_rng(63).random(${JSON.stringify(shape)}), 2) > 0.5).astype(np.uint8)`);
    const m = t.push(mask.data as Uint8Array, shape);
    const b = pushed(randomMask(shape, 0.005, 66));
    const masked = await pulled(await t.maskedVoronoiLabeling(b, m));
    const euclid = await pulled(t.mask(t.extendLabelingViaVoronoi(t.connectedComponentsLabeling(t.binaryAnd(b, m))), m));
    let labelled = 0;
    let same = 0;
    for (let i = 0; i < masked.data.length; i++) {
      if (masked.data[i] === 0) continue;
      labelled++;
      if (masked.data[i] === euclid.data[i]) same++;
    }
    assert.ok(same / labelled > 0.75, `agreement ${same / labelled}`);
  });

  test('maskedVoronoiLabeling: a diagonal passage stops the growth at the first unchanged step, as pyclesperanto', async () => {
    // Mask: two squares joined only diagonally; the spot in the left one.
    const shape = [8, 8];
    const mask = new Uint8Array(64);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) { mask[y * 8 + x] = 1; mask[(y + 4) * 8 + x + 4] = 1; }
    const b = new Uint8Array(64);
    b[0] = 1;
    const m = { data: mask, shape, dtype: 'uint8' };
    const bin = { data: b, shape, dtype: 'uint8' };
    await sameAs(t.maskedVoronoiLabeling(pushed(bin), pushed(m)), 'L.masked_voronoi(b, m)', { b: bin, m }, 'diagonal');
  });

  test('dilateLabels and erodeLabels as pyclesperanto (numpy emulation); labelToMask; reduceLabelsToLabelEdges', async () => {
    for (const shape of [[43, 51], [15, 21, 23]]) {
      const a = await gappyLabels(shape, 65);
      for (const r of [0, 1, 2, 5]) await sameAs(t.dilateLabels(pushed(a), r), `L.dilate(a, ${r})`, { a }, `dilate ${r}`);
      for (const r of [0, 1, 2, 3]) {
        await sameAs(t.erodeLabels(pushed(a), r), `L.erode(a, ${r}, False)`, { a }, `erode ${r}`);
        await sameAs(t.erodeLabels(pushed(a), r, true), `L.erode(a, ${r}, True)`, { a }, `erode ${r} relabel`);
      }
      await sameAs(t.labelToMask(pushed(a), 3), '(a == 3).astype(np.uint8)', { a }, 'labelToMask', 'uint8');
      await sameAs(t.reduceLabelsToLabelEdges(pushed(a)), 'np.where(L.edges(a), a, 0).astype(np.uint32)', { a }, 'edges');
    }
  });
});

describe('detectMaxima', () => {
  for (const [dims, shape] of Object.entries({ '1D': [200], '2D': [41, 57], '3D': [13, 23, 29], 'flat 3D': [1, 20, 30] })) {
    test(`${dims}: strict local maxima against scipy (float, integer with plateaus), threshold`, async () => {
      const f = randomPixels(shape, 'float32', 70, [0, 1]);
      await sameAs(t.detectMaxima(pushed(f)), 'L.detect_maxima(a)', { a: f }, 'float32', 'uint8');
      const u = randomPixels(shape, 'uint8', 71, [0, 6]);
      await sameAs(t.detectMaxima(pushed(u)), 'L.detect_maxima(a)', { a: u }, 'uint8 plateaus', 'uint8');
      await sameAs(t.detectMaxima(pushed(f), 0, 0, 0, 'box', { threshold: 0.8 }), '(L.detect_maxima(a) & (a > np.float32(0.8))).astype(np.uint8)', { a: f }, 'threshold', 'uint8');
    });
  }

  test('with a mean filter first (box and sphere): maxima of Tessera\'s own mean', async () => {
    const f = randomPixels([17, 29, 31], 'float32', 72, [0, 1]);
    for (const c of ['box', 'sphere'] as const) {
      const mean = await pulled(c === 'box' ? t.meanBox(pushed(f), 2, 1, 1) : t.meanSphere(pushed(f), 2, 1, 1));
      await sameAs(t.detectMaxima(pushed(f), 2, 1, 1, c), 'L.detect_maxima(a)', { a: mean }, c, 'uint8');
    }
  });

  test('a single pixel is a maximum; a constant image has none; bad input', async () => {
    assert.deepEqual([...(await pulled(t.detectMaxima(t.push(Float32Array.from([5]), [1])))).data], [1]);
    assert.ok((await pulled(t.detectMaxima(t.push(new Float32Array(30).fill(2), [5, 6])))).data.every((x) => x === 0));
    const img = t.push(new Float32Array(30), [5, 6]);
    assert.throws(() => t.detectMaxima(img, -1), /detectMaxima: radiusX must be an integer >= 0/);
    assert.throws(() => t.detectMaxima(img, 0, 0, 0, 'star'), /detectMaxima: connectivity must be 'box' or 'sphere'/);
    assert.throws(() => t.detectMaxima(img, 0, 0, 0, 'box', { threshold: NaN }), /detectMaxima: options.threshold must be a finite number/);
  });
});

describe('merging and reducing labels', () => {
  for (const [dims, shape] of Object.entries({ '2D': [47, 53], '3D': [13, 21, 25] })) {
    test(`${dims}: mergeTouchingLabels (groups numbered by their smallest label), reduceLabelsToCentroids`, async () => {
      // Voronoi cells of sparse seeds touch everywhere; masking them leaves separate groups.
      const seeds = sparseLabels(shape, 30, 80);
      const cells = await pulled(t.extendLabelingViaVoronoi(pushed(seeds)));
      const m = randomMask(shape, 0, 81);
      const blobs = await oracle(`(ndi.gaussian_filter(np.random.default_rng(82).random(${JSON.stringify(shape)}), 2) > 0.52).astype(np.uint8)`);
      for (let i = 0; i < m.data.length; i++) m.data[i] = blobs.data[i] ? cells.data[i] : 0;
      const a = { data: Uint32Array.from(m.data), shape, dtype: 'uint32' };
      await sameAs(t.mergeTouchingLabels(pushed(a)), 'L.merge_touching(a)', { a }, 'merge');
      await sameAs(t.reduceLabelsToCentroids(pushed(a)), 'L.centroid_pixels(a)', { a }, 'centroids');
      const g = await gappyLabels(shape, 83);
      await sameAs(t.mergeTouchingLabels(pushed(g)), 'L.merge_touching(a)', { a: g }, 'merge, separate blobs');
      await sameAs(t.reduceLabelsToCentroids(pushed(g)), 'L.centroid_pixels(a)', { a: g }, 'centroids, blobs');
    });
  }

  test('no labels; touching labels of a checkerboard merge into one', async () => {
    const empty = { data: new Uint8Array(20), shape: [4, 5], dtype: 'uint8' };
    await sameAs(t.mergeTouchingLabels(pushed(empty)), 'L.merge_touching(a)', { a: empty }, 'empty');
    await sameAs(t.reduceLabelsToCentroids(pushed(empty)), 'L.centroid_pixels(a)', { a: empty }, 'empty centroids');
    const board = { data: Uint16Array.from({ length: 30 }, (_, i) => 1 + ((i % 6) + Math.floor(i / 6)) % 2 * 5), shape: [5, 6], dtype: 'uint16' };
    assert.ok((await pulled(await t.mergeTouchingLabels(pushed(board)))).data.every((x) => x === 1));
  });
});

describe('watershed', () => {
  for (const [dims, shape] of Object.entries({ '2D': [45, 52], '3D': [11, 19, 23] })) {
    test(`${dims}: identical to skimage.segmentation.watershed (float and plateau-rich uint8 images, masks, both connectivities)`, async () => {
      const markers = sparseLabels(shape, 12, 90);
      const mask = await oracle(`(ndi.gaussian_filter(np.random.default_rng(91).random(${JSON.stringify(shape)}), 2) > 0.45).astype(np.uint8)`);
      const m = { data: mask.data as Uint8Array, shape, dtype: 'uint8' };
      const smooth = await oracle(`ndi.gaussian_filter(np.random.default_rng(92).random(${JSON.stringify(shape)}), 1.5).astype(np.float32)`);
      const f = { data: smooth.data as Float32Array, shape, dtype: 'float32' };
      const u = randomPixels(shape, 'uint8', 93, [0, 3]);
      const zero = { data: new Uint8Array(n(shape)), shape, dtype: 'uint8' };
      for (const c of ['diamond', 'box'] as const) {
        await sameAs(t.watershed(pushed(f), pushed(markers), undefined, c), `L.watershed(a, k, None, '${c}')`, { a: f, k: markers }, `float ${c}`);
        await sameAs(t.watershed(pushed(f), pushed(markers), pushed(m), c), `L.watershed(a, k, m, '${c}')`, { a: f, k: markers, m }, `float, mask, ${c}`);
        await sameAs(t.watershed(pushed(u), pushed(markers), pushed(m), c), `L.watershed(a, k, m, '${c}')`, { a: u, k: markers, m }, `uint8 plateaus ${c}`);
        await sameAs(t.watershed(pushed(zero), pushed(markers), undefined, c), `L.watershed(a, k, None, '${c}')`, { a: zero, k: markers }, `one plateau ${c}`);
      }
    });
  }

  test('bad input', async () => {
    const img = t.push(new Float32Array(12), [3, 4]);
    await assert.rejects(t.watershed(img, img), /watershed: markers must be an integer label image/);
    await assert.rejects(t.watershed(img, t.push(new Uint8Array(10), [2, 5])), /watershed: image \(shape \[3,4\]\) and markers \(shape \[2,5\]\) must have the same shape/);
    await assert.rejects(t.watershed(img, t.push(new Uint8Array(12), [3, 4]), undefined, 'ring'), /watershed: connectivity must be one of/);
  });
});

describe('segmentation workflows', () => {
  test('voronoiOtsuLabeling and gaussOtsuLabeling compose as pyclesperanto (from Tessera\'s own blurs, exact)', async () => {
    for (const shape of [[71, 83], [21, 37, 41]]) {
      const blobs = await oracle(`(ndi.gaussian_filter(np.random.default_rng(95).random(${JSON.stringify(shape)}), 2.5) * 100).astype(np.float32)`);
      const a = { data: blobs.data as Float32Array, shape, dtype: 'float32' };
      const s = shape.length === 3 ? [2, 2, 2] : [2, 2, 0];
      const o = shape.length === 3 ? [1, 1, 1] : [1, 1, 0];
      const spot = await pulled(t.gaussianBlur(pushed(a), s[0], s[1], s[2]));
      const outline = await pulled(t.gaussianBlur(pushed(a), o[0], o[1], o[2]));
      await sameAs(t.voronoiOtsuLabeling(pushed(a), 2, 1), 'L.voronoi_otsu(s, o)', { s: spot, o: outline }, `voronoiOtsuLabeling ${shape.length}D`);
      await sameAs(t.gaussOtsuLabeling(pushed(a), 1), 'L.gauss_otsu(o)', { o: outline }, `gaussOtsuLabeling ${shape.length}D`);
    }
  });

  test('the seed workflow on a synthetic embryo: topHatBox(5, 5, 0) → voronoiOtsuLabeling(3.5, 1) finds every nucleus', async () => {
    const shape = [48, 128, 224];
    const embryo = t.syntheticNuclei({ shape, seed: 1 });
    assert.ok(embryo.count >= 40, `the generator placed ${embryo.count} nuclei`);
    const again = t.syntheticNuclei({ shape, seed: 1 });
    assert.deepEqual((await pulled(again.labels)).data, (await pulled(embryo.labels)).data, 'deterministic for a seed');
    const background = t.topHatBox(embryo.image, 5, 5, 0);
    const nuclei = await t.voronoiOtsuLabeling(background, 3.5, 1);
    const truth = await pulled(embryo.labels);
    const found = await pulled(nuclei);
    const [nt, nf, matched, medianIoU] = (await oracle(withLabelsRef('L.match(t, f)'), { t: truth, f: found })).data as Float64Array;
    assert.equal(nt, embryo.count);
    // Stated tolerance: the count within 5 %, at least 95 % of the nuclei found with IoU > 0.5 (on this stack: all, median IoU ≈ 0.79).
    assert.ok(Math.abs(nf - nt) <= 0.05 * nt, `found ${nf} nuclei, truth ${nt}`);
    assert.ok(matched >= 0.95 * nt, `${matched} of ${nt} nuclei matched with IoU > 0.5`);
    assert.ok(medianIoU > 0.7, `median IoU ${medianIoU}`);
    // Measurements of the found nuclei: every nucleus is brighter than the background it was cut from.
    const table = await t.statisticsOfLabelledPixels(embryo.image, nuclei);
    assert.equal(table.rowCount, nf);
    assert.ok(table.mean_intensity.every((v) => v > 150), 'nuclei are bright');
  });
});

describe('bad input of every labeling operation', () => {
  test('float label images, 4D images, huge label values name the argument', async () => {
    const f = t.push(new Float32Array(24), [2, 3, 4]);
    const u = t.push(new Uint8Array(24), [2, 3, 4]);
    const four = t.push(new Uint16Array(16), [2, 2, 2, 2]);
    const calls: Record<string, [string, (x: GpuImage) => unknown]> = {
      connectedComponentsLabeling: ['binary', (x) => t.connectedComponentsLabeling(x)],
      extendLabelingViaVoronoi: ['labels', (x) => t.extendLabelingViaVoronoi(x)],
      voronoiLabeling: ['binary', (x) => t.voronoiLabeling(x)],
      maskedVoronoiLabeling: ['binary', (x) => t.maskedVoronoiLabeling(x, u)],
      dilateLabels: ['labels', (x) => t.dilateLabels(x)],
      erodeLabels: ['labels', (x) => t.erodeLabels(x)],
      labelToMask: ['labels', (x) => t.labelToMask(x)],
      reduceLabelsToLabelEdges: ['labels', (x) => t.reduceLabelsToLabelEdges(x)],
      reduceLabelsToCentroids: ['labels', (x) => t.reduceLabelsToCentroids(x)],
      relabelSequential: ['labels', (x) => t.relabelSequential(x)],
      excludeLabelsOnEdges: ['labels', (x) => t.excludeLabelsOnEdges(x)],
      excludeLabelsOutsideSizeRange: ['labels', (x) => t.excludeLabelsOutsideSizeRange(x)],
      mergeTouchingLabels: ['labels', (x) => t.mergeTouchingLabels(x)],
      watershed: ['markers', (x) => t.watershed(f, x)],
      labelPixelCountMap: ['labels', (x) => t.labelPixelCountMap(x)],
      meanIntensityMap: ['labels', (x) => t.meanIntensityMap(f, x)],
      parametricMap: ['labels', (x) => t.parametricMap(x, [1])],
      statisticsOfLabelledPixels: ['labels', (x) => t.statisticsOfLabelledPixels(f, x)],
      centroidsOfLabels: ['labels', (x) => t.centroidsOfLabels(x)],
    };
    const fails = async (f: () => unknown, pattern: RegExp, what: string) => {
      try {
        await f();
      } catch (e) {
        assert.equal((e as Error).name, 'TesseraError', `${what}: ${(e as Error).message}`);
        assert.match((e as Error).message, pattern, what);
        return;
      }
      assert.fail(`${what}: no error`);
    };
    for (const [name, [argument, call]] of Object.entries(calls)) {
      await fails(() => call(f), new RegExp(`^${name}: ${argument} must be an integer label image or mask`), `${name} float32`);
      if (name !== 'watershed' && name !== 'meanIntensityMap' && name !== 'statisticsOfLabelledPixels' && name !== 'maskedVoronoiLabeling') {
        await fails(() => call(four), new RegExp(`^${name}: ${argument} must have 1 or 2 or 3 dimensions`), `${name} 4D`);
      }
    }
    const huge = t.push(Uint32Array.from([0, 4000000000]), [2]);
    await fails(() => t.relabelSequential(huge), /relabelSequential: labels holds label values up to 4000000000, and a per-label table/, 'huge labels');
    await fails(() => t.maskedVoronoiLabeling(u, t.push(new Uint8Array(4), [4])), /maskedVoronoiLabeling: binary \(shape \[2,3,4\]\) and mask \(shape \[4\]\) must have the same shape/, 'mask shape');
    await fails(() => t.voronoiOtsuLabeling(f, -1), /voronoiOtsuLabeling: spotSigma must be >= 0/, 'negative sigma');
    await fails(() => t.dilateLabels(u, 1.5), /dilateLabels: radius must be an integer >= 0 and <= 4096/, 'fractional radius');
  });
});
