import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType, GpuImage } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { ALL_DTYPES, randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { oracle } from '../support/oracle';

/**
 * Projections along z, y and x against numpy, every dtype, 2D, 3D (odd sizes), thin images
 * and long rows (the X projection's 64-threads-per-row path). pyclesperanto's layouts: X
 * projections of [z, y, x] are [y, z]; Y projections of 2D images are 1D; X projections of
 * 2D images are [y, 1]. Tolerances: max/min/mean/positions exact (mean of integers is the
 * exact mean truncated); sums rtol 1e-6 (float32 accumulation); std rtol 2e-5 + atol
 * 1e-5·(value range) (single-pass float32 sums of shifted values).
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const SHAPES: Record<string, number[]> = {
  '2D': [37, 53], '3D': [7, 19, 23], thinZ: [1, 5, 9], thinY: [6, 1, 11], thinX: [5, 7, 1], longRows: [3, 5, 300],
  // Long along z and y: the strided kernel's 4 splits get 11-12 values each.
  deep: [45, 46, 3],
  // Rows a multiple of 4 wide, 37 planes (the strided kernel's unrolled loads and their remainder).
  wide4: [37, 6, 8],
};
const range = (d: DType): [number, number] | undefined =>
  d === 'int32' ? [-(2 ** 20), 2 ** 20] : d === 'uint32' ? [0, 2 ** 20] : undefined;

type Axis = 'X' | 'Y' | 'Z';
const AXIS_NP: Record<Axis, number> = { X: -1, Y: -2, Z: -3 };
/** numpy expression reproducing pyclesperanto's layout for a reduction `f` (e.g. "a.max(axis={ax})"). */
function npExpr(axis: Axis, f: string, ndim: number): string {
  if (axis === 'Z' && ndim === 2) return `(lambda a: ${f.replace(/\{ax\}/g, '0')})(a[None])`;
  const e = f.replace(/\{ax\}/g, String(AXIS_NP[axis]));
  if (axis === 'X') return ndim === 3 ? `(${e}).T` : `(${e})[:, None]`;
  return e;
}

interface Kind {
  name: string;
  fns: Record<Axis, (a: GpuImage) => GpuImage>;
  ref: string;
  out: (d: DType) => DType;
  tol: (d: DType) => { rtol?: number; atol?: number };
}

const KINDS: Kind[] = [
  { name: 'maximum', fns: { X: (a) => t.maximumXProjection(a), Y: (a) => t.maximumYProjection(a), Z: (a) => t.maximumZProjection(a) }, ref: 'a.max(axis={ax})', out: (d) => d, tol: () => ({}) },
  { name: 'minimum', fns: { X: (a) => t.minimumXProjection(a), Y: (a) => t.minimumYProjection(a), Z: (a) => t.minimumZProjection(a) }, ref: 'a.min(axis={ax})', out: (d) => d, tol: () => ({}) },
  { name: 'sum', fns: { X: (a) => t.sumXProjection(a), Y: (a) => t.sumYProjection(a), Z: (a) => t.sumZProjection(a) }, ref: 'a.sum(axis={ax}, dtype=np.float64).astype(np.float32)', out: () => 'float32', tol: (d) => (d === 'float32' || d.endsWith('32') ? { rtol: 1e-6, atol: 1e-2 } : {}) },
  { name: 'mean', fns: { X: (a) => t.meanXProjection(a), Y: (a) => t.meanYProjection(a), Z: (a) => t.meanZProjection(a) }, ref: 'sat(a.mean(axis={ax}, dtype=np.float64), a.dtype)', out: (d) => d, tol: (d) => (d === 'float32' ? { rtol: 1e-6, atol: 1e-4 } : d.endsWith('32') ? { atol: 1 } : {}) },
  { name: 'std', fns: { X: (a) => t.stdXProjection(a), Y: (a) => t.stdYProjection(a), Z: (a) => t.stdZProjection(a) }, ref: 'np.nan_to_num(a.std(axis={ax}, ddof=1, dtype=np.float64)).astype(np.float32)', out: () => 'float32', tol: (d) => ({ rtol: 2e-5, atol: 1e-5 * ((range(d) ?? [0, d === 'float32' ? 2000 : 65535])[1]) }) },
  { name: 'position of maximum', fns: { X: (a) => t.xPositionOfMaximumXProjection(a), Y: (a) => t.yPositionOfMaximumYProjection(a), Z: (a) => t.zPositionOfMaximumZProjection(a) }, ref: 'a.argmax(axis={ax}).astype(np.uint32)', out: () => 'uint32', tol: () => ({}) },
  { name: 'position of minimum', fns: { X: (a) => t.xPositionOfMinimumXProjection(a), Y: (a) => t.yPositionOfMinimumYProjection(a), Z: (a) => t.zPositionOfMinimumZProjection(a) }, ref: 'a.argmin(axis={ax}).astype(np.uint32)', out: () => 'uint32', tol: () => ({}) },
];

for (const kind of KINDS) {
  describe(`${kind.name} projections`, () => {
    for (const dtype of ALL_DTYPES) {
      test(dtype, async () => {
        for (const [dims, shape] of Object.entries(SHAPES)) {
          // Narrow integer ranges for the position projections make ties (first index wins).
          const r = kind.name.startsWith('position') && dtype !== 'float32' ? ([0, 5] as [number, number]) : range(dtype);
          const a = randomPixels(shape, dtype, 71, r);
          const img = pushed(a);
          for (const axis of ['Z', 'Y', 'X'] as Axis[]) {
            const what = `${kind.name} ${axis} ${dtype} ${dims} [${shape}]`;
            const out = await pulled(kind.fns[axis](img));
            const ref = await oracle(npExpr(axis, kind.ref, shape.length), { a });
            assert.equal(out.dtype, kind.out(dtype), `${what}: dtype`);
            assertShape(out.shape, ref.shape, `${what}: shape`);
            assertClose(out.data, ref.data, { ...kind.tol(dtype), what });
          }
        }
      });
    }
  });
}

describe('projection details', () => {
  test('pyclesperanto reference: maximum X projection layout [y, z]', async () => {
    // From pyclesperanto's tests/other/test_projections.py.
    const stack = [
      [[1, 0, 0, 0, 9], [0, 2, 0, 8, 0], [3, 0, 1, 0, 10], [0, 4, 0, 7, 0], [5, 0, 6, 0, 10]],
      [[0, 2, 0, 8, 0], [1, 0, 0, 0, 9], [3, 0, 1, 0, 10], [0, 4, 0, 7, 0], [5, 0, 6, 0, 10]],
      [[0, 2, 0, 8, 0], [3, 0, 1, 0, 10], [0, 4, 0, 7, 0], [1, 0, 0, 0, 9], [5, 0, 6, 0, 10]],
      [[0, 2, 0, 8, 0], [1, 0, 0, 0, 9], [0, 4, 0, 7, 0], [3, 0, 1, 0, 10], [5, 0, 6, 0, 10]],
      [[1, 0, 0, 0, 9], [0, 4, 0, 7, 0], [3, 0, 1, 0, 10], [0, 2, 0, 8, 0], [5, 0, 6, 0, 10]],
    ];
    const out = await pulled(t.maximumXProjection(t.push(stack)));
    assert.deepEqual([...out.data], [9, 8, 8, 8, 9, 8, 9, 10, 9, 7, 10, 10, 7, 7, 10, 7, 7, 9, 10, 8, 10, 10, 10, 10, 10]);
    const y2d = await pulled(t.maximumYProjection(t.push([[1, 0, 0, 0, 9], [0, 2, 0, 8, 0], [3, 0, 1, 0, 10]])));
    assertShape(y2d.shape, [5]);
    assert.deepEqual([...y2d.data], [3, 2, 1, 8, 10]);
  });
  test('4D input projects each time point along z', async () => {
    const a = randomPixels([2, 3, 5, 7], 'uint16', 72);
    for (const [f, ref] of [[t.meanZProjection, 'sat(a.mean(axis=1), a.dtype)'], [t.zPositionOfMaximumZProjection, 'a.argmax(axis=1).astype(np.uint32)']] as const) {
      const out = await pulled(f(pushed(a)));
      const want = await oracle(ref, { a });
      assertShape(out.shape, want.shape);
      assertClose(out.data, want.data);
    }
  });
  test('std of data far from zero stays accurate (shifted sums)', async () => {
    const a = randomPixels([64, 9, 11], 'float32', 73, [10000, 10010]);
    const out = await pulled(t.stdZProjection(pushed(a)));
    const ref = await oracle('a.std(axis=0, ddof=1, dtype=np.float64)', { a });
    assertClose(out.data, ref.data, { rtol: 1e-4 });
  });
  test('bad input', () => {
    assert.throws(() => t.maximumXProjection(t.create([2, 3, 4, 5])), /maximumXProjection: input must have 2 or 3 dimensions; got shape \[2,3,4,5\]/);
    assert.throws(() => t.stdYProjection(t.create([7])), /stdYProjection: input must have 2 or 3 dimensions/);
    assert.throws(() => t.sumZProjection('x' as never), /sumZProjection: input must be a GpuImage; got string/);
  });
});

describe('zPositionProjection', () => {
  test('picks the slice given per pixel (e.g. the argmax), clamped', async () => {
    for (const dtype of ['uint8', 'int16', 'float32'] as DType[]) {
      const a = randomPixels([6, 9, 13], dtype, 74);
      const img = pushed(a);
      const out = await pulled(t.zPositionProjection(img, t.zPositionOfMaximumZProjection(img)));
      assertClose(out.data, (await oracle('a.max(axis=0)', { a })).data, { what: dtype });
      const p = randomPixels([9, 13], 'float32', 75, [-3, 9]);
      const clamped = await pulled(t.zPositionProjection(img, pushed(p)));
      assertClose(clamped.data, (await oracle('np.take_along_axis(a, np.clip(np.trunc(p), 0, 5).astype(int)[None], 0)[0]', { a, p })).data, { what: `${dtype} clamped` });
    }
    assert.throws(() => t.zPositionProjection(t.create([2, 3, 4]), t.create([3, 5])), /zPositionProjection: position \(shape \[3,5\]\) must match a slice of input \(shape \[2,3,4\]\)/);
  });
});
