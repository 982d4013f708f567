import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType, GpuImage } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { fp, withRef } from '../support/neighbourhood';
import { oracle } from '../support/oracle';
import { limitRegisterMedian } from '../../src/ops/filters/median';

/**
 * Neighbourhood filters against scipy.ndimage / scikit-image / numpy, 2D and 3D, odd sizes.
 * Tolerances: rank and integer results exact (min, max, median, integer means, hats);
 * float32 linear filters rtol 1e-5 with atol 4e-6 × the input's magnitude (float32 rounding
 * of sums whose terms are that large; scipy accumulates in float64 but stores float32
 * intermediates like Tessera). The reference for integer means is the exact float64 mean,
 * truncated and saturated (Tessera's integer mean is exact, so no off-by-one allowance).
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const SHAPES: Record<string, number[]> = { '2D': [37, 53], '3D': [7, 19, 23] };
const MODES = ['nearest', 'reflect', 'mirror', 'constant', 'wrap'] as const;
const SCALE: Partial<Record<DType, number>> = { uint8: 255, int16: 32768, uint16: 65535, float32: 1000, int32: 5e5 };
const linear = (d: DType, gain = 1) => ({ rtol: 1e-5, atol: 4e-6 * (SCALE[d] ?? 1000) * gain });
// Integer means are exact while window sums stay below 2^24 (float32 integers): keep 32-bit test data small enough.
const range = (d: DType): [number, number] | undefined => (d === 'int32' ? [-5e5, 5e5] : undefined);
const F = 'a.astype(np.float32)';
/** scipy's axis order (z, y, x) for a tuple of per-axis values given as x, y, z. */
const zyx = (nd: number, x: number, y: number, z: number) => `(${[z, y, x].slice(3 - nd).join(', ')},)`;

async function check(out: GpuImage, expr: string, inputs: Record<string, ReturnType<typeof randomPixels>>, dtype: string, tol = {}) {
  const got = await pulled(out);
  const ref = await oracle(withRef(expr), inputs);
  assert.equal(got.dtype, dtype);
  assertShape(got.shape, ref.shape);
  assertClose(got.data, ref.data, tol);
}

