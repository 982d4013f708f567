import type { DType, TypedArray } from '../dtype';
import { GpuImage } from '../array/gpu-image';
import { push } from '../array/transfer';
import { TesseraError } from '../errors';
import { LazyArray } from '../io/lazy-array';
import { OmeZarrImage } from '../io/ome-zarr';
import { maximumOfAllPixels, minimumOfAllPixels } from '../ops/reductions';
import {
  planeExtent, planeOf, regionOf, renderPlane, xyztOf, type Conversion, type PlaneRequest, type RenderPlaneOptions, type RenderedPlane,
} from './render-plane';
import { checkTypedArray } from '../validate/arguments';

/**
 * An image that widgets can show without holding it whole: a shape, a pixel type and a way to
 * get one plane. Implement it for lazy arrays (a Zarr dataset, a tiled computation) so that
 * only the planes a view asks for are read. (Tessera's own lazy arrays — `openZarr`, OME-Zarr
 * images and their levels — are read by region and pyramid level instead: see {@link toLayer}.)
 *
 * @example
 * // A zarrita array of shape [z, y, x]:
 * const source: ImageSource = {
 *   shape: arr.shape, dtype: 'uint16',
 *   async getSlice(axis, index) {
 *     const sel = [null, null, null]; sel[axis] = index;
 *     const { data, shape } = await zarr.get(arr, sel);
 *     return { data, shape };
 *   },
 * };
 */
export interface ImageSource {
  /** Extent per dimension, outermost first (z, y, x; 2 to 4 dimensions). */
  readonly shape: readonly number[];
  readonly dtype: DType;
  /**
   * The 2D plane at `index` along spatial `axis` (0 = z, 1 = y, 2 = x of the last three
   * dimensions), of time point `t` for 4D sources: for axis 0 rows are y and columns x; for
   * axis 1, z and x; for axis 2, z and y. Host arrays and GPU images are both accepted.
   */
  getSlice(axis: number, index: number, t?: number): Promise<GpuImage | HostArray> | GpuImage | HostArray;
}

/** Pixels in host memory with their shape (z, y, x order), e.g. what `pull` returns. */
export interface HostArray {
  data: TypedArray;
  shape: readonly number[];
}

/**
 * A resolution pyramid: the same image at decreasing resolutions, finest first (e.g. the levels
 * of an OME-Zarr image). Views read from the level that matches their zoom.
 */
export interface Multiscale {
  levels: readonly LazyArray[];
}

/**
 * What widgets accept as an image: a GPU image, host pixels with a shape, a lazy array (Zarr,
 * TIFF), an OME-Zarr image or another {@link Multiscale} pyramid, or an {@link ImageSource}.
 */
export type ImageInput = GpuImage | HostArray | LazyArray | OmeZarrImage | Multiscale | ImageSource;

/** A rendered plane with where it lies in the full-resolution plane and what it cost to read. */
export interface LayerPlane extends RenderedPlane {
  /** [x, y, width, height] of the full-resolution plane that the pixels cover. */
  region: [number, number, number, number];
  /** Pyramid level read (0: full resolution). */
  level: number;
  /** Stored bytes read for it (compressed chunk bytes for Zarr; decoded bytes for other lazy arrays; 0 on the GPU or from cache). */
  bytesRead: number;
}

/** @internal An image as the widgets use it: plane rendering, its value range and single values. */
export interface Layer {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Number of resolution levels it reads from (1 unless it is a pyramid). */
  readonly levels: number;
  /** Cuts and converts a plane, or the `region` of one (see renderPlane). */
  render(request: PlaneRequest, conversion: Conversion, options?: RenderPlaneOptions): Promise<LayerPlane>;
  /** The smallest and largest value of the whole image, when it is affordable to know (not for lazy sources). */
  valueRange(): Promise<[number, number] | undefined>;
  /** The value at (x, y, z, t). */
  valueAt(x: number, y: number, z: number, t: number): Promise<number>;
  /** The GPU image, when the layer is one (interact, annotate and crop work on it). */
  readonly gpu?: GpuImage;
  /** Frees what the layer owns (not the caller's images). */
  dispose(): void;
}

/** @internal */
export function isHostArray(x: unknown): x is HostArray {
  return typeof x === 'object' && x !== null && ArrayBuffer.isView((x as HostArray).data) && Array.isArray((x as HostArray).shape);
}

/** @internal */
export function isImageSource(x: unknown): x is ImageSource {
  return typeof x === 'object' && x !== null && typeof (x as ImageSource).getSlice === 'function' && Array.isArray((x as ImageSource).shape);
}

