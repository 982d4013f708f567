import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { ALL_DTYPES, randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { oracle, oracleNumber } from '../support/oracle';

/**
 * The first slice of operations against numpy, for 2D and 3D and every dtype.
 * Tolerances: exact for integer outputs and comparisons; float32 arithmetic rtol 1e-6
 * (the GPU may fuse multiply-add); sums of float32 rtol 1e-5 (summation order differs).
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const SHAPES: Record<string, number[]> = { '2D': [37, 53], '3D': [5, 17, 29] };
// 32-bit integers stay within ±2^24 where float32 steps are exact, as in pyclesperanto's float math.
const range = (d: DType): [number, number] | undefined =>
  d === 'int32' ? [-(2 ** 24), 2 ** 24] : d === 'uint32' ? [0, 2 ** 24] : undefined;

for (const [dims, shape] of Object.entries(SHAPES)) {
  describe(`first slice ${dims}`, () => {
    for (const dtype of ALL_DTYPES) {
      const a = randomPixels(shape, dtype, 11, range(dtype));
      const b = randomPixels(shape, dtype, 12, range(dtype));
      const tol = dtype === 'float32' ? { rtol: 1e-6, atol: 1e-4 } : {};

      test(`addImagesWeighted ${dtype}`, async () => {
        const out = await pulled(t.addImagesWeighted(pushed(a), pushed(b), 0.25, -1.5));
        const ref = await oracle('np.float32(0.25) * a.astype(np.float32) + np.float32(-1.5) * b.astype(np.float32)', { a, b });
        assert.equal(out.dtype, 'float32');
        assertShape(out.shape, ref.shape);
        assertClose(out.data, ref.data, { rtol: 1e-6, atol: 1e-3 });
      });

      test(`addImageAndScalar ${dtype} (saturating)`, async () => {
        const out = await pulled(t.addImageAndScalar(pushed(a), 100.75));
        const ref = await oracle('sat(a.astype(np.float32) + np.float32(100.75), a.dtype)', { a });
        assert.equal(out.dtype, dtype);
        assertClose(out.data, ref.data, tol);
      });

      test(`multiplyImageAndScalar ${dtype} (saturating)`, async () => {
        const out = await pulled(t.multiplyImageAndScalar(pushed(a), -2.5));
        const ref = await oracle('sat(a.astype(np.float32) * np.float32(-2.5), a.dtype)', { a });
        assertClose(out.data, ref.data, tol);
      });

      test(`greaterConstant ${dtype}`, async () => {
        for (const s of [0, 7.5, -3.2, 1e12, -1e12]) {
          const out = await pulled(t.greaterConstant(pushed(a), s));
          const ref = await oracle(`(a > ${s}).astype(np.uint8)`, { a });
          assert.equal(out.dtype, 'uint8');
          assertClose(out.data, ref.data, { what: `greaterConstant(${s})` });
        }
      });

      test(`binaryAnd ${dtype}`, async () => {
        const m = randomPixels(shape, dtype, 13, [0, 2]);
        const n = randomPixels(shape, dtype, 14, [0, 2]);
        const out = await pulled(t.binaryAnd(pushed(m), pushed(n)));
        const ref = await oracle('np.logical_and(m, n)', { m, n });
        assertClose(out.data, ref.data);
      });

      test(`maximumZProjection ${dtype}`, async () => {
        const out = await pulled(t.maximumZProjection(pushed(a)));
        const ref = await oracle(shape.length === 3 ? 'a.max(axis=0)' : 'a', { a });
        assertShape(out.shape, ref.shape);
        assertClose(out.data, ref.data);
      });

      test(`minimum/maximum/sumOfAllPixels ${dtype}`, async () => {
        const img = pushed(a);
        assert.equal(await t.minimumOfAllPixels(img), await oracleNumber('a.min()', { a }));
        assert.equal(await t.maximumOfAllPixels(img), await oracleNumber('a.max()', { a }));
        const sum = await t.sumOfAllPixels(img);
        const ref = await oracleNumber('a.sum(dtype=np.float64)', { a });
        if (dtype === 'float32' || dtype.endsWith('32')) assertClose([sum], [ref], { rtol: 1e-5, atol: 1e-2 });
        else assert.equal(sum, ref);
      });

      test(`crop ${dtype}`, async () => {
        const out = shape.length === 3
          ? await pulled(t.crop(pushed(a), 3, 2, 1, 11, 7, 3))
          : await pulled(t.crop(pushed(a), 3, 2, 0, 11, 7));
        const ref = await oracle(shape.length === 3 ? 'a[1:4, 2:9, 3:14]' : 'a[2:9, 3:14]', { a });
        assertShape(out.shape, ref.shape);
        assertClose(out.data, ref.data);
      });

      if (shape.length === 3) {
        test(`copySlice ${dtype} out of and into a stack`, async () => {
          const out = await pulled(t.copySlice(pushed(a), 3));
          assertClose(out.data, (await oracle('a[3]', { a })).data);
          const plane = randomPixels(shape.slice(1), dtype, 15, range(dtype));
          const dst = pushed(a);
          t.copySlice(pushed(plane), 2, dst);
          const ref = await oracle('np.concatenate([a[:2], p[None], a[3:]])', { a, p: plane });
          assertClose((await pulled(dst)).data, ref.data);
        });
      }
    }
  });
}

describe('bad input', () => {
  test('mismatched shapes name both arguments', () => {
    const a = t.create([4, 5]);
    const b = t.create([5, 4]);
    assert.throws(() => t.addImagesWeighted(a, b), /addImagesWeighted: input0 \(shape \[4,5\]\) and input1 \(shape \[5,4\]\) must have the same shape/);
    assert.throws(() => t.binaryAnd(a, b), /binaryAnd: input0.*same shape/);
  });
  test('non-images and released images', () => {
    assert.throws(() => t.addImageAndScalar([1, 2, 3] as never, 1), /addImageAndScalar: input must be a GpuImage; got a plain array/);
    const a = t.create([3, 3]);
    a.release();
    assert.throws(() => t.maximumZProjection(a), /maximumZProjection: input was released/);
  });
  test('non-finite scalars', () => {
    const a = t.create([3, 3]);
    assert.throws(() => t.addImageAndScalar(a, NaN), /addImageAndScalar: scalar must be a finite number; got NaN/);
    assert.throws(() => t.greaterConstant(a, Infinity), /greaterConstant: scalar must be a finite number/);
  });
  test('crop outside the image and bad slices', () => {
    const a = t.create([4, 6, 8]);
    assert.throws(() => t.crop(a, 5, 0, 0, 4, 1, 1), /crop: the box along x \(start 5, size 4\) exceeds the image extent 8/);
    assert.throws(() => t.crop(a, 0, 0, 0, 0, 1, 1), /crop: width must be an integer >= 1; got 0/);
    assert.throws(() => t.copySlice(a, 4), /copySlice: slice must be an integer >= 0 and <= 3; got 4/);
    assert.throws(() => t.copySlice(t.create([6, 7]), 0, a), /copySlice: input shape \[6,7\] does not match a slice of destination \[4,6,8\]/);
    assert.throws(() => t.maximumZProjection(t.create([5])), /maximumZProjection: input must have 2 or 3 or 4 dimensions/);
  });
});

describe('large images', () => {
  test('sums of 16-bit pixels stay exact over whole workgroup partials (8,192 pixels of 65535 each)', async () => {
    // Three full partials of the largest value plus a short one: each partial is summed in 32-bit integers.
    const n = 3 * 8192 + 5;
    const data = new Uint16Array(n).fill(65535);
    assert.equal(await t.sumOfAllPixels(t.push(data, [n])), 65535 * n);
    assert.equal(await t.maximumOfAllPixels(t.push(data, [n])), 65535);
  });
  test('more workgroups than one dispatch dimension allows (2D grid)', async () => {
    // 17.2 M float32 pixels = 67 k workgroups of 256 > 65535.
    const shape = [4200, 4096];
    const n = shape[0] * shape[1];
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = i % 1013;
    const out = await t.pull(t.addImageAndScalar(t.push(data, shape), 1));
    for (const i of [0, 1, 65535 * 256 - 1, 65535 * 256, n - 1]) assert.equal(out.data[i], (i % 1013) + 1, `pixel ${i}`);
    assert.equal(await t.sumOfAllPixels(t.push(data, shape)), await oracleNumber(`(np.arange(${n}) % 1013).sum()`));
  });
  test('4D images', async () => {
    const a = randomPixels([2, 3, 5, 7], 'int16', 21);
    const out = await pulled(t.maximumZProjection(pushed(a)));
    const ref = await oracle('a.max(axis=1)', { a });
    assertShape(out.shape, ref.shape);
    assertClose(out.data, ref.data);
  });
});