for (const [dims, shape] of Object.entries(SHAPES)) {
  const nd = shape.length;
  describe(`filters ${dims}`, () => {
    for (const dtype of ['uint8', 'int16', 'float32'] as DType[]) {
      const a = randomPixels(shape, dtype, 31, range(dtype));

      test(`gaussianBlur ${dtype}`, async () => {
        await check(t.gaussianBlur(pushed(a), 1.5, 2, 0.8), `ndi.gaussian_filter(${F}, ${zyx(nd, 1.5, 2, 0.8)}, mode='nearest', truncate=4.0)`, { a }, 'float32', linear(dtype));
      });

      test(`differenceOfGaussian / laplacianOfGaussian / unsharpMask ${dtype}`, async () => {
        await check(t.differenceOfGaussian(pushed(a), 1, 1.2, 1, 2, 2.5, 1.5),
          `ndi.gaussian_filter(${F}, ${zyx(nd, 1, 1.2, 1)}, mode='nearest') - ndi.gaussian_filter(${F}, ${zyx(nd, 2, 2.5, 1.5)}, mode='nearest')`,
          { a }, 'float32', linear(dtype));
        await check(t.laplacianOfGaussian(pushed(a), 1.5, 1, 1.2), `ndi.gaussian_laplace(${F}, ${zyx(nd, 1.5, 1, 1.2)}, mode='nearest')`, { a }, 'float32', linear(dtype));
        await check(t.unsharpMask(pushed(a), 1.5, 2, { mode: 'reflect' }), `filters.unsharp_mask(${F}, 1.5, 2, preserve_range=True)`, { a }, 'float32', linear(dtype, 3));
      });

      test(`meanBox / meanSphere ${dtype}`, async () => {
        await check(t.meanBox(pushed(a), 1, 2, 1), `R.mean(a, ${fp('box', nd, 1, 2, 1)}, 'nearest')`, { a }, dtype, dtype === 'float32' ? linear(dtype) : {});
        await check(t.meanSphere(pushed(a), 2, 2, 1), `R.mean(a, ${fp('sphere', nd, 2, 2, 1)}, 'nearest')`, { a }, dtype, dtype === 'float32' ? linear(dtype) : {});
        if (dtype === 'float32') {
          await check(t.meanBox(pushed(a), 2, 1, 1), `ndi.uniform_filter(a, ${zyx(nd, 5, 3, 3)}, mode='nearest')`, { a }, dtype, linear(dtype));
        }
      });

      test(`medianBox / medianSphere ${dtype}`, async () => {
        await check(t.medianBox(pushed(a), 1, 1, 1), `ndi.median_filter(a, size=3, mode='nearest')`, { a }, dtype);
        await check(t.medianSphere(pushed(a), 2, 1, 2), `ndi.median_filter(a, footprint=${fp('sphere', nd, 2, 1, 2)}, mode='nearest')`, { a }, dtype);
        await check(t.median(pushed(a), 2, 2, 0, 'sphere'), `ndi.median_filter(a, footprint=${fp('sphere', nd, 2, 2, 0)}, mode='nearest')`, { a }, dtype);
      });

      test(`minimum / maximum box and sphere ${dtype}`, async () => {
        await check(t.minimumBox(pushed(a), 2, 1, 1), `ndi.minimum_filter(a, size=${zyx(nd, 5, 3, 3)}, mode='nearest')`, { a }, dtype);
        await check(t.maximumBox(pushed(a), 1, 3, 2), `ndi.maximum_filter(a, size=${zyx(nd, 3, 7, 5)}, mode='nearest')`, { a }, dtype);
        await check(t.minimumSphere(pushed(a), 2, 3, 1), `ndi.minimum_filter(a, footprint=${fp('sphere', nd, 2, 3, 1)}, mode='nearest')`, { a }, dtype);
        await check(t.maximumSphere(pushed(a), 3, 2, 2), `ndi.maximum_filter(a, footprint=${fp('sphere', nd, 3, 2, 2)}, mode='nearest')`, { a }, dtype);
        await check(t.maximumFilter(pushed(a), 1, 1, 1, 'sphere'), `ndi.maximum_filter(a, footprint=ndi.generate_binary_structure(${nd}, 1), mode='nearest')`, { a }, dtype);
      });

      test(`variance / standardDeviation ${dtype}`, async () => {
        const tol = { rtol: 1e-5, atol: 2e-6 * (SCALE[dtype] ?? 1) ** 2 };
        await check(t.varianceBox(pushed(a), 1, 1, 1), `R.variance(a, ${fp('box', nd, 1, 1, 1)}, 'nearest')`, { a }, 'float32', tol);
        await check(t.varianceSphere(pushed(a), 2, 2, 1), `R.variance(a, ${fp('sphere', nd, 2, 2, 1)}, 'nearest')`, { a }, 'float32', tol);
        await check(t.standardDeviationBox(pushed(a), 2, 1, 1), `np.sqrt(R.variance(a, ${fp('box', nd, 2, 1, 1)}, 'nearest'))`, { a }, 'float32', linear(dtype, 4));
      });

      test(`topHat / bottomHat ${dtype}`, async () => {
        await check(t.topHatBox(pushed(a), 2, 2, 1), `${F} - ndi.grey_opening(a, size=${zyx(nd, 5, 5, 3)}, mode='nearest')`, { a }, 'float32');
        await check(t.topHatSphere(pushed(a), 2, 1, 1), `${F} - ndi.grey_opening(a, footprint=${fp('sphere', nd, 2, 1, 1)}, mode='nearest')`, { a }, 'float32');
        await check(t.bottomHatBox(pushed(a), 1, 2, 1), `ndi.grey_closing(a, size=${zyx(nd, 3, 5, 3)}, mode='nearest').astype(np.float32) - ${F}`, { a }, 'float32');
        await check(t.bottomHat(pushed(a), 2, 2, 1, 'sphere'), `ndi.grey_closing(a, footprint=${fp('sphere', nd, 2, 2, 1)}, mode='nearest').astype(np.float32) - ${F}`, { a }, 'float32');
      });

      test(`sobel and gradients ${dtype}`, async () => {
        await check(t.sobel(pushed(a)), `np.sqrt(sum(ndi.sobel(${F}, axis=k, mode='nearest').astype(np.float64)**2 for k in range(${nd})))`, { a }, 'float32', linear(dtype, 16));
        await check(t.gradientX(pushed(a)), `np.gradient(${F}, axis=${nd - 1})`, { a }, 'float32');
        await check(t.gradientY(pushed(a)), `np.gradient(${F}, axis=${nd - 2})`, { a }, 'float32');
        await check(t.gradientZ(pushed(a)), nd === 3 ? `np.gradient(${F}, axis=0)` : 'np.zeros(a.shape, np.float32)', { a }, 'float32');
      });
    }

    test('uint16 and int32 (saturating integer means, exact ranks)', async () => {
      for (const dtype of ['uint16', 'int32'] as DType[]) {
        const a = randomPixels(shape, dtype, 32, range(dtype));
        await check(t.meanBox(pushed(a), 1, 1, 1), `R.mean(a, ${fp('box', nd, 1, 1, 1)}, 'nearest')`, { a }, dtype);
        await check(t.minimumSphere(pushed(a), 1, 2, 1), `ndi.minimum_filter(a, footprint=${fp('sphere', nd, 1, 2, 1)}, mode='nearest')`, { a }, dtype);
        await check(t.medianBox(pushed(a), 1, 2, 1), `ndi.median_filter(a, size=${zyx(nd, 3, 5, 3)}, mode='nearest')`, { a }, dtype);
        await check(t.gaussianBlur(pushed(a), 1, 1, 1), `ndi.gaussian_filter(${F}, 1.0, mode='nearest')`, { a }, 'float32', linear(dtype));
      }
    });

    describe('every boundary mode', () => {
      for (const dtype of ['uint8', 'float32'] as DType[]) {
        const a = randomPixels(shape, dtype, 33);
        for (const mode of MODES) {
          const cval = dtype === 'float32' ? 5.5 : 7;
          const opts = { mode, cval };
          test(`${mode} ${dtype}`, async () => {
            await check(t.gaussianBlur(pushed(a), 2, 1.5, 1, opts), `ndi.gaussian_filter(${F}, ${zyx(nd, 2, 1.5, 1)}, mode='${mode}', cval=${cval})`, { a }, 'float32', linear(dtype));
            await check(t.meanBox(pushed(a), 2, 1, 1, opts), `R.mean(a, ${fp('box', nd, 2, 1, 1)}, '${mode}', ${cval})`, { a }, dtype, dtype === 'float32' ? linear(dtype) : {});
            await check(t.minimumBox(pushed(a), 1, 2, 1, opts), `ndi.minimum_filter(a, size=${zyx(nd, 3, 5, 3)}, mode='${mode}', cval=${cval})`, { a }, dtype);
            await check(t.maximumSphere(pushed(a), 2, 1, 1, opts), `ndi.maximum_filter(a, footprint=${fp('sphere', nd, 2, 1, 1)}, mode='${mode}', cval=${cval})`, { a }, dtype);
            await check(t.medianBox(pushed(a), 1, 1, 1, opts), `ndi.median_filter(a, size=3, mode='${mode}', cval=${cval})`, { a }, dtype);
          });
        }
      }
    });
  });
}