function isMultiscale(x: unknown): x is Multiscale {
  return typeof x === 'object' && x !== null && Array.isArray((x as Multiscale).levels) && (x as Multiscale).levels.every((l) => l instanceof LazyArray);
}

const ONE_PIXEL = (x: number, y: number, z: number, t: number) => ({
  origin: [x, y, z, t] as [number, number, number, number], u: [1, 0, 0, 0] as [number, number, number, number], v: [0, 1, 0, 0] as [number, number, number, number], width: 1, height: 1,
});

/** Layer over a GPU image: everything happens on the GPU. */
class GpuLayer implements Layer {
  readonly levels = 1;

  constructor(
    readonly gpu: GpuImage,
    private readonly owned: boolean,
  ) {}

  get shape() {
    return this.gpu.shape;
  }

  get dtype() {
    return this.gpu.dtype;
  }

  async render(request: PlaneRequest, conversion: Conversion, options?: RenderPlaneOptions): Promise<LayerPlane> {
    const plane = await renderPlane(this.gpu, planeOf(this.gpu.shape, request), conversion, options);
    return { ...plane, region: regionOf(this.gpu.shape, request), level: 0, bytesRead: 0 };
  }

  async valueRange(): Promise<[number, number]> {
    return [await minimumOfAllPixels(this.gpu), await maximumOfAllPixels(this.gpu)];
  }

  async valueAt(x: number, y: number, z: number, t: number): Promise<number> {
    return (await renderPlane(this.gpu, ONE_PIXEL(x, y, z, t), { mode: 'labels' })).min;
  }

  dispose(): void {
    if (this.owned) this.gpu.release();
  }
}

/** Layer over an {@link ImageSource}: each plane is fetched, pushed to the GPU and rendered there. */
class SourceLayer implements Layer {
  readonly levels = 1;
  /** The last plane fetched, reused while a view hovers, pans or changes the display range. */
  private cached?: { key: string; image: GpuImage; owned: boolean };

  constructor(private readonly source: ImageSource) {}

  get shape() {
    return this.source.shape;
  }

  get dtype() {
    return this.source.dtype;
  }

  private async slice(axis: number, index: number, t: number): Promise<GpuImage> {
    const key = `${axis}/${index}/${t}`;
    if (this.cached?.key === key && !this.cached.image.released) return this.cached.image;
    const got = await this.source.getSlice(axis, index, t);
    const owned = !(got instanceof GpuImage);
    const image = got instanceof GpuImage ? got : push(got.data, got.shape);
    if (image.ndim !== 2) throw new TesseraError(`ImageSource.getSlice must return a 2D plane; got shape [${image.shape}]`);
    this.dropCache();
    this.cached = { key, image, owned };
    return image;
  }

  async render(request: PlaneRequest, conversion: Conversion, options?: RenderPlaneOptions): Promise<LayerPlane> {
    planeOf(this.shape, request); // validates the request against the whole source
    const image = await this.slice(request.axis, request.index, request.t ?? 0);
    const local = { axis: 0, index: 0, step: request.step, transpose: request.transpose, region: request.region };
    const plane = await renderPlane(image, planeOf(image.shape, local), conversion, options);
    return { ...plane, region: regionOf(this.shape, request), level: 0, bytesRead: 0 };
  }

  async valueRange(): Promise<undefined> {
    return undefined;
  }

  async valueAt(x: number, y: number, z: number, t: number): Promise<number> {
    const image = await this.slice(0, z, t);
    return (await renderPlane(image, ONE_PIXEL(x, y, 0, 0), { mode: 'labels' })).min;
  }

  private dropCache(): void {
    // Planes the source returned as GPU images belong to the source; pushed ones are ours.
    if (this.cached?.owned) this.cached.image.release();
    this.cached = undefined;
  }

  dispose(): void {
    this.dropCache();
  }
}

/** A lazy array with leading extents of 1 dropped, down to at most 4 dimensions. */
function squeezed(array: LazyArray, argument: string): LazyArray {
  let a = array;
  while (a.ndim > 4 && a.shape[0] === 1) a = a.slice(0);
  if (a.ndim > 4) {
    throw new TesseraError(`${argument} has shape [${array.shape}]${array.axes ? ` (${array.axes})` : ''}; viewers show 2 to 4 dimensions: select a channel or time point first, e.g. array.slice(0) or multiscaleOf(image, { select: [0] })`);
  }
  if (a.ndim < 2) throw new TesseraError(`${argument} must have 2 to 4 dimensions; got shape [${array.shape}]`);
  return a;
}

