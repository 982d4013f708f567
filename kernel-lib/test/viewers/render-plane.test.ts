import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType, TypedArray } from '../../src';
import { planeOf, renderPlane, type PlaneRequest } from '../../src/viewers';
import { ALL_DTYPES, randomPixels } from '../support/data';
import { pushed, setup } from '../support/gpu';

/**
 * The widgets' GPU plane renderer against a plain JavaScript reference: plane extraction in
 * every orientation (with subsampling and transposition), the 8-bit conversion with a display
 * range, label codes, exact min/max and the histogram.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

/** Source pixel of plane pixel (col, row), by the documented orientation of each axis. */
function referencePlane(data: TypedArray, shape: number[], r: PlaneRequest): { values: number[]; width: number; height: number } {
  const [X, Y, Z] = [shape[shape.length - 1], shape[shape.length - 2] ?? 1, shape[shape.length - 3] ?? 1];
  const s = r.step ?? 1;
  const at = (x: number, y: number, z: number) => Number(data[(((r.t ?? 0) * Z + z) * Y + y) * X + x]);
  // (column extent, row extent, pixel at (col, row)) for XY, XZ, YZ planes.
  const planes: [number, number, (c: number, rr: number) => number][] = [
    [X, Y, (c, rr) => at(c, rr, r.index)],
    [X, Z, (c, rr) => at(c, r.index, rr)],
    [Y, Z, (c, rr) => at(r.index, c, rr)],
  ];
  const [cw, rh, get] = planes[r.axis];
  let width = Math.ceil(cw / s);
  let height = Math.ceil(rh / s);
  const values: number[] = [];
  if (r.transpose) {
    [width, height] = [height, width];
    for (let row = 0; row < height; row++) for (let col = 0; col < width; col++) values.push(get(row * s, col * s));
  } else {
    for (let row = 0; row < height; row++) for (let col = 0; col < width; col++) values.push(get(col * s, row * s));
  }
  return { values, width, height };
}

/** The shader's conversion in float32 steps: round half up, clamp to 0..255. */
function referenceCode(v: number, low: number, high: number): number {
  const f = Math.fround;
  const scale = f(255 / (high - low));
  const x = f(f(f(v) - f(low)) * scale) + 0.5;
  return Math.min(255, Math.max(0, Math.floor(f(x))));
}

/** Codes may differ by one where float rounding falls on the half; most must match exactly. */
function assertCodes(actual: Uint8Array, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let off = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    assert.ok(d <= 1, `${what}: code [${i}] is ${actual[i]}, expected ${expected[i]}`);
    if (d) off++;
  }
  assert.ok(off <= Math.max(1, expected.length / 100), `${what}: ${off} of ${expected.length} codes off by one`);
}

const range = (d: DType): [number, number] | undefined =>
  d === 'int32' ? [-(2 ** 24), 2 ** 24] : d === 'uint32' ? [0, 2 ** 24] : undefined;

