import { bytesPerPixel } from '../dtype';
import { push, pull } from '../array/transfer';
import { TesseraError } from '../errors';
import { LazyArray } from '../io/lazy-array';
import { createOmeZarr, openOmeZarr, type OmeZarrImage } from '../io/ome-zarr';
import { ZarrArray } from '../io/zarr';
import { addImageAndScalar, convert } from '../ops/arithmetic';
import { binning } from '../ops/transforms';
import { product } from '../plan/box';

/** Options of {@link toMultiscale}. */
export interface ToMultiscaleOptions {
  /** Where to write the OME-Zarr image (default: the Zarr array's path with `.ome.zarr` appended). */
  path?: string;
  /** Stop halving once the larger of y and x is at most this (default 256). */
  minSize?: number;
  /** Chunk shape of every level (default: the source's chunks). */
  chunks?: number[];
  /** NGFF version (default 0.5). */
  version?: '0.4' | '0.5';
  /** Replace an existing image at `path`. */
  overwrite?: boolean;
  /** Bytes of one tile on its way through the GPU (default 64 MB). */
  tileBytes?: number;
}

/**
 * Writes a resolution pyramid of a lazy array (a Zarr array of 2 to 5 dimensions) as an
 * OME-Zarr image, for viewers that read the level matching their zoom: level 0 is the data as it
 * is, each further level halves y and x (2 × 2 block means computed on the GPU, rounded to the
 * nearest integer for integer dtypes; an odd last row or column is dropped, as `binning` does),
 * until both are at most `minSize`. Tiled: tiles of whole output chunks (about `tileBytes` each)
 * are read, pushed, binned and written one after another, so any size fits in memory.
 * Other axes (z, c, t) keep their resolution (ome-zarr-py's default scaler does the same).
 *
 * @example
 * const big = await tessera.openZarr('stack.zarr');            // e.g. 8 GB, z, y, x
 * const image = await widgets.toMultiscale(big);                // stack.zarr.ome.zarr
 * await widgets.slice(image);                                   // reads only the visible chunks of the matching level
 */
export async function toMultiscale(source: LazyArray, options: ToMultiscaleOptions = {}): Promise<OmeZarrImage> {
  const fn = 'toMultiscale';
  if (!(source instanceof LazyArray)) throw new TesseraError(`${fn}: source must be a lazy array (openZarr, openTiff, ...); push GPU images to Zarr first`);
  if (source.ndim < 2 || source.ndim > 5) throw new TesseraError(`${fn}: the source must have 2 to 5 dimensions; got shape [${source.shape}]`);
  const path = options.path ?? (source instanceof ZarrArray ? `${source.path.replace(/\/+$/, '')}.ome.zarr` : undefined);
  if (!path) throw new TesseraError(`${fn}: options.path is needed for a source that is not a Zarr array`);
  const minSize = options.minSize ?? 256;
  if (!Number.isInteger(minSize) || minSize < 1) throw new TesseraError(`${fn}: minSize must be a positive integer; got ${minSize}`);
  const n = source.ndim;
  const shapes: number[][] = [[...source.shape]];
  for (;;) {
    const last = shapes[shapes.length - 1];
    if (Math.max(last[n - 1], last[n - 2]) <= minSize || Math.min(last[n - 1], last[n - 2]) < 2) break;
    shapes.push(last.map((e, k) => (k >= n - 2 ? Math.floor(e / 2) : e)));
  }
  const chunks = options.chunks ?? source.chunks.map((c, k) => Math.min(c, source.shape[k]));
  const axes = source.axes && source.axes.length === n ? source.axes : 'tczyx'.slice(5 - n);
  const image = await createOmeZarr(path, shapes, source.dtype, { axes, chunks, version: options.version, overwrite: options.overwrite });
  const tileBytes = options.tileBytes ?? 64 * 1024 ** 2;

  // Level 0: the source, copied in tiles of whole chunks.
  await forTiles(image.levels[0].array, tileBytes, async (start, size) => {
    await image.levels[0].array.write(start, await source.readRegion(start, size), size, { partialChunks: 'refuse' });
  });
  // Each further level from the one before, on the GPU.
  for (let k = 1; k < shapes.length; k++) {
    const from = image.levels[k - 1].array;
    const to = image.levels[k].array;
    await forTiles(to, tileBytes / 4, async (start, size) => {
      const inStart = start.map((s, j) => (j >= n - 2 ? 2 * s : s));
      const inSize = size.map((s, j) => (j >= n - 2 ? 2 * s : s));
      const { data } = await from.readRegion(inStart, inSize);
      const planes = product(inSize.slice(0, n - 2));
      const gpu = push(data, [planes, inSize[n - 2], inSize[n - 1]]);
      const binned = binning(gpu, 2, 2, 1);
      const rounded = source.dtype === 'float32' ? binned : addImageAndScalar(binned, 0.5);
      const out = source.dtype === 'float32' ? rounded : convert(rounded, source.dtype);
      try {
        const { data: pixels } = await pull(out);
        await to.write(start, pixels, size, { partialChunks: 'refuse' });
      } finally {
        for (const img of new Set([gpu, binned, rounded, out])) img.release();
      }
    });
  }
  return openOmeZarr(path);
}

/** Runs `task` over tiles of whole chunks of `target`, each about `bytes` (at least one chunk). */
async function forTiles(target: ZarrArray, bytes: number, task: (start: number[], size: number[]) => Promise<void>): Promise<void> {
  const perChunk = product(target.chunks) * bytesPerPixel(target.dtype);
  let budget = Math.max(1, Math.floor(bytes / perChunk));
  // Whole chunks along the inner dimensions first (fewer, larger reads), then outward.
  const grid = target.shape.map((e, k) => Math.ceil(e / target.chunks[k]));
  const perTile = grid.map(() => 1);
  for (let k = grid.length - 1; k >= 0 && budget > 1; k--) {
    perTile[k] = Math.min(grid[k], budget);
    budget = Math.floor(budget / perTile[k]);
  }
  for (const tile of target.grid.tiles(perTile)) await task([...tile.start], [...tile.size]);
}
