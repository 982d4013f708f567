import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DType, GpuImage } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { fp, withRef } from '../support/neighbourhood';
import { oracle, Pixels } from '../support/oracle';

/**
 * Binary and grey morphology against scipy.ndimage / scikit-image, 2D and 3D, odd sizes.
 * All results are exact (0/1 masks, grey min/max compositions).
 * Boundary: Tessera reads outside pixels through the boundary mode (default 'nearest', as
 * pyclesperanto); scipy's binary ops use border_value, i.e. { mode: 'constant', cval }, and
 * 'nearest' is checked against scipy on an edge-padded image.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const SHAPES: Record<string, number[]> = { '2D': [37, 53], '3D': [7, 19, 23] };
const MODES = ['nearest', 'reflect', 'mirror', 'constant', 'wrap'] as const;
/** scipy's size tuple (z, y, x) from x, y, z. */
const zyx = (nd: number, x: number, y: number, z: number) => `(${[z, y, x].slice(3 - nd).join(', ')},)`;
const cross = (nd: number) => `ndi.generate_binary_structure(${nd}, 1)`;
const ones = (nd: number) => `np.ones((3,) * ${nd}, bool)`;
/** scipy binary op on an edge-padded image, cropped back: scipy with Tessera's 'nearest'. */
const nearest = (op: string, nd: number, structure: string) =>
  `ndi.${op}(np.pad(a != 0, 1, mode='edge'), ${structure})[(slice(1, -1),) * ${nd}]`;

/** Mask-like test pixels of `dtype`: about `fraction` non-zero, with non-zero values other than 1. */
function mask(shape: number[], dtype: DType, seed: number, fraction = 0.6): Pixels & { data: ArrayLike<number> } {
  const p = randomPixels(shape, dtype, seed, [0, 1]);
  const r = randomPixels(shape, 'float32', seed + 100, [0, 1]);
  for (let i = 0; i < p.data.length; i++) p.data[i] = r.data[i] < fraction ? (dtype === 'float32' ? -2.5 : 3) : 0;
  return p;
}

async function check(out: GpuImage | Promise<GpuImage>, expr: string, inputs: Record<string, Pixels>, dtype = 'uint8') {
  const got = await pulled(await out);
  const ref = await oracle(withRef(expr), inputs);
  assert.equal(got.dtype, dtype);
  assertShape(got.shape, ref.shape);
  assertClose(got.data, ref.data);
}

/** Blobs with holes: a smoothed random field thresholded (pixels as uint8 0/1). */
async function blobs(shape: number[], seed: number, sigma = 2, level = 0.5): Promise<Pixels> {
  const r = await oracle(`(ndi.gaussian_filter(np.random.default_rng(${seed}).random(${JSON.stringify(shape)}), ${sigma}) > ${level}).astype(np.uint8)`);
  return { data: r.data as Uint8Array, shape: r.shape, dtype: 'uint8' };
}

