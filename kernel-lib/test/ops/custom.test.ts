import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { oracle } from '../support/oracle';

/**
 * Custom kernels: results against numpy (exact for integer outputs, rtol 1e-6 for float32),
 * type placeholders bound per call, caching, and compile errors reported with the user's
 * own line numbers and text.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const SHAPES: Record<string, number[]> = { '2D': [37, 53], '3D': [7, 19, 23], thin: [1, 1, 13] };

describe('elementwiseKernel', () => {
  test('squared difference, like cupy.ElementwiseKernel, for several dtypes', async () => {
    const k = await t.elementwiseKernel('T x, T y', 'T z', 'z = (x - y) * (x - y);', 'squared_difference');
    assert.equal(k.kernelName, 'squared_difference');
    for (const dtype of ['float32', 'int16', 'uint8', 'int32'] as DType[]) {
      for (const [dims, shape] of Object.entries(SHAPES)) {
        const range: [number, number] | undefined = dtype === 'float32' ? [-50, 50] : dtype === 'uint8' ? [0, 15] : [-100, 100];
        const a = randomPixels(shape, dtype, 101, range);
        const b = randomPixels(shape, dtype, 102, range);
        const out = await pulled(k(pushed(a), pushed(b)));
        assert.equal(out.dtype, dtype);
        assertShape(out.shape, shape);
        // Integer compute types: uint8 uses u32 arithmetic, which wraps below zero, then saturates.
        const ref = dtype === 'uint8' ? 'sat((a.astype(np.uint32) - b) * (a.astype(np.uint32) - b), np.uint8)'
          : dtype === 'float32' ? '(a - b) * (a - b)' : 'sat((a.astype(np.int64) - b) ** 2, a.dtype)';
        assertClose(out.data, (await oracle(ref, { a, b })).data, { rtol: dtype === 'float32' ? 1e-6 : 0, what: `${dtype} ${dims}` });
      }
    }
  });
  test('scalars, explicit dtypes, coordinates, a preamble, and several statements', async () => {
    const k = await t.elementwiseKernel(
      'T x, float32 gain, T offset',
      'float32 y',
      `let s = soft(f32(x) * gain);
y = s + f32(offset) + f32(pos.x) * 0.5;`,
      'affine_soft',
      { preamble: 'fn soft(v: f32) -> f32 { return v / (1.0 + abs(v)); }' },
    );
    const a = randomPixels([9, 17], 'int16', 103, [-300, 300]);
    const out = await pulled(k(pushed(a), 0.02, 7));
    assert.equal(out.dtype, 'float32');
    const ref = await oracle('(lambda s: s / (1 + np.abs(s)))(a.astype(np.float32) * np.float32(0.02)) + 7 + np.arange(17, dtype=np.float32)[None, :] * 0.5', { a });
    assertClose(out.data, ref.data, { rtol: 1e-6, atol: 1e-6 });
  });
  test('placeholders alias the compute type; integer-only code checked for integer types', async () => {
    const k = await t.elementwiseKernel('T x', 'T y', 'y = (x & T(0xf0)) | T(1);', 'bits', { types: { T: 'uint16' } });
    const a = randomPixels([5, 7, 11], 'uint16', 104);
    assertClose((await pulled(k(pushed(a)))).data, (await oracle('(a & 0xf0) | 1', { a })).data);
    await assert.rejects(k.compile({ T: 'float32' }), /elementwiseKernel 'bits': the kernel does not compile for T = float32:\n {2}line 1 of the operation: /);
  });
  test('compile errors quote the user line with its number', async () => {
    const err = await t.elementwiseKernel('T x', 'T y', 'let a = x * 2.0;\nlet b = a + undefinedThing;\ny = b;', 'broken').then(
      () => assert.fail('should not compile'),
      (e: Error) => e,
    );
    assert.equal(err.name, 'TesseraError');
    assert.match(err.message, /elementwiseKernel 'broken': the kernel does not compile for T = float32:/);
    assert.match(err.message, /line 2 of the operation: unresolved value 'undefinedThing'/);
    assert.match(err.message, /\n {4}2 \| let b = a \+ undefinedThing;\n {4} {2}\| {13}\^/);
    const pre = await t.elementwiseKernel('T x', 'T y', 'y = helper(x);', 'broken_pre', { preamble: 'fn helper(v: f32) -> f32 {\n  return v +* 2.0;\n}' }).catch((e: Error) => e);
    assert.match(String(pre), /line 2 of the preamble: .*\n {4}2 \| {3}return v \+\* 2\.0;/);
  });
  test('bad arguments', async () => {
    const k = await t.elementwiseKernel('T x, T y', 'T z', 'z = x + y;', 'add');
    const a = t.create([3, 4], 'float32');
    assert.throws(() => k(a), /elementwiseKernel 'add': expects 2 argument\(s\) \(T x, T y\); got 1/);
    assert.throws(() => k(a, t.create([3, 4], 'uint8')), /elementwiseKernel 'add': T is float32 \(from x\) but y is uint8/);
    assert.throws(() => k(a, t.create([4, 3], 'float32')), /x \(shape \[3,4\]\) and y \(shape \[4,3\]\) must have the same shape/);
    assert.throws(() => k(1, 2), /at least one argument must be a GpuImage/);
    assert.throws(() => k(a, NaN), /argument y must be a GpuImage or a finite number; got NaN/);
    await assert.rejects(t.elementwiseKernel('T x', 'U z', 'z = x;', 'k'), /the output's type U is not the type of any input/);
    await assert.rejects(t.elementwiseKernel('T i', 'T z', 'z = i;', 'k'), /the name "i" is reserved/);
    await assert.rejects(t.elementwiseKernel('float64 x', 'T z', 'z = x;', 'k'), /type "float64" of x is neither a dtype/);
    await assert.rejects(t.elementwiseKernel('T x', 'T z', 'z = x;', 'bad name'), /elementwiseKernel: name must be an identifier/);
    await assert.rejects(t.elementwiseKernel('T x', 'T z', 'z = x;', 'k', { types: { T: 'float64' as DType } }), /options.types.T must be one of/);
  });
});

describe('neighbourhoodKernel', () => {
  test('local range (max - min) over a box, against scipy, 2D and 3D', async () => {
    const k = await t.neighbourhoodKernel({
      name: 'local_range',
      radius: [2, 1, 1],
      inputs: 'T src',
      output: 'T dst',
      body: `var lo = src;
var hi = src;
for (var dz = -RZ; dz <= RZ; dz++) {
  for (var dy = -RY; dy <= RY; dy++) {
    for (var dx = -RX; dx <= RX; dx++) {
      let v = src_at(dx, dy, dz);
      lo = min(lo, v);
      hi = max(hi, v);
    }
  }
}
dst = hi - lo;`,
    });
    for (const dtype of ['uint8', 'float32', 'int16'] as DType[]) {
      for (const [dims, shape] of Object.entries(SHAPES)) {
        const a = randomPixels(shape, dtype, 105);
        const size = shape.length === 3 ? '(3, 3, 5)' : '(3, 5)';
        const ref = await oracle(`sat(ndi.maximum_filter(a, size=${size}, mode='nearest').astype(np.float64) - ndi.minimum_filter(a, size=${size}, mode='nearest'), a.dtype)`, { a });
        const out = await pulled(k(pushed(a)));
        assertClose(out.data, ref.data, { what: `${dtype} ${dims}` });
      }
    }
  });
  test('boundary modes and two inputs with a scalar', async () => {
    for (const mode of ['nearest', 'reflect', 'mirror', 'wrap', 'constant'] as const) {
      const k = await t.neighbourhoodKernel({
        radius: [1, 1, 0], inputs: 'T a, T w, float32 s', output: 'float32 out', mode, cval: 2.5,
        body: 'out = (f32(a_at(-1, 0, 0)) + f32(a_at(1, 0, 0)) + f32(a_at(0, -1, 0)) + f32(a_at(0, 1, 0))) * s + f32(w);',
      });
      const a = randomPixels([11, 13], 'float32', 106);
      const w = randomPixels([11, 13], 'float32', 107);
      const out = await pulled(k(pushed(a), pushed(w), 0.25));
      const ref = await oracle(`ndi.convolve(a, np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], np.float32), mode='${mode}', cval=2.5) * np.float32(0.25) + w`, { a, w });
      assertClose(out.data, ref.data, { rtol: 1e-5, atol: 1e-4, what: mode });
    }
  });
  test('compile errors map to the body lines', async () => {
    const err = await t.neighbourhoodKernel({ radius: 1, inputs: 'T src', output: 'T dst', body: 'let v = src_at(1, 0);\ndst = v;' }).catch((e: Error) => e);
    assert.match(String(err), /neighbourhoodKernel 'neighbourhood': the kernel does not compile for T = float32:\n {2}line 1 of the body: /);
    assert.match(String(err), /1 \| let v = src_at\(1, 0\);/);
    await assert.rejects(t.neighbourhoodKernel({ radius: [1, 2] as never, inputs: 'T a', output: 'T b', body: 'b = a;' }), /radius must be an integer or \[rx, ry, rz\]/);
    await assert.rejects(t.neighbourhoodKernel({ radius: 1, inputs: 'T a', output: 'T b', body: 'b = a;', mode: 'edge' as never }), /options.mode must be one of/);
  });
});
