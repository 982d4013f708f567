import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { GpuImage } from '../../src';
import { type Halo, type Op, haloOf, namedArguments, operations } from '../../src/ops/op';
import { assertClose } from '../support/assert';
import { randomPixels } from '../support/data';
import { pushed, setup } from '../support/gpu';
import type { Pixels } from '../support/oracle';

/**
 * The declared halos against the operations themselves: for every operation with a `{ halo }`
 * tiling, the result computed on a tile read with margin = the declared halo (clipped at the
 * image border) equals the whole-image result on the tile, in 2D and 3D, in every boundary mode
 * ('wrap' only for tiles whose margin lies inside the image: elsewhere its margin comes from
 * the opposite side). Tiles: both corners, the middle, and a mixed one (low x, high y, middle z).
 *
 * Tolerances: exact for rank, morphology and binary operations; float filters (Gaussians,
 * means, variances, gradients, hats of float data in [0, 1)) |tile - whole| <= 1e-6 + 1e-6·|whole|
 * (both compute each pixel from the same values; only the order of float sums may differ).
 *
 * Sensitivity: with margin = halo - 1 along x, the comparison fails (at least one pixel differs
 * by more than the tolerance) for every operation with a halo along x, except the few whose
 * example data never use the outermost pixels (`sensitive: false`). So the declared halos are
 * not only large enough (the first test) but also not larger than the operations' reach.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

type AnyOp = Op<(...args: never[]) => unknown>;

interface Example {
  /** Arguments after the image and before the boundary options. */
  args: unknown[];
  /** A 0/1 uint8 mask with blobs (binary operations) instead of float data. */
  mask?: boolean;
  /** A float filter (sums of products): compared within FLOAT_TOLERANCE, the others exactly. */
  float?: boolean;
  /**
   * false: with this test's data the outermost pixels of the halo never decide the result
   * (e.g. a dilation whose mask has foreground nearer), so halo - 1 cannot be told from halo.
   */
  sensitive?: false;
}

/**
 * Non-trivial parameters for every operation with a halo, chosen so that the halos differ
 * per axis (an axis mix-up shows). Adding a halo operation without an entry fails the test.
 */
const EXAMPLES: Record<string, Example> = {
  gaussianBlur: { args: [1.5, 0.7, 0.5], float: true },
  differenceOfGaussian: { args: [0.5, 1, 0.5, 1.2, 0.6, 0.7], float: true },
  laplacianOfGaussian: { args: [1.2, 0.8, 0.6], float: true },
  unsharpMask: { args: [1, 2], float: true },
  sobel: { args: [], float: true },
  gradientX: { args: [], float: true },
  gradientY: { args: [], float: true, sensitive: false }, // no halo along x
  gradientZ: { args: [], float: true, sensitive: false }, // no halo along x
  meanBox: { args: [2, 1, 1], float: true },
  meanSphere: { args: [2, 3, 1], float: true },
  meanFilter: { args: [1, 2, 1, 'sphere'], float: true },
  medianBox: { args: [1, 2, 1] },
  medianSphere: { args: [2, 1, 1] },
  median: { args: [2, 1, 1, 'box'] },
  minimumBox: { args: [2, 1, 1] },
  maximumBox: { args: [1, 2, 1] },
  minimumSphere: { args: [2, 2, 1] },
  maximumSphere: { args: [2, 1, 1] },
  minimumFilter: { args: [1, 2, 1, 'sphere'] },
  maximumFilter: { args: [2, 1, 1, 'box'] },
  varianceBox: { args: [2, 1, 1], float: true },
  varianceSphere: { args: [2, 2, 1], float: true },
  varianceFilter: { args: [1, 2, 1, 'box'], float: true },
  standardDeviationBox: { args: [2, 1, 1], float: true },
  standardDeviationSphere: { args: [1, 2, 1], float: true },
  standardDeviation: { args: [2, 1, 1, 'sphere'], float: true },
  topHatBox: { args: [2, 1, 1] },
  topHatSphere: { args: [2, 2, 1], sensitive: false },
  topHat: { args: [1, 2, 1, 'sphere'] },
  bottomHatBox: { args: [2, 1, 1] },
  bottomHatSphere: { args: [2, 1, 1] },
  bottomHat: { args: [1, 2, 1, 'box'] },
  erodeBox: { args: [], mask: true },
  erodeSphere: { args: [], mask: true },
  dilateBox: { args: [], mask: true, sensitive: false },
  dilateSphere: { args: [], mask: true, sensitive: false },
  binaryErode: { args: [2, 1, 1, 'box'], mask: true },
  binaryDilate: { args: [1, 2, 1, 'sphere'], mask: true, sensitive: false },
  grayscaleErode: { args: [2, 1, 1, 'sphere'] },
  grayscaleDilate: { args: [1, 2, 1, 'box'] },
  openingBox: { args: [2, 1, 1] },
  openingSphere: { args: [2, 2, 1], sensitive: false },
  closingBox: { args: [1, 2, 1] },
  closingSphere: { args: [2, 1, 1] },
  grayscaleOpening: { args: [1, 2, 1, 'sphere'] },
  grayscaleClosing: { args: [2, 1, 1, 'box'] },
  binaryOpening: { args: [2, 1, 1, 'sphere'], mask: true, sensitive: false },
  binaryClosing: { args: [1, 2, 1, 'box'], mask: true },
  detectMaxima: { args: [1, 2, 1, 'sphere'], sensitive: false }, // the mean's outermost pixel rarely decides a maximum
  reduceLabelsToLabelEdges: { args: [], mask: true },
  dilateLabels: { args: [2], mask: true, sensitive: false },
};