/** Stored bytes read so far by a lazy array, when it counts them (Zarr arrays do). */
function storedBytes(array: LazyArray): number | undefined {
  const stats = (array as { readStats?: { bytes: number } }).readStats;
  return stats?.bytes;
}

/**
 * Layer over a resolution pyramid of lazy arrays (one level for a plain lazy array): a plane
 * request at subsampling `step` reads, from the coarsest level whose downsampling factor along
 * the plane's axes is at most `step`, only the chunks under the requested region; the box is
 * pushed to the GPU and converted there (subsampled by what remains of `step`).
 */
class PyramidLayer implements Layer {
  /** Downsampling factor of each level per dimension, relative to level 0. */
  private readonly factors: number[][];
  private cached?: { key: string; image: GpuImage };

  constructor(private readonly pyramid: readonly LazyArray[]) {
    const base = pyramid[0].shape;
    this.factors = pyramid.map((level, k) => {
      if (level.ndim !== base.length) throw new TesseraError(`pyramid level ${k} has shape [${level.shape}], which does not have the ${base.length} dimensions of level 0 ([${base}])`);
      if (level.dtype !== pyramid[0].dtype) throw new TesseraError(`pyramid level ${k} is ${level.dtype}, level 0 ${pyramid[0].dtype}; levels must share a dtype`);
      return base.map((n, d) => n / level.shape[d]);
    });
  }

  get shape() {
    return this.pyramid[0].shape;
  }

  get dtype() {
    return this.pyramid[0].dtype;
  }

  get levels() {
    return this.pyramid.length;
  }

  /** Array dimensions (of the up to 4) of the plane's columns and rows, and of the sliced axis. */
  private dims(axis: number, transpose: boolean): { cols: number; rows: number; sliced: number } {
    const n = this.shape.length;
    const x = n - 1;
    const y = n - 2;
    const z = n - 3;
    let [cols, rows] = ([[x, y], [x, z], [y, z]] as [number, number][])[axis];
    if (transpose) [cols, rows] = [rows, cols];
    return { cols, rows, sliced: [z, y, x][axis] };
  }

  /** The coarsest level whose factors along the plane's axes are at most `step`. */
  private levelFor(step: number, cols: number, rows: number): number {
    let best = 0;
    this.factors.forEach((f, k) => {
      if (Math.max(f[cols], f[rows]) <= step + 1e-9) best = k;
    });
    return best;
  }

  async render(request: PlaneRequest, conversion: Conversion, options?: RenderPlaneOptions): Promise<LayerPlane> {
    planeOf(this.shape, request); // validates against level 0
    const [rx, ry, rw, rh] = regionOf(this.shape, request);
    const step = request.step ?? 1;
    const { cols, rows, sliced } = this.dims(request.axis, request.transpose === true);
    const k = this.levelFor(step, cols, rows);
    const level = this.pyramid[k];
    const f = this.factors[k];
    // The region in the level's pixels (covering the request), and what is left of the step.
    const c0 = Math.floor(rx / f[cols]);
    const r0 = Math.floor(ry / f[rows]);
    const c1 = Math.min(level.shape[cols], Math.ceil((rx + rw) / f[cols]));
    const r1 = Math.min(level.shape[rows], Math.ceil((ry + rh) / f[rows]));
    const rest = Math.max(1, Math.floor(step / Math.max(f[cols], f[rows])));
    const start = level.shape.map(() => 0);
    const size = level.shape.map(() => 1);
    [start[cols], size[cols]] = [c0, c1 - c0];
    [start[rows], size[rows]] = [r0, r1 - r0];
    start[sliced] = Math.min(level.shape[sliced] - 1, Math.floor(request.index / f[sliced]));
    if (level.ndim === 4) start[0] = Math.min(level.shape[0] - 1, Math.floor((request.t ?? 0) / f[0]));

    const key = `${k}/${start}/${size}`;
    let image = this.cached?.key === key && !this.cached.image.released ? this.cached.image : undefined;
    let bytesRead = 0;
    if (!image) {
      const before = storedBytes(level);
      const { data } = await level.readRegion(start, size);
      const after = storedBytes(level);
      bytesRead = before === undefined || after === undefined ? data.byteLength : after - before;
      // The box in C order is the plane, rows outer: as rows × cols (transposed planes: the other way round).
      const transposed = cols < rows;
      image = push(data, transposed ? [c1 - c0, r1 - r0] : [r1 - r0, c1 - c0]);
      this.cached?.image.release();
      this.cached = { key, image };
    }
    const plane = await renderPlane(image, planeOf(image.shape, { axis: 0, index: 0, step: rest, transpose: cols < rows }), conversion, options);
    const [pw, ph] = planeExtent(this.shape, request);
    const region: [number, number, number, number] = [
      Math.round(c0 * f[cols]), Math.round(r0 * f[rows]),
      Math.min(pw, Math.round(c1 * f[cols])) - Math.round(c0 * f[cols]), Math.min(ph, Math.round(r1 * f[rows])) - Math.round(r0 * f[rows]),
    ];
    return { ...plane, region, level: k, bytesRead };
  }