for (const [dims, shape] of Object.entries(SHAPES)) {
  const nd = shape.length;
  describe(`morphology ${dims}`, () => {
    for (const dtype of ['uint8', 'int16', 'float32'] as DType[]) {
      const a = mask(shape, dtype, 51);

      test(`erodeBox / erodeSphere / dilateBox / dilateSphere ${dtype}`, async () => {
        await check(t.erodeBox(pushed(a)), nearest('binary_erosion', nd, ones(nd)), { a });
        await check(t.erodeSphere(pushed(a)), nearest('binary_erosion', nd, cross(nd)), { a });
        await check(t.dilateBox(pushed(a)), nearest('binary_dilation', nd, ones(nd)), { a });
        await check(t.dilateSphere(pushed(a)), nearest('binary_dilation', nd, cross(nd)), { a });
        // scipy's own border handling: border_value 0 / 1 is mode 'constant' with cval 0 / 1.
        await check(t.erodeBox(pushed(a), { mode: 'constant' }), `ndi.binary_erosion(a != 0, ${ones(nd)})`, { a });
        await check(t.erodeSphere(pushed(a), { mode: 'constant', cval: 1 }), `ndi.binary_erosion(a != 0, ${cross(nd)}, border_value=1)`, { a });
        await check(t.dilateBox(pushed(a), { mode: 'constant', cval: 1 }), `ndi.binary_dilation(a != 0, ${ones(nd)}, border_value=1)`, { a });
      });
    }

    test('binaryErode / binaryDilate with radii, box and sphere, every mode', async () => {
      const a = mask(shape, 'uint8', 52, 0.8);
      const b = mask(shape, 'uint8', 53, 0.15);
      for (const mode of MODES) {
        const opts = { mode, cval: 1 };
        const u = `(a != 0).astype(np.uint8)`;
        const v = `(b != 0).astype(np.uint8)`;
        await check(t.binaryErode(pushed(a), 2, 1, 1, 'box', opts), `R.rank(${u}, ${fp('box', nd, 2, 1, 1)}, '${mode}', 1, ndi.minimum_filter)`, { a });
        await check(t.binaryErode(pushed(a), 2, 2, 1, 'sphere', opts), `R.rank(${u}, ${fp('sphere', nd, 2, 2, 1)}, '${mode}', 1, ndi.minimum_filter)`, { a });
        await check(t.binaryDilate(pushed(b), 1, 2, 1, 'box', { mode, cval: 0 }), `R.rank(${v}, ${fp('box', nd, 1, 2, 1)}, '${mode}', 0, ndi.maximum_filter)`, { b });
        await check(t.binaryDilate(pushed(b), 3, 2, 2, 'sphere', { mode, cval: 0 }), `R.rank(${v}, ${fp('sphere', nd, 3, 2, 2)}, '${mode}', 0, ndi.maximum_filter)`, { b });
      }
      await check(t.binaryErode(pushed(a), 2, 2, 1, 'sphere', { mode: 'constant' }), `ndi.binary_erosion(a != 0, ${fp('sphere', nd, 2, 2, 1)})`, { a });
    });

    test('binaryOpening / binaryClosing', async () => {
      const a = mask(shape, 'uint8', 54, 0.55);
      const o = { mode: 'constant' as const };
      await check(t.binaryOpening(pushed(a), 1, 1, 1, 'box', o), `ndi.binary_opening(a != 0, ${ones(nd)})`, { a });
      await check(t.binaryClosing(pushed(a), 1, 1, 1, 'box', o), `ndi.binary_closing(a != 0, ${ones(nd)})`, { a });
      await check(t.binaryOpening(pushed(a), 2, 1, 1, 'sphere', o), `ndi.binary_opening(a != 0, ${fp('sphere', nd, 2, 1, 1)})`, { a });
      await check(t.binaryClosing(pushed(a), 1, 2, 1, 'sphere', o), `ndi.binary_closing(a != 0, ${fp('sphere', nd, 1, 2, 1)})`, { a });
      // Default 'nearest': erosion then dilation of the edge-extended image.
      const u = `(a != 0).astype(np.uint8)`;
      await check(t.binaryOpening(pushed(a), 1, 1, 1),
        `R.rank(R.rank(${u}, ${fp('box', nd, 1, 1, 1)}, 'nearest', 0, ndi.minimum_filter), ${fp('box', nd, 1, 1, 1)}, 'nearest', 0, ndi.maximum_filter)`, { a });
    });

    for (const dtype of ['uint8', 'float32'] as DType[]) {
      test(`grey opening / closing / erode / dilate ${dtype}`, async () => {
        const a = randomPixels(shape, dtype, 55);
        await check(t.openingBox(pushed(a), 2, 1, 1), `ndi.grey_opening(a, size=${zyx(nd, 5, 3, 3)}, mode='nearest')`, { a }, dtype);
        await check(t.closingBox(pushed(a), 1, 2, 1, { mode: 'reflect' }), `ndi.grey_closing(a, size=${zyx(nd, 3, 5, 3)}, mode='reflect')`, { a }, dtype);
        await check(t.openingSphere(pushed(a), 2, 2, 1), `ndi.grey_opening(a, footprint=${fp('sphere', nd, 2, 2, 1)}, mode='nearest')`, { a }, dtype);
        await check(t.closingSphere(pushed(a), 1, 1, 1, { mode: 'wrap' }), `ndi.grey_closing(a, footprint=${cross(nd)}, mode='wrap')`, { a }, dtype);
        await check(t.grayscaleOpening(pushed(a), 1, 1, 1, 'sphere'), `ndi.grey_opening(a, footprint=${cross(nd)}, mode='nearest')`, { a }, dtype);
        await check(t.grayscaleClosing(pushed(a), 2, 1, 1, 'box'), `ndi.grey_closing(a, size=${zyx(nd, 5, 3, 3)}, mode='nearest')`, { a }, dtype);
        await check(t.grayscaleErode(pushed(a), 1, 2, 1, 'sphere'), `ndi.grey_erosion(a, footprint=${fp('sphere', nd, 1, 2, 1)}, mode='nearest')`, { a }, dtype);
        await check(t.grayscaleDilate(pushed(a), 2, 1, 1), `ndi.grey_dilation(a, size=${zyx(nd, 5, 3, 3)}, mode='nearest')`, { a }, dtype);
      });
    }

    test('binaryFillHoles', async () => {
      const b = await blobs(nd === 2 ? [61, 83] : [13, 29, 31], 7, nd === 2 ? 2 : 1.5, 0.5);
      await check(t.binaryFillHoles(pushed(b)), 'ndi.binary_fill_holes(b != 0)', { b });
      const inverted = { ...b, data: Uint8Array.from(b.data as Uint8Array, (v) => 1 - v) };
      await check(t.binaryFillHoles(pushed(inverted)), 'ndi.binary_fill_holes(b != 0)', { b: inverted });
      const f = mask(shape, 'float32', 56, 0.6);
      await check(t.binaryFillHoles(pushed(f)), 'ndi.binary_fill_holes(f != 0)', { f });
    });
  });
}

