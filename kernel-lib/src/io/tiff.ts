/**
 * TIFF stacks as lazy arrays: multi-page TIFF and BigTIFF, ImageJ hyperstacks, tifffile's shaped
 * series and OME-TIFF, 8/16/32-bit integer and 32/64-bit float pixels, uncompressed or
 * compressed (deflate, LZW, zstd, packbits, ... as geotiff decodes them). geotiff parses the
 * file and decodes strips and tiles; pages (and within a page, only the strips or tiles a box
 * touches) are read when a box needs them. docs/io.md compares the npm TIFF decoders.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DType, TypedArray } from '../dtype';
import { TesseraError } from '../errors';
import { LazyArray } from './lazy-array';
import { Box, product } from '../plan/box';
import { forEachLimited } from './region';

// geotiff ships CommonJS for Node (its "require" export); the types come from a type-only import.
import type * as GeoTiffTypes from 'geotiff';
type GeoTIFF = GeoTiffTypes.GeoTIFF;
type GeoTIFFImage = GeoTiffTypes.GeoTIFFImage;
let geotiffModule: typeof GeoTiffTypes | undefined;
const geotiff = (): typeof GeoTiffTypes => (geotiffModule ??= require('geotiff') as typeof GeoTiffTypes);

/** Pages read at once by one call. */
const CONCURRENCY = 8;

/** TIFF compression codes, for messages. */
const COMPRESSION: Record<number, string> = {
  1: 'none', 2: 'CCITT RLE', 3: 'CCITT G3', 4: 'CCITT G4', 5: 'LZW', 6: 'old JPEG', 7: 'JPEG', 8: 'deflate',
  32773: 'packbits', 32946: 'deflate', 34712: 'JPEG 2000', 34887: 'LERC', 50000: 'zstd', 50001: 'webp', 50002: 'JPEG XL',
};

/** The Tessera dtype of a sample format (1 uint, 2 int, 3 float) and bit depth. */
function dtypeOf(format: number, bits: number, file: string): { dtype: DType; stored: string } {
  const stored = `${{ 1: 'uint', 2: 'int', 3: 'float' }[format] ?? `format${format}-`}${bits}`;
  const known: Record<string, DType> = {
    uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', int8: 'int8', int16: 'int16', int32: 'int32', float32: 'float32', float64: 'float32',
  };
  const dtype = known[stored];
  if (!dtype) throw new TesseraError(`openTiff: ${file} holds ${stored} pixels, which Tessera does not read (it reads 8, 16 and 32-bit integers and 32 and 64-bit floats; 64-bit floats as float32)`);
  return { dtype, stored };
}

/** The series layout: the shape and axes of the pages (outer dimensions), from the file's metadata. */
interface Layout {
  /** Extents of the page dimensions, outermost first (t, z, c ...), dims of 1 dropped. */
  pageShape: number[];
  pageAxes: string;
  /** Where the layout came from, for messages. */
  source: string;
  /** Pages the metadata promises (ImageJ `images=`), which may exceed the IFDs for ImageJ's contiguous files. */
  images: number;
}

/** ImageJ hyperstack metadata (ImageDescription "ImageJ=..."): pages ordered t, z, c (c fastest). */
function imagejLayout(description: string): Layout | undefined {
  if (!description.startsWith('ImageJ=')) return undefined;
  const value = (key: string) => Number(new RegExp(`^${key}=(\\d+)`, 'm').exec(description)?.[1]);
  const channels = value('channels') || 1;
  const slices = value('slices') || 1;
  const frames = value('frames') || 1;
  const images = value('images') || channels * slices * frames;
  const dims: Array<[string, number]> = [['t', frames], ['z', slices], ['c', channels]];
  const kept = dims.filter(([, n]) => n > 1);
  if (channels * slices * frames !== images) {
    // A plain ImageJ stack (images=N only, or counts that do not multiply out): one page axis.
    return { pageShape: images > 1 ? [images] : [], pageAxes: images > 1 ? 'i' : '', source: 'ImageJ metadata', images };
  }
  return { pageShape: kept.map(([, n]) => n), pageAxes: kept.map(([a]) => a).join(''), source: 'ImageJ metadata', images };
}

