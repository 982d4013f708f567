import { DType, bytesPerPixel } from '../dtype';
import { recordCopy } from '../gpu/commands';
import { bindingLimit } from '../gpu/device';
import { TesseraError } from '../errors';
import { Box, ChunkGrid, product } from '../plan/box';
import { Tile, planTiles } from '../plan/tiles';
import type { GpuImage } from './gpu-image';
import { create } from './transfer';

/**
 * Images larger than one GPU storage binding (`GpuImage.large`) live in one large buffer that no
 * kernel binds whole. Operations run on them slab by slab along the first axis: each slab (with
 * the operation's halo as extra planes) is copied on the GPU into an ordinary image, the
 * operation runs on it unchanged, and the core of its result is copied into the large output.
 * No pixel leaves the GPU; the copies cost two extra passes over the data (a few milliseconds per
 * 8 GB at H200 bandwidth) and let every operation run on slabs without a slab-aware variant.
 *
 * Slabs come from the one planner (plan/tiles.ts): cores of whole "chunks" of `align` planes, so
 * that every copy starts on a 32-bit word (8/16-bit pixels are packed), sized so that a 4-byte
 * image of the slab's read box fits one binding (operations' float32 temporaries included).
 */

/** Planes per alignment step: the fewest planes whose bytes are a whole number of words, for every dtype involved. */
function planeAlignment(shape: readonly number[], dtypes: readonly DType[]): number {
  const plane = product(shape.slice(1));
  let g = 1;
  for (const d of dtypes) {
    let k = 1;
    while ((k * plane * bytesPerPixel(d)) % 4 !== 0) k++;
    g = Math.max(g, k); // k is 1, 2 or 4: the largest is a multiple of the others
  }
  return g;
}

/** The slabs an image of `shape` runs in, with `margin` extra planes on each side (along axis 0). */
export function planSlabs(what: string, shape: readonly number[], margin: number, dtypes: readonly DType[]): Tile[] {
  const g = planeAlignment(shape, dtypes);
  const plane = product(shape.slice(1));
  const budget = bindingLimit() - 2 * (g - 1) * plane * 4; // room for the alignment of read boxes below
  if (budget < (g + 2 * margin) * plane * 4) {
    throw new TesseraError(
      `${what}: ${g} plane(s) of shape [${shape.slice(1)}] with a margin of ${margin} planes on each side do not fit one GPU binding ` +
        `(${(bindingLimit() / 1024 ** 2).toFixed(1)} MB); crop the image or process it in tiles (tessera.tiled).`,
    );
  }
  const grid = new ChunkGrid(shape, [g, ...shape.slice(1)]);
  const plan = planTiles({ shape, margin: [margin, ...shape.slice(1).map(() => 0)], grid, budgetBytes: budget, bytesPerPixel: 4, spatialDims: shape.length });
  // Read boxes start and end on alignment steps too (a little more margin is harmless).
  return plan.tiles.map((t) => {
    const start = Math.floor(t.read.start[0] / g) * g;
    const end = Math.min(shape[0], Math.ceil((t.read.start[0] + t.read.size[0]) / g) * g);
    const read: Box = { start: [start, ...t.read.start.slice(1)], size: [end - start, ...t.read.size.slice(1)] };
    const inner: Box = { start: [t.core.start[0] - start, ...t.inner.start.slice(1)], size: [...t.core.size] };
    return { ...t, read, inner };
  });
}

const words = (bytes: number) => Math.ceil(bytes / 4) * 4;
const planeBytes = (image: GpuImage) => product(image.shape.slice(1)) * bytesPerPixel(image.dtype);

/** A new image holding planes `read` (along axis 0) of `image`, copied on the GPU. */
export function readSlab(image: GpuImage, read: Box): GpuImage {
  const slab = create([read.size[0], ...image.shape.slice(1)], image.dtype);
  const p = planeBytes(image);
  recordCopy(image.buffer, read.start[0] * p, slab.buffer, 0, words(read.size[0] * p));
  return slab;
}

/** Copies planes `inner` of `part` (a slab's result) into planes `core` of `target`. */
export function writeSlab(part: GpuImage, inner: Box, target: GpuImage, core: Box): void {
  if (part.dtype !== target.dtype || part.shape.slice(1).some((e, k) => e !== target.shape[k + 1])) {
    throw new Error(`internal: a slab of shape [${part.shape}] ${part.dtype} does not fit an image of shape [${target.shape}] ${target.dtype}`);
  }
  const p = planeBytes(target);
  recordCopy(part.buffer, inner.start[0] * p, target.buffer, core.start[0] * p, words(core.size[0] * p));
}

/**
 * Runs `fn` on each slab of `image` (with `margin` extra planes) and of the images in `alongside`
 * (same shape, cut identically); slabs are released afterwards. For operations that handle large
 * images themselves (reductions, projections), combining the slabs' results as they need.
 */
export function forEachSlab<T>(
  what: string,
  image: GpuImage,
  fn: (slab: GpuImage, tile: Tile, alongside: GpuImage[]) => T,
  { margin = 0, alongside = [] as GpuImage[] } = {},
): T[] {
  const tiles = planSlabs(what, image.shape, margin, [image.dtype, ...alongside.map((a) => a.dtype)]);
  return tiles.map((tile) => {
    const slab = readSlab(image, tile.read);
    const others = alongside.map((a) => readSlab(a, tile.read));
    try {
      return fn(slab, tile, others);
    } finally {
      // Recorded work runs in order: a later user of these pooled buffers writes after fn's work read them.
      slab.release();
      others.forEach((o) => o.release());
    }
  });
}

/**
 * The planes [start, end) of `image` (along axis 0) in an ordinary image, for operations that
 * need one part of a large image (crop, copySlice, a viewer's plane): the copy starts on an
 * aligned plane, so `offset` says where `start` lies in the returned slab.
 */
export function planesOf(what: string, image: GpuImage, start: number, end: number): { slab: GpuImage; offset: number } {
  const g = planeAlignment(image.shape, [image.dtype]);
  const from = Math.floor(start / g) * g;
  const to = Math.min(image.shape[0], Math.ceil(end / g) * g);
  const bytes = words((to - from) * planeBytes(image));
  if (bytes > bindingLimit()) {
    throw new TesseraError(
      `${what}: the part of the image it needs (${(bytes / 1024 ** 2).toFixed(1)} MB) is larger than this GPU binds at once ` +
        `(${(bindingLimit() / 1024 ** 2).toFixed(1)} MB); ask for a smaller region or process the image in tiles (tessera.tiled).`,
    );
  }
  const read: Box = { start: [from, ...image.shape.slice(1).map(() => 0)], size: [to - from, ...image.shape.slice(1)] };
  return { slab: readSlab(image, read), offset: start - from };
}
