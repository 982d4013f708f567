import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType } from '../../src';
import { assertClose } from '../support/assert';
import { ALL_DTYPES, randomPixels } from '../support/data';
import { pushed, setup } from '../support/gpu';
import { oracle, oracleNumber } from '../support/oracle';

/**
 * Whole-image, per-slice and masked statistics against numpy, every dtype, 2D and 3D (odd
 * sizes; the 3D images span several 4096-pixel chunks per slice). Tolerances: min/max and
 * counts exact; sums and means exact for 8/16-bit images, rtol 1e-6 otherwise (float32 partial
 * sums); variance and standard deviation rtol 1e-5.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const SHAPES: Record<string, number[]> = { '2D': [37, 53], '3D': [7, 71, 83], thin: [3, 1, 1] };
const range = (d: DType): [number, number] | undefined =>
  d === 'int32' ? [-(2 ** 24), 2 ** 24] : d === 'uint32' ? [0, 2 ** 24] : d === 'float32' ? [1000, 1100] : undefined;
const exactSums = (d: DType) => d !== 'float32' && !d.endsWith('32');

for (const dtype of ALL_DTYPES) {
  describe(`statistics ${dtype}`, () => {
    test('of all pixels', async () => {
      for (const [dims, shape] of Object.entries(SHAPES)) {
        const a = randomPixels(shape, dtype, 91, range(dtype));
        const img = pushed(a);
        const what = `${dtype} ${dims}`;
        const mean = await oracleNumber('a.mean(dtype=np.float64)', { a });
        const sumTol = exactSums(dtype) ? {} : { rtol: 1e-6 };
        assertClose([await t.meanOfAllPixels(img)], [mean], { ...sumTol, what: `mean ${what}` });
        assertClose([await t.varianceOfAllPixels(img)], [await oracleNumber('a.var(dtype=np.float64)', { a })], { rtol: 1e-5, what: `var ${what}` });
        assertClose([await t.standardDeviationOfAllPixels(img)], [await oracleNumber('a.std(dtype=np.float64)', { a })], { rtol: 1e-5, what: `std ${what}` });
        const s = await t.statisticsOfAllPixels(img);
        assert.equal(s.pixelCount, a.data.length);
        assert.equal(s.minimum, await oracleNumber('a.min()', { a }));
        assert.equal(s.maximum, await oracleNumber('a.max()', { a }));
        assertClose([s.sum, s.mean], [await oracleNumber('a.sum(dtype=np.float64)', { a }), mean], { ...sumTol, what: `sum ${what}` });
      }
    });
    test('of slices', async () => {
      for (const [dims, shape] of Object.entries(SHAPES)) {
        const a = randomPixels(shape, dtype, 92, range(dtype));
        const s = await t.statisticsOfSlices(pushed(a));
        const axes = shape.length === 3 ? '(1, 2)' : 'None';
        const per = async (f: string) => [...(await oracle(`np.atleast_1d(a.${f}(axis=${axes}${f === 'min' || f === 'max' ? '' : ', dtype=np.float64'}))`, { a })).data].map(Number);
        const what = `${dtype} ${dims}`;
        assert.deepEqual(s.minimum, await per('min'), `min ${what}`);
        assert.deepEqual(s.maximum, await per('max'), `max ${what}`);
        assertClose(s.mean, await per('mean'), { ...(exactSums(dtype) ? {} : { rtol: 1e-6 }), what: `mean ${what}` });
        assertClose(s.sum, await per('sum'), { ...(exactSums(dtype) ? {} : { rtol: 1e-6 }), what: `sum ${what}` });
        assertClose(s.standardDeviation, await per('std'), { rtol: 1e-5, atol: 1e-9, what: `std ${what}` });
        assertClose(s.variance, await per('var'), { rtol: 1e-5, atol: 1e-9, what: `var ${what}` });
        assert.deepEqual(s.pixelCount, new Array(shape.length === 3 ? shape[0] : 1).fill(shape.length === 3 ? shape[1] * shape[2] : a.data.length));
      }
    });
    test('of masked pixels, mean squared error, arrayEqual', async () => {
      const shape = SHAPES['3D'];
      const a = randomPixels(shape, dtype, 93, range(dtype));
      const m = randomPixels(shape, 'uint8', 94, [0, 1]);
      const [img, msk] = [pushed(a), pushed(m)];
      assert.equal(await t.minimumOfMaskedPixels(img, msk), await oracleNumber('a[m != 0].min()', { a, m }));
      assert.equal(await t.maximumOfMaskedPixels(img, msk), await oracleNumber('a[m != 0].max()', { a, m }));
      assertClose([await t.meanOfMaskedPixels(img, msk)], [await oracleNumber('a[m != 0].mean(dtype=np.float64)', { a, m })], exactSums(dtype) ? {} : { rtol: 1e-6 });
      const empty = pushed(randomPixels(shape, 'float32', 95, [0, 0]));
      assert.ok(Number.isNaN(await t.minimumOfMaskedPixels(img, empty)));
      const b = randomPixels(shape, dtype, 96, range(dtype));
      assertClose([await t.meanSquaredError(img, pushed(b))], [await oracleNumber('np.mean(np.square(a.astype(np.float32) - b.astype(np.float32)), dtype=np.float64)', { a, b })], { rtol: 1e-5 });
      assert.equal(await t.arrayEqual(img, pushed(a)), true);
      assert.equal(await t.arrayEqual(img, pushed(b)), false);
      assert.equal(await t.arrayEqual(img, t.create([2, 3], dtype)), false);
    });
  });
}

describe('accuracy and bad input', () => {
  test('variance of data far from zero (centred partial sums)', async () => {
    const a = randomPixels([9, 97, 101], 'float32', 97, [1e6, 1e6 + 1]);
    assertClose([await t.varianceOfAllPixels(pushed(a))], [await oracleNumber('a.var(dtype=np.float64)', { a })], { rtol: 1e-4 });
  });
  test('names the argument', async () => {
    const a = t.create([3, 4]);
    await assert.rejects(t.meanOfAllPixels(null as never), /meanOfAllPixels: input must be a GpuImage; got null/);
    await assert.rejects(t.minimumOfMaskedPixels(a, t.create([4, 3])), /minimumOfMaskedPixels: input \(shape \[3,4\]\) and mask \(shape \[4,3\]\) must have the same shape/);
    await assert.rejects(t.meanSquaredError(a, t.create([3, 5])), /meanSquaredError: input0 \(shape \[3,4\]\) and input1 \(shape \[3,5\]\) must have the same shape/);
    await assert.rejects(t.statisticsOfSlices(1 as never), /statisticsOfSlices: input must be a GpuImage; got number/);
  });
  test('4D stacks give t·z slices', async () => {
    const a = randomPixels([2, 3, 5, 7], 'int16', 98);
    const s = await t.statisticsOfSlices(pushed(a));
    assert.deepEqual(s.maximum, [...(await oracle('a.reshape(6, -1).max(axis=1)', { a })).data].map(Number));
  });
});