/**
 * In-plane boxes of 32-bit images whose rows are whole vec4s run as one pass (codegen/separable.ts,
 * box2d): widths 52 (interior and edge vec4s), 8 and 4 (only edge vec4s), 3D stacks with radiusZ 0,
 * every radius up to the path's limit and one beyond it (the separable passes), every mode.
 */
describe('one-pass 2D boxes (32-bit, width a multiple of 4)', () => {
  const cases: Array<[string, number[], [number, number]]> = [
    ['[37, 52] r 1, 1', [37, 52], [1, 1]], ['[37, 52] r 4, 2', [37, 52], [4, 2]], ['[37, 52] r 0, 3', [37, 52], [0, 3]],
    ['[37, 52] r 2, 0', [37, 52], [2, 0]], ['[37, 52] r 5, 1 (separable)', [37, 52], [5, 1]],
    ['[5, 8] r 3, 4', [5, 8], [3, 4]], ['[3, 4] r 1, 1', [3, 4], [1, 1]], ['[3, 9, 16] r 1, 2 (stack)', [3, 9, 16], [1, 2]],
  ];
  for (const [name, shape, [rx, ry]] of cases) {
    const nd = shape.length;
    test(name, async () => {
      for (const dtype of ['float32', 'int32', 'uint32'] as DType[]) {
        const a = randomPixels(shape, dtype, 48, dtype === 'float32' ? undefined : [0, 2e5]);
        for (const mode of MODES) {
          const opts = { mode, cval: 7 };
          const what = `${dtype} ${mode}`;
          await check(t.meanBox(pushed(a), rx, ry, 0, opts), `R.mean(a, ${fp('box', nd, rx, ry, 0)}, '${mode}', 7)`, { a }, dtype, dtype === 'float32' ? linear(dtype) : {}).catch((e) => { throw new Error(`meanBox ${what}: ${e.message}`); });
          await check(t.minimumBox(pushed(a), rx, ry, 0, opts), `ndi.minimum_filter(a, size=${zyx(nd, 2 * rx + 1, 2 * ry + 1, 1)}, mode='${mode}', cval=7)`, { a }, dtype).catch((e) => { throw new Error(`minimumBox ${what}: ${e.message}`); });
          await check(t.maximumBox(pushed(a), rx, ry, 0, opts), `ndi.maximum_filter(a, size=${zyx(nd, 2 * rx + 1, 2 * ry + 1, 1)}, mode='${mode}', cval=7)`, { a }, dtype).catch((e) => { throw new Error(`maximumBox ${what}: ${e.message}`); });
        }
      }
      // Filters built on the boxes (an epilogue reading a second image).
      const f = randomPixels(shape, 'float32', 49);
      await check(t.topHatBox(pushed(f), rx, ry, 0), `f - ndi.grey_opening(f, size=${zyx(nd, 2 * rx + 1, 2 * ry + 1, 1)}, mode='nearest')`, { f }, 'float32');
    });
  }
});

