import { type DType, type TypedArray } from '../dtype';
import { GpuImage } from '../array/gpu-image';
import { push } from '../array/transfer';
import { TesseraError } from '../errors';
import { maximumOfAllPixels, minimumOfAllPixels } from '../ops/reductions';
import { planeOf, renderPlane, xyztOf, type Conversion, type PlaneRequest, type RenderPlaneOptions, type RenderedPlane } from './render-plane';
import { checkTypedArray } from '../validate/arguments';

/**
 * An image that widgets can show without holding it whole: a shape, a pixel type and a way to
 * get one plane. Implement it for lazy arrays (a Zarr dataset, a tiled computation) so that
 * only the planes a view asks for are read.
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

/** What widgets accept as an image: a GPU image, host pixels with a shape, or an {@link ImageSource}. */
export type ImageInput = GpuImage | HostArray | ImageSource;

/** @internal An image as the widgets use it: plane rendering, its value range and single values. */
export interface Layer {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Cuts and converts a plane (see renderPlane). */
  render(request: PlaneRequest, conversion: Conversion, options?: RenderPlaneOptions): Promise<RenderedPlane>;
  /** The smallest and largest value of the whole image, when it is affordable to know (not for lazy sources). */
  valueRange(): Promise<[number, number] | undefined>;
  /** The value at (x, y, z, t). */
  valueAt(x: number, y: number, z: number, t: number): Promise<number>;
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

/** Layer over a GPU image: everything happens on the GPU. */
class GpuLayer implements Layer {
  constructor(
    private readonly image: GpuImage,
    private readonly owned: boolean,
  ) {}

  get shape() {
    return this.image.shape;
  }

  get dtype() {
    return this.image.dtype;
  }

  render(request: PlaneRequest, conversion: Conversion, options?: RenderPlaneOptions) {
    return renderPlane(this.image, planeOf(this.image.shape, request), conversion, options);
  }

  async valueRange(): Promise<[number, number]> {
    return [await minimumOfAllPixels(this.image), await maximumOfAllPixels(this.image)];
  }

  async valueAt(x: number, y: number, z: number, t: number): Promise<number> {
    const plane = { origin: [x, y, z, t] as [number, number, number, number], u: [1, 0, 0, 0] as [number, number, number, number], v: [0, 1, 0, 0] as [number, number, number, number], width: 1, height: 1 };
    return (await renderPlane(this.image, plane, { mode: 'labels' })).min;
  }

  dispose(): void {
    if (this.owned) this.image.release();
  }
}

/** Layer over an {@link ImageSource}: each plane is fetched, pushed to the GPU and rendered there. */
class SourceLayer implements Layer {
  /** The last plane fetched, reused while a view hovers or changes the display range. */
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

  async render(request: PlaneRequest, conversion: Conversion, options?: RenderPlaneOptions) {
    planeOf(this.shape, request); // validates the request against the whole source
    const image = await this.slice(request.axis, request.index, request.t ?? 0);
    return renderPlane(image, planeOf(image.shape, { axis: 0, index: 0, step: request.step, transpose: request.transpose }), conversion, options);
  }

  async valueRange(): Promise<undefined> {
    return undefined;
  }

  async valueAt(x: number, y: number, z: number, t: number): Promise<number> {
    const image = await this.slice(0, z, t);
    const plane = { origin: [x, y, 0, 0] as [number, number, number, number], u: [1, 0, 0, 0] as [number, number, number, number], v: [0, 1, 0, 0] as [number, number, number, number], width: 1, height: 1 };
    return (await renderPlane(image, plane, { mode: 'labels' })).min;
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

/**
 * @internal The layer for an input: GPU images are used in place; host arrays are pushed to the
 * GPU once (and released with the widget); image sources are read plane by plane.
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
  if (isImageSource(input)) {
    if (input.shape.length < 2 || input.shape.length > 4) throw new TesseraError(`${argument} must have 2 to 4 dimensions; got shape [${input.shape}]`);
    return new SourceLayer(input);
  }
  throw new TesseraError(`${argument} must be a GpuImage, { data, shape } host pixels or an ImageSource; got ${Object.prototype.toString.call(input)}`);
}

/** (x, y, z, t) extents of a layer. */
export function extentsOf(layer: Layer): [number, number, number, number] {
  return xyztOf(layer.shape);
}
