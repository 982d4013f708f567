import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { assertClose } from '../support/assert';
import { randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { withLabelsRef } from '../support/labels';
import { oracle, type Pixels } from '../support/oracle';

/**
 * Per-label measurements against skimage.measure.regionprops_table (and numpy for the distance
 * columns), 2D and 3D, on blob labels with gaps in the numbering and on single-pixel labels.
 * Tolerances: counts, bounding boxes, min/max exact; sums, means and centres rtol 1e-6;
 * standard deviation, distances and shape measures rtol 1e-5 (atol 1e-6 for values near 0).
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
    const tol = EXACT.has(name) ? {} : LOOSE.has(name) ? { rtol: 1e-5, atol: 1e-6 } : { rtol: 1e-6, atol: 1e-9 };
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

  test('table helpers: columns are typed arrays, toJSON / toCSV', async () => {
    const labels = { data: Uint8Array.from([0, 1, 1, 0, 3, 3, 3, 0]), shape: [2, 4], dtype: 'uint8' };
    const v = { data: Float32Array.from([5, 1, 2, 5, 4, 4, 7, 5]), shape: [2, 4], dtype: 'float32' };
    const table = await t.statisticsOfLabelledPixels(pushed(v), pushed(labels));
    assert.deepEqual(Object.keys(table), [...t.STATISTICS_COLUMNS]);
    assert.ok(table.label instanceof Uint32Array && table.area instanceof Float64Array);
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

describe('centroidsOfLabels', () => {
  test('a [ndim, N] float32 point list, rows x, y, z', async () => {
    const labels = await blobLabels([9, 21, 25], 11);
    const got = await pulled(await t.centroidsOfLabels(pushed(labels)));
    const ref = await oracle(withLabelsRef('L.statistics(l, l.astype(np.float32))[7:10]'), { l: labels });
    assert.deepEqual(got.shape, [3, ref.shape[1]]);
    assertClose(got.data, ref.data, { rtol: 1e-6, atol: 1e-6 });
  });
});
