/**
 * The lazy array: one interface over Zarr arrays, OME-Zarr levels and TIFF stacks. Nothing is
 * read until pixels are asked for (`readRegion`, `compute`, `toGpu`, `getSlice`); slicing gives
 * another lazy array. The chunk grid tells a tiled executor which boxes are whole chunks.
 */
import { DType, TypedArray, allocTypedArray, bytesPerPixel } from '../dtype';
import { GpuImage } from '../array/gpu-image';
import { HostImage, PushOptions, push } from '../array/transfer';
import { TesseraError } from '../errors';
import { memoryStats } from '../gpu/buffer-pool';
import { deviceInfo } from '../gpu/device';
import { Box, ChunkGrid, checkBox, product, stridesOf } from '../plan/box';

/**
 * One dimension of {@link LazyArray.slice}: an index (the dimension is dropped), a range
 * `[start, stop]` (stop exclusive, left out or undefined for "to the end"), or `null` for the
 * whole dimension. Negative numbers count from the end, as in numpy.
 */
export type Selection = number | readonly [number, number?] | null | undefined;

/** Options of {@link LazyArray.readRegion}. */
export interface ReadOptions {
  /**
   * Where to put the pixels (C order, the box's size, the array's dtype), e.g. a reused buffer
   * of a pipelined executor; default: a new typed array.
   */
  into?: TypedArray;
}

/** Human-readable byte count. */
export function bytesText(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let k = 0;
  while (n >= 1024 && k < units.length - 1) {
    n /= 1024;
    k++;
  }
  return k === 0 ? `${n} B` : `${n.toFixed(1)} ${units[k]}`;
}

/** What a lazy array is made of. */
export interface LazyArrayInit {
  shape: readonly number[];
  dtype: DType;
  chunks: readonly number[];
  /** Where chunk 0 starts per dimension, in `(-chunks, 0]` (0 unless a view starts inside a chunk). */
  chunkOffset?: readonly number[];
  /** One letter per dimension (e.g. `'tczyx'`), when the source names its axes. */
  axes?: string;
}

/**
 * An N-dimensional array whose pixels stay where they are (a Zarr store, a TIFF file) until
 * asked for. Shapes are outermost first (t, c, z, y, x). Satisfies the widgets' `ImageSource`
 * (`shape`, `dtype`, `getSlice`) for 2 to 4 dimensions, so it can be viewed without loading it.
 *
 * For tiled execution: `grid` gives the chunk boxes; a box that {@link ChunkGrid.isAligned} holds
 * whole chunks only, and reading it decodes each of its chunks exactly once.
 *
 * @example
 * const stack = await tessera.openZarr('embryo.zarr');        // nothing read yet
 * const t3 = stack.slice(3);                                  // time point 3: still lazy
 * const roi = t3.slice(null, [100, 356], [200, 456]);         // z, y 100..355, x 200..455
 * const img = await roi.toGpu();                              // reads only the chunks under roi
 */
export abstract class LazyArray {
  /** Extent per dimension, outermost first. */
  readonly shape: number[];
  /** The Tessera dtype pixels are read as. */
  readonly dtype: DType;
  /** Chunk shape: the unit the source is read in (a Zarr chunk, a TIFF strip or tile). */
  readonly chunks: number[];
  /** Where chunk 0 starts per dimension, in `(-chunks, 0]`: 0 unless this is a view starting inside a chunk. */
  readonly chunkOffset: number[];
  /** Axis names, one lower-case letter per dimension (e.g. `'zyx'`, `'tczyx'`), when the source has them. */
  readonly axes: string | undefined;

  protected constructor(init: LazyArrayInit) {
    this.shape = [...init.shape];
    this.dtype = init.dtype;
    this.chunks = [...init.chunks];
    this.chunkOffset = init.chunkOffset ? [...init.chunkOffset] : init.shape.map(() => 0);
    this.axes = init.axes;
  }

  /**
   * Reads the checked box `box` (in this array's coordinates) into `into` (C order, `box.size`),
   * touching only what the box needs. Subclasses implement this.
   */
  protected abstract readBox(box: Box, into: TypedArray): Promise<void>;

  /** One line naming the source, for `toString` (e.g. `tessera.ZarrArray /data/a.zarr (Zarr v3, read-only)`). */
  protected abstract title(): string;

  /** The dtype row of `toString`. */
  protected dtypeText(): string {
    return this.dtype;
  }

