import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType, GpuImage } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { ALL_DTYPES, randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { oracle } from '../support/oracle';

/**
 * Comparisons, binary logic and masking against numpy, every dtype, 2D and 3D, odd sizes and
 * 1-pixel-thick images. All results are exact (uint8 0/1 for comparisons and logic).
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const SHAPES: Record<string, number[]> = { '2D': [37, 53], '3D': [7, 19, 23], thin: [1, 1, 31] };
// Narrow ranges so that equal pixels occur; 32-bit types also at their extremes.
const narrow = (d: DType): [number, number] => (d === 'float32' ? [-4, 4] : d.startsWith('u') ? [0, 6] : [-3, 3]);

async function check(name: string, out: GpuImage, ref: string, inputs: Record<string, { data: ArrayLike<number>; shape: readonly number[]; dtype: string }>, dtype: DType) {
  const got = await pulled(out);
  const want = await oracle(ref, inputs as never);
  assert.equal(got.dtype, dtype, `${name} dtype`);
  assertShape(got.shape, want.shape);
  assertClose(got.data, want.data, { what: name });
}

const IMAGE_COMPARISONS: Array<[string, (a: GpuImage, b: GpuImage) => GpuImage, string]> = [
  ['greater', (a, b) => t.greater(a, b), '>'],
  ['greaterOrEqual', (a, b) => t.greaterOrEqual(a, b), '>='],
  ['smaller', (a, b) => t.smaller(a, b), '<'],
  ['smallerOrEqual', (a, b) => t.smallerOrEqual(a, b), '<='],
  ['equal', (a, b) => t.equal(a, b), '=='],
  ['notEqual', (a, b) => t.notEqual(a, b), '!='],
];
const CONSTANT_COMPARISONS: Array<[string, (a: GpuImage, s: number) => GpuImage, string]> = [
  ['greaterConstant', (a, s) => t.greaterConstant(a, s), '>'],
  ['greaterOrEqualConstant', (a, s) => t.greaterOrEqualConstant(a, s), '>='],
  ['smallerConstant', (a, s) => t.smallerConstant(a, s), '<'],
  ['smallerOrEqualConstant', (a, s) => t.smallerOrEqualConstant(a, s), '<='],
  ['equalConstant', (a, s) => t.equalConstant(a, s), '=='],
  ['notEqualConstant', (a, s) => t.notEqualConstant(a, s), '!='],
];
const LOGIC: Array<[string, (a: GpuImage, b: GpuImage) => GpuImage, string]> = [
  ['binaryAnd', (a, b) => t.binaryAnd(a, b), 'np.logical_and(a, b)'],
  ['binaryOr', (a, b) => t.binaryOr(a, b), 'np.logical_or(a, b)'],
  ['binaryXor', (a, b) => t.binaryXor(a, b), 'np.logical_xor(a, b)'],
  ['binarySubtract', (a, b) => t.binarySubtract(a, b), 'np.logical_and(a != 0, b == 0)'],
];

for (const dtype of ALL_DTYPES) {
  describe(`logic ${dtype}`, () => {
    test('image comparisons', async () => {
      for (const [dims, shape] of Object.entries(SHAPES)) {
        const a = randomPixels(shape, dtype, 51, narrow(dtype));
        const b = randomPixels(shape, dtype, 52, narrow(dtype));
        if (dtype === 'float32') for (let k = 0; k < a.data.length; k += 3) b.data[k] = a.data[k];
        for (const [name, f, op] of IMAGE_COMPARISONS) await check(`${name} ${dims}`, f(pushed(a), pushed(b)), `a ${op} b`, { a, b }, 'uint8');
      }
    });
    test('constant comparisons (integers exactly against fractional and out-of-range constants)', async () => {
      const a = randomPixels(SHAPES['3D'], dtype, 53, narrow(dtype));
      const img = pushed(a);
      for (const s of [0, 2, 2.5, -1.5, 1e12, -1e12, 300, -200]) {
        for (const [name, f, op] of CONSTANT_COMPARISONS) await check(`${name}(${s})`, f(img, s), `a ${op} ${s}`, { a }, 'uint8');
      }
      // Near the ends of the dtype's range.
      const w = randomPixels(SHAPES['2D'], dtype, 54);
      for (const s of [-2147483648.5, 4294967295, 65535, 127.5, -128.5]) {
        for (const [name, f, op] of CONSTANT_COMPARISONS) await check(`${name}(${s}) wide`, f(pushed(w), s), `a ${op} ${s}`, { a: w }, 'uint8');
      }
    });
    test('binary logic, not, mask, maskLabel', async () => {
      for (const [dims, shape] of Object.entries(SHAPES)) {
        const a = randomPixels(shape, dtype, 55, dtype === 'float32' ? [-1, 1.5] : [0, 2]);
        const b = randomPixels(shape, dtype, 56, dtype === 'float32' ? [-1, 1.5] : [0, 2]);
        if (dtype === 'float32') for (let k = 0; k < a.data.length; k += 4) a.data[k] = 0;
        for (const [name, f, ref] of LOGIC) await check(`${name} ${dims}`, f(pushed(a), pushed(b)), ref, { a, b }, 'uint8');
        await check(`binaryNot ${dims}`, t.binaryNot(pushed(a)), 'np.logical_not(a)', { a }, 'uint8');
        const v = randomPixels(shape, dtype, 57);
        await check(`mask ${dims}`, t.mask(pushed(v), pushed(b)), 'np.where(b != 0, v, 0).astype(v.dtype)', { v, b }, dtype);
        const labels = randomPixels(shape, 'uint16', 58, [0, 4]);
        await check(`maskLabel ${dims}`, t.maskLabel(pushed(v), pushed(labels), 2), 'np.where(l == 2, v, 0).astype(v.dtype)', { v, l: labels }, dtype);
      }
    });
  });
}

describe('packed outputs (codegen/program.ts): every tail length', () => {
  // A thread owns whole output words; the last word of an image may hold pixels past its end.
  test('uint8, int8, uint16 outputs from 8-, 16- and 32-bit inputs, with and without coordinates', async () => {
    for (const n of [1, 3, 4, 7, 8, 15, 16, 17, 31, 33, 47, 64, 65, 1023]) {
      const shape = n > 64 ? [31, 33] : [n];
      const m = randomPixels(shape, 'uint8', 70 + n, [0, 2]);
      const k = randomPixels(shape, 'uint8', 90 + n, [0, 2]);
      const f = randomPixels(shape, 'float32', 110 + n, [0, 1]);
      const s = randomPixels(shape, 'int8', 130 + n, [-100, 100]);
      const w = randomPixels(shape, 'uint16', 150 + n, [0, 65535]);
      await check(`binaryAnd ${n}`, t.binaryAnd(pushed(m), pushed(k)), 'np.logical_and(a, b)', { a: m, b: k }, 'uint8');
      // 8-bit masks run on whole words (binary-operations.ts): bytes with only a high or a middle bit set.
      const h = randomPixels(shape, 'int8', 190 + n, [-1, 1]);
      for (let i = 0; i < h.data.length; i += 3) h.data[i] = i % 2 ? -128 : 16;
      await check(`int8 binaryXor ${n}`, t.binaryXor(pushed(h), pushed(m)), 'np.logical_xor(a, b)', { a: h, b: m }, 'uint8');
      await check(`int8 binaryNot ${n}`, t.binaryNot(pushed(h)), 'np.logical_not(a)', { a: h }, 'uint8');
      await check(`binarySubtract ${n}`, t.binarySubtract(pushed(k), pushed(h)), 'np.logical_and(a != 0, b == 0)', { a: k, b: h }, 'uint8');
      await check(`greaterConstant ${n}`, t.greaterConstant(pushed(f), 0.5), 'a > 0.5', { a: f }, 'uint8');
      await check(`int8 multiplyImageAndScalar ${n}`, t.multiplyImageAndScalar(pushed(s), -1), '(-a.astype(np.int32)).clip(-128, 127).astype(np.int8)', { a: s }, 'int8');
      await check(`uint16 addImageAndScalar ${n}`, t.addImageAndScalar(pushed(w), 3), '(a.astype(np.int64) + 3).clip(0, 65535).astype(np.uint16)', { a: w }, 'uint16');
      // Coordinates stepped pixel by pixel across the words (crop: out(x, y) = in(x + 1, y + 1)).
      const q = randomPixels([3, n + 2], 'uint8', 170 + n, [0, 255]);
      await check(`uint8 crop ${n}`, t.crop(pushed(q), 1, 1, 0, n, 2, 1), 'np.ascontiguousarray(a[1:3, 1:-1])', { a: q }, 'uint8');
    }
  });
});

describe('mixed dtypes', () => {
  const pairs: Array<[DType, DType]> = [['uint8', 'int16'], ['uint16', 'int32'], ['int8', 'float32'], ['uint32', 'uint8']];
  for (const [da, db] of pairs) {
    test(`${da} vs ${db}`, async () => {
      const a = randomPixels([13, 17], da, 61, [0, 9]);
      const b = randomPixels([13, 17], db, 62, [0, 9]);
      for (const [name, f, op] of IMAGE_COMPARISONS) await check(name, f(pushed(a), pushed(b)), `a ${op} b`, { a, b }, 'uint8');
      await check('mask', t.mask(pushed(a), pushed(b)), 'np.where(b != 0, a, 0).astype(a.dtype)', { a, b }, da);
      await check('binaryXor', t.binaryXor(pushed(a), pushed(b)), 'np.logical_xor(a, b)', { a, b }, 'uint8');
    });
  }
});

describe('bad input', () => {
  test('names the argument', () => {
    const a = t.create([3, 4]);
    assert.throws(() => t.greater(a, t.create([4, 3])), /greater: input0 \(shape \[3,4\]\) and input1 \(shape \[4,3\]\) must have the same shape/);
    assert.throws(() => t.mask(a, t.create([3, 5])), /mask: input \(shape \[3,4\]\) and mask \(shape \[3,5\]\) must have the same shape/);
    assert.throws(() => t.equalConstant(a, NaN), /equalConstant: scalar must be a finite number; got NaN/);
    assert.throws(() => t.maskLabel(a, a, Infinity), /maskLabel: label must be a finite number/);
    assert.throws(() => t.binaryNot(undefined as never), /binaryNot: input must be a GpuImage; got undefined/);
  });
});

describe('NaN counts as true, -0 as false (numpy: a != 0), whatever the compiler assumes about NaN', () => {
  test('binary logic, mask, masked statistics', async () => {
    const v = [NaN, 0, 1, -0, NaN, 2, 0, -0, -Infinity];
    const a = { data: new Float32Array(v), shape: [v.length], dtype: 'float32' };
    const b = { data: new Float32Array([NaN, NaN, 0, 0, -0, 3, 1, NaN, 0]), shape: [v.length], dtype: 'float32' };
    const A = t.push(a.data, a.shape, { allowNonFinite: true });
    const B = t.push(b.data, b.shape, { allowNonFinite: true });
    await check('binaryAnd', t.binaryAnd(A, B), '(np.logical_and(a, b)).astype(np.uint8)', { a, b }, 'uint8');
    await check('binaryOr', t.binaryOr(A, B), '(np.logical_or(a, b)).astype(np.uint8)', { a, b }, 'uint8');
    await check('binaryXor', t.binaryXor(A, B), '(np.logical_xor(a, b)).astype(np.uint8)', { a, b }, 'uint8');
    await check('binarySubtract', t.binarySubtract(A, B), '(a.astype(bool) & ~b.astype(bool)).astype(np.uint8)', { a, b }, 'uint8');
    await check('binaryNot', t.binaryNot(A), '(np.logical_not(a)).astype(np.uint8)', { a }, 'uint8');
    const values = t.push(new Float32Array(v.length).fill(5), a.shape);
    await check('mask', t.mask(values, A), 'np.where(a != 0, np.float32(5), np.float32(0))', { a }, 'float32');
    assert.equal(await t.meanOfMaskedPixels(values, A), 5, 'meanOfMaskedPixels over a NaN mask');
    assert.equal(await t.minimumOfMaskedPixels(t.addImageAndScalar(t.push(new Float32Array(v.map((_, k) => k)), a.shape), 0), A), 0, 'pixel 0 (NaN in the mask) is inside');
  });
});