/** tifffile's shaped series (ImageDescription `{"shape": [...], "axes": "..."}`). */
function shapedLayout(description: string, spatial: number): Layout | undefined {
  if (!description.startsWith('{')) return undefined;
  let doc: { shape?: unknown; axes?: unknown };
  try {
    doc = JSON.parse(description);
  } catch {
    return undefined;
  }
  const shape = doc.shape;
  if (!Array.isArray(shape) || shape.length < spatial || !shape.every((e) => Number.isInteger(e) && e >= 1)) return undefined;
  const outer = shape.slice(0, shape.length - spatial) as number[];
  const axes = typeof doc.axes === 'string' && doc.axes.length === shape.length ? doc.axes.toLowerCase().slice(0, outer.length) : 'q'.repeat(outer.length);
  const kept = outer.map((n, k) => [n, axes[k]] as const).filter(([n]) => n > 1);
  return { pageShape: kept.map(([n]) => n), pageAxes: kept.map(([, a]) => a).join(''), source: "tifffile's shaped metadata", images: product(outer) };
}

/** OME-TIFF (ImageDescription holding OME-XML): the first image's Pixels sizes and dimension order. */
function omeLayout(description: string): Layout | undefined {
  if (!description.includes('<OME') || !description.includes('<Pixels')) return undefined;
  const pixels = /<Pixels\b([^>]*)>/.exec(description)?.[1] ?? '';
  const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(pixels)?.[1];
  const order = attr('DimensionOrder') ?? 'XYCZT';
  const size = (a: string) => Number(attr(`Size${a}`) ?? 1) || 1;
  // DimensionOrder lists the fastest-varying dimension first after X and Y.
  const outer = [...order.slice(2)].reverse();
  const kept = outer.map((a) => [a.toLowerCase(), size(a)] as const).filter(([, n]) => n > 1);
  return { pageShape: kept.map(([, n]) => n), pageAxes: kept.map(([a]) => a).join(''), source: 'OME-XML metadata', images: product(outer.map(size)) };
}

/** Options of {@link openTiff}. */
export interface OpenTiffOptions {
  /**
   * Ignore the file's metadata and read its pages as one plain stack (`[pages, height, width]`,
   * axes `iyx`), e.g. for a file whose ImageJ/OME metadata is wrong.
   */
  ignoreMetadata?: boolean;
}

/**
 * A TIFF stack, read lazily: pages (and within a page, only the strips or tiles a box touches)
 * are read when a box needs them. Shape: the page dimensions from the file's metadata (ImageJ
 * `t z c`, OME-TIFF's dimension order, tifffile's shape; else one page axis), then y, x (and
 * the samples, e.g. RGB, last). Dimensions of extent 1 are dropped, as tifffile does.
 *
 * @example
 * const stack = await tessera.openTiff('embryo.tif');     // e.g. shape (40, 3, 512, 512), axes 'zcyx'
 * const nuclei = await stack.slice(null, 0).toGpu();       // channel 0 of every z
 */
export class TiffArray extends LazyArray {
  /** The file. */
  readonly path: string;
  /** Whether the file is a BigTIFF (64-bit offsets, > 4 GB). */
  readonly bigTiff: boolean;
  /** The pixel type as stored (e.g. `uint16`, `float64`). */
  readonly storedDtype: string;
  /** The compression name (e.g. `none`, `deflate`, `LZW`). */
  readonly compression: string;
  /** Number of pages of the series. */
  readonly pageCount: number;
  /** Where the layout came from (ImageJ metadata, OME-XML, tifffile's shape, or pages only). */
  readonly layoutSource: string;

