import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { assertClose, assertShape } from '../support/assert';
import { setup } from '../support/gpu';
import { oracle } from '../support/oracle';

/**
 * The synthetic sample data (kernel-lib/src/data/): blobs' ground truth checked with
 * scipy.ndimage (one connected component per label, centres of mass, pixel counts), the image
 * against its definition without blur and noise and the noise's spread, determinism, gradients
 * against numpy.linspace, and bad options.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const pixels = async (img: Parameters<typeof t.pull>[0]) => {
  const { data, shape, dtype } = await t.pull(img);
  return { data, shape, dtype };
};

describe('blobs', () => {
  for (const shape of [[96, 128], [40, 48, 56]]) {
    test(`${shape.length}D ${shape.join('x')}: labels are separate objects at the reported centres, with the reported sizes (scipy.ndimage)`, async () => {
      const b = t.blobs({ shape, radius: shape.length === 2 ? [3, 8] : [3, 6], seed: 7 });
      assertShape(b.image.shape, shape, 'image');
      assert.equal(b.image.dtype, 'float32');
      assert.equal(b.labels.dtype, 'uint32');
      assert.ok(b.count >= 5, `only ${b.count} blobs placed`);
      assert.deepEqual(b.blobs.map((x) => x.label), Array.from({ length: b.count }, (_, k) => k + 1));
      const labels = await pixels(b.labels);
      // Full connectivity: blobs never touch, not even diagonally.
      const components = await oracle('np.array([ndi.label(l > 0, structure=np.ones((3,) * l.ndim))[1]], np.int64)', { l: labels });
      assert.equal(Number(components.data[0]), b.count);
      const index = Array.from({ length: b.count }, (_, k) => k + 1);
      const sizes = await oracle(`np.asarray(ndi.sum(np.ones_like(l), l, ${JSON.stringify(index)}), np.float64)`, { l: labels });
      assertClose(sizes.data, b.blobs.map((x) => x.pixels), { what: 'pixels per label' });
      const centres = await oracle(`np.asarray(ndi.center_of_mass(np.ones_like(l), l, ${JSON.stringify(index)}), np.float64)[:, ::-1].ravel()`, { l: labels });
      // A digitised disc's centre of mass lies within a fraction of a pixel of the exact centre.
      assertClose(centres.data, b.blobs.flatMap((x) => x.centre), { atol: 0.35, what: 'centres (x, y[, z])' });
      for (const x of b.blobs) {
        const volume = shape.length === 2 ? Math.PI * x.radius ** 2 : (4 / 3) * Math.PI * x.radius ** 3;
        assert.ok(Math.abs(x.pixels - volume) <= 0.25 * volume + 4, `blob ${x.label}: ${x.pixels} pixels for radius ${x.radius}`);
        assert.ok(x.radius >= 3 && x.radius <= (shape.length === 2 ? 8 : 6));
      }
    });
  }

  test('without blur and noise the image is the background plus each blob\'s brightness on its pixels', async () => {
    const b = t.blobs({ shape: [64, 80], blur: 0, noise: 0, background: [10, 50], brightness: [100, 200], seed: 3 });
    const image = (await t.pull(b.image)).data as Float32Array;
    const labels = (await t.pull(b.labels)).data as Uint32Array;
    const expected = Float32Array.from(labels, (l, i) => 10 + (40 * (i % 80)) / 79 + (l ? b.blobs[l - 1].brightness : 0));
    assertClose(image, expected, { rtol: 1e-6, what: 'image' });
    for (const x of b.blobs) assert.ok(x.brightness >= 100 && x.brightness <= 200);
  });

  test('noise has the asked standard deviation; the same seed gives the same image, another seed another one', async () => {
    const flat = t.blobs({ shape: [128, 128], count: 0, blur: 0, noise: 5, background: 20 });
    assert.equal(flat.count, 0);
    const d = (await t.pull(flat.image)).data as Float32Array;
    const mean = d.reduce((a, v) => a + v, 0) / d.length;
    const std = Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / d.length);
    assert.ok(Math.abs(mean - 20) < 0.1, `mean ${mean}`);
    assert.ok(Math.abs(std - 5) < 0.1, `standard deviation ${std}`);
    const a = (await t.pull(t.blobs({ shape: [48, 48], seed: 5 }).image)).data;
    const b = (await t.pull(t.blobs({ shape: [48, 48], seed: 5 }).image)).data;
    const c = (await t.pull(t.blobs({ shape: [48, 48], seed: 6 }).image)).data;
    assertClose(a, b, { what: 'same seed' });
    assert.notDeepEqual(a, c);
  });

  test('the default covers about 15 % of a 256 x 256 image', async () => {
    const b = t.blobs();
    assertShape(b.image.shape, [256, 256]);
    const covered = b.blobs.reduce((s, x) => s + x.pixels, 0) / (256 * 256);
    assert.ok(covered > 0.1 && covered < 0.2, `covered ${covered}`);
  });

  test('bad options give errors that name them', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ shape: [10] }, /options\.shape must be 2D \(y, x\) or 3D/],
      [{ shape: [2, 3, 4, 5] }, /options\.shape must be 2D \(y, x\) or 3D/],
      [{ shape: [0, 10] }, /options\.shape must hold positive integers/],
      // Once it drew blobs for hours until the host ran out of memory.
      [{ shape: [1e6, 1e6] }, /blobs\(shape \[1000000,1000000\]\) needs 3814697\.3 MB in one GPU buffer, more than this GPU allows/],
      [{ shape: [20, 20], radius: [3, 12] }, /radius up to 12 \(options\.radius\) do not fit in shape \[20,20\]/],
      [{ radius: [8, 4] }, /options\.radius must be \[smallest, largest\] with smallest <= largest/],
      [{ radius: [0, 4] }, /options\.radius\[0\] must be >= 0\.5/],
      [{ radius: 5 }, /options\.radius must be \[smallest, largest\]/],
      [{ noise: -1 }, /options\.noise must be >= 0/],
      [{ blur: Number.NaN }, /options\.blur/],
      [{ count: 2.5 }, /options\.count/],
      [{ seed: 'x' }, /options\.seed/],
      [null, /options must be an object/],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => t.blobs(options as never), (e: Error) => e instanceof t.TesseraError && message.test(e.message), JSON.stringify(options));
    }
  });
});

describe('gradient', () => {
  test('ramps along x, y and z as numpy.linspace broadcast over the other axes', async () => {
    for (const [axis, k] of [['x', 2], ['y', 1], ['z', 0]] as const) {
      const g = await pixels(t.gradient([3, 4, 5], { axis, from: -2, to: 6 }));
      assert.equal(g.dtype, 'float32');
      const ref = await oracle(`np.broadcast_to(np.linspace(-2, 6, ${[3, 4, 5][k]}).reshape(${JSON.stringify([1, 1, 1].map((v, j) => (j === k ? -1 : 1)))}), (3, 4, 5)).astype(np.float32)`);
      assertClose(g.data, ref.data, { rtol: 1e-6, what: `axis ${axis}` });
    }
    const one = await t.pull(t.gradient([1, 4], { axis: 'y', from: 3, to: 9 }));
    assertClose(one.data, [3, 3, 3, 3], { what: 'a single row is `from`' });
    assertClose((await t.pull(t.gradient([5]))).data, [0, 0.25, 0.5, 0.75, 1], { rtol: 1e-6, what: 'default 0 to 1 along x' });
  });

  test('bad arguments give errors that name them', () => {
    assert.throws(() => t.gradient([4, 4], { axis: 'z' }), /gradient: options\.axis 'z' is not an axis of a 2D shape \[4,4\]/);
    assert.throws(() => t.gradient([4, 4], { axis: 'w' as never }), /gradient: options\.axis must be one of 'x', 'y', 'z'/);
    assert.throws(() => t.gradient([4, -1]), /gradient: shape must hold positive integers/);
    assert.throws(() => t.gradient([4096, 4096, 4096]), /gradient\(shape \[4096,4096,4096\]\) needs 262144\.0 MB in one GPU buffer/);
    assert.throws(() => t.syntheticNuclei({ shape: [4096, 4096, 4096] }), /syntheticNuclei\(shape \[4096,4096,4096\]\) needs .* in one GPU buffer/);
    assert.throws(() => t.syntheticEmbryo({ shape: [4096, 4096, 4096] }), /syntheticEmbryo\(shape \[4096,4096,4096\]\) needs .* in one GPU buffer/);
    assert.throws(() => t.gradient([4, 4], { to: Number.POSITIVE_INFINITY }), /gradient: options\.to/);
  });
});
