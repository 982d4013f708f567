import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { ALL_DTYPES, randomPixels, rng } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { oracle, oracleNumber } from '../support/oracle';

/**
 * Histograms against numpy and automatic thresholds against scikit-image, 2D and 3D.
 * Tolerances: histograms, Otsu, Yen and triangle are exact (the same threshold value and
 * binary image as skimage). Li of integer images: the same float64 iteration, threshold
 * within rtol 1e-13 (numpy's and V8's logarithms may differ in the last bit), binary image
 * exact. Li of float32 images: threshold within
 * rtol 1e-5 (more precise sums than numpy's float32 ones), binary image exact against
 * `a > t` with Tessera's t. Mean: the float64 mean (skimage's float32 mean may differ in
 * the last bits), binary exact against `a > float32(mean)`.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const SHAPES: Record<string, number[]> = { '2D': [37, 53], '3D': [7, 19, 23] };

/** Two overlapping intensity populations (a "cells on background" histogram), in `dtype`'s range. */
function bimodal(shape: number[], dtype: DType, seed: number, lo: number, hi: number) {
  const img = randomPixels(shape, dtype, seed, [lo, hi]);
  const r = rng(seed + 1000);
  const span = hi - lo;
  for (let i = 0; i < img.data.length; i++) {
    const fg = r() < 0.3;
    const g = (r() + r() + r() - 1.5) / 1.5;
    const v = lo + span * (fg ? 0.7 + 0.15 * g : 0.25 + 0.2 * g);
    img.data[i] = dtype === 'float32' ? v : Math.round(Math.min(hi, Math.max(lo, v)));
  }
  return img;
}

const RANGES: Record<DType, [number, number]> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 60000], int16: [-20000, 30000],
  uint32: [100, 70000], int32: [-50000, 30000], float32: [-3.5, 1234.25],
};

describe('histogram', () => {
  for (const dtype of ALL_DTYPES) {
    test(`${dtype}: image range, explicit range, bin counts`, async () => {
      for (const [dims, shape] of Object.entries(SHAPES)) {
        const a = bimodal(shape, dtype, 81, ...RANGES[dtype]);
        const img = pushed(a);
        for (const bins of [256, 64, 1]) {
          const out = await pulled(t.histogram(img, bins));
          assert.equal(out.dtype, 'uint32');
          assertShape(out.shape, [bins]);
          assertClose(out.data, (await oracle(`np.histogram(a, ${bins})[0]`, { a })).data, { what: `${dtype} ${dims} auto ${bins}` });
        }
        const [lo, hi] = RANGES[dtype];
        for (const [bins, mn, mx] of [[256, lo + 0.3 * (hi - lo), lo + 0.8 * (hi - lo)], [10, lo, hi], [7, lo - 10.5, hi + 3.25], [3000, lo, hi]]) {
          const out = await pulled(t.histogram(img, bins, mn, mx));
          const ref = await oracle(`np.histogram(a, ${bins}, range=(${mn}, ${mx}))[0]`, { a });
          assertClose(out.data, ref.data, { what: `${dtype} ${dims} range (${mn}, ${mx}) ${bins}` });
        }
      }
    });
  }
  test('8/16-bit images with a non-power-of-two bin count and the image range', async () => {
    for (const dtype of ['uint8', 'int16'] as DType[]) {
      const a = bimodal([19, 41], dtype, 82, dtype === 'uint8' ? 3 : -700, dtype === 'uint8' ? 250 : 9000);
      for (const bins of [100, 255, 77]) {
        const out = await pulled(t.histogram(pushed(a), bins));
        assertClose(out.data, (await oracle(`np.histogram(a, ${bins})[0]`, { a })).data, { what: `${dtype} ${bins}` });
      }
    }
  });
  test('constant images and many bins (global atomics)', async () => {
    const c = { data: new Float32Array(99).fill(4.5), shape: [9, 11], dtype: 'float32' };
    assertClose((await pulled(t.histogram(pushed(c), 16))).data, (await oracle('np.histogram(a, 16)[0]', { a: c })).data);
    const u = { data: new Uint16Array(99).fill(300), shape: [9, 11], dtype: 'uint16' };
    assertClose((await pulled(t.histogram(pushed(u), 16))).data, (await oracle('np.histogram(a, 16)[0]', { a: u })).data);
    const w = randomPixels([31, 37], 'uint16', 83);
    assertClose((await pulled(t.histogram(pushed(w), 20000, 0, 65535))).data, (await oracle('np.histogram(a, 20000, range=(0, 65535))[0]', { a: w })).data);
  });
  test('bad input', () => {
    const a = t.create([4, 4]);
    assert.throws(() => t.histogram(a, 0), /histogram: numBins must be an integer >= 1/);
    assert.throws(() => t.histogram(a, 2.5), /histogram: numBins must be an integer/);
    assert.throws(() => t.histogram(a, 10, 5, 1), /histogram: minimumIntensity \(5\) must not exceed maximumIntensity \(1\)/);
    assert.throws(() => t.histogram(a, 10, Infinity), /histogram: minimumIntensity must be a finite number/);
  });
});

