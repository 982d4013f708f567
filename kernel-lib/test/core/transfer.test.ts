import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { assertClose, assertShape } from '../support/assert';
import { ALL_DTYPES, randomPixels } from '../support/data';
import { setup } from '../support/gpu';

let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

describe('push and pull round trip', () => {
  for (const dtype of ALL_DTYPES) {
    for (const shape of [[7], [3, 5], [3, 5, 7], [2, 3, 5, 7]]) {
      test(`${dtype} [${shape}]`, async () => {
        const p = randomPixels(shape, dtype, 3);
        const img = t.push(p.data, shape);
        assert.equal(img.dtype, dtype);
        assertShape(img.shape, shape);
        const back = await t.pull(img);
        assert.equal(back.dtype, dtype);
        assert.equal(back.data.constructor, p.data.constructor);
        assertClose(back.data, p.data);
      });
    }
  }
});

test('nested arrays infer the shape; Float64Array becomes float32', async () => {
  const img = t.push([[1, 2, 3], [4, 5, 6]]);
  assertShape(img.shape, [2, 3]);
  assert.equal(img.dtype, 'float32');
  const u = t.push([[1, 2], [3, 300]], undefined, { dtype: 'uint8' });
  assert.deepEqual([...(await t.pull(u)).data], [1, 2, 3, 255]);
  const f = t.push(new Float64Array([0.1, 2.5]));
  assert.equal(f.dtype, 'float32');
  assertClose((await t.pull(f)).data, [Math.fround(0.1), 2.5]);
});

test('create, createLike, copy and set', async () => {
  const a = t.set(t.create([4, 5], 'int16'), -7.9);
  assert.deepEqual([...(await t.pull(a)).data], new Array(20).fill(-7));
  const b = t.set(t.createLike(a, 'uint8'), 300);
  assert.equal(b.dtype, 'uint8');
  assert.deepEqual([...(await t.pull(b)).data], new Array(20).fill(255));
  const big = t.set(t.create([3], 'uint32'), 4294967295);
  assert.deepEqual([...(await t.pull(big)).data], [4294967295, 4294967295, 4294967295]);
  const c = t.copy(a);
  t.set(a, 1);
  assert.deepEqual([...(await t.pull(c)).data], new Array(20).fill(-7));
});

test('describe() reports shape, dtype, size, min and max', async () => {
  const text = await t.describe(t.push(new Uint16Array([5, 900, 17, 3]), [2, 2]));
  assert.match(text, /shape +\(2, 2\)/);
  assert.match(text, /dtype +uint16/);
  assert.match(text, /min +3/);
  assert.match(text, /max +900/);
  assert.match(text, /size +8 B/, 'small images are not "0.0 MB"');
});