describe('binary box erosion / dilation (an x pass, then y/z by 4-pixel words)', () => {
  // Widths not multiples of 4 (words spanning rows), planes of 30 and 6 pixels (words spanning
  // planes), axes shorter than the radius, 1D; radii with y and z combined (rows <= 9), apart
  // (3, 3, 3 and 2, 1, 2), no x pass (0, 2, 1), no y pass (1, 0, 3), no z pass (1, 2, 0).
  const SHAPES_BOX = [[37], [3], [13, 37], [9, 4], [2, 130], [7, 11, 13], [9, 6, 5], [5, 3, 2]];
  const RADII: Array<[number, number, number]> = [[1, 1, 1], [2, 1, 2], [3, 3, 3], [0, 2, 1], [1, 0, 3], [1, 2, 0]];
  const CONFIGS = [...MODES.filter((m) => m !== 'constant').map((mode) => ({ mode, cval: 0 })), { mode: 'constant' as const, cval: 0 }, { mode: 'constant' as const, cval: 1 }];

  /** The pixels on the GPU, NaN allowed. */
  const input = (a: Pixels) => t.push(a.data as Float32Array, a.shape, { allowNonFinite: true });
  /** Every config's erosion then dilation, stacked into one array (one oracle call per case). */
  async function allModes(a: Pixels, rx: number, ry: number, rz: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for (const o of CONFIGS) {
      for (const op of [t.binaryErode, t.binaryDilate]) parts.push((await pulled(op(input(a), rx, ry, rz, 'box', o))).data as Uint8Array);
    }
    const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    return all;
  }
  const reference = (nd: number, rx: number, ry: number, rz: number) => {
    const u = '(a != 0).astype(np.uint8)';
    const box = fp('box', nd, rx, ry, rz);
    return `np.stack([R.rank(${u}, ${box}, m, c, f) for (m, c) in ${JSON.stringify(CONFIGS.map((o) => [o.mode, o.cval]))} for f in (ndi.minimum_filter, ndi.maximum_filter)])`;
  };

  for (const shape of SHAPES_BOX) {
    test(`shape [${shape}], radii ${RADII.map((r) => r.join('/')).join(', ')}, every mode`, async () => {
      const nd = shape.length;
      const a = mask(shape, 'uint8', 61, 0.75);
      for (const [rx, ry, rz] of RADII) {
        const ref = await oracle(withRef(reference(nd, rx, ry, rz)), { a });
        assertClose(await allModes(a, rx, ry, rz), ref.data, { what: `radii ${rx}, ${ry}, ${rz}` });
      }
    });
  }

  test('uint16, int8, float32 with NaN (foreground) and -0 (background), scipy\'s border_value', async () => {
    for (const shape of [[13, 37], [7, 11, 13], [12, 40]]) {
      const nd = shape.length;
      for (const dtype of ['uint16', 'int8', 'float32'] as DType[]) {
        const a = mask(shape, dtype, 62, 0.7);
        if (dtype === 'float32') for (let i = 0; i < a.data.length; i += 7) (a.data as Float32Array)[i] = i % 2 ? NaN : -0;
        else if (dtype === 'int8') for (let i = 0; i < a.data.length; i += 5) (a.data as Int8Array)[i] = i % 2 ? -128 : 16; // one high or middle bit set (8-bit pixels: x and y in one pass)
        else for (let i = 0; i < a.data.length; i += 5) (a.data as Uint16Array)[i] = 0x100; // only the high byte set
        for (const [rx, ry, rz] of [[1, 1, 1], [2, 3, 2]] as Array<[number, number, number]>) {
          const ref = await oracle(withRef(reference(nd, rx, ry, rz)), { a });
          assertClose(await allModes(a, rx, ry, rz), ref.data, { what: `${dtype} radii ${rx}, ${ry}, ${rz}` });
        }
        await check(t.erodeBox(input(a), { mode: 'constant', cval: 1 }), `ndi.binary_erosion(a != 0, ${ones(nd)}, border_value=1)`, { a });
        await check(t.dilateBox(input(a), { mode: 'constant' }), `ndi.binary_dilation(a != 0, ${ones(nd)})`, { a });
      }
    }
  });
});