describe('renderPlane', () => {
  const shape = [5, 17, 29];
  const requests: PlaneRequest[] = [
    { axis: 0, index: 2 },
    { axis: 0, index: 4, step: 3 },
    { axis: 1, index: 16 },
    { axis: 1, index: 0, step: 2, transpose: true },
    { axis: 2, index: 7 },
    { axis: 2, index: 28, transpose: true },
  ];
  for (const dtype of ALL_DTYPES) {
    test(`cuts planes and converts ${dtype} with a display range`, async () => {
      const px = randomPixels(shape, dtype, 21, range(dtype));
      const img = pushed(px);
      const sorted = Array.from(px.data, Number).sort((a, b) => a - b);
      const [low, high] = [sorted[Math.floor(sorted.length * 0.2)], sorted[Math.floor(sorted.length * 0.8)]];
      for (const r of requests) {
        const what = `${dtype} ${JSON.stringify(r)}`;
        const ref = referencePlane(px.data, shape, r);
        const out = await renderPlane(img, planeOf(shape, r), { mode: 'range', low, high });
        assert.deepEqual([out.width, out.height], [ref.width, ref.height], `${what}: size`);
        assertCodes(out.pixels, ref.values.map((v) => referenceCode(v, low, high)), what);
        assert.equal(out.min, Math.min(...ref.values), `${what}: min`);
        assert.equal(out.max, Math.max(...ref.values), `${what}: max`);
      }
      img.release();
    });
  }

  test('label codes keep 0 and wrap labels to 1..255', async () => {
    for (const dtype of ['uint16', 'uint32', 'int32', 'uint8'] as DType[]) {
      const px = randomPixels([3, 9, 11], dtype, 5, [0, dtype === 'uint8' ? 255 : 2000]);
      px.data[0] = 0;
      px.data[1] = 255;
      px.data[2] = 256;
      const img = pushed(px);
      const r = { axis: 0, index: 0 };
      const out = await renderPlane(img, planeOf(px.shape, r), { mode: 'labels' });
      const ref = referencePlane(px.data, [...px.shape], r).values.map((v) => (v === 0 ? 0 : ((v - 1) % 255) + 1));
      assert.deepEqual([...out.pixels], ref, dtype);
      if (dtype !== 'uint8') assert.deepEqual([out.pixels[0], out.pixels[1], out.pixels[2]], [0, 255, 1]);
      img.release();
    }
  });

  test('histogram counts every pixel of the plane in 256 bins', async () => {
    const px = randomPixels([2, 33, 47], 'uint8', 9);
    const img = pushed(px);
    const r = { axis: 0, index: 1 };
    const out = await renderPlane(img, planeOf(px.shape, r), { mode: 'range', low: 0, high: 255 }, { histogram: { low: 0, high: 256 } });
    const expected = new Array(256).fill(0);
    for (const v of referencePlane(px.data, [...px.shape], r).values) expected[v]++;
    assert.deepEqual([...out.histogram!], expected);
    const f = randomPixels([4, 20, 20], 'float32', 3);
    const fimg = pushed(f);
    const fo = await renderPlane(fimg, planeOf(f.shape, { axis: 1, index: 3 }), { mode: 'range', low: 0, high: 1 }, { histogram: { low: -10, high: 10 } });
    assert.equal(fo.histogram!.reduce((a, b) => a + b, 0), 80, 'values outside the range count in the end bins');
    img.release();
    fimg.release();
  });

  test('time points of 4D images and 2D images', async () => {
    const px = randomPixels([3, 2, 6, 7], 'uint16', 4);
    const img = pushed(px);
    const out = await renderPlane(img, planeOf(px.shape, { axis: 0, index: 1, t: 2 }), { mode: 'labels' });
    const base = (2 * 2 + 1) * 42;
    assert.equal(out.min, Math.min(...Array.from(px.data.subarray(base, base + 42), Number)));
    const flat = randomPixels([6, 7], 'int16', 2);
    const fimg = pushed(flat);
    const fo = await renderPlane(fimg, planeOf(flat.shape, { axis: 0, index: 0 }), { mode: 'range', low: -32768, high: 32767 });
    assert.equal(fo.max, Math.max(...Array.from(flat.data, Number)));
    img.release();
    fimg.release();
  });

  test('rejects planes outside the image', async () => {
    assert.throws(() => planeOf([4, 5, 6], { axis: 0, index: 4 }), /index 4 is outside 0..3/);
    assert.throws(() => planeOf([5, 6], { axis: 1, index: 0 }), /axis must be 0 \(z\) for a 2D image/);
    assert.throws(() => planeOf([4, 5, 6], { axis: 0, index: 0, step: 0 }), /step/);
    const img = t.create([4, 5, 6], 'uint8');
    await assert.rejects(() => renderPlane(img, { origin: [0, 0, 0, 0], u: [1, 0, 0, 0], v: [0, 1, 0, 0], width: 7, height: 1 }, { mode: 'labels' }), /leaves the image/);
    img.release();
  });

  test('a 2048 x 2048 uint16 plane of a stack (timing)', async () => {
    const shape = [3, 2048, 2048];
    const data = new Uint16Array(shape[0] * shape[1] * shape[2]);
    for (let i = 0; i < data.length; i++) data[i] = Math.imul(i, 2654435761) >>> 20;
    const img = t.push(data, shape);
    const r = { axis: 0, index: 1 };
    await renderPlane(img, planeOf(shape, r), { mode: 'range', low: 0, high: 4095 }); // compile
    const times: number[] = [];
    for (let k = 0; k < 5; k++) {
      const start = performance.now();
      const out = await renderPlane(img, planeOf(shape, r), { mode: 'range', low: 0, high: 4095 });
      times.push(performance.now() - start);
      assert.equal(out.pixels.length, 2048 * 2048);
    }
    times.sort((a, b) => a - b);
    console.log(`renderPlane 2048x2048 uint16 -> uint8: median ${times[2].toFixed(1)} ms (min ${times[0].toFixed(1)})`);
    img.release();
  });
});
