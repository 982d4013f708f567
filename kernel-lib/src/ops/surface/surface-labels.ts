import type { GpuImage } from '../../array/gpu-image';
import { create, pull } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { bytesPerPixel } from '../../dtype';
import { TesseraError } from '../../errors';
import { bindingLimit } from '../../gpu/device';
import { checkImage, checkInteger, checkOptionsObject, checkSameShape, checkVoxelSize } from '../../validate/arguments';
import { checkLabelImage } from '../../validate/neighbours';
import { checkMatrixFits, labelCount } from '../neighbours/label-count';
import { defineOp, image, type ParamSpec } from '../op';
import { castRays } from './ray-casting';

/**
 * Surface and sub-surface labels by ray casting (the seed's embryo-shell analysis): rays from
 * outside the volume along many directions; a label that some ray meets first lies on the
 * surface, the others beneath it. See ray-casting.ts for the algorithm and docs/surface.md.
 *
 * Label images: 3D, integer, labels 1..N with 0 the background, ids global across the image
 * (not necessarily consecutive) — a plain label image, e.g. from a tiled labelling once its
 * tiles are merged into one image that one GPU buffer holds.
 */

export interface SurfaceOptions {
  /**
   * How many directions to cast besides the 6 axis directions: an even Fibonacci spread over the
   * sphere (in physical space, `voxelSize`); default 100, 0 for the axis directions only.
   */
  directions?: number;
  /**
   * Rays count only from outside this mask (an image of the labels' shape, non-zero = inside,
   * e.g. the embryo): a ray counts the first label it meets after crossing a voxel where the mask
   * is 0. Rays entering the volume where the mask is set (a crop through the embryo) and
   * background inside the mask (holes) count nothing. Default: none (rays count from outside
   * the volume).
   */
  mask?: GpuImage;
  /** Voxel size (z, y, x), for the directions in physical space; default [1, 1, 1]. */
  voxelSize?: readonly number[];
}

export interface ClassifyOptions extends SurfaceOptions {
  /** Rays that must meet a label first for it to count as surface; default 1. */
  minimumHits?: number;
}

/** What {@link surfaceLabels} found. */
export interface SurfaceLabels {
  /** The labels that at least one ray met first, ascending. */
  labels: Uint32Array;
  /** `hits[l]`: how many rays met label l first (l = 0..N; `hits[0]` is 0). */
  hits: Uint32Array;
  /** The labels present in the image, ascending. */
  present: Uint32Array;
  /** The directions cast: unit vectors (x, y, z) in physical space, the way the rays travel; the 6 axis directions first. */
  directions: Float64Array;
  /** Rays cast over all directions (one per voxel of the entry face; rays that miss the volume included). */
  rays: number;
}

/** What {@link classifySurfaceLabels} found. */
export interface SurfaceClassification {
  /** uint8 image of the labels' shape: 1 on surface labels, 2 on sub-surface labels, 0 on the background. */
  classes: GpuImage;
  /** Surface labels (at least `minimumHits` first hits), ascending. */
  surface: Uint32Array;
  /** Sub-surface labels (present, fewer first hits), ascending. */
  subSurface: Uint32Array;
  /** `hits[l]`: rays that met label l first. */
  hits: Uint32Array;
  /** The directions cast (as in {@link SurfaceLabels}). */
  directions: Float64Array;
  rays: number;
}

/** Most directions one call casts (each costs about one pass over the entry faces of the volume). */
const MAX_DIRECTIONS = 100_000;

const optionFields: ParamSpec[] = [
  { name: 'directions', kind: 'number', integer: true, default: 100, min: 0, max: MAX_DIRECTIONS, soft: [0, 1000], doc: 'directions besides the 6 axes (Fibonacci sphere)' },
  { name: 'mask', kind: 'image', optional: true, doc: 'rays count only from outside this mask' },
  { name: 'voxelSize', kind: 'value', optional: true, doc: 'voxel size (z, y, x)' },
];

interface Checked {
  labels: GpuImage;
  n: number;
  directions: number;
  mask: GpuImage | undefined;
  voxelSize: number[];
}

