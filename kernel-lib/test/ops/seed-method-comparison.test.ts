import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tessera from '../../src';
import { randomPixels } from '../support/data';
import { pushed, setup } from '../support/gpu';
import { voronoiLabels } from '../support/labels';
import { oracle } from '../support/oracle';
import { assertValidVegaLite } from '../support/vega';

/**
 * The seed's exercise "Bland–Altman plots: compare two measurement libraries", done for the
 * user: the same labels measured by Tessera and by scikit-image (regionprops_table in Python,
 * passed back), compared with compareMeasurements. Two implementations of the same measurement
 * must agree to float tolerance: bias ≈ 0 and both limits of agreement within a relative 1e-5
 * of the measured magnitudes (Tessera sums in float32 on the GPU, scikit-image in float64).
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const labels = voronoiLabels([11, 41, 47], 40, 7, 9);
const intensity = randomPixels([11, 41, 47], 'float32', 10, [100, 900]);

/** scikit-image's regionprops_table of the same labels and intensities, as a column table. */
async function skimageTable(properties: string[], columns = properties): Promise<Record<string, Float64Array>> {
  const cols = columns.map((p) => `np.asarray(T[${JSON.stringify(p)}], np.float64)`).join(', ');
  const expr = `(lambda T: np.stack([${cols}]))(__import__('skimage.measure').measure.regionprops_table(l.astype(np.int64), i, properties=${JSON.stringify(properties)}))`;
  const r = await oracle(expr, { l: labels, i: intensity });
  const n = r.shape[1];
  return Object.fromEntries(columns.map((p, k) => [p, Float64Array.from((r.data as Float64Array).subarray(k * n, (k + 1) * n))]));
}

function assertAgreesToFloatTolerance(c: tessera.MethodComparison, scale: number, what: string): void {
  const tol = 1e-5 * scale;
  assert.ok(Math.abs(c.bias) <= tol, `${what}: bias ${c.bias} beyond ${tol}`);
  assert.ok(Math.abs(c.lowerLimit) <= tol && Math.abs(c.upperLimit) <= tol, `${what}: limits ${c.lowerLimit} .. ${c.upperLimit} beyond ±${tol}`);
  assert.equal(c.proportionalError && Math.abs(c.regression.slope) > 1e-6, false, `${what}: no proportional error beyond rounding`);
}

describe('seed exercise: Tessera vs scikit-image on the same labels', () => {
  test('mean intensity per label: statisticsOfLabelledPixels vs regionprops_table', async () => {
    const table = await t.statisticsOfLabelledPixels(pushed(intensity), pushed(labels));
    // Rows of labels without pixels (NaN) are not in regionprops_table.
    const rows = [...table.label.keys()].filter((r) => table.area[r] > 0);
    const ours = { label: Float64Array.from(rows, (r) => table.label[r]), mean_intensity: Float64Array.from(rows, (r) => table.mean_intensity[r]) };
    const theirs = await skimageTable(['label', 'mean_intensity']);
    const m = await t.compareMeasurements(ours, theirs, ['mean_intensity'], { names: ['Tessera', 'scikit-image'] });
    assert.equal(m.pairedBy, 'label');
    assert.equal(m.unmatched, 0);
    assertAgreesToFloatTolerance(m.columns.mean_intensity, 900, 'mean intensity');
    assertValidVegaLite(m.plot(), 'mean intensity comparison');
  });

  test('centroids per label: centroidsOfLabels vs regionprops_table', async () => {
    const c = await t.pull(await t.centroidsOfLabels(pushed(labels)));
    const n = c.shape[1];
    const row = (k: number) => Float64Array.from((c.data as Float32Array).subarray(k * n, (k + 1) * n));
    const present = (await skimageTable(['label'])).label;
    const ours = { centroid_x: row(0), centroid_y: row(1), centroid_z: row(2) };
    // regionprops orders centroid axes as the array's (z, y, x); labels without pixels are absent there.
    const sk = await skimageTable(['label', 'centroid'], ['label', 'centroid-0', 'centroid-1', 'centroid-2']);
    const theirs = { label: sk.label, centroid_z: sk['centroid-0'], centroid_y: sk['centroid-1'], centroid_x: sk['centroid-2'] };
    const keep = (col: Float64Array) => Float64Array.from(present, (l) => col[l - 1]);
    const m = await t.compareMeasurements(
      { label: present, centroid_x: keep(ours.centroid_x), centroid_y: keep(ours.centroid_y), centroid_z: keep(ours.centroid_z) },
      theirs,
      undefined,
      { names: ['Tessera', 'scikit-image'] },
    );
    assert.deepEqual(Object.keys(m.columns), ['centroid_x', 'centroid_y', 'centroid_z']);
    for (const [k, c2] of Object.entries(m.columns)) assertAgreesToFloatTolerance(c2, 50, k);
    assertValidVegaLite(m.plot(), 'centroid comparison');
  });
});