describe('bad input gives a TesseraError naming the argument', () => {
  test('shape and data disagree', () => {
    assert.throws(() => t.push(new Float32Array(10), [3, 3]), { name: 'TesseraError', message: /push: shape \[3,3\] holds 9 pixels but data has 10/ });
  });
  test('zero-size and too many dimensions', () => {
    assert.throws(() => t.push(new Float32Array(0)), /push: shape must hold positive integers \(zero-size images are not supported\)/);
    assert.throws(() => t.create([0, 5]), /create: shape must hold positive integers/);
    assert.throws(() => t.push([]), /push: data is empty/);
    assert.throws(() => t.create([1, 2, 3, 4, 5]), /create: shape must be an array of 1 to 4 extents/);
  });
  test('wrong data types', () => {
    assert.throws(() => t.push(new BigInt64Array(3) as never), /push: data must be a typed array .*; got BigInt64Array/);
    assert.throws(() => t.push('pixels' as never), /push: data must be a typed array/);
    assert.throws(() => t.push([[1, 2], [3]]), /push: nested array data is ragged/);
    assert.throws(() => t.push([[1, 'a']] as never), /push: data must hold only numbers/);
    assert.throws(() => t.create([2, 2], 'float64' as never), /create: dtype must be one of uint8, uint16, uint32, int8, int16, int32, float32; got "float64"/);
  });
  test('NaN and Inf converted to an integer dtype are refused, not turned into 0 and 255', async () => {
    assert.throws(() => t.push(new Float64Array([1, NaN, 3, Infinity]), [2, 2], { dtype: 'uint8' }), /push\(uint8\): data contains 2 NaN\/Inf value\(s\), the first at index 1, which have no uint8 value/);
    assert.throws(() => t.push([[1, 2], [NaN, 4]], undefined, { dtype: 'int16' }), /push\(int16\): data contains 1 NaN\/Inf value\(s\), the first at index 2/);
    // numpy: np.array([nan, inf, -inf, 300.7]) as uint8 with NaN -> 0 and saturation.
    const kept = t.push(new Float32Array([NaN, Infinity, -Infinity, 300.7]), [4], { dtype: 'uint8', allowNonFinite: true });
    assert.deepEqual([...(await t.pull(kept)).data], [0, 255, 0, 255]);
  });
  test('a misspelt option is named, not ignored', () => {
    assert.throws(() => t.push(new Float32Array(4), [2, 2], { dtyp: 'uint8' } as never), /push: options has no option "dtyp" \(did you mean "dtype"\?\); its options are dtype, allowNonFinite/);
    assert.throws(() => t.push(new Float32Array(4), [2, 2], { allownonfinite: true } as never), /did you mean "allowNonFinite"/);
    assert.throws(() => t.gaussianBlur(t.create([4, 4]), 1, 1, 0, { Mode: 'constant' } as never), /gaussianBlur: options has no option "Mode" \(did you mean "mode"\?\)/);
    assert.throws(() => t.rotate(t.create([4, 4]), 0, 0, 10, true, false, false, { fill: 3 } as never), /rotate: options has no option "fill"; its options are mode, cval/);
  });
  test('a shape that is not an array of integers is named as given', () => {
    assert.throws(() => t.push(new Float32Array(4), '2,2' as never), /push: shape must be an array of 1 to 4 extents \(z, y, x order\); got "2,2"/);
    assert.throws(() => t.push(new Float32Array(4), ['2', '2'] as never), /push: shape must hold positive integers .*; got \["2","2"\]/);
    assert.equal(t.push(new Float32Array(4), new Int32Array([2, 2]) as never).shape.join(), '2,2');
  });
  test('a forgotten await or host data where an image goes says so', async () => {
    const img = t.push(new Float32Array(4), [2, 2]);
    const pending = t.pull(img);
    assert.throws(() => t.gaussianBlur(pending as never, 1), /gaussianBlur: input must be a GpuImage; got a Promise \(did you forget `await`\?/);
    await assert.rejects(t.describe(pending as never), /describe: image must be a GpuImage; got a Promise \(did you forget `await`\?/);
    await assert.rejects(t.pull(new Float32Array(4) as never), /pull: image must be a GpuImage; got a Float32Array \(push it first/);
    await pending;
  });
  test('NaN and Inf in float input: checked on the GPU, thrown where results come back', async () => {
    const data = new Float32Array(1001);
    data[977] = NaN;
    data[978] = NaN;
    const bad = t.push(data, [7, 11, 13]);
    const sum = t.sumOfAllPixels(t.addImageAndScalar(bad, 1));
    await assert.rejects(sum, /push\(shape \[7,11,13\], float32\): data contains 2 NaN\/Inf value\(s\), the first at index 977; NaN\/Inf make thresholds/);
    data[977] = 0;
    data[978] = 0;
    data[5] = -Infinity;
    t.push(data);
    await assert.rejects(t.sync(), /push\(shape \[1001\], float32\): data contains 1 NaN\/Inf value\(s\), the first at index 5/);
    const kept = t.push(data, undefined, { allowNonFinite: true });
    assert.equal((await t.pull(kept)).data[5], -Infinity);
    const clean = t.push(new Float32Array([1, 2]));
    assert.deepEqual([...(await t.pull(clean)).data], [1, 2], 'later pushes are unaffected');
  });
});