describe('binaryFillHoles edge cases', () => {
  test('a spiral (long flood path) and an image spanning many tiles', async () => {
    // A wall spiralling inwards: the background inside is reached from the border only along the spiral.
    const n = 71;
    const img = new Uint8Array(n * n);
    let [x0, y0, x1, y1] = [2, 2, n - 3, n - 3];
    while (x0 < x1 && y0 < y1) {
      for (let x = x0; x <= x1; x++) img[y0 * n + x] = 1;
      for (let y = y0; y <= y1; y++) img[y * n + x1] = 1;
      for (let x = x0; x <= x1; x++) img[y1 * n + x] = 1;
      for (let y = y0 + 2; y <= y1; y++) img[y * n + x0] = 1;
      x0 += 2; y0 += 2; x1 -= 2; y1 -= 2;
      img[(y0 - 1) * n + x0 - 2] = 1;
    }
    const s = { data: img, shape: [n, n], dtype: 'uint8' };
    await check(t.binaryFillHoles(pushed(s)), 'ndi.binary_fill_holes(s != 0)', { s });
    const big = await blobs([9, 70, 90], 8, 2, 0.45);
    await check(t.binaryFillHoles(pushed(big)), 'ndi.binary_fill_holes(b != 0)', { b: big });
  });

  test('thin images [1, 37], [1, 1, 23], [3, 1, 9] and 1D', async () => {
    for (const shape of [[1, 37], [1, 1, 23], [3, 1, 9], [5, 9, 1], [29]]) {
      const a = mask(shape, 'uint8', 57, 0.5);
      await check(t.binaryFillHoles(pushed(a)), 'ndi.binary_fill_holes(a != 0)', { a });
      await check(t.erodeSphere(pushed(a), { mode: 'constant' }), `ndi.binary_erosion(a != 0, ndi.generate_binary_structure(${shape.length}, 1))`, { a });
      await check(t.dilateBox(pushed(a)), `ndi.binary_dilation(np.pad(a != 0, 1, mode='edge'), np.ones((3,) * ${shape.length}))[(slice(1, -1),) * ${shape.length}]`, { a });
    }
  });
});

describe('skeletonize', () => {
  test('Zhang–Suen thinning, exact against the paper\'s rule', async () => {
    for (const [shape, seed, sigma] of [[[64, 77], 9, 3], [[41, 37], 10, 2], [[1, 33], 11, 1]] as Array<[number[], number, number]>) {
      const b = await blobs(shape, seed, sigma, 0.5);
      await check(t.skeletonize(pushed(b)), 'R.zhang_suen(b)', { b });
    }
    const f = mask([23, 31], 'float32', 58, 0.7);
    await check(t.skeletonize(pushed(f)), 'R.zhang_suen(f)', { f });
  });

  test('same topology as scikit-image (whose deletion table differs in 25 of 256 neighbourhoods)', async () => {
    const b = await blobs([96, 110], 12, 3, 0.52);
    const got = await pulled(await t.skeletonize(pushed(b)));
    const s = { data: got.data, shape: got.shape, dtype: 'uint8' };
    // Both skeletons lie inside the input and have the same 8-connected components.
    const ours = await oracle('np.array([np.all(s <= b), ndi.label(s, np.ones((3, 3)))[1]])', { s, b });
    const theirs = await oracle('np.array([True, ndi.label(morphology.skeletonize(b != 0), np.ones((3, 3)))[1]])', { b });
    assert.deepEqual([...ours.data].map(Number), [...theirs.data].map(Number));
    assert.ok(Number(theirs.data[1]) > 3, 'the test image has several objects');
  });
});

describe('bad input', () => {
  test('arguments are checked and named', async () => {
    const a = t.create([4, 5]);
    assert.throws(() => t.binaryErode(a, -1), /binaryErode: radiusX must be an integer >= 0/);
    assert.throws(() => t.binaryDilate(a, 1, 1, 1, 'ball'), /binaryDilate: connectivity must be 'box' or 'sphere'; got "ball"/);
    assert.throws(() => t.erodeBox(a, { mode: 'edge' as never }), /erodeBox: options.mode must be one of/);
    assert.throws(() => t.openingBox(a, 1, 0.5), /openingBox: radiusY must be an integer/);
    assert.throws(() => t.grayscaleErode(a, 1, 1, 1, 'cube'), /grayscaleErode: connectivity must be 'box' or 'sphere'/);
    assert.throws(() => t.dilateSphere(t.create([2, 2, 2, 2])), /dilateSphere: input must have 1 or 2 or 3 dimensions/);
    await assert.rejects(t.skeletonize(t.create([3, 4, 5])), /skeletonize: input must have 2 dimensions; got shape \[3,4,5\]/);
    await assert.rejects(t.binaryFillHoles('x' as never), /binaryFillHoles: input must be a GpuImage; got string/);
  });
});