  readonly #pageDims: number;
  readonly #height: number;
  readonly #width: number;
  readonly #samples: number;
  readonly #bytes: number;
  readonly #fileSize: number;
  /** Decoders by compression code (one per page layout). */
  readonly #decoders = new Map<number, Promise<GeoTiffTypes.BaseDecoder>>();
  /** For ImageJ's contiguous files (one IFD, many images): where image 0's pixels start. */
  readonly #contiguousOffset: number | undefined;
  #raw: Promise<FileHandle> | undefined;

  /** @internal Use {@link openTiff}. */
  constructor(
    private readonly tif: GeoTIFF,
    first: GeoTIFFImage,
    init: {
      path: string; layout: Layout; pages: number; dtype: DType; stored: string; bytes: number; compression: number;
      fileSize: number; contiguousOffset?: number;
    },
  ) {
    const height = first.getHeight();
    const width = first.getWidth();
    const samples = first.getSamplesPerPixel();
    const inner = samples > 1 ? [height, width, samples] : [height, width];
    const contiguous = init.contiguousOffset !== undefined;
    const blockRows = contiguous ? height : Math.min(height, first.getTileHeight());
    const blockCols = contiguous ? width : Math.min(width, first.getTileWidth());
    const innerChunks = samples > 1 ? [blockRows, blockCols, samples] : [blockRows, blockCols];
    super({
      shape: [...init.layout.pageShape, ...inner],
      dtype: init.dtype,
      chunks: [...init.layout.pageShape.map(() => 1), ...innerChunks],
      axes: `${init.layout.pageAxes}yx${samples > 1 ? 's' : ''}`,
    });
    this.path = init.path;
    this.bigTiff = Boolean((tif as unknown as { bigTiff?: boolean }).bigTiff);
    this.storedDtype = init.stored;
    this.compression = COMPRESSION[init.compression] ?? `code ${init.compression}`;
    this.pageCount = init.pages;
    this.layoutSource = init.layout.source;
    this.#pageDims = init.layout.pageShape.length;
    this.#height = height;
    this.#width = width;
    this.#samples = samples;
    this.#bytes = init.bytes;
    this.#fileSize = init.fileSize;
    this.#contiguousOffset = init.contiguousOffset;
  }