describe('edge cases', () => {
  const THIN: Record<string, number[]> = { '[1, 37]': [1, 37], '[1, 1, 23]': [1, 1, 23], '[5, 7] (radius > size)': [5, 7], '[3, 2, 4]': [3, 2, 4] };
  for (const [name, shape] of Object.entries(THIN)) {
    const nd = shape.length;
    const a = randomPixels(shape, 'float32', 41);
    const u = randomPixels(shape, 'uint16', 42, [0, 4000]);
    for (const mode of MODES) {
      test(`${name} ${mode}: large radii`, async () => {
        const opts = { mode, cval: 3 };
        await check(t.gaussianBlur(pushed(a), 3, 2.5, 2, opts), `ndi.gaussian_filter(a, ${zyx(nd, 3, 2.5, 2)}, mode='${mode}', cval=3)`, { a }, 'float32', linear('float32'));
        await check(t.meanBox(pushed(u), 9, 6, 4, opts), `R.mean(u, ${fp('box', nd, 9, 6, 4)}, '${mode}', 3)`, { u }, 'uint16');
        await check(t.minimumBox(pushed(a), 9, 5, 4, opts), `ndi.minimum_filter(a, size=${zyx(nd, 19, 11, 9)}, mode='${mode}', cval=3)`, { a }, 'float32');
        await check(t.maximumSphere(pushed(u), 8, 3, 2, opts), `R.rank(u, ${fp('sphere', nd, 8, 3, 2)}, '${mode}', 3, ndi.maximum_filter)`, { u }, 'uint16');
        await check(t.medianBox(pushed(u), 2, 3, 1, opts), `R.rank(u, ${fp('box', nd, 2, 3, 1)}, '${mode}', 3, ndi.median_filter)`, { u }, 'uint16');
        await check(t.medianSphere(pushed(a), 4, 3, 2, opts), `R.rank(a, ${fp('sphere', nd, 4, 3, 2)}, '${mode}', 3, ndi.median_filter)`, { a }, 'float32');
        await check(t.meanSphere(pushed(a), 4, 3, 2, opts), `R.mean(a, ${fp('sphere', nd, 4, 3, 2)}, '${mode}', 3)`, { a }, 'float32', linear('float32'));
      });
    }
  }

  test('median: the register and the radix selection both give scipy\'s result (25 and 27 pixels, every mode, thin images)', async () => {
    try {
      for (const limit of [1000, 0]) {
        limitRegisterMedian(limit);
        for (const shape of [[7, 19, 23], [3, 2, 4]]) {
          const nd = shape.length;
          for (const dtype of ['uint8', 'float32'] as DType[]) {
            const a = randomPixels(shape, dtype, 45);
            for (const mode of MODES) {
              const opts = { mode, cval: 7 };
              await check(t.medianBox(pushed(a), 1, 1, 1, opts), `ndi.median_filter(a, size=3, mode='${mode}', cval=7)`, { a }, dtype);
              await check(t.medianBox(pushed(a), 2, 2, 0, opts), `ndi.median_filter(a, size=${zyx(nd, 5, 5, 1)}, mode='${mode}', cval=7)`, { a }, dtype);
            }
          }
        }
      }
    } finally {
      limitRegisterMedian(undefined);
    }
  });

  test('median of 7×7×7 = 343 values (radius 3 in 3D) and of a radius-3 ball', async () => {
    const a = randomPixels([9, 11, 13], 'uint8', 43);
    await check(t.medianBox(pushed(a), 3, 3, 3), `ndi.median_filter(a, size=7, mode='nearest')`, { a }, 'uint8');
    const f = randomPixels([9, 11, 13], 'float32', 43);
    await check(t.medianSphere(pushed(f), 3, 3, 3), `ndi.median_filter(f, footprint=${fp('sphere', 3, 3, 3, 3)}, mode='nearest')`, { f }, 'float32');
  });

  test('radius 0 and sigma 0 return the input (converted)', async () => {
    const a = randomPixels([5, 6, 7], 'int16', 44);
    await check(t.meanBox(pushed(a), 0, 0, 0), 'a', { a }, 'int16');
    await check(t.minimumBox(pushed(a), 0, 0, 0), 'a', { a }, 'int16');
    await check(t.gaussianBlur(pushed(a), 0, 0, 0), F, { a }, 'float32');
    await check(t.gaussianBlur(pushed(a), 0, 1.5, 0), `ndi.gaussian_filter1d(${F}, 1.5, axis=1, mode='nearest')`, { a }, 'float32', linear('int16'));
  });

  test('laplacianOfGaussian with sigmaZ = 0 is the 2D LoG of every slice', async () => {
    const a = randomPixels([4, 15, 17], 'float32', 45);
    await check(t.laplacianOfGaussian(pushed(a), 1.2, 1.5, 0), `np.stack([ndi.gaussian_laplace(s, (1.5, 1.2), mode='nearest') for s in a])`, { a }, 'float32', linear('float32'));
  });

  test('1D images', async () => {
    const a = randomPixels([41], 'float32', 46);
    await check(t.gaussianBlur(pushed(a), 2, 5, 5), `ndi.gaussian_filter(a, 2, mode='nearest')`, { a }, 'float32', linear('float32'));
    await check(t.medianSphere(pushed(a), 3, 9, 9), `ndi.median_filter(a, size=7, mode='nearest')`, { a }, 'float32');
    await check(t.sobel(pushed(a)), `np.abs(ndi.sobel(a, mode='nearest'))`, { a }, 'float32', linear('float32'));
  });

  test('packed outputs after a last pass along y (radiusX = 0)', async () => {
    const a = randomPixels([6, 9, 11], 'uint8', 47);
    await check(t.meanBox(pushed(a), 0, 2, 1), `R.mean(a, ${fp('box', 3, 0, 2, 1)}, 'nearest')`, { a }, 'uint8');
    await check(t.maximumBox(pushed(a), 0, 0, 2), `ndi.maximum_filter(a, size=(5, 1, 1), mode='nearest')`, { a }, 'uint8');
  });
});