const SHAPES: Record<string, number[]> = { '2D': [34, 45], '3D': [13, 17, 19] };
const MODES = ['nearest', 'reflect', 'mirror', 'constant', 'wrap'] as const;
const FLOAT_TOLERANCE = { rtol: 1e-6, atol: 1e-6 };

/** Blobs with ragged edges: a sum of waves plus noise, above 0. */
function blobs(shape: number[], seed: number): Pixels & { data: Uint8Array } {
  const noise = randomPixels(shape, 'float32', seed, [-2, 2]).data;
  const [nz, ny, nx] = shape.length === 3 ? shape : [1, ...shape];
  const data = new Uint8Array(noise.length);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) data[i] = Math.sin(0.7 * x + 1) + Math.sin(0.55 * y) + Math.sin(0.9 * z + 2) + noise[i] > 0.3 ? 1 : 0;
    }
  }
  return { data, shape, dtype: 'uint8' };
}

/** A box per axis (z, y, x order for both `start` and `size`). */
interface Box {
  start: number[];
  size: number[];
}

/** Tiles of about a third of each extent: low corner, middle, high corner, and mixed. */
function tiles(shape: number[]): Array<{ name: string; box: Box }> {
  const third = shape.map((n) => Math.max(1, Math.floor(n / 3)));
  const at = (where: 'low' | 'mid' | 'high', k: number) => (where === 'low' ? 0 : where === 'mid' ? third[k] : shape[k] - third[k]);
  const tile = (name: string, where: Array<'low' | 'mid' | 'high'>) => ({ name, box: { start: shape.map((_, k) => at(where[k], k)), size: third } });
  const nd = shape.length;
  const mixed: Array<'low' | 'mid' | 'high'> = ['mid', 'high', 'low'].slice(3 - nd) as Array<'low' | 'mid' | 'high'>;
  return [
    tile('low corner', Array(nd).fill('low')),
    tile('middle', Array(nd).fill('mid')),
    tile('high corner', Array(nd).fill('high')),
    tile('mixed', mixed),
  ];
}

/** `tessera.crop` of a (z, y, x)-ordered box. */
function cropBox(img: GpuImage, b: Box): GpuImage {
  const nd = img.ndim;
  const s = [...b.start].reverse();
  const n = [...b.size].reverse();
  return t.crop(img, s[0], s[1], nd === 3 ? s[2] : 0, n[0], n[1], nd === 3 ? n[2] : 1);
}

/** The tile grown by `margin` (z, y, x) per side, clipped at the image; and whether it was clipped. */
function grown(tile: Box, margin: number[], shape: readonly number[]): { box: Box; clipped: boolean } {
  const start = tile.start.map((s, k) => Math.max(0, s - margin[k]));
  const end = tile.start.map((s, k) => Math.min(shape[k], s + tile.size[k] + margin[k]));
  const clipped = tile.start.some((s, k) => s - margin[k] < 0 || s + tile.size[k] + margin[k] > shape[k]);
  return { box: { start, size: end.map((e, k) => e - start[k]) }, clipped };
}

/** The op's arguments with `options` at the position of its options parameter. */
function argumentsOf(op: AnyOp, input: GpuImage, ex: Example, options?: object): unknown[] {
  const args: unknown[] = [input, ...ex.args];
  const k = op.info.params.findIndex((p) => p.kind === 'options');
  if (options && k >= 0) {
    while (args.length < k) args.push(undefined);
    args[k] = options;
  }
  return args;
}

const takesModes = (op: AnyOp) => op.info.params.some((p) => p.kind === 'options' && p.fields.some((f) => f.name === 'mode'));

