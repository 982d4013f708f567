import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType, GpuImage } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { ALL_DTYPES, randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { oracle } from '../support/oracle';

/**
 * The elementwise arithmetic catalogue against numpy, every dtype, 2D and 3D (odd sizes and
 * 1-pixel-thick images). `sat(x, dtype)` is Tessera's conversion (round toward zero,
 * saturate, NaN -> 0). Tolerances:
 *  - exact for integer outputs of exactly rounded float32 operations (+ - * max min abs ...);
 *  - float32 outputs of + - * /: rtol 1e-6 (the GPU may fuse a multiply-add);
 *  - transcendental functions (exp, log, pow, sin ...): float32 rtol 2e-5 / atol 1e-6, and
 *    integer outputs ±1 and rtol 1e-6 (a float result within float error of an integer may truncate to
 *    the integer below: WGSL allows a few ulp for these functions).
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => {
  t = await setup();
  // The references divide by zero and take logs of negatives on purpose: keep numpy quiet.
  await oracle("(np.seterr(all='ignore'), 0)[1]");
});

const SHAPES: Record<string, number[]> = { '2D': [37, 53], '3D': [7, 19, 23], thin2D: [1, 29], thin3D: [5, 1, 7] };
const wide = (d: DType): [number, number] | undefined =>
  d === 'int32' ? [-(2 ** 24), 2 ** 24] : d === 'uint32' ? [0, 2 ** 24] : undefined;

type Tol = { rtol?: number; atol?: number };
const EXACT = (): Tol => ({});
const ARITH = (d: DType): Tol => (d === "float32" ? { rtol: 1e-6, atol: 1e-30 } : {});
const TRANSC = (d: DType): Tol => (d === 'float32' ? { rtol: 2e-5, atol: 1e-6 } : { atol: 1, rtol: 1e-6 });

interface Case {
  name: string;
  /** Inputs: 1 or 2 images. */
  arity: 1 | 2;
  run: (a: GpuImage, b: GpuImage) => GpuImage;
  ref: string;
  tol: (d: DType) => Tol;
  /** Value range of the inputs (default: wide for integers, [-1000, 1000] for float32). */
  range?: (d: DType) => [number, number] | undefined;
  range1?: (d: DType) => [number, number] | undefined;
  out?: DType;
  dtypes?: DType[];
  allowNonFinite?: boolean;
}

const positive = (d: DType): [number, number] | undefined => (d === 'float32' ? [0, 100] : d.startsWith('int') ? [-5, 100] : undefined);
const small = (d: DType): [number, number] => (d === 'float32' ? [-8, 8] : d.startsWith('u') ? [0, 12] : [-12, 12]);

