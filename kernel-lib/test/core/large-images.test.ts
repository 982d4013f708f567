import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { limitBindingSize } from '../../src/gpu/device';
import { assertClose } from '../support/assert';
import { randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';

/**
 * Images larger than one GPU binding run in slabs. With the binding limit lowered to 64 KB,
 * small images exercise every slab path quickly, and their results must equal those of the same
 * operations on the whole image under the adapter's real limit.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));
after(() => limitBindingSize(undefined));

const LIMIT = 64 * 1024;

/** Runs `op` once on whole images and once with the binding limited to LIMIT (so that the inputs are large), and compares. */
async function sameInSlabs(what: string, make: () => unknown[], op: (...args: never[]) => unknown, opts: { rtol?: number; atol?: number } = {}) {
  limitBindingSize(undefined);
  const whole = await pulled((op as (...a: unknown[]) => import('../../src').GpuImage)(...make()));
  limitBindingSize(LIMIT);
  try {
    const args = make();
    assert.ok(args.some((a) => a instanceof Object && (a as { large?: boolean }).large), `${what}: the test image should be large under the lowered limit`);
    const slabbed = await pulled((op as (...a: unknown[]) => import('../../src').GpuImage)(...args));
    assert.deepEqual(slabbed.shape, whole.shape);
    assert.equal(slabbed.dtype, whole.dtype);
    assertClose(slabbed.data, whole.data, { ...opts, what });
  } finally {
    limitBindingSize(undefined);
  }
}

describe('pointwise and halo operations run slab by slab', () => {
  const f3 = randomPixels([37, 29, 31], 'float32', 11, [0, 100]); // 133 KB: three or more slabs of 64 KB
  const u3 = randomPixels([77, 39, 31], 'uint8', 12, [0, 1]); // 93 KB, packed 4 per word; odd plane sizes
  const v3 = randomPixels([77, 39, 31], 'uint8', 13, [0, 1]);
  const f2 = randomPixels([301, 113], 'float32', 14, [0, 100]);
  test('elementwise ops, packed 8-bit images, two large inputs', async () => {
    await sameInSlabs('addImageAndScalar', () => [pushed(f3), 5], t.addImageAndScalar as never);
    await sameInSlabs('binaryAnd', () => [pushed(u3), pushed(v3)], t.binaryAnd as never);
    await sameInSlabs('greaterConstant', () => [pushed(f2), 50], t.greaterConstant as never);
    await sameInSlabs('convert', () => [pushed(u3), 'float32'], t.convert as never);
  });
  test('neighbourhood ops with their halos, in several boundary modes', async () => {
    for (const mode of ['nearest', 'reflect', 'constant'] as const) {
      await sameInSlabs(`gaussianBlur ${mode}`, () => [pushed(f3), 1.5, 1.5, 1.2, { mode }], t.gaussianBlur as never, { rtol: 1e-6, atol: 1e-5 });
      await sameInSlabs(`meanBox ${mode}`, () => [pushed(f3), 1, 2, 2, { mode }], t.meanBox as never, { rtol: 1e-6, atol: 1e-5 });
    }
    await sameInSlabs('topHatBox', () => [pushed(f3), 2, 2, 2], t.topHatBox as never, { atol: 1e-4 });
    await sameInSlabs('medianBox', () => [pushed(f3), 1, 1, 1], t.medianBox as never);
    await sameInSlabs('binaryErode 2D', () => [pushed(randomPixels([601, 113], 'uint8', 15, [0, 1])), 2, 2], t.binaryErode as never);
    await sameInSlabs('minimumSphere uint8 3D', () => [pushed(u3), 1, 2, 1], t.minimumSphere as never);
    await sameInSlabs('gaussianBlur 2D', () => [pushed(f2), 2, 3], t.gaussianBlur as never, { rtol: 1e-6, atol: 1e-5 });
  });
  test('in-place operations write into the large image', async () => {
    limitBindingSize(LIMIT);
    try {
      const img = pushed(f3);
      assert.ok(img.large);
      assert.equal(t.set(img, 7), img);
      assert.ok((await t.pull(img)).data.every((v) => v === 7));
    } finally {
      limitBindingSize(undefined);
    }
  });
  test('operations that cannot run in slabs say so', async () => {
    limitBindingSize(LIMIT);
    try {
      const img = pushed(f3);
      assert.throws(() => t.rotate(img, 0, 0, 30), /rotate|affine.*larger than this GPU binds at once.*does not run on such images in slabs/s);
    } finally {
      limitBindingSize(undefined);
    }
  });
});

/** Runs `fn` with the binding limited (inputs made by `make` are large), and without; both results must agree. */
async function sameValue<T>(what: string, make: () => unknown[], fn: (...args: never[]) => Promise<T> | T, compare: (a: T, b: T) => void) {
  limitBindingSize(undefined);
  const whole = await (fn as (...a: unknown[]) => Promise<T> | T)(...make());
  limitBindingSize(LIMIT);
  try {
    const args = make();
    assert.ok(args.some((a) => (a as { large?: boolean })?.large), `${what}: the test image should be large`);
    compare(await (fn as (...a: unknown[]) => Promise<T> | T)(...args), whole);
  } finally {
    limitBindingSize(undefined);
  }
}

describe('reductions, histograms, thresholds, projections and crops of large images', () => {
  const f3 = randomPixels([41, 29, 31], 'float32', 21, [-50, 100]);
  const u3 = randomPixels([77, 39, 31], 'uint16', 22, [0, 4000]);
  const near = (rel: number) => (a: number, b: number) => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
  test('whole-image statistics merge across slabs', async () => {
    for (const [name, fn] of Object.entries({ min: t.minimumOfAllPixels, max: t.maximumOfAllPixels, sum: t.sumOfAllPixels, mean: t.meanOfAllPixels, std: t.standardDeviationOfAllPixels })) {
      await sameValue(`${name} float32`, () => [pushed(f3)], fn as never, near(1e-5));
      // Variances come from float32 deviation sums per 4096-pixel chunk: slabs regroup them (relative 1e-7).
      await sameValue(`${name} uint16`, () => [pushed(u3)], fn as never, near(1e-7));
    }
    await sameValue('statisticsOfSlices', () => [pushed(u3)], t.statisticsOfSlices as never, (a, b) => assert.deepEqual(a, b));
    await sameValue('describe', () => [pushed(u3)], t.describe as never, (a, b) => assert.equal(a, b));
  });
  test('histograms and automatic thresholds count every slab', async () => {
    const samePixels = async (a: import('../../src').GpuImage, b: import('../../src').GpuImage) => assertClose((await pulled(a)).data, (await pulled(b)).data);
    await sameValue('histogram', () => [pushed(f3), 64], t.histogram as never, (a, b) => samePixels(a as never, b as never));
    await sameValue('histogram uint16', () => [pushed(u3), 100], t.histogram as never, (a, b) => samePixels(a as never, b as never));
    // (A uint16 bincount has 65,536 bins, more than this test's 64 KB binding: uint8 here.)
    const u8 = randomPixels([97, 39, 31], 'uint8', 23);
    await sameValue('thresholdOtsu', () => [pushed(u8)], t.thresholdOtsu as never, (a, b) => samePixels(a as never, b as never));
    await sameValue('thresholdOtsuValue', () => [pushed(f3)], t.thresholdOtsuValue as never, near(0));
  });
  test('projections along each axis', async () => {
    for (const op of ['maximumZProjection', 'minimumZProjection', 'sumZProjection', 'meanZProjection', 'maximumYProjection', 'stdYProjection', 'meanXProjection', 'xPositionOfMaximumXProjection'] as const) {
      await sameInSlabs(op, () => [pushed(u3)], t[op] as never, { rtol: 1e-6 });
    }
    await sameInSlabs('meanZProjection float32', () => [pushed(f3)], t.meanZProjection as never, { rtol: 1e-5, atol: 1e-4 });
    limitBindingSize(LIMIT);
    try {
      assert.throws(() => t.stdZProjection(pushed(u3)), /only maximum, minimum, sum and mean Z projections combine slab by slab/);
    } finally {
      limitBindingSize(undefined);
    }
  });
  test('crops and slices read only the planes they need', async () => {
    await sameInSlabs('crop 3D', () => [pushed(u3), 3, 5, 30, 20, 17, 9], t.crop as never);
    await sameInSlabs('copySlice', () => [pushed(u3), 50], t.copySlice as never);
    limitBindingSize(LIMIT);
    try {
      assert.throws(() => t.crop(pushed(u3), 0, 0, 0, 31, 39, 77), /the part of the image it needs .* is larger than this GPU binds at once/);
    } finally {
      limitBindingSize(undefined);
    }
  });
  test('a viewer cuts planes of any orientation out of a large image', async () => {
    const { renderPlane, planeOf } = await import('../../src/viewers/render-plane');
    for (const axis of [0, 1, 2]) {
      const plane = (img: import('../../src').GpuImage) => renderPlane(img, planeOf(img.shape, { axis, index: 9 }), { mode: 'range', low: 0, high: 4000 }, { histogram: { low: 0, high: 4000 } });
      await sameValue(`renderPlane axis ${axis}`, () => [pushed(u3)], plane as never, (a, b) => assert.deepEqual(a, b));
    }
  });
});