  /** Extra summary rows for `toString` (e.g. codecs). */
  protected summaryRows(): Array<[string, string]> {
    return [];
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of pixels. */
  get size(): number {
    return product(this.shape);
  }

  /** Bytes of the whole array as read (Tessera dtype), uncompressed. */
  get nbytes(): number {
    return this.size * bytesPerPixel(this.dtype);
  }

  /**
   * @internal The pixels of chunk `coords` of {@link grid}, for readers that keep chunks for
   * several tiles (the tiled executor): `data` laid out with `stride`, its first cell at array
   * coordinate `origin`; it may be shared (never write to it) and may hold more than the chunk's
   * box (a Zarr edge chunk) or another type (float64 read as float32). Default: the box read as a region.
   */
  async readChunk(coords: readonly number[]): Promise<{ data: TypedArray; stride: number[]; origin: number[] }> {
    const box = this.grid.chunkBox(coords);
    const { data } = await this.readRegion(box.start, box.size);
    return { data, stride: stridesOf(box.size), origin: box.start };
  }

  /** The chunk grid, for aligning tiles to chunks. */
  get grid(): ChunkGrid {
    return new ChunkGrid(this.shape, this.chunks, this.chunkOffset);
  }

  /**
   * A lazy view: one {@link Selection} per dimension (missing trailing ones select everything),
   * like numpy's `a[3, 10:20, :]` written `a.slice(3, [10, 20], null)`. Nothing is read.
   * Indices drop their dimension; ranges keep it. Out-of-range indices and empty ranges are errors.
   */
  slice(...selection: Selection[]): LazyArray {
    return ArrayView.of(this, selection);
  }

  /**
   * Reads the box of `size` pixels from `start` (one entry per dimension; `size` defaults to the
   * rest of the array). Only the chunks that intersect the box are read.
   * @returns the pixels in C order with the box's shape, as `pull` returns them.
   */
  async readRegion(start: readonly number[], size?: readonly number[], options: ReadOptions = {}): Promise<HostImage> {
    const what = `${this.constructor.name}.readRegion`;
    const box = checkBox(this.shape, start, size, what);
    const n = product(box.size);
    const into = options.into ?? allocTypedArray(this.dtype, n);
    if (options.into) {
      const expected = allocTypedArray(this.dtype, 0).constructor;
      if (into.constructor !== expected || into.length !== n) {
        throw new TesseraError(`${what}: options.into must be a ${expected.name} of ${n} elements (the box [${box.size}] in ${this.dtype}); got a ${into.constructor.name} of ${into.length}`);
      }
    }
    await this.readBox(box, into);
    return { data: into, shape: [...box.size], dtype: this.dtype };
  }

  /** Reads the whole array (or view) into host memory: `{ data, shape, dtype }`, like `pull`. */
  compute(): Promise<HostImage> {
    return this.readRegion(this.shape.map(() => 0));
  }

  /**
   * Reads a box (default: the whole array) and pushes it to the GPU. The box must fit the GPU
   * memory budget and the largest GPU buffer (images beyond one binding run in slabs); larger data is processed in tiles. Leading extents of 1
   * are dropped down to the GPU's 4 dimensions. `options` are push's (e.g. `allowNonFinite`).
   */
  async toGpu(start?: readonly number[], size?: readonly number[], options: PushOptions = {}): Promise<GpuImage> {
    const what = `${this.constructor.name}.toGpu`;
    const box = checkBox(this.shape, start ?? this.shape.map(() => 0), size, what);
    let shape = [...box.size];
    while (shape.length > 4 && shape[0] === 1) shape = shape.slice(1);
    if (shape.length > 4) {
      throw new TesseraError(`${what}: GPU images have at most 4 dimensions; choose a box (or slice) of size 1 along the leading dimensions (size [${box.size}])`);
    }
    const bytes = product(shape) * bytesPerPixel(options.dtype ?? this.dtype);
    const { bytesInUse, budget } = memoryStats();
    // Images beyond one binding are fine (they run in slabs); the largest buffer and the budget are the limits.
    const maxBuffer = deviceInfo().limits.maxBufferSize;
    if (bytes + bytesInUse > budget || bytes > maxBuffer) {
      const limit = bytes > maxBuffer ? `one GPU buffer holds at most ${bytesText(maxBuffer)}` : `${bytesText(budget - bytesInUse)} of the ${bytesText(budget)} GPU memory budget are free`;
      throw new TesseraError(
        `${what}: the box of shape [${box.size}] needs ${bytesText(bytes)} on the GPU but ${limit}. ` +
          `Process the array in tiles: toGpu(start, size) with boxes that fit (e.g. a few chunks of [${this.chunks}] at a time).`,
      );
    }
    const { data } = await this.readRegion(box.start, box.size);
    return push(data, shape, options);
  }

  /**
   * The 2D plane at `index` along spatial `axis` of the last three dimensions (0 = z: a y×x
   * plane; 1 = y: z×x; 2 = x: z×y), of time point `t` (the first dimension) for 4D arrays.
   * A 2D array is its own plane (axis 0, index 0). This is the widgets' `ImageSource.getSlice`.
   */
  async getSlice(axis: number, index: number, t = 0): Promise<HostImage> {
    const what = `${this.constructor.name}.getSlice`;
    const n = this.ndim;
    if (n < 2 || n > 4) throw new TesseraError(`${what}: the array must have 2 to 4 dimensions; shape is [${this.shape}] (slice it first)`);
    if (n === 2) {
      if (axis !== 0 || index !== 0) throw new TesseraError(`${what}: a 2D array is one plane (axis 0, index 0); got axis ${axis}, index ${index}`);
      return this.compute();
    }
    if (!Number.isInteger(axis) || axis < 0 || axis > 2) throw new TesseraError(`${what}: axis must be 0 (z), 1 (y) or 2 (x); got ${axis}`);
    const dim = n - 3 + axis;
    if (!Number.isInteger(index) || index < 0 || index >= this.shape[dim]) {
      throw new TesseraError(`${what}: index ${index} is outside 0..${this.shape[dim] - 1} along axis ${axis}`);
    }
    const start = new Array<number>(n).fill(0);
    const size = [...this.shape];
    [start[dim], size[dim]] = [index, 1];
    if (n === 4) {
      if (!Number.isInteger(t) || t < 0 || t >= this.shape[0]) throw new TesseraError(`${what}: t ${t} is outside 0..${this.shape[0] - 1}`);
      [start[0], size[0]] = [t, 1];
    }
    const plane = await this.readRegion(start, size);
    // Dropping the extents of 1 keeps the C order: the data already is the plane.
    plane.shape = size.filter((_, k) => k !== dim && !(n === 4 && k === 0));
    return plane;
  }

  /** Text summary (shape, dtype, chunks, sizes), like a dask array repr. */
  toString(): string {
    const grid = this.grid;
    const rows: Array<[string, string]> = [
      ['shape', `(${this.shape.join(', ')})${this.axes ? `  ${this.axes}` : ''}`],
      ['dtype', this.dtypeText()],
      ['chunks', `(${this.chunks.join(', ')})  ${grid.count} chunks (${grid.gridShape.join(' × ')})`],
      ['size', `${bytesText(this.nbytes)}, chunk ${bytesText(product(this.chunks) * bytesPerPixel(this.dtype))} (uncompressed)`],
      ...this.summaryRows(),
    ];
    return [this.title(), ...rows.map(([k, v]) => `${k.padEnd(7)}${v}`)].join('\n');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A lazy view of another lazy array: a box of it, with some dimensions dropped. */
class ArrayView extends LazyArray {
  private constructor(
    private readonly parent: LazyArray,
    /** First index per parent dimension. */
    private readonly from: readonly number[],
    /** Size per parent dimension (1 where dropped). */
    private readonly extent: readonly number[],
    /** The parent dimensions this view keeps. */
    private readonly kept: readonly number[],
    private readonly text: string,
  ) {
    const offset = kept.map((k) => {
      const c = parent.chunks[k];
      const r = (((parent.chunkOffset[k] - from[k]) % c) + c) % c;
      return r > 0 ? r - c : 0;
    });
    super({
      shape: kept.map((k) => extent[k]),
      dtype: parent.dtype,
      chunks: kept.map((k) => parent.chunks[k]),
      chunkOffset: offset,
      axes: parent.axes && kept.map((k) => parent.axes![k]).join(''),
    });
  }

  static of(parent: LazyArray, selection: Selection[]): ArrayView {
    const what = `${parent.constructor.name}.slice`;
    const n = parent.ndim;
    if (selection.length > n) throw new TesseraError(`${what}: ${selection.length} selections for an array of ${n} dimensions (shape [${parent.shape}])`);
    const start: number[] = [];
    const size: number[] = [];
    const kept: number[] = [];
    const parts: string[] = [];
    for (let k = 0; k < n; k++) {
      const sel = selection[k];
      const extent = parent.shape[k];
      const resolve = (i: number) => (i < 0 ? i + extent : i);
      if (sel === null || sel === undefined) {
        start.push(0), size.push(extent), kept.push(k), parts.push(':');
      } else if (typeof sel === 'number') {
        const i = resolve(sel);
        if (!Number.isInteger(sel) || i < 0 || i >= extent) throw new TesseraError(`${what}: index ${sel} is outside dimension ${k} of extent ${extent}`);
        start.push(i), size.push(1), parts.push(String(i));
      } else if (Array.isArray(sel) && sel.length >= 1 && sel.length <= 2) {
        const a = resolve(sel[0]);
        const b = sel[1] === undefined ? extent : resolve(sel[1]);
        if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > extent || b <= a) {
          throw new TesseraError(`${what}: range [${sel.join(', ')}] is empty or outside dimension ${k} of extent ${extent} (ranges are [start, stop) with start < stop)`);
        }
        start.push(a), size.push(b - a), kept.push(k), parts.push(`${a}:${b}`);
      } else {
        throw new TesseraError(`${what}: selection ${k} must be an index, a [start, stop] range or null; got ${JSON.stringify(sel)}`);
      }
    }
    if (kept.length === 0) throw new TesseraError(`${what}: selecting a single pixel leaves no dimension; use a range of length 1 ([i, i + 1]) for at least one dimension`);
    return new ArrayView(parent, start, size, kept, `[${parts.join(', ')}]`);
  }

  protected async readBox(box: Box, into: TypedArray): Promise<void> {
    // Dropped dimensions have extent 1, so the parent's box has the same C-order layout.
    const start = [...this.from];
    const size = [...this.extent];
    this.kept.forEach((k, j) => {
      start[k] += box.start[j];
      size[k] = box.size[j];
    });
    await this.parent.readRegion(start, size, { into });
  }

  protected title(): string {
    return `tessera.LazyArray ${this.text} of ${String(this.parent).split('\n')[0]}`;
  }
}
