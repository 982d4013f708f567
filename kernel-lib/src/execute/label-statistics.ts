/**
 * Per-label statistics of a label image (and an intensity image) merged across tiles: each tile
 * adds its pixels to per-label accumulators (count, coordinates, bounding box, intensity moments
 * with Welford's update), so memory grows with the number of labels, not the volume. The table
 * uses pyclesperanto's `statistics_of_labelled_pixels` column names.
 *
 * THE SWITCH POINT: accumulation runs on the host until the segmentation engineer's GPU
 * `statisticsOfLabelledPixels` is merged; then each tile's table comes from it and
 * the merge of the per-tile tables stays.
 */
import type { TypedArray } from '../dtype';
import { TesseraError } from '../errors';
import { stridesOf } from '../plan/box';
import { openInput, type Input } from './sources';
import { planVisits, type GlobalOptions } from './tile-visits';
import { stage } from './stages';
import { runSignal } from './signal';

/** Columns, one entry per label present (sorted by label). Coordinates are x, y, z as pyclesperanto's. */
export interface LabelStatistics {
  label: number[];
  area: number[];
  centroid_x: number[];
  centroid_y: number[];
  centroid_z: number[];
  bbox_min_x: number[];
  bbox_min_y: number[];
  bbox_min_z: number[];
  bbox_max_x: number[];
  bbox_max_y: number[];
  bbox_max_z: number[];
  mean_intensity: number[];
  sum_intensity: number[];
  min_intensity: number[];
  max_intensity: number[];
  standard_deviation_intensity: number[];
}

interface Acc {
  n: number;
  sc: [number, number, number];
  lo: [number, number, number];
  hi: [number, number, number];
  mean: number;
  m2: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * Statistics of every label of `labels` (non-zero integer values; a lazy array or host pixels)
 * over `intensity` (same shape; default: the labels themselves), tile by tile. Leading (t, c)
 * dimensions are pooled. skimage: `regionprops_table(labels, intensity, properties=[...])`.
 */
export async function tiledLabelStatistics(labels: Input, intensity?: Input, options: Omit<GlobalOptions, 'pipeline' | 'margin'> = {}): Promise<LabelStatistics> {
  const what = 'tiledLabelStatistics';
  const lab = await openInput(labels, what);
  const inten = intensity === undefined ? lab : await openInput(intensity, what);
  if (lab.dtype === 'float32') throw new TesseraError(`${what}: labels must be an integer image; got float32`);
  if (inten.shape.join() !== lab.shape.join()) throw new TesseraError(`${what}: intensity has shape [${inten.shape}], labels [${lab.shape}]; they must be equal`);
  const vp = await planVisits(lab, options, 0);
  const signal = runSignal(options.signal);
  const accs = new Map<number, Acc>();
  const nd = lab.ndim;
  const reads = stage(vp.plan.tiles, 2, async (tile) => {
    signal.throwIfAborted();
    const l = await lab.readRegion(tile.core.start, tile.core.size);
    const v = inten === lab ? l : await inten.readRegion(tile.core.start, tile.core.size);
    return { tile, l: l.data, v: v.data as TypedArray };
  });
  for await (const { tile, l, v } of reads) {
    const strides = stridesOf(tile.core.size);
    for (let i = 0; i < l.length; i++) {
      const id = l[i];
      if (id === 0) continue;
      let a = accs.get(id);
      if (!a) accs.set(id, (a = { n: 0, sc: [0, 0, 0], lo: [Infinity, Infinity, Infinity], hi: [-Infinity, -Infinity, -Infinity], mean: 0, m2: 0, sum: 0, min: Infinity, max: -Infinity }));
      // x, y, z of the pixel (the last three dimensions, x last).
      let rest = i;
      for (let k = 0; k < nd; k++) {
        const c = Math.floor(rest / strides[k]);
        rest -= c * strides[k];
        const axis = nd - 1 - k;
        if (axis < 3) {
          const g = c + tile.core.start[k];
          a.sc[axis] += g;
          if (g < a.lo[axis]) a.lo[axis] = g;
          if (g > a.hi[axis]) a.hi[axis] = g;
        }
      }
      const x = v[i];
      a.n++;
      const d = x - a.mean;
      a.mean += d / a.n;
      a.m2 += d * (x - a.mean);
      a.sum += x;
      if (x < a.min) a.min = x;
      if (x > a.max) a.max = x;
    }
  }
  const ids = [...accs.keys()].sort((a, b) => a - b);
  const col = (f: (a: Acc) => number) => ids.map((id) => f(accs.get(id)!));
  const z = nd >= 3;
  return {
    label: ids,
    area: col((a) => a.n),
    centroid_x: col((a) => a.sc[0] / a.n),
    centroid_y: col((a) => (nd >= 2 ? a.sc[1] / a.n : 0)),
    centroid_z: col((a) => (z ? a.sc[2] / a.n : 0)),
    bbox_min_x: col((a) => a.lo[0]),
    bbox_min_y: col((a) => (nd >= 2 ? a.lo[1] : 0)),
    bbox_min_z: col((a) => (z ? a.lo[2] : 0)),
    bbox_max_x: col((a) => a.hi[0]),
    bbox_max_y: col((a) => (nd >= 2 ? a.hi[1] : 0)),
    bbox_max_z: col((a) => (z ? a.hi[2] : 0)),
    mean_intensity: col((a) => a.mean),
    sum_intensity: col((a) => a.sum),
    min_intensity: col((a) => a.min),
    max_intensity: col((a) => a.max),
    standard_deviation_intensity: col((a) => Math.sqrt(a.m2 / a.n)),
  };
}