  /** Closes the file (reads after this reopen nothing and fail). */
  async close(): Promise<void> {
    await (this.tif as unknown as { close?: () => Promise<void> }).close?.();
    await (await this.#raw)?.close();
  }

  protected title(): string {
    return `tessera.TiffArray ${this.path} (${this.bigTiff ? 'BigTIFF' : 'TIFF'}, ${this.pageCount} pages, layout from ${this.layoutSource})`;
  }

  protected dtypeText(): string {
    return this.storedDtype === this.dtype ? this.dtype : `${this.dtype} (stored as ${this.storedDtype})`;
  }

  protected summaryRows(): Array<[string, string]> {
    return [['codec', this.compression]];
  }

  protected async readBox(box: Box, into: TypedArray): Promise<void> {
    const p = this.#pageDims;
    const pageBox: Box = { start: box.start.slice(0, p), size: box.size.slice(0, p) };
    const pages: number[][] = [];
    const walk = (k: number, at: number[]) => {
      if (k === p) return void pages.push(at);
      for (let i = 0; i < pageBox.size[k]; i++) walk(k + 1, [...at, pageBox.start[k] + i]);
    };
    walk(0, []);
    const [y0, x0] = [box.start[p], box.start[p + 1]];
    const [rows, cols] = [box.size[p], box.size[p + 1]];
    const samples = this.#samples;
    // A box over some of the samples (e.g. the green of RGB): read whole pixels, then pick.
    const [s0, ns] = samples > 1 ? [box.start[p + 2], box.size[p + 2]] : [0, 1];
    const perPage = rows * cols * ns;
    const pageShape = this.shape.slice(0, p);
    await forEachLimited(pages.map((at, i) => ({ at, i })), CONCURRENCY, async ({ at, i }) => {
      // Page number: C order over the page dimensions (ImageJ, OME and tifffile all store pages so).
      const page = at.reduce((acc, c, k) => acc * pageShape[k] + c, 0);
      const out = into.subarray(i * perPage, (i + 1) * perPage) as TypedArray;
      const whole = ns === samples ? out : (new (out.constructor as new (n: number) => TypedArray)(rows * cols * samples));
      if (this.#contiguousOffset !== undefined) await this.readContiguous(page, y0, x0, rows, cols, whole);
      else await this.readPage(page, y0, x0, rows, cols, whole);
      if (whole !== out) for (let px = 0; px < rows * cols; px++) for (let j = 0; j < ns; j++) out[px * ns + j] = whole[px * samples + s0 + j];
    });
  }

  /** Rows y0.. and columns x0.. of one page, from the strips or tiles they lie in. */
  private async readPage(page: number, y0: number, x0: number, rows: number, cols: number, out: TypedArray): Promise<void> {
    const where = `page ${page} of ${this.path}`;
    let image: GeoTIFFImage;
    try {
      image = await this.tif.getImage(page);
    } catch (e) {
      throw new TesseraError(`reading ${where} failed: its directory cannot be read (${(e as Error).message}); the file is truncated or corrupt`);
    }
    if (image.getWidth() === 0 || image.getHeight() === 0) {
      // A directory past the end of a cut file reads as zeros.
      throw new TesseraError(`reading ${where} failed: its directory reads as an empty ${image.getWidth()}×${image.getHeight()} page; the file is truncated or corrupt`);
    }
    if (image.getWidth() !== this.#width || image.getHeight() !== this.#height || image.getSamplesPerPixel() !== this.#samples) {
      throw new TesseraError(`reading ${where} failed: it is ${image.getWidth()}×${image.getHeight()} (${image.getSamplesPerPixel()} samples) but page 0 is ${this.#width}×${this.#height} (${this.#samples}); Tessera reads stacks of equal pages`);
    }
    const fd = image.fileDirectory;
    const compression = Number((await fd.loadValue('Compression')) ?? 1);
    const decoder = await this.decoderFor(image, compression, where);
    const tileW = image.getTileWidth();
    const tileH = image.getTileHeight();
    const tilesAcross = Math.ceil(this.#width / tileW);
    const s = this.#samples;
    const tasks: Array<{ tx: number; ty: number }> = [];
    for (let ty = Math.floor(y0 / tileH); ty <= Math.floor((y0 + rows - 1) / tileH); ty++) {
      for (let tx = Math.floor(x0 / tileW); tx <= Math.floor((x0 + cols - 1) / tileW); tx++) tasks.push({ tx, ty });
    }
    const offsets = image.isTiled ? 'TileOffsets' : 'StripOffsets';
    const counts = image.isTiled ? 'TileByteCounts' : 'StripByteCounts';
    await Promise.all(tasks.map(async ({ tx, ty }) => {
      const index = ty * tilesAcross + tx;
      const what = `${image.isTiled ? 'tile' : 'strip'} ${index} of ${where}`;
      const offset = Number(await fd.loadValueIndexed(offsets, index));
      const count = Number(await fd.loadValueIndexed(counts, index));
      if (!(offset >= 0 && count >= 0) || offset + count > this.#fileSize) {
        throw new TesseraError(`reading ${what} failed: it lies at bytes ${offset} to ${offset + count} but the file has ${this.#fileSize}; the file is truncated`);
      }
      let data: ArrayBuffer;
      try {
        data = (await image.getTileOrStrip(tx, ty, 0, decoder)).data as ArrayBuffer;
      } catch (e) {
        throw new TesseraError(`reading ${what} failed: ${(e as Error).message}; the data is corrupt`);
      }
      const blockRows = Math.min(tileH, this.#height - ty * tileH);
      const values = this.samplesOf(data, image.littleEndian, tileW * s * blockRows, what);
      // Copy the rows of this block that the box needs.
      const bx0 = Math.max(x0, tx * tileW);
      const bx1 = Math.min(x0 + cols, (tx + 1) * tileW, this.#width);
      const by0 = Math.max(y0, ty * tileH);
      const by1 = Math.min(y0 + rows, ty * tileH + blockRows);
      for (let y = by0; y < by1; y++) {
        const from = ((y - ty * tileH) * tileW + (bx0 - tx * tileW)) * s;
        out.set(values.subarray(from, from + (bx1 - bx0) * s), ((y - y0) * cols + (bx0 - x0)) * s);
      }
    }));
  }

  /** ImageJ's files over 4 GB: one directory, then every image's pixels one after another (uncompressed). */
  private async readContiguous(page: number, y0: number, x0: number, rows: number, cols: number, out: TypedArray): Promise<void> {
    const rowBytes = this.#width * this.#samples * this.#bytes;
    const start = this.#contiguousOffset! + page * this.#height * rowBytes + y0 * rowBytes;
    const length = rows * rowBytes;
    if (start + length > this.#fileSize) {
      throw new TesseraError(`reading page ${page} of ${this.path} failed: its pixels lie at bytes ${start} to ${start + length} but the file has ${this.#fileSize}; the file is truncated`);
    }
    this.#raw ??= open(this.path, 'r');
    const buffer = new ArrayBuffer(length);
    const { bytesRead } = await (await this.#raw).read(new Uint8Array(buffer), 0, length, start);
    if (bytesRead !== length) throw new TesseraError(`reading page ${page} of ${this.path} failed: read ${bytesRead} of ${length} bytes; the file is truncated`);
    // ImageJ writes big-endian unless told otherwise; the file's byte order is page 0's.
    const values = this.samplesOf(buffer, (this.tif as unknown as { littleEndian: boolean }).littleEndian, length / this.#bytes, `page ${page} of ${this.path}`);
    for (let y = 0; y < rows; y++) {
      const from = (y * this.#width + x0) * this.#samples;
      out.set(values.subarray(from, from + cols * this.#samples), y * cols * this.#samples);
    }
  }

  /** The decoded bytes of a block as samples of the stored type, in this machine's byte order. */
  private samplesOf(data: ArrayBuffer, littleEndian: boolean, count: number, what: string): TypedArray {
    const bytes = this.#bytes;
    if (data.byteLength < count * bytes) {
      throw new TesseraError(`reading ${what} failed: it decoded to ${data.byteLength} bytes instead of ${count * bytes}; the data is truncated or corrupt`);
    }
    const kind = this.storedDtype;
    const Type = {
      uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
    }[kind]!;
    if (!littleEndian && bytes > 1) {
      const swapped = new Uint8Array(count * bytes);
      const src = new Uint8Array(data, 0, count * bytes);
      for (let i = 0; i < src.length; i += bytes) for (let b = 0; b < bytes; b++) swapped[i + b] = src[i + bytes - 1 - b];
      return new Type(swapped.buffer, 0, count) as unknown as TypedArray;
    }
    return new Type(data, 0, count) as unknown as TypedArray;
  }

  private decoderFor(image: GeoTIFFImage, compression: number, where: string): Promise<GeoTiffTypes.BaseDecoder> {
    let decoder = this.#decoders.get(compression);
    if (!decoder) {
      decoder = (async () => {
        const fd = image.fileDirectory;
        const parameters = {
          tileWidth: image.getTileWidth(),
          tileHeight: image.getTileHeight(),
          planarConfiguration: image.planarConfiguration,
          bitsPerSample: await fd.loadValue('BitsPerSample'),
          predictor: Number((await fd.loadValue('Predictor')) ?? 1) || 1,
          samplesPerPixel: this.#samples,
        };
        try {
          return await geotiff().getDecoder(compression, parameters as unknown as Parameters<typeof GeoTiffTypes.getDecoder>[1]);
        } catch {
          throw new TesseraError(`reading ${where} failed: its compression (${COMPRESSION[compression] ?? `code ${compression}`}) cannot be decoded; re-save the file uncompressed or with deflate, LZW or zstd`);
        }
      })();
      this.#decoders.set(compression, decoder);
      decoder.catch(() => this.#decoders.delete(compression));
    }
    return decoder;
  }
}

/**
 * Opens a TIFF file (multi-page TIFF or BigTIFF; ImageJ hyperstacks, OME-TIFF and tifffile
 * series are laid out by their metadata) as a lazy array. Reads the directories (one per page)
 * now, pixels when asked for.
 *
 * Errors are TesseraErrors naming the file and, for pixel reads, the page and strip: a missing
 * file, not a TIFF, a truncated file, an unsupported pixel type or compression, pages of
 * different sizes, planar-separate samples.
 */
export async function openTiff(path: string, options: OpenTiffOptions = {}): Promise<TiffArray> {
  const what = 'openTiff';
  if (typeof path !== 'string' || path === '') throw new TesseraError(`${what}: path must be a non-empty string; got ${JSON.stringify(path)}`);
  const file = resolve(path);
  let fileSize: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new TesseraError(`${what}: ${file} is not a file`);
    fileSize = st.size;
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new TesseraError(code === 'ENOENT' || code === 'ENOTDIR' ? `${what}: no such file: ${file}` : `${what}: cannot access ${file}: ${(e as Error).message}`);
  }
  let tif: GeoTIFF;
  try {
    tif = await geotiff().fromFile(file);
  } catch (e) {
    throw new TesseraError(`${what}: ${file} is not a TIFF file (${(e as Error).message})`);
  }
  let first: GeoTIFFImage;
  let pages: number;
  try {
    first = await tif.getImage(0);
    pages = await tif.getImageCount();
  } catch (e) {
    await (tif as unknown as { close?: () => Promise<void> }).close?.();
    throw new TesseraError(`${what}: ${file} is truncated or corrupt: its page directories cannot be read (${(e as Error).message})`);
  }
  const fd = first.fileDirectory;
  const samples = first.getSamplesPerPixel();
  if (samples > 1 && first.planarConfiguration === 2) {
    throw new TesseraError(`${what}: ${file} stores its ${samples} samples per pixel in separate planes (PlanarConfiguration 2), which Tessera does not read; re-save it with interleaved samples`);
  }
  const bits = first.getBitsPerSample(0);
  const { dtype, stored } = dtypeOf(first.getSampleFormat(0), bits, file);
  const compression = Number((await fd.loadValue('Compression')) ?? 1);
  const description = options.ignoreMetadata ? '' : String((await fd.loadValue('ImageDescription')) ?? '').replace(/\0+$/, '');
  const spatial = samples > 1 ? 3 : 2;
  const plain: Layout = { pageShape: pages > 1 ? [pages] : [], pageAxes: pages > 1 ? 'i' : '', source: 'the pages (no layout metadata)', images: pages };
  let layout = imagejLayout(description) ?? omeLayout(description) ?? shapedLayout(description, spatial) ?? plain;
  let contiguousOffset: number | undefined;
  if (layout.images !== pages) {
    const imagejContiguous = layout.source === 'ImageJ metadata' && pages === 1 && layout.images > 1 && compression === 1 && !first.isTiled;
    if (imagejContiguous) {
      contiguousOffset = Number(await fd.loadValueIndexed('StripOffsets', 0));
    } else if (layout.images < pages && layout.source !== 'ImageJ metadata') {
      // e.g. an OME-TIFF pyramid or thumbnails after the series: read the series only.
      pages = layout.images;
    } else {
      throw new TesseraError(
        `${what}: ${file}: the ${layout.source} describes ${layout.images} images but the file has ${pages} pages; ` +
          'the file is truncated or its metadata is wrong (open it with { ignoreMetadata: true } to read the pages as a plain stack)',
      );
    }
  }
  if (layout.pageShape.length === 0 && pages > 1) layout = plain;
  return new TiffArray(tif, first, { path: file, layout, pages: contiguousOffset !== undefined ? layout.images : pages, dtype, stored, bytes: bits / 8, compression, fileSize, contiguousOffset });
}