const CASES: Case[] = [
  { name: 'addImageAndScalar', arity: 1, run: (a) => t.addImageAndScalar(a, -3.25), ref: 'sat(a.astype(np.float32) + np.float32(-3.25), a.dtype)', tol: ARITH, range: wide },
  { name: 'multiplyImageAndScalar', arity: 1, run: (a) => t.multiplyImageAndScalar(a, 1.75), ref: 'sat(a.astype(np.float32) * np.float32(1.75), a.dtype)', tol: ARITH, range: wide },
  { name: 'subtractImageFromScalar', arity: 1, run: (a) => t.subtractImageFromScalar(a, 100.5), ref: 'sat(np.float32(100.5) - a.astype(np.float32), a.dtype)', tol: ARITH, range: wide },
  { name: 'divideScalarByImage', arity: 1, run: (a) => t.divideScalarByImage(a, 1000), ref: 'sat(np.float32(1000) / a.astype(np.float32), a.dtype)', tol: ARITH, range: small },
  { name: 'power 2', arity: 1, run: (a) => t.power(a, 2), ref: 'sat(np.power(a.astype(np.float32), np.float32(2)), a.dtype)', tol: ARITH, range: small },
  { name: 'power -1.5', arity: 1, run: (a) => t.power(a, -1.5), ref: 'sat(np.power(a.astype(np.float32), np.float32(-1.5)), a.dtype)', tol: TRANSC, range: small },
  { name: 'power 0.5', arity: 1, run: (a) => t.power(a, 0.5), ref: 'sat(np.power(a.astype(np.float32), np.float32(0.5)), a.dtype)', tol: TRANSC, range: positive },
  { name: 'maximumImageAndScalar', arity: 1, run: (a) => t.maximumImageAndScalar(a, 20.5), ref: 'sat(np.maximum(a.astype(np.float64), 20.5), a.dtype)', tol: EXACT },
  { name: 'minimumImageAndScalar', arity: 1, run: (a) => t.minimumImageAndScalar(a, -20.5), ref: 'sat(np.minimum(a.astype(np.float64), -20.5), a.dtype)', tol: EXACT },
  { name: 'addImages', arity: 2, run: (a, b) => t.addImages(a, b), ref: 'a.astype(np.float32) + b.astype(np.float32)', tol: () => ({ rtol: 1e-7 }), out: 'float32', range: wide },
  { name: 'subtractImages', arity: 2, run: (a, b) => t.subtractImages(a, b), ref: 'a.astype(np.float32) - b.astype(np.float32)', tol: () => ({ rtol: 1e-7 }), out: 'float32', range: wide },
  { name: 'multiplyImages', arity: 2, run: (a, b) => t.multiplyImages(a, b), ref: 'sat(a.astype(np.float32) * b.astype(np.float32), a.dtype)', tol: ARITH, range: small },
  { name: 'divideImages', arity: 2, run: (a, b) => t.divideImages(a, b), ref: 'sat(a.astype(np.float32) / b.astype(np.float32), a.dtype)', tol: ARITH, range: small },
  { name: 'powerImages', arity: 2, run: (a, b) => t.powerImages(a, b), ref: 'sat(np.power(a.astype(np.float32), b.astype(np.float32)), a.dtype)', tol: TRANSC, range: (d) => (d === 'float32' ? [0.1, 4] : [0, 6]), range1: (d) => (d === 'float32' ? [-3, 3] : d.startsWith('u') ? [0, 5] : [-2, 5]) },
  { name: 'moduloImages', arity: 2, run: (a, b) => t.moduloImages(a, b), ref: 'sat(np.fmod(a.astype(np.float32), b.astype(np.float32)), a.dtype)', tol: ARITH, range: wide, range1: small },
  { name: 'maximumImages', arity: 2, run: (a, b) => t.maximumImages(a, b), ref: 'np.maximum(a, b)', tol: EXACT },
  { name: 'minimumImages', arity: 2, run: (a, b) => t.minimumImages(a, b), ref: 'np.minimum(a, b)', tol: EXACT },
  { name: 'absoluteDifference', arity: 2, run: (a, b) => t.absoluteDifference(a, b), ref: 'sat(np.abs(a.astype(np.float32) - b.astype(np.float32)), a.dtype)', tol: ARITH, range: wide },
  { name: 'squaredDifference', arity: 2, run: (a, b) => t.squaredDifference(a, b), ref: 'np.square(a.astype(np.float32) - b.astype(np.float32))', tol: () => ({ rtol: 1e-6 }), out: 'float32', range: small },
  { name: 'absolute', arity: 1, run: (a) => t.absolute(a), ref: 'sat(np.abs(a.astype(np.float64)), a.dtype)', tol: EXACT },
  { name: 'squareRoot', arity: 1, run: (a) => t.squareRoot(a), ref: 'sat(np.sqrt(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: positive },
  { name: 'cubicRoot', arity: 1, run: (a) => t.cubicRoot(a), ref: 'sat(np.cbrt(a.astype(np.float32)), a.dtype)', tol: TRANSC },
  { name: 'square', arity: 1, run: (a) => t.square(a), ref: 'sat(np.square(a.astype(np.float32)), a.dtype)', tol: ARITH },
  { name: 'reciprocal', arity: 1, run: (a) => t.reciprocal(a), ref: 'sat(np.float32(1) / a.astype(np.float32), a.dtype)', tol: ARITH, range: small },
  { name: 'exponential', arity: 1, run: (a) => t.exponential(a), ref: 'sat(np.exp(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: small },
  { name: 'exponential2', arity: 1, run: (a) => t.exponential2(a), ref: 'sat(np.exp2(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: small },
  { name: 'exponential10', arity: 1, run: (a) => t.exponential10(a), ref: 'sat(np.power(np.float32(10), a.astype(np.float32)), a.dtype)', tol: TRANSC, range: small },
  { name: 'logarithm', arity: 1, run: (a) => t.logarithm(a), ref: 'sat(np.log(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: positive },
  { name: 'logarithm2', arity: 1, run: (a) => t.logarithm2(a), ref: 'sat(np.log2(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: positive },
  { name: 'logarithm10', arity: 1, run: (a) => t.logarithm10(a), ref: 'sat(np.log10(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: positive },
  { name: 'sin', arity: 1, run: (a) => t.sin(a), ref: 'sat(np.sin(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: small },
  { name: 'cos', arity: 1, run: (a) => t.cos(a), ref: 'sat(np.cos(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: small },
  { name: 'tan', arity: 1, run: (a) => t.tan(a), ref: 'sat(np.tan(a.astype(np.float32)), a.dtype)', tol: (d) => (d === 'float32' ? { rtol: 1e-4, atol: 1e-5 } : { atol: 1 }), range: (d) => (d === 'float32' ? [-1.4, 1.4] : small(d)) },
  { name: 'asin', arity: 1, run: (a) => t.asin(a), ref: 'sat(np.arcsin(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: (d) => (d === 'float32' ? [-1.2, 1.2] : small(d)) },
  { name: 'acos', arity: 1, run: (a) => t.acos(a), ref: 'sat(np.arccos(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: (d) => (d === 'float32' ? [-1.2, 1.2] : small(d)) },
  { name: 'atan', arity: 1, run: (a) => t.atan(a), ref: 'sat(np.arctan(a.astype(np.float32)), a.dtype)', tol: TRANSC },
  { name: 'sinh', arity: 1, run: (a) => t.sinh(a), ref: 'sat(np.sinh(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: small },
  { name: 'cosh', arity: 1, run: (a) => t.cosh(a), ref: 'sat(np.cosh(a.astype(np.float32)), a.dtype)', tol: TRANSC, range: small },
  { name: 'tanh', arity: 1, run: (a) => t.tanh(a), ref: 'sat(np.tanh(a.astype(np.float32)), a.dtype)', tol: TRANSC },
  { name: 'ceil', arity: 1, run: (a) => t.ceil(a), ref: 'np.ceil(a) if a.dtype.kind == "f" else a', tol: EXACT },
  { name: 'floor', arity: 1, run: (a) => t.floor(a), ref: 'np.floor(a) if a.dtype.kind == "f" else a', tol: EXACT },
  { name: 'round (halves away from zero)', arity: 1, run: (a) => t.round(a), ref: 'np.where(np.abs(a - np.trunc(a)) >= 0.5, np.trunc(a) + np.sign(a), np.trunc(a)).astype(a.dtype)', tol: EXACT, range: (d) => (d === 'float32' ? [-8, 8] : undefined) },
  { name: 'truncate', arity: 1, run: (a) => t.truncate(a), ref: 'np.trunc(a).astype(a.dtype)', tol: EXACT },
  { name: 'sign', arity: 1, run: (a) => t.sign(a), ref: 'np.sign(a)', tol: EXACT, range: small },
  { name: 'invert', arity: 1, run: (a) => t.invert(a), ref: 'sat(-a.astype(np.float64), a.dtype)', tol: EXACT },
  { name: 'degreesToRadians', arity: 1, run: (a) => t.degreesToRadians(a), ref: 'a.astype(np.float32) * np.float32(np.pi / 180)', tol: () => ({ rtol: 1e-6 }), out: 'float32', range: wide },
  { name: 'radiansToDegrees', arity: 1, run: (a) => t.radiansToDegrees(a), ref: 'a.astype(np.float32) * np.float32(180 / np.pi)', tol: () => ({ rtol: 1e-6 }), out: 'float32', range: wide },
  { name: 'gammaCorrection', arity: 1, run: (a) => t.gammaCorrection(a, 0.5), ref: 'sat(np.power(a.astype(np.float32) / np.float32(a.max()), np.float32(0.5)) * np.float32(a.max()), a.dtype)', tol: TRANSC, range: positive },
  { name: 'clip', arity: 1, run: (a) => t.clip(a, -7.5, 90.25), ref: 'sat(np.clip(a.astype(np.float64), -7.5, 90.25), a.dtype)', tol: EXACT },
  { name: 'clip (upper only)', arity: 1, run: (a) => t.clip(a, undefined, 3.5), ref: 'sat(np.minimum(a.astype(np.float64), 3.5), a.dtype)', tol: EXACT },
  { name: 'replaceValue', arity: 1, run: (a) => t.replaceValue(a, 3, -2.5), ref: 'np.where(a == 3, sat(np.float64(-2.5), a.dtype), a)', tol: EXACT, range: small },
  { name: 'convert to uint8', arity: 1, run: (a) => t.convert(a, 'uint8'), ref: 'sat(a, np.uint8)', tol: EXACT, out: 'uint8' },
  { name: 'convert to int16', arity: 1, run: (a) => t.convert(a, 'int16'), ref: 'sat(a, np.int16)', tol: EXACT, out: 'int16' },
  { name: 'convert to uint32', arity: 1, run: (a) => t.convert(a, 'uint32'), ref: 'sat(a, np.uint32)', tol: EXACT, out: 'uint32' },
  { name: 'convert to float32', arity: 1, run: (a) => t.convert(a, 'float32'), ref: 'a.astype(np.float32)', tol: EXACT, out: 'float32' },
  { name: 'convert scaled to uint8', arity: 1, run: (a) => t.convert(a, 'uint8', { scale: 0.5, offset: 10 }), ref: 'sat(a.astype(np.float32) * np.float32(0.5) + np.float32(10), np.uint8)', tol: EXACT, out: 'uint8', range: wide },
];

for (const c of CASES) {
  describe(c.name, () => {
    for (const dtype of c.dtypes ?? ALL_DTYPES) {
      test(dtype, async () => {
        for (const [dims, shape] of Object.entries(SHAPES)) {
          const a = randomPixels(shape, dtype, 31, (c.range ?? (() => undefined))(dtype));
          const b = randomPixels(shape, dtype, 32, (c.range1 ?? c.range ?? (() => undefined))(dtype));
          const out = await pulled(c.arity === 1 ? c.run(pushed(a), undefined as never) : c.run(pushed(a), pushed(b)));
          const ref = await oracle(c.ref, { a, b });
          assert.equal(out.dtype, c.out ?? dtype, `${dims} dtype`);
          assertShape(out.shape, shape);
          assertClose(out.data, ref.data, { ...c.tol(dtype), what: `${c.name} ${dtype} ${dims}` });
        }
      });
    }
  });
}

describe('mixed dtypes', () => {
  const shape = [9, 31];
  const pairs: Array<[DType, DType]> = [['uint8', 'float32'], ['int16', 'uint16'], ['uint32', 'int8'], ['float32', 'uint8']];
  for (const [da, db] of pairs) {
    test(`${da} with ${db}`, async () => {
      const a = randomPixels(shape, da, 41, wide(da) ?? (da === 'float32' ? [-300, 300] : undefined));
      const b = randomPixels(shape, db, 42, wide(db) ?? (db === 'float32' ? [-300, 300] : undefined));
      const A = pushed(a);
      const B = pushed(b);
      assertClose((await pulled(t.maximumImages(A, B))).data, (await oracle('sat(np.maximum(a.astype(np.float64), b), a.dtype)', { a, b })).data);
      assertClose((await pulled(t.minimumImages(A, B))).data, (await oracle('sat(np.minimum(a.astype(np.float64), b), a.dtype)', { a, b })).data);
      assertClose((await pulled(t.addImages(A, B))).data, (await oracle('a.astype(np.float32) + b.astype(np.float32)', { a, b })).data);
      assertClose((await pulled(t.multiplyImages(A, B))).data, (await oracle('sat(a.astype(np.float32) * b.astype(np.float32), a.dtype)', { a, b })).data, { rtol: 1e-6 });
    });
  }
});

describe('special values', () => {
  test('division by zero, log and sqrt of negatives follow IEEE (NaN -> 0 in integers)', async () => {
    const a = { data: new Float32Array([1, -1, 0, 4, -8, 0]), shape: [6], dtype: 'float32' };
    const b = { data: new Float32Array([0, 0, 0, 2, 2, 5]), shape: [6], dtype: 'float32' };
    const div = await pulled(t.divideImages(pushed(a), pushed(b)));
    assert.deepEqual([...div.data], [Infinity, -Infinity, NaN, 2, -4, 0]);
    assert.deepEqual([...(await pulled(t.logarithm(pushed(a)))).data].map((v) => (Number.isNaN(v) ? 'nan' : v)), [0, 'nan', -Infinity, Math.fround(Math.log(4)), 'nan', -Infinity]);
    assert.deepEqual([...(await pulled(t.squareRoot(pushed(a)))).data].map((v) => (Number.isNaN(v) ? 'nan' : v)), [1, 'nan', 0, 2, 'nan', 0]);
    assert.deepEqual([...(await pulled(t.power(pushed(a), -1))).data], [1, -1, Infinity, 0.25, -0.125, Infinity]);
    const u = { data: new Uint8Array([1, 0, 0, 4, 8, 0]), shape: [6], dtype: 'uint8' };
    const z = { data: new Uint8Array([0, 0, 3, 2, 2, 5]), shape: [6], dtype: 'uint8' };
    assert.deepEqual([...(await pulled(t.divideImages(pushed(u), pushed(z)))).data], [255, 0, 0, 2, 4, 0]);
    assert.deepEqual([...(await pulled(t.moduloImages(pushed(u), pushed(z)))).data], [0, 0, 0, 0, 0, 0]);
  });
  test('nanToNum and undefinedToZero', async () => {
    const data = new Float32Array([NaN, Infinity, -Infinity, 1.5, -2]);
    const img = t.push(data, [5], { allowNonFinite: true });
    assert.deepEqual([...(await pulled(t.nanToNum(img, 7, 100, -100))).data], [7, 100, -100, 1.5, -2]);
    assert.deepEqual([...(await pulled(t.nanToNum(img))).data], [0, 3.4028234663852886e38, -3.4028234663852886e38, 1.5, -2]);
    assert.deepEqual([...(await pulled(t.undefinedToZero(img))).data], [0, 0, 0, 1.5, -2]);
    const i = randomPixels([3, 4], 'int16', 5);
    assertClose((await pulled(t.nanToNum(pushed(i)))).data, i.data);
  });
  test('multiplyImageAndPosition along x, y and z', async () => {
    const a = randomPixels([5, 6, 7], 'int16', 9);
    for (const [d, ref] of [[0, 'a * np.arange(7)[None, None, :]'], [1, 'a * np.arange(6)[None, :, None]'], [2, 'a * np.arange(5)[:, None, None]']] as const) {
      const out = await pulled(t.multiplyImageAndPosition(pushed(a), d));
      assert.equal(out.dtype, 'float32');
      assertClose(out.data, (await oracle(`(${ref}).astype(np.float32)`, { a })).data);
    }
  });
  test('power of negative bases with integer exponents, fractional exponents NaN', async () => {
    const a = { data: new Float32Array([-2, -2, -2, -0.5, 3]), shape: [5], dtype: 'float32' };
    const p3 = await pulled(t.power(pushed(a), 3));
    assert.deepEqual([...p3.data], [-8, -8, -8, -0.125, 27]);
    const ph = await pulled(t.power(pushed(a), 0.5));
    assert.ok(Number.isNaN(ph.data[0]) && Number.isNaN(ph.data[3]));
    assertClose([ph.data[4]], [Math.sqrt(3)], { rtol: 1e-6 });
    const p20 = await pulled(t.power(pushed(a), 20));
    assertClose(p20.data, [2 ** 20, 2 ** 20, 2 ** 20, 0.5 ** 20, 3 ** 20], { rtol: 1e-6 });
  });
});

describe('bad input', () => {
  test('shapes, types and parameters are named', () => {
    const a = t.create([4, 5]);
    const b = t.create([5, 4]);
    assert.throws(() => t.multiplyImages(a, b), /multiplyImages: input0 \(shape \[4,5\]\) and input1 \(shape \[5,4\]\) must have the same shape/);
    assert.throws(() => t.divideImages(a, 3 as never), /divideImages: input1 must be a GpuImage; got number/);
    assert.throws(() => t.power(a, NaN), /power: scalar must be a finite number; got NaN/);
    assert.throws(() => t.addImagesWeighted(a, a, 1, Infinity), /addImagesWeighted: factor2 must be a finite number/);
    assert.throws(() => t.clip(a, 'x' as never), /clip: minIntensity must be a finite number/);
    assert.throws(() => t.convert(a, 'float64' as never), /convert: dtype must be one of/);
    assert.throws(() => t.convert(a, 'uint8', { scale: NaN }), /convert: options.scale must be a finite number/);
    assert.throws(() => t.multiplyImageAndPosition(a, 2), /multiplyImageAndPosition: dimension must be an integer >= 0 and <= 1; got 2/);
    assert.throws(() => t.replaceValue(a, 1, Infinity), /replaceValue: valueReplacement must be a finite number/);
    assert.throws(() => t.absolute(null as never), /absolute: input must be a GpuImage; got null/);
  });
});

describe('set operations (in place)', () => {
  for (const dtype of ['uint8', 'int16', 'uint32', 'float32'] as DType[]) {
    test(dtype, async () => {
      for (const shape of [[7, 11, 13], [9, 12]]) {
        const a = randomPixels(shape, dtype, 43);
        const three = shape.length === 3;
        const cases: Array<[string, (g: GpuImage) => GpuImage, string]> = [
          ['set', (g) => t.set(g, 300.7), 'np.full_like(a, sat(300.7, a.dtype))'],
          ['setColumn', (g) => t.setColumn(g, 3, -5), '(lambda r: (r.__setitem__((Ellipsis, slice(None), 3), sat(-5.0, a.dtype)), r)[1])(a.copy())'],
          ['setRow', (g) => t.setRow(g, 2, 9.9), '(lambda r: (r.__setitem__((Ellipsis, 2, slice(None)), sat(9.9, a.dtype)), r)[1])(a.copy())'],
          ['setImageBorders', (g) => t.setImageBorders(g, 7), three
            ? '(lambda r: (r.__setitem__((0,), 7), r.__setitem__((-1,), 7), r.__setitem__((slice(None), 0), 7), r.__setitem__((slice(None), -1), 7), r.__setitem__((Ellipsis, 0), 7), r.__setitem__((Ellipsis, -1), 7), r)[-1])(a.copy())'
            : '(lambda r: (r.__setitem__((0,), 7), r.__setitem__((-1,), 7), r.__setitem__((Ellipsis, 0), 7), r.__setitem__((Ellipsis, -1), 7), r)[-1])(a.copy())'],
          ['setWhereXEqualsY', (g) => t.setWhereXEqualsY(g, 1), 'np.where(np.arange(a.shape[-1])[None, :] == np.arange(a.shape[-2])[:, None], sat(1.0, a.dtype), a)'],
          ['setWhereXGreaterThanY', (g) => t.setWhereXGreaterThanY(g, 2), 'np.where(np.arange(a.shape[-1])[None, :] > np.arange(a.shape[-2])[:, None], sat(2.0, a.dtype), a)'],
          ['setWhereXSmallerThanY', (g) => t.setWhereXSmallerThanY(g, 3), 'np.where(np.arange(a.shape[-1])[None, :] < np.arange(a.shape[-2])[:, None], sat(3.0, a.dtype), a)'],
          ['setRampX', (g) => t.setRampX(g), 'np.broadcast_to(sat(np.arange(a.shape[-1]), a.dtype), a.shape)'],
          ['setRampY', (g) => t.setRampY(g), 'np.broadcast_to(sat(np.arange(a.shape[-2])[:, None], a.dtype), a.shape)'],
        ];
        if (three) {
          cases.push(['setPlane', (g) => t.setPlane(g, 4, 11), '(lambda r: (r.__setitem__(4, sat(11.0, a.dtype)), r)[1])(a.copy())']);
          cases.push(['setRampZ', (g) => t.setRampZ(g), 'np.broadcast_to(sat(np.arange(a.shape[0])[:, None, None], a.dtype), a.shape)']);
        }
        for (const [name, f, ref] of cases) {
          const img = pushed(a);
          assert.equal(f(img), img, `${name} returns its input`);
          assertClose((await pulled(img)).data, (await oracle(ref, { a })).data, { what: `${name} ${dtype} [${shape}]` });
        }
        const z = randomPixels(shape, dtype, 44, [0, 2]);
        const idx = await pulled(t.setNonzeroPixelsToPixelindex(pushed(z), 5));
        assert.equal(idx.dtype, 'uint32');
        const d3 = three ? 'a' : 'a[None]';
        const ref = `(lambda b: np.where(b != 0, (np.arange(b.shape[2])[None, None, :] * b.shape[1] + np.arange(b.shape[1])[None, :, None]) * b.shape[0] + np.arange(b.shape[0])[:, None, None] + 5, 0).astype(np.uint32).reshape(a.shape))(${d3})`;
        assertClose(idx.data, (await oracle(ref, { a: z })).data, { what: `setNonzeroPixelsToPixelindex ${dtype}` });
      }
    });
  }
});