/** The op on a tile read with `margin`, cut back to the tile, against the whole-image result there. */
async function compareTile(op: AnyOp, input: GpuImage, whole: GpuImage, tile: Box, margin: number[], ex: Example, options?: object): Promise<{ same: boolean; detail: string }> {
  const { box } = grown(tile, margin, input.shape);
  const part = cropBox(input, box);
  const onPart = (op as unknown as (...a: unknown[]) => GpuImage)(...argumentsOf(op, part, ex, options));
  const got = cropBox(onPart, { start: tile.start.map((s, k) => s - box.start[k]), size: tile.size });
  const want = cropBox(whole, tile);
  const [g, w] = await Promise.all([t.pull(got), t.pull(want)]);
  for (const img of [part, onPart, got, want]) img.release();
  try {
    assertClose(g.data, w.data, ex.float ? FLOAT_TOLERANCE : {});
    return { same: true, detail: '' };
  } catch (e) {
    return { same: false, detail: (e as Error).message };
  }
}

const haloOps = () => [...operations().values()].filter((op) => typeof op.info.tiling === 'object' && 'halo' in op.info.tiling);

test('every operation with a halo has an example here', () => {
  const missing = haloOps().map((op) => op.info.name).filter((name) => !(name in EXAMPLES));
  assert.deepEqual(missing, [], `add halo examples for: ${missing.join(', ')}`);
  const stale = Object.keys(EXAMPLES).filter((name) => !haloOps().some((op) => op.info.name === name));
  assert.deepEqual(stale, [], `examples of operations without a halo: ${stale.join(', ')}`);
});

test('the Gaussian halo is scipy\'s kernel radius int(4σ + 0.5) per axis', () => {
  const op = operations().get('gaussianBlur')!;
  const p = namedArguments(op.info, [undefined, 1.5, 0.7, 2]);
  assert.deepEqual(haloOf(op.info, p, [10, 10, 10]), [8, 3, 6]);
  assert.deepEqual(haloOf(op.info, p, [10, 10]), [0, 3, 6]);
  assert.deepEqual(haloOf(operations().get('topHatBox')!.info, namedArguments(operations().get('topHatBox')!.info, [undefined, 3, 2, 1]), [9, 9, 9]), [2, 4, 6]);
});

for (const [dims, shape] of Object.entries(SHAPES)) {
  describe(`declared halo = the operation's reach, ${dims}`, () => {
    for (const [name, ex] of Object.entries(EXAMPLES)) {
      test(name, async () => {
        const op = operations().get(name);
        assert.ok(op, `${name} is not an operation`);
        const input = pushed(ex.mask ? blobs(shape, 7) : randomPixels(shape, 'float32', 11, [0, 1]));
        const halo = haloOf(op.info, namedArguments(op.info, argumentsOf(op, input, ex)), shape) as Halo;
        const margin = [...halo.slice(3 - shape.length)];
        const modes = takesModes(op) ? MODES : ([undefined] as const);
        const failures: string[] = [];
        for (const mode of modes) {
          const options = mode && { mode, cval: ex.mask ? 1 : 0.25 };
          const whole = (op as unknown as (...a: unknown[]) => GpuImage)(...argumentsOf(op, input, ex, options));
          for (const { name: where, box } of tiles(shape)) {
            if (mode === 'wrap' && grown(box, margin, shape).clipped) continue;
            const r = await compareTile(op, input, whole, box, margin, ex, options);
            if (!r.same) failures.push(`${mode ?? 'no mode'}, ${where} tile (halo [${halo}]): ${r.detail}`);
          }
          whole.release();
        }
        input.release();
        assert.deepEqual(failures, []);
      });
    }
  });

  describe(`margin = halo - 1 along x differs, ${dims}`, () => {
    for (const [name, ex] of Object.entries(EXAMPLES).filter(([, e]) => e.sensitive !== false)) {
      test(name, async () => {
        const op = operations().get(name)!;
        const input = pushed(ex.mask ? blobs(shape, 7) : randomPixels(shape, 'float32', 11, [0, 1]));
        const margin = [...(haloOf(op.info, namedArguments(op.info, argumentsOf(op, input, ex)), shape) as Halo).slice(3 - shape.length)];
        const x = margin.length - 1;
        assert.ok(margin[x] > 0, `${name}: its halo along x is 0 (leave it out here)`);
        const short = margin.map((m, k) => (k === x ? m - 1 : m));
        const whole = (op as unknown as (...a: unknown[]) => GpuImage)(...argumentsOf(op, input, ex));
        // A slab through the whole image but for a third of x in the middle: many pixels at its x edges.
        const third = Math.floor(shape[x] / 3);
        const slab = { start: shape.map((_, k) => (k === x ? third : 0)), size: shape.map((n, k) => (k === x ? third : n)) };
        const r = await compareTile(op, input, whole, slab, short, ex);
        whole.release();
        input.release();
        assert.equal(r.same, false, `${name}: margin ${short} (halo - 1 along x) still gives the whole-image result`);
      });
    }
  });
}