describe('bad input', () => {
  test('arguments are checked and named', () => {
    const a = t.create([4, 5]);
    assert.throws(() => t.gaussianBlur(a, -1), /gaussianBlur: sigmaX must be >= 0; got -1/);
    assert.throws(() => t.gaussianBlur(a, NaN), /gaussianBlur: sigmaX must be a finite number; got NaN/);
    // A huge sigma once built a weight table of 8e9 entries and killed the process (V8 "invalid size").
    assert.throws(() => t.gaussianBlur(a, 1, 1e9), /gaussianBlur: sigmaY must be <= 1023.875 \(a kernel radius int\(4·sigma \+ 0.5\) of at most 4096 pixels\); got 1000000000/);
    assert.throws(() => t.differenceOfGaussian(a, 1, 1, 1, 2e6), /differenceOfGaussian: sigma2X must be <= 1023.875/);
    assert.throws(() => t.unsharpMask(a, 1e9), /unsharpMask: radius must be <= 1023.875/);
    assert.throws(() => t.gaussianBlur(a, '2' as never), /gaussianBlur: sigmaX must be a finite number; got string "2"/);
    assert.throws(() => t.gaussianBlur(a, t.create([4, 5]) as never, 2), /gaussianBlur: sigmaX must be a finite number; got a GpuImage \(Tessera returns the result: leave out the output image/);
    assert.throws(() => t.meanBox(a, null as never), /meanBox: radiusX must be an integer >= 0 and <= 4096; got null/);
    assert.throws(() => t.meanBox(a, 1.5), /meanBox: radiusX must be an integer >= 0 and <= 4096; got 1.5/);
    assert.throws(() => t.medianSphere(a, 1, -2), /medianSphere: radiusY must be an integer >= 0/);
    assert.throws(() => t.minimumBox(a, 1, 1, 1, { mode: 'clamp' as never }), /minimumBox: options.mode must be one of 'nearest', 'reflect', 'mirror', 'constant', 'wrap'; got "clamp"/);
    assert.throws(() => t.maximumBox(a, 1, 1, 1, { mode: 'constant', cval: Infinity }), /maximumBox: options.cval must be a finite number/);
    assert.throws(() => t.meanFilter(a, 1, 1, 1, 'diamond'), /meanFilter: connectivity must be 'box' or 'sphere'; got "diamond"/);
    assert.throws(() => t.medianBox(t.create([4, 5, 6]), 1, 600, 600), /medianBox: the footprint \(radii 1, 600, 600\) is too large/);
    // A radius meant in other units: refused at once, not minutes of work on every pixel.
    assert.throws(() => t.meanSphere(t.create([8, 8]), 4096, 4096), /meanSphere: the footprint \(radii 4096, 4096, 0\) holds \d+ pixels, and every output pixel visits them all; at most 16777216/);
    assert.throws(() => t.varianceSphere(t.create([8, 8, 8]), 300, 300, 300), /varianceSphere: the footprint .* holds \d+ pixels/);
    assert.throws(() => t.sobel(t.create([2, 3, 4, 5])), /sobel: input must have 1 or 2 or 3 dimensions/);
    assert.throws(() => t.laplacianOfGaussian(a, 0, 0, 0), /laplacianOfGaussian: at least one of sigmaX, sigmaY, sigmaZ must be > 0/);
    assert.throws(() => t.differenceOfGaussian(a, 1, 1, 1, -2), /differenceOfGaussian: sigma2X must be >= 0/);
    assert.throws(() => t.unsharpMask(a, 1, NaN), /unsharpMask: amount must be a finite number/);
    assert.throws(() => t.gradientX([1, 2] as never), /gradientX: input must be a GpuImage; got a plain array/);
    const r = t.create([3, 3]);
    r.release();
    assert.throws(() => t.varianceBox(r), /varianceBox: input was released/);
    assert.throws(() => t.topHatBox(a, 1, 1, 1, 'nearest' as never), /topHatBox: options must be an object/);
  });

  test('pipelines are shared across image sizes', async () => {
    const { compiledKernelCount: compiledPipelineCount } = await import('../../src/gpu/kernel');
    t.gaussianBlur(t.create([9, 10, 11]), 1, 1, 1);
    const n = compiledPipelineCount();
    t.gaussianBlur(t.create([13, 7, 5]), 2, 0.5, 3);
    t.medianBox(t.create([13, 7]), 1, 1);
    const m = compiledPipelineCount();
    t.medianBox(t.create([20, 30]), 1, 1);
    assert.equal(compiledPipelineCount(), m);
    assert.ok(m - n <= 1, `only the median pipeline is new (${m - n})`);
    await t.sync();
  });
});