interface Algo {
  name: string;
  value: (img: ReturnType<typeof pushed>) => Promise<number>;
  binary: (img: ReturnType<typeof pushed>) => Promise<ReturnType<typeof pushed>>;
  skimage: string;
}
const ALGOS: Algo[] = [
  { name: 'otsu', value: (i) => t.thresholdOtsuValue(i), binary: (i) => t.thresholdOtsu(i), skimage: 'filters.threshold_otsu(a)' },
  { name: 'yen', value: (i) => t.thresholdYenValue(i), binary: (i) => t.thresholdYen(i), skimage: 'filters.threshold_yen(a)' },
  { name: 'triangle', value: (i) => t.thresholdTriangleValue(i), binary: (i) => t.thresholdTriangle(i), skimage: 'filters.threshold_triangle(a)' },
];

describe('automatic thresholds match scikit-image exactly', () => {
  for (const dtype of ALL_DTYPES) {
    for (const algo of ALGOS) {
      test(`${algo.name} ${dtype}`, async () => {
        for (const [dims, shape] of Object.entries(SHAPES)) {
          for (const [kind, a] of [['bimodal', bimodal(shape, dtype, 84, ...RANGES[dtype])], ['uniform', randomPixels(shape, dtype, 85, RANGES[dtype])]] as const) {
            const img = pushed(a);
            const what = `${algo.name} ${dtype} ${dims} ${kind}`;
            const ref = await oracleNumber(algo.skimage, { a });
            assert.equal(await algo.value(img), ref, `${what}: threshold`);
            const bin = await pulled(await algo.binary(img));
            assert.equal(bin.dtype, 'uint8');
            assertClose(bin.data, (await oracle(`a > ${algo.skimage}`, { a })).data, { what });
          }
        }
      });
    }
  }
  test('constant images', async () => {
    for (const dtype of ['uint8', 'float32', 'int32'] as DType[]) {
      const a = randomPixels([5, 6], dtype, 86, [7, 7]);
      assert.equal(await t.thresholdOtsuValue(pushed(a)), 7);
      assert.deepEqual([...(await pulled(await t.thresholdOtsu(pushed(a)))).data], new Array(30).fill(0));
      assert.equal(await t.thresholdTriangleValue(pushed(a)), 7);
      assert.equal(await t.thresholdLiValue(pushed(a)), 7);
    }
  });
});

describe('Li', () => {
  for (const dtype of ALL_DTYPES) {
    test(dtype, async () => {
      for (const [dims, shape] of Object.entries(SHAPES)) {
        // Signed ranges that skimage's in-place `image -= min` does not overflow.
        const [lo, hi] = dtype === 'int8' ? [-60, 60] : dtype === 'int16' ? [-9000, 9000] : RANGES[dtype];
        const a = bimodal(shape, dtype, 87, lo, hi);
        const img = pushed(a);
        const ref = await oracleNumber('filters.threshold_li(a)', { a });
        const got = await t.thresholdLiValue(img);
        if (dtype === 'float32') assertClose([got], [ref], { rtol: 1e-5, what: `li ${dims}` });
        // Same iteration in float64; only the logarithm's last bit may differ (numpy's log vs V8's).
        else assertClose([got], [ref], { rtol: 1e-13, what: `li ${dtype} ${dims}` });
        const bin = await pulled(await t.thresholdLi(img));
        const want = await oracle(`a > ${dtype === 'float32' ? `np.float32(${got})` : 'filters.threshold_li(a)'}`, { a });
        assertClose(bin.data, want.data, { what: `li binary ${dtype} ${dims}` });
      }
    });
  }
});

describe('mean threshold', () => {
  for (const dtype of ALL_DTYPES) {
    test(dtype, async () => {
      for (const [dims, shape] of Object.entries(SHAPES)) {
        const a = bimodal(shape, dtype, 88, ...RANGES[dtype]);
        const img = pushed(a);
        const mean = await t.thresholdMeanValue(img);
        assertClose([mean], [await oracleNumber('a.mean(dtype=np.float64)', { a })], { rtol: 1e-6 });
        assertClose([mean], [await oracleNumber('filters.threshold_mean(a)', { a })], { rtol: 1e-6 });
        const bin = await pulled(await t.thresholdMean(img));
        const ref = dtype === 'float32' ? `a > np.float32(${mean})` : `a > ${mean}`;
        assertClose(bin.data, (await oracle(ref, { a })).data, { what: `mean binary ${dtype} ${dims}` });
      }
    });
  }
});

describe('bad input', () => {
  test('names the argument', async () => {
    await assert.rejects(t.thresholdOtsu([1, 2] as never), /thresholdOtsu: input must be a GpuImage; got a plain array/);
    await assert.rejects(t.thresholdLiValue(t.create([3, 3]), { tolerance: -1 }), /thresholdLiValue: options.tolerance must be >= 0; got -1/);
    await assert.rejects(t.thresholdLiValue(t.create([3, 3]), { maxIterations: 0 }), /thresholdLiValue: options.maxIterations must be an integer >= 1/);
  });
});