  async valueRange(): Promise<undefined> {
    return undefined;
  }

  async valueAt(x: number, y: number, z: number, t: number): Promise<number> {
    const n = this.shape.length;
    const position = [t, z, y, x].slice(4 - n);
    const { data } = await this.pyramid[0].readRegion(position, position.map(() => 1));
    return Number(data[0]);
  }

  dispose(): void {
    this.cached?.image.release();
    this.cached = undefined;
  }
}

/** Options of {@link multiscaleOf}. */
export interface MultiscaleOptions {
  /** Indices of leading dimensions to fix (e.g. `[0]` picks channel 0 of a `czyx` image), applied to every level. */
  select?: number[];
}

/**
 * The pyramid of an OME-Zarr image (or of a list of levels, finest first) for the viewers, with
 * leading dimensions fixed by `select` (a channel, a time point) so that 2 to 4 remain.
 *
 * @example
 * const image = await tessera.openOmeZarr('cells.ome.zarr');    // c, z, y, x
 * await widgets.slice(widgets.multiscaleOf(image, { select: [1] }));  // channel 1
 */
export function multiscaleOf(image: OmeZarrImage | readonly LazyArray[], options: MultiscaleOptions = {}): Multiscale {
  const levels = image instanceof OmeZarrImage ? image.levels.map((l) => l.array) : image;
  if (!Array.isArray(levels) || levels.length === 0 || !levels.every((l) => l instanceof LazyArray)) {
    throw new TesseraError('multiscaleOf: expects an OmeZarrImage or a non-empty list of lazy arrays (finest first)');
  }
  const select = options.select ?? [];
  return { levels: levels.map((l) => (select.length ? l.slice(...select) : l)) };
}

/**
 * @internal The layer for an input: GPU images are used in place; host arrays are pushed to the
 * GPU once (and released with the widget); lazy arrays and pyramids are read by region and
 * level; image sources plane by plane.
 */
export function toLayer(input: ImageInput, argument = 'image'): Layer {
  if (input instanceof GpuImage) {
    if (input.released) throw new TesseraError(`${argument} was released`);
    return new GpuLayer(input, false);
  }
  if (isHostArray(input)) {
    checkTypedArray(input.data, `${argument}.data`);
    return new GpuLayer(push(input.data, input.shape), true);
  }
  if (input instanceof LazyArray) return new PyramidLayer([squeezed(input, argument)]);
  if (input instanceof OmeZarrImage || isMultiscale(input)) {
    const { levels } = input instanceof OmeZarrImage ? multiscaleOf(input) : input;
    return new PyramidLayer(levels.map((l, k) => squeezed(l, `${argument} level ${k}`)));
  }
  if (isImageSource(input)) {
    if (input.shape.length < 2 || input.shape.length > 4) throw new TesseraError(`${argument} must have 2 to 4 dimensions; got shape [${input.shape}]`);
    return new SourceLayer(input);
  }
  throw new TesseraError(`${argument} must be a GpuImage, { data, shape } host pixels, a lazy array, an OME-Zarr image or an ImageSource; got ${Object.prototype.toString.call(input)}`);
}

/** The shape and dtype of an input without making a layer of it. */
export function describeInput(input: ImageInput): { shape: readonly number[]; dtype: DType } {
  if (input instanceof GpuImage || input instanceof LazyArray) return input;
  if (isHostArray(input)) return { shape: input.shape, dtype: checkTypedArray(input.data, 'image.data') };
  if (input instanceof OmeZarrImage) return input.levels[0].array;
  if (isMultiscale(input)) return input.levels[0];
  return input as ImageSource;
}

/** (x, y, z, t) extents of a layer. */
export function extentsOf(layer: Layer): [number, number, number, number] {
  return xyztOf(layer.shape);
}
