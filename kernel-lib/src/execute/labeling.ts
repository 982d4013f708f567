/**
 * Connected-component labeling across tiles, with memory bounded by the tile size and the number
 * of labels rather than by the volume (dask-image's `label` holds the whole graph; this does not).
 *
 * 1. Each tile is labeled on its own over its core grown by one pixel (the link box); the core's
 *    labels are written as provisional ids (the tile's offset + its local label).
 * 2. Two adjacent foreground pixels p (core of tile A) and q (core of an earlier tile B) both lie
 *    in A's link box, so A's local labeling connects them; B wrote q's provisional id. Every such
 *    q of A's one-pixel shell gives an equivalence, merged in a union-find over provisional ids.
 *    B's core border planes are kept until every later neighbour of B has been labeled (a
 *    wavefront of tiles), so no tile's labels are read twice.
 * 3. A relabel pass maps provisional ids to their component's final id (1..N, numbered in tile
 *    order), tile by tile.
 *
 * The partition equals whole-image labeling (scipy.ndimage.label with the same structure); the
 * numbering follows tile order, not raster order.
 */
import type { GpuImage } from '../array/gpu-image';
import { pull, type HostImage } from '../array/transfer';
import { TesseraError } from '../errors';
import type { LazyArray } from '../io/lazy-array';
import { connectedComponentsLabeling } from '../ops/labels/connected-components';
import { notEqualConstant } from '../ops/logic/comparisons';
import { crop } from '../ops/transforms/crop';
import { ZarrArray } from '../io/zarr';
import { product, stridesOf, type Box } from '../plan/box';
import { tileNumberAt } from '../plan/tiles';
import { Progress } from './progress';
import { HostSink, openInput, prepareOutput, ZarrSink, type Input, type Sink } from './sources';
import { planVisits, visitTiles, type GlobalOptions } from './tile-visits';

/** Neighbourhood: `'box'` (8 in 2D, 26 in 3D; pyclesperanto's default) or `'sphere'` (4 / 6: faces only; scipy's default). */
export type Connectivity = 'box' | 'sphere';

/** Offsets (in pixels, per dimension) of the neighbours that come before a pixel in C order. */
function priorOffsets(ndim: number, connectivity: Connectivity): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[]) => {
    if (prefix.length === ndim) {
      const first = prefix.findIndex((d) => d !== 0);
      if (first >= 0 && prefix[first] < 0 && (connectivity === 'box' || prefix.reduce((a, d) => a + Math.abs(d), 0) === 1)) out.push(prefix);
      return;
    }
    for (const d of [-1, 0, 1]) walk([...prefix, d]);
  };
  walk([]);
  return out;
}

/** Union-find over ids 1..n, growing as ids are added. */
class UnionFind {
  parent = new Int32Array(1024);
  size = 0;

  add(count: number): void {
    const need = this.size + count + 1;
    if (need > this.parent.length) {
      const grown = new Int32Array(Math.max(need, this.parent.length * 2));
      grown.set(this.parent);
      this.parent = grown;
    }
    for (let i = this.size + 1; i <= this.size + count; i++) this.parent[i] = i;
    this.size += count;
  }

  find(i: number): number {
    const p = this.parent;
    while (p[i] !== i) {
      p[i] = p[p[i]];
      i = p[i];
    }
    return i;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/**
 * Labels the foreground (non-zero) pixels of one tile on the GPU: consecutive labels 1..count in
 * raster order (`connectedComponentsLabeling` of the tile's non-zero pixels, whose numbering is
 * raster order of first pixels); count is the largest label.
 */
export async function labelTile(mask: GpuImage, connectivity: Connectivity): Promise<{ labels: Uint32Array; count: number }> {
  const binary = notEqualConstant(mask, 0);
  const labeled = connectedComponentsLabeling(binary, connectivity);
  binary.release();
  try {
    const labels = (await pull(labeled)).data as Uint32Array;
    let count = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] > count) count = labels[i];
    return { labels, count };
  } finally {
    labeled.release();
  }
}

/** Two-pass union-find labeling of non-zero pixels on the host. */
export function labelHost(data: ArrayLike<number>, shape: readonly number[], connectivity: Connectivity): { labels: Uint32Array; count: number } {
  const n = data.length;
  const strides = stridesOf(shape);
  const offsets = priorOffsets(shape.length, connectivity);
  const deltas = offsets.map((o) => o.reduce((a, d, k) => a + d * strides[k], 0));
  const labels = new Uint32Array(n);
  const uf = new UnionFind();
  const coord = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    if (data[i] !== 0) {
      let mine = 0;
      for (let j = 0; j < offsets.length; j++) {
        const o = offsets[j];
        let inside = true;
        for (let k = 0; k < o.length; k++) {
          const c = coord[k] + o[k];
          if (c < 0 || c >= shape[k]) {
            inside = false;
            break;
          }
        }
        if (!inside) continue;
        const l = labels[i + deltas[j]];
        if (l === 0) continue;
        if (mine === 0) mine = l;
        else if (l !== mine) uf.union(mine, l);
      }
      if (mine === 0) {
        uf.add(1);
        mine = uf.size;
      }
      labels[i] = mine;
    }
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++coord[k] < shape[k]) break;
      coord[k] = 0;
    }
  }
  const final = new Uint32Array(uf.size + 1);
  let count = 0;
  for (let i = 1; i <= uf.size; i++) {
    const r = uf.find(i);
    final[i] = r === i ? ++count : final[r];
  }
  for (let i = 0; i < n; i++) if (labels[i]) labels[i] = final[labels[i]];
  return { labels, count };
}

