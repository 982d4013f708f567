import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { copyBox } from '../../src/io/region';

/** C-order strides of a shape. */
const stridesOf = (shape: number[]) => shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));

/** copyBox cell by cell: the definition the fast paths must match. */
function naiveCopy(
  src: ArrayLike<number>, srcStride: number[], srcOrigin: number[],
  dst: { [i: number]: number }, dstStride: number[], dstOrigin: number[], lo: number[], hi: number[],
): void {
  const visit = (k: number, s: number, d: number): void => {
    if (k === lo.length) {
      dst[d] = src[s];
      return;
    }
    for (let i = lo[k]; i < hi[k]; i++) visit(k + 1, s + (i - srcOrigin[k]) * srcStride[k], d + (i - dstOrigin[k]) * dstStride[k]);
  };
  visit(0, 0, 0);
}

describe('copyBox (strided host copies of the readers and writers)', () => {
  test('matches a cell-by-cell copy: boxes inside, whole rows, whole planes, whole arrays, 1D-4D', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let trial = 0; trial < 300; trial++) {
      const nd = 1 + (trial % 4);
      const srcShape = Array.from({ length: nd }, () => 1 + rand(7));
      const srcOrigin = Array.from({ length: nd }, () => rand(5));
      // A box inside the source; every third trial spans the source's whole rows (or planes).
      const lo = srcShape.map((n, k) => srcOrigin[k] + (trial % 3 === 0 && k > 0 ? 0 : rand(n)));
      const hi = srcShape.map((n, k) => (trial % 3 === 0 && k > 0 ? srcOrigin[k] + n : lo[k] + 1 + rand(srcOrigin[k] + n - lo[k])));
      // The destination holds the box, at an origin at or before it; sometimes exactly the box.
      const exact = trial % 2 === 0;
      const dstOrigin = lo.map((l) => (exact ? l : l - rand(3)));
      const dstShape = hi.map((h, k) => h - dstOrigin[k] + (exact ? 0 : rand(3)));
      const src = Float32Array.from({ length: srcShape.reduce((a, b) => a * b, 1) }, (_, i) => i + 1);
      const expected = new Float32Array(dstShape.reduce((a, b) => a * b, 1)).fill(-1);
      const actual = expected.slice();
      naiveCopy(src, stridesOf(srcShape), srcOrigin, expected, stridesOf(dstShape), dstOrigin, lo, hi);
      copyBox(src, stridesOf(srcShape), srcOrigin, actual, stridesOf(dstShape), dstOrigin, lo, hi);
      assert.deepEqual(actual, expected, `trial ${trial}: src ${srcShape} at ${srcOrigin}, box ${lo}..${hi}, dst ${dstShape} at ${dstOrigin}`);
    }
  });
  test('non-unit strides along the last axis (a transposed view) copy cell by cell', () => {
    const src = Float32Array.from({ length: 12 }, (_, i) => i);
    const expected = new Float32Array(12).fill(-1);
    const actual = expected.slice();
    // Source [3, 4] read as its transpose [4, 3] (strides 1, 4).
    naiveCopy(src, [1, 4], [0, 0], expected, [3, 1], [0, 0], [0, 0], [4, 3]);
    copyBox(src, [1, 4], [0, 0], actual, [3, 1], [0, 0], [0, 0], [4, 3]);
    assert.deepEqual(actual, expected);
  });
  test('converts between typed-array types as set does (float64 rows into float32)', () => {
    const src = Float64Array.from({ length: 24 }, (_, i) => i / 3);
    const dst = new Float32Array(24);
    copyBox(src, [12, 4, 1], [0, 0, 0], dst, [12, 4, 1], [0, 0, 0], [0, 0, 0], [2, 3, 4]);
    assert.deepEqual(dst, Float32Array.from(src));
  });
});
