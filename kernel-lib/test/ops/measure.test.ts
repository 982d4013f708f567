import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { GpuImage } from '../../src';
import { symmetricEigenvalues3 } from '../../src/ops/measure/derive';
import { assertClose } from '../support/assert';
import { randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { withLabelsRef } from '../support/labels';
import { oracle, type Pixels } from '../support/oracle';

/**
 * Per-label measurements against skimage.measure.regionprops_table (and numpy for the distance
 * columns), 2D and 3D, on blob labels with gaps in the numbering and on single-pixel labels.
 * Tolerances: counts, bounding boxes, min/max exact; sums, means and centres rtol 1e-6;
 * standard deviation, distances and shape measures rtol 1e-5, atol 3e-5 (distances are measured from the
 * centres rounded to float32: about an ulp of the coordinate, a few 1e-6 pixels on these images).
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

/** Labels of smoothed-noise blobs (skimage.measure.label), with label `drop` removed to make a gap. */
async function blobLabels(shape: number[], seed: number, drop = 3): Promise<Pixels> {
  const r = await oracle(
    `(lambda l: np.where(l == ${drop}, 0, l).astype(np.uint32))(skimage.measure.label(ndi.gaussian_filter(np.random.default_rng(${seed}).random(${JSON.stringify(shape)}), 1.5) > 0.53))`,
  );
  return { data: r.data as Uint32Array, shape: r.shape, dtype: 'uint32' };
}

const EXACT = new Set(['area', 'bbox_min_x', 'bbox_min_y', 'bbox_min_z', 'bbox_max_x', 'bbox_max_y', 'bbox_max_z', 'min_intensity', 'max_intensity']);
const LOOSE = new Set(['standard_deviation_intensity', 'mean_distance_to_centroid', 'max_distance_to_centroid', 'mean_distance_to_mass_center',
  'max_distance_to_mass_center', 'equivalent_diameter', 'extent', 'eccentricity', 'major_axis_length', 'minor_axis_length']);

async function compareWithSkimage(labels: Pixels, intensity: Pixels, what: string): Promise<void> {
  const table = await t.statisticsOfLabelledPixels(pushed(intensity), pushed(labels));
  const ref = await oracle(withLabelsRef('L.statistics(l, v)'), { l: labels, v: intensity });
  const names = REF_COLUMNS;
  const rows = ref.shape[1];
  assert.equal(table.rowCount, rows, `${what}: rows`);
  names.forEach((name, k) => {
    const want = Array.from(ref.data.slice(k * rows, (k + 1) * rows) as Float64Array);
    const got = (table as unknown as Record<string, Float64Array>)[name];
    const tol = EXACT.has(name) ? {} : LOOSE.has(name) ? { rtol: 1e-5, atol: 3e-5 } : { rtol: 1e-6, atol: 1e-9 };
    assertClose(got, want, { ...tol, what: `${what} ${name}` });
  });
  for (let r = 0; r < rows; r++) assert.equal(table.label[r], r + 1);
}

const REF_COLUMNS = [
  'area', 'bbox_min_x', 'bbox_min_y', 'bbox_min_z', 'bbox_max_x', 'bbox_max_y', 'bbox_max_z',
  'centroid_x', 'centroid_y', 'centroid_z', 'mass_center_x', 'mass_center_y', 'mass_center_z',
  'sum_intensity', 'mean_intensity', 'min_intensity', 'max_intensity', 'standard_deviation_intensity',
  'mean_distance_to_centroid', 'max_distance_to_centroid', 'mean_distance_to_mass_center', 'max_distance_to_mass_center',
  'equivalent_diameter', 'extent', 'eccentricity', 'major_axis_length', 'minor_axis_length',
];

describe('statisticsOfLabelledPixels', () => {
  for (const [dims, shape] of Object.entries({ '2D': [61, 77], '3D': [17, 29, 33] })) {
    test(`${dims}: every column against skimage.measure.regionprops_table`, async () => {
      const labels = await blobLabels(shape, 7);
      const intensity = randomPixels(shape, 'float32', 8, [100, 200]);
      await compareWithSkimage(labels, intensity, dims);
      const u16 = randomPixels(shape, 'uint16', 9);
      await compareWithSkimage(labels, u16, `${dims} uint16`);
    });
  }

  test('intensities far from zero (std from deviations, not from sums of squares), int32 and uint8 intensities, uint16 labels', async () => {
    const shape = [23, 41, 37];
    const labels = await blobLabels(shape, 12);
    const offset = randomPixels(shape, 'float32', 13, [10000, 10001]);
    await compareWithSkimage(labels, offset, 'offset float32');
    await compareWithSkimage(labels, randomPixels(shape, 'int32', 14, [-100000, 100000]), 'int32');
    const u16 = { ...labels, data: Uint16Array.from(labels.data as Uint32Array), dtype: 'uint16' };
    await compareWithSkimage(u16, randomPixels(shape, 'uint8', 15), 'uint16 labels, uint8 intensity');
  });

  test('3D shape measures of needles, single-slice ellipses, disks and prolate blobs (nearly equal eigenvalues)', async () => {
    // Thin and rotationally symmetric labels: two eigenvalues of the inertia tensor (nearly)
    // coincide, where a closed-form eigen solver loses half the digits of the minor axis.
    const shape = [12, 48, 64];
    const r = await oracle(`(lambda z, y, x: (
        1 * ((abs(y - 0.4 * x - 5) < 0.6) & (z == 2) & (x > 3) & (x < 60))
      + 2 * (((x - 20) ** 2 / 150 + (y - 30) ** 2 / 40 + (x - 20) * (y - 30) / 60 < 1) & (z == 6))
      + 3 * (((x - 48) ** 2 + (y - 34) ** 2 < 64) & (z >= 8) & (z <= 9))
      + 4 * ((((x - 45) * 0.8 + (y - 10) * 0.6) ** 2 / 64 + ((y - 10) * 0.8 - (x - 45) * 0.6) ** 2 / 6 + (z - 4) ** 2 / 6) < 1)
      ).astype(np.uint32))(*np.indices(${JSON.stringify(shape)}))`);
    const labels = { data: r.data as Uint32Array, shape, dtype: 'uint32' };
    await compareWithSkimage(labels, randomPixels(shape, 'float32', 5, [1, 2]), 'thin labels');
  });
  test('thousands of small labels (a random label image), and single-pixel labels', async () => {
    const shape = [96, 120];
    const labels = randomPixels(shape, 'uint32', 16, [0, 3000]);
    await compareWithSkimage(labels, randomPixels(shape, 'float32', 17, [0, 1]), 'random labels');
    const single = { data: Uint32Array.from([0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 2]), shape: [3, 4], dtype: 'uint32' };
    await compareWithSkimage(single, randomPixels([3, 4], 'float32', 18, [1, 2]), 'single pixels');
  });

  test('statisticsOfBackgroundAndLabelledPixels: row 0 is the background', async () => {
    const shape = [31, 43];
    const labels = await blobLabels(shape, 19);
    const v = randomPixels(shape, 'float32', 20, [0, 10]);
    const table = await t.statisticsOfBackgroundAndLabelledPixels(pushed(v), pushed(labels));
    const plus = { ...labels, data: (labels.data as Uint32Array).map((x) => x + 1) };
    const ref = await oracle(withLabelsRef('L.statistics(l, v)'), { l: plus, v });
    const rows = ref.shape[1];
    assert.equal(table.rowCount, rows);
    assert.deepEqual([...table.label], Array.from({ length: rows }, (_, k) => k));
    for (const [k, name] of REF_COLUMNS.entries()) {
      const tol = EXACT.has(name) ? {} : { rtol: 1e-5, atol: 1e-5 };
      assertClose((table as unknown as Record<string, Float64Array>)[name], ref.data.slice(k * rows, (k + 1) * rows) as Float64Array, { ...tol, what: name });
    }
  });

  test('negative labels of signed label images are not measured', async () => {
    const labels = { data: Int16Array.from([-1, 1, 1, -5, 2, 0]), shape: [6], dtype: 'int16' };
    const v = { data: Float32Array.from([9, 1, 2, 9, 4, 9]), shape: [6], dtype: 'float32' };
    const table = await t.statisticsOfLabelledPixels(pushed(v), pushed(labels));
    assert.deepEqual([...table.area], [2, 1]);
    assert.deepEqual([...table.sum_intensity], [3, 4]);
    assert.deepEqual([...table.centroid_x], [1.5, 4]);
  });

  test('bad input: float labels, shapes that differ, NaN intensities, 4D', async () => {
    const f = t.push(new Float32Array(12), [3, 4]);
    const l = t.push(new Uint8Array(12), [3, 4]);
    await assert.rejects(t.statisticsOfLabelledPixels(f, f), /statisticsOfLabelledPixels: labels must be an integer label image or mask.*got float32/);
    await assert.rejects(t.statisticsOfLabelledPixels(t.push(new Float32Array(10), [2, 5]), l), /statisticsOfLabelledPixels: intensity \(shape \[2,5\]\) and labels \(shape \[3,4\]\) must have the same shape/);
    const nan = t.push(Float32Array.from({ length: 12 }, (_, i) => (i === 3 ? NaN : i)), [3, 4], { allowNonFinite: true });
    await assert.rejects(t.statisticsOfLabelledPixels(nan, l), /statisticsOfLabelledPixels: intensity holds NaN or infinite values/);
    await assert.rejects(t.centroidsOfLabels(t.push(new Uint8Array(16), [2, 2, 2, 2])), /centroidsOfLabels: labels must have 1 or 2 or 3 dimensions/);
    await assert.rejects(t.centroidsOfLabels(l), /centroidsOfLabels: labels holds no label/);
    const empty = await t.statisticsOfLabelledPixels(f, l);
    assert.equal(empty.rowCount, 0);
  });

  test('table helpers: columns are typed arrays, toJSON / toCSV', async () => {
    const labels = { data: Uint8Array.from([0, 1, 1, 0, 3, 3, 3, 0]), shape: [2, 4], dtype: 'uint8' };
    const v = { data: Float32Array.from([5, 1, 2, 5, 4, 4, 7, 5]), shape: [2, 4], dtype: 'float32' };
    const table = await t.statisticsOfLabelledPixels(pushed(v), pushed(labels));
    assert.deepEqual(Object.keys(table), [...t.STATISTICS_COLUMNS]);
    assert.ok(table.label instanceof Uint32Array && table.area instanceof Float64Array);
    // Typed per column (this file is type-checked): a notebook's table.area.map(...) needs no cast.
    const labelColumn: Uint32Array = table.label;
    const widths: Float64Array = table.bbox_width.map((w) => w * 2);
    assert.deepEqual([...labelColumn], [1, 2, 3]);
    assert.equal(widths[0], 4);
    assert.deepEqual([...table.area], [2, 0, 3]);
    assert.deepEqual([...table.mean_intensity], [1.5, NaN, 5]);
    const json = JSON.parse(JSON.stringify(table));
    assert.deepEqual(json.mean_intensity, [1.5, null, 5]);
    const csv = table.toCSV().split('\n');
    assert.equal(csv[0], t.STATISTICS_COLUMNS.join(','));
    assert.equal(csv.length, 5);
    assert.ok(csv[2].startsWith('2,0,NaN'));
  });
});

describe('symmetricEigenvalues3 (the axis lengths of 3D tables)', () => {
  test('against numpy.linalg.eigvalsh: random, diagonal, equal and nearly equal eigenvalues, needles', async () => {
    let seed = 3;
    const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296 - 0.5;
    const cases: number[][] = Array.from({ length: 200 }, () => Array.from({ length: 6 }, next));
    cases.push(
      [1, 1, 1, 0, 0, 0], [2, 2, 1, 0, 0, 0], [1, 1, 1, 1e-9, 0, 0], [5, 5, 5, 1e-12, 1e-12, 1e-12],
      [83333, 83333, 0.17, 1e-3, 0, 0], // a needle 1000 pixels long: the two large ones 2e-3 apart
      [1e6, 1e6 + 1e-4, 1e6 + 2e-4, 1e-5, 2e-5, 0], [3, 2, 1, 1e-200, 0, 0],
    );
    const ref = await oracle('np.linalg.eigvalsh(np.stack([m[:, [0, 3, 4]], m[:, [3, 1, 5]], m[:, [4, 5, 2]]], axis=1))[:, ::-1].copy()', {
      m: { data: Float64Array.from(cases.flat()), shape: [cases.length, 6], dtype: 'float64' },
    });
    cases.forEach((m, k) => {
      const got = Array.from(symmetricEigenvalues3(m[0], m[1], m[2], m[3], m[4], m[5]));
      const want = Array.from(ref.data.slice(3 * k, 3 * k + 3) as Float64Array);
      const scale = Math.max(...want.map(Math.abs));
      assertClose(got, want, { rtol: 0, atol: 1e-13 * scale, what: `eigenvalues of [${m}]` });
    });
  });
});

describe('centroidsOfLabels', () => {
  test('a [ndim, N] float32 point list, rows x, y, z', async () => {
    const labels = await blobLabels([9, 21, 25], 11);
    const got = await pulled(await t.centroidsOfLabels(pushed(labels)));
    const ref = await oracle(withLabelsRef('L.statistics(l, l.astype(np.float32))[7:10]'), { l: labels });
    assert.deepEqual(got.shape, [3, ref.shape[1]]);
    assertClose(got.data, ref.data, { rtol: 1e-6, atol: 1e-6 });
  });

  test('2D: rows x, y; with the background first; labels without pixels are NaN', async () => {
    const labels = { data: Uint8Array.from([0, 1, 1, 0, 4, 4, 0, 0]), shape: [2, 4], dtype: 'uint8' };
    const got = await pulled(await t.centroidsOfLabels(pushed(labels), true));
    assert.deepEqual(got.shape, [2, 5]);
    assertClose(got.data, [2, 1.5, NaN, NaN, 0.5, 0.5, 0, NaN, NaN, 1]);
  });
});

describe('parametric maps', () => {
  for (const [dims, shape] of Object.entries({ '2D': [47, 53], '3D': [11, 23, 27] })) {
    test(`${dims}: pixel count, mean / min / max / std intensity, extension maps against scipy.ndimage and the statistics oracle`, async () => {
      const labels = await blobLabels(shape, 31);
      const v = randomPixels(shape, 'float32', 32, [50, 60]);
      const l = pushed(labels);
      const vi = pushed(v);
      const check = async (img: Promise<GpuImage>, expr: string, tol: { rtol?: number; atol?: number }, what: string) => {
        const got = await pulled(await img);
        assert.equal(got.dtype, 'float32', what);
        const ref = await oracle(withLabelsRef(expr), { l: labels, v });
        assertClose(got.data, ref.data, { ...tol, what });
      };
      await check(t.labelPixelCountMap(l), 'L.paint(l, np.bincount(l.ravel())[1:])', {}, 'pixel count');
      await check(t.meanIntensityMap(vi, l), 'L.paint(l, L.per_label(l, v, ndi.mean))', { rtol: 1e-6 }, 'mean');
      await check(t.minimumIntensityMap(vi, l), 'L.paint(l, L.per_label(l, v, ndi.minimum))', {}, 'minimum');
      await check(t.maximumIntensityMap(vi, l), 'L.paint(l, L.per_label(l, v, ndi.maximum))', {}, 'maximum');
      await check(t.standardDeviationIntensityMap(vi, l), 'L.paint(l, L.per_label(l, v, ndi.standard_deviation))', { rtol: 1e-5, atol: 1e-6 }, 'std');
      await check(t.meanExtensionMap(l), 'L.paint(l, L.statistics(l, v)[L.COLUMNS.index("mean_distance_to_centroid")])', { rtol: 1e-5, atol: 3e-5 }, 'mean extension');
      await check(t.maximumExtensionMap(l), 'L.paint(l, L.statistics(l, v)[L.COLUMNS.index("max_distance_to_centroid")])', { rtol: 1e-5, atol: 3e-5 }, 'max extension');
      const s = 'L.statistics(l, v)';
      await check(t.extensionRatioMap(l), `L.paint(l, ${s}[L.COLUMNS.index("max_distance_to_centroid")] / ${s}[L.COLUMNS.index("mean_distance_to_centroid")])`, { rtol: 1e-4, atol: 1e-4 }, 'extension ratio');
    });
  }

  test('parametricMap: a table column, a GpuImage column, labels beyond the column are NaN; bad values', async () => {
    const labels = await blobLabels([37, 41], 33);
    const v = randomPixels([37, 41], 'float32', 34, [0, 1]);
    const table = await t.statisticsOfLabelledPixels(pushed(v), pushed(labels));
    const got = await pulled(t.parametricMap(pushed(labels), table.mean_intensity));
    const ref = await oracle(withLabelsRef('L.paint(l, L.per_label(l, v, ndi.mean))'), { l: labels, v });
    assertClose(got.data, ref.data, { rtol: 1e-6, atol: 1e-7, what: 'from the table' });
    const column = t.push(Float32Array.from(table.area), [table.rowCount]);
    const areas = await pulled(t.parametricMap(pushed(labels), column));
    assertClose(areas.data, (await oracle(withLabelsRef('L.paint(l, np.bincount(l.ravel())[1:])'), { l: labels })).data, { what: 'from a GpuImage' });
    const short = await pulled(t.parametricMap(t.push(Uint8Array.from([0, 1, 2, 3]), [4]), [10, 20]));
    assertClose(short.data, [0, 10, 20, NaN]);
    assert.throws(() => t.parametricMap(pushed(labels), 5 as unknown as number[]), /parametricMap: values must be an array of numbers/);
    assert.throws(() => t.parametricMap(pushed(labels), []), /parametricMap: values is empty/);
    assert.throws(() => t.parametricMap(pushed(v), [1]), /parametricMap: labels must be an integer label image/);
  });
});