/** Options of {@link tiledConnectedComponentsLabeling}. */
export interface LabelingOptions extends GlobalOptions {
  connectivity?: Connectivity;
  /** Chunks of a new Zarr output (default: the input's). */
  chunks?: readonly number[];
  overwrite?: boolean;
}

/** Per tile: its core's border planes of provisional ids, one pair per spatial axis. */
interface Border {
  core: Box;
  faces: Array<[Uint32Array, Uint32Array]>;
}

/**
 * Labels the connected components of the foreground (non-zero pixels) of a (lazy) array, or of
 * `options.pipeline`'s result (e.g. a threshold), tile by tile, with labels merged across tile
 * faces: the same partition as `connectedComponentsLabeling` / `scipy.ndimage.label` of the
 * whole image. Labels are uint32, 1..count, written to `output` (a Zarr path or array) or
 * returned in host memory. Leading (time, channel) dimensions are labeled independently.
 */
export async function tiledConnectedComponentsLabeling(input: Input, output?: string | ZarrArray, options: LabelingOptions = {}): Promise<{ count: number; output: ZarrArray | HostImage }> {
  const what = 'tiledConnectedComponentsLabeling';
  const connectivity = options.connectivity ?? 'box';
  if (connectivity !== 'box' && connectivity !== 'sphere') throw new TesseraError(`${what}: connectivity must be 'box' or 'sphere'; got ${JSON.stringify(connectivity)}`);
  const source = await openInput(input, what);
  // Labeling needs the provisional ids (4 bytes) and the mask beside the pipeline's memory.
  const vp = await planVisits(source, { ...options, extraMargin: 1 }, 8);
  const { plan, grid, spatial } = vp;
  const lead = source.ndim - spatial;
  const sink: Sink = output === undefined
    ? new HostSink(source.shape, 'uint32')
    : await ZarrSink.open(
        output instanceof ZarrArray ? output : (await prepareOutput(output, source.shape, 'uint32', { pipeline: `label ${connectivity}`, input: String(source).split('\n')[0], shape: source.shape, dtype: source.dtype, margin: vp.margin }, { chunks: options.chunks ?? source.chunks, overwrite: options.overwrite ?? false, resume: false }, what)).array,
        `label-${process.pid}`, false,
      );
  if (sink instanceof ZarrSink && sink.array.chunks.join() !== source.chunks.join()) {
    throw new TesseraError(`${what}: the output's chunks [${sink.array.chunks}] must equal the input's [${source.chunks}] (tiles are whole chunks of both)`);
  }
  const progress = new Progress({ label: options.pipeline ? `labeling ${options.pipeline.name || 'pipeline'}` : 'labeling', tilesTotal: 2 * plan.tiles.length, display: options.progress });
  const uf = new UnionFind();
  /** Provisional ids that some core holds (components only in a shell get no final id). */
  let used = new Uint8Array(1024);
  const offsets: number[] = [];
  const borders = new Map<number, Border>();
  // The largest tile-number distance to a neighbouring tile: borders older than that are no longer needed.
  const tileStrides = stridesOf(plan.counts);
  const reach = tileStrides.slice(lead).reduce((a, s) => a + s, 0);

  const coreLabelAt = (point: number[]): number => {
    const b = borders.get(tileNumberAt(plan, grid, point))!;
    for (let j = 0; j < spatial; j++) {
      const k = lead + j;
      const side = point[k] === b.core.start[k] ? 0 : point[k] === b.core.start[k] + b.core.size[k] - 1 ? 1 : -1;
      if (side < 0) continue;
      const dims = b.core.size.map((_, d) => d).filter((d) => d >= lead && d !== k);
      let index = 0;
      for (const d of dims) index = index * b.core.size[d] + (point[d] - b.core.start[d]);
      return b.faces[j][side as 0 | 1][index];
    }
    throw new Error('internal: a neighbouring pixel is not on the earlier tile\'s border');
  };

  try {
    await visitTiles(source, vp, options, async (img, tile, n) => {
      // The link box: the core grown by one pixel (where the pipeline's result is exact).
      const start = tile.core.start.map((s, k) => (k < lead ? s : Math.max(0, s - 1)));
      const end = tile.core.start.map((s, k) => (k < lead ? s + 1 : Math.min(source.shape[k], s + tile.core.size[k] + 1)));
      const link: Box = { start, size: end.map((e, k) => e - start[k]) };
      const local = link.start.slice(lead).map((s, j) => s - tile.read.start[lead + j]);
      const size = link.size.slice(lead);
      const whole = local.every((s) => s === 0) && size.join() === img.shape.join();
      const mask = whole ? img : crop(img, local.at(-1)!, local.at(-2) ?? 0, local.at(-3) ?? 0, size.at(-1)!, size.at(-2) ?? 1, size.at(-3) ?? 1);
      let labeled: { labels: Uint32Array; count: number };
      try {
        labeled = await labelTile(mask, connectivity);
      } finally {
        if (mask !== img) mask.release();
      }
      const offset = uf.size;
      offsets[n] = offset;
      uf.add(labeled.count);
      const lStride = stridesOf(link.size);
      const at = (p: number[]) => p.reduce((a, c, k) => a + (c - link.start[k]) * lStride[k], 0);

      // Equivalences with earlier tiles through A's one-pixel shell.
      const p = [...link.start];
      for (let i = 0; i < labeled.labels.length; i++) {
        const l = labeled.labels[i];
        if (l !== 0) {
          const inCore = p.every((c, k) => c >= tile.core.start[k] && c < tile.core.start[k] + tile.core.size[k]);
          if (!inCore) {
            const other = tileNumberAt(plan, grid, p);
            if (other < n) {
              const b = coreLabelAt(p);
              if (b !== 0) uf.union(offset + l, b);
            }
          }
        }
        for (let k = p.length - 1; k >= 0; k--) {
          if (++p[k] < link.start[k] + link.size[k]) break;
          p[k] = link.start[k];
        }
      }

      // The core's provisional ids, written now; its border planes kept for later tiles.
      const core = new Uint32Array(product(tile.core.size));
      const q = [...tile.core.start];
      for (let i = 0; i < core.length; i++) {
        const l = labeled.labels[at(q)];
        core[i] = l === 0 ? 0 : offset + l;
        if (l !== 0) {
          if (offset + l >= used.length) {
            const grown = new Uint8Array(Math.max(2 * used.length, offset + l + 1));
            grown.set(used);
            used = grown;
          }
          used[offset + l] = 1;
        }
        for (let k = q.length - 1; k >= 0; k--) {
          if (++q[k] < tile.core.start[k] + tile.core.size[k]) break;
          q[k] = tile.core.start[k];
        }
      }
      const faces: Border['faces'] = [];
      const cStride = stridesOf(tile.core.size);
      for (let j = 0; j < spatial; j++) {
        const k = lead + j;
        const dims = tile.core.size.map((_, d) => d).filter((d) => d >= lead && d !== k);
        const planeSize = product(dims.map((d) => tile.core.size[d]));
        const pair: [Uint32Array, Uint32Array] = [new Uint32Array(planeSize), new Uint32Array(planeSize)];
        for (const [side, pos] of [[0, 0], [1, tile.core.size[k] - 1]] as const) {
          const idx = dims.map(() => 0);
          for (let i = 0; i < planeSize; i++) {
            let off = pos * cStride[k];
            dims.forEach((d, m) => (off += idx[m] * cStride[d]));
            pair[side][i] = core[off];
            for (let m = dims.length - 1; m >= 0; m--) {
              if (++idx[m] < tile.core.size[dims[m]]) break;
              idx[m] = 0;
            }
          }
        }
        faces.push(pair);
      }
      borders.set(n, { core: tile.core, faces });
      borders.delete(n - reach - 1);
      await sink.write(tile.core, core);
      progress.tileDone({ bytesRead: product(tile.read.size) * 4 });
    }, false);

    // Final ids 1..N in the order the components first appear in the cores (tile order).
    const final = new Uint32Array(uf.size + 1);
    let count = 0;
    for (let i = 1; i <= uf.size; i++) {
      const r = uf.find(i);
      if (used[i] && final[r] === 0) final[r] = ++count;
    }
    for (let i = 1; i <= uf.size; i++) final[i] = final[uf.find(i)];
    for (const tile of plan.tiles) {
      const data = sink instanceof HostSink ? undefined : (await (sink as ZarrSink).array.readRegion(tile.core.start, tile.core.size)).data as Uint32Array;
      if (sink instanceof HostSink) {
        relabelBox(sink.data as Uint32Array, sink.shape, tile.core, final);
      } else {
        for (let i = 0; i < data!.length; i++) data![i] = final[data![i]];
        await sink.write(tile.core, data!);
      }
      progress.tileDone();
    }
    progress.finish('completed');
    return { count, output: sink instanceof HostSink ? sink.image : (sink as ZarrSink).array };
  } catch (e) {
    progress.finish('failed', e);
    throw e;
  }
}

/** Maps the provisional ids of `box` in a host array to final ids. */
function relabelBox(data: Uint32Array, shape: readonly number[], box: Box, final: Uint32Array): void {
  const strides = stridesOf(shape);
  const p = [...box.start];
  const last = shape.length - 1;
  for (;;) {
    let off = 0;
    for (let k = 0; k < last; k++) off += p[k] * strides[k];
    for (let x = box.start[last]; x < box.start[last] + box.size[last]; x++) data[off + x] = final[data[off + x]];
    let k = last - 1;
    for (; k >= 0; k--) {
      if (++p[k] < box.start[k] + box.size[k]) break;
      p[k] = box.start[k];
    }
    if (k < 0) return;
  }
}

export type { LazyArray };