async function checkSurfaceArguments(fn: string, labels: unknown, options: unknown): Promise<Checked> {
  const img = checkLabelImage(labels, `${fn}: labels`);
  if (img.ndim !== 3) {
    throw new TesseraError(`${fn}: labels must be a 3D label image (z, y, x); got shape [${img.shape}] (ray casting needs a volume)`);
  }
  const o = checkOptionsObject<ClassifyOptions>(options, `${fn}: options`);
  const directions = checkInteger(o.directions ?? 100, `${fn}: options.directions`, 0, MAX_DIRECTIONS);
  const voxelSize = checkVoxelSize(o.voxelSize, 3, `${fn}: options.voxelSize`);
  let mask: GpuImage | undefined;
  if (o.mask !== undefined) {
    mask = checkImage(o.mask, `${fn}: options.mask`);
    checkSameShape(img, mask, [`${fn}: labels`, 'options.mask']);
  }
  for (const [image, what] of [[img, 'labels'], [mask, 'options.mask']] as const) {
    if (image?.large) {
      const mb = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MB`;
      throw new TesseraError(`${fn}: ${what} (${mb(image.size * bytesPerPixel(image.dtype))}) is larger than this GPU binds at once (${mb(bindingLimit())}); the ray casting needs the whole volume in one binding: crop or downsample it`);
    }
  }
  const n = await labelCount(fn, img);
  if (n === 0) throw new TesseraError(`${fn}: labels holds no labels (every pixel is 0)`);
  checkMatrixFits(fn, 2, n + 1, 'table of ray counts');
  return { labels: img, n, directions, mask, voxelSize };
}

function idsWhere(n: number, keep: (l: number) => boolean): Uint32Array {
  const out: number[] = [];
  for (let l = 1; l <= n; l++) if (keep(l)) out.push(l);
  return Uint32Array.from(out);
}

/**
 * Casts rays through a 3D label image from outside, along the 6 axis directions and
 * `options.directions` more spread evenly over the sphere (one ray per voxel of the entry face
 * per direction, walked voxel by voxel on the GPU), and reports which labels the rays meet first
 * and how many rays met each. With `options.mask`, only rays coming from outside the mask count.
 * Async (reads the counts back). Not in pyclesperanto; the seed's ray-tracing of surface nuclei.
 */
export const surfaceLabels = defineOp(
  { params: [image('labels'), { name: 'options', kind: 'options', fields: optionFields }], output: 'none', tiling: 'global' },
  async function surfaceLabels(labels: GpuImage, options: SurfaceOptions = {}): Promise<SurfaceLabels> {
    const c = await checkSurfaceArguments('surfaceLabels', labels, options);
    const cast = castRays('surfaceLabels', c.labels, c.n, c.directions, c.voxelSize, c.mask);
    const table = (await pull(cast.table)).data as Uint32Array;
    cast.table.release();
    const hits = table.slice(0, c.n + 1);
    return {
      labels: idsWhere(c.n, (l) => hits[l] > 0),
      hits,
      present: idsWhere(c.n, (l) => table[c.n + 1 + l] > 0),
      directions: cast.directions,
      rays: cast.rays,
    };
  },
);

/**
 * Classifies the labels of a 3D label image as surface (1: at least `options.minimumHits` rays
 * from outside meet it first, see {@link surfaceLabels}) or sub-surface (2: present, fewer hits),
 * as a uint8 image of the labels' shape and as lists of label ids (for the meshes' `subset`).
 * Async. The seed's "surface / sub-surface neighbour mesh" analysis; not in pyclesperanto.
 */
export const classifySurfaceLabels = defineOp(
  {
    params: [
      image('labels'),
      { name: 'options', kind: 'options', fields: [...optionFields, { name: 'minimumHits', kind: 'number', integer: true, default: 1, min: 1, soft: [1, 100] }] },
    ],
    output: 'none',
    tiling: 'global',
  },
  async function classifySurfaceLabels(labels: GpuImage, options: ClassifyOptions = {}): Promise<SurfaceClassification> {
    const fn = 'classifySurfaceLabels';
    const c = await checkSurfaceArguments(fn, labels, options);
    const minimumHits = checkInteger(options.minimumHits ?? 1, `${fn}: options.minimumHits`, 1);
    const cast = castRays(fn, c.labels, c.n, c.directions, c.voxelSize, c.mask);
    const classes = runPixelProgram({
      op: fn,
      inputs: { lab: c.labels, h: cast.table },
      output: create(c.labels.shape, 'uint8'),
      scalars: { min: { type: 'u32', value: minimumHits } },
      computeType: 'u32',
      body: `let l = u32(load_lab(i));
  if (l == 0u) { return 0u; }
  return select(2u, 1u, load_h(l) >= P.min);`,
    });
    const table = (await pull(cast.table)).data as Uint32Array;
    cast.table.release();
    const hits = table.slice(0, c.n + 1);
    return {
      classes,
      surface: idsWhere(c.n, (l) => table[c.n + 1 + l] > 0 && hits[l] >= minimumHits),
      subSurface: idsWhere(c.n, (l) => table[c.n + 1 + l] > 0 && hits[l] < minimumHits),
      hits,
      directions: cast.directions,
      rays: cast.rays,
    };
  },
);
