/**
 * OME-Zarr images (NGFF 0.4 on Zarr v2, NGFF 0.5 on Zarr v3): multiscale pyramids with named
 * axes, units and per-level coordinate transformations. Reading opens each level as a lazy
 * ZarrArray; writing creates the group metadata and one Zarr array per level.
 */
import { stat } from 'node:fs/promises';
import { DType, TypedArray, bytesPerPixel } from '../dtype';
import { checkDType, checkTypedArray } from '../validate/arguments';
import { GpuImage } from '../array/gpu-image';
import { HostImage, pull } from '../array/transfer';
import { TesseraError } from '../errors';
import { LazyArray } from './lazy-array';
import { product } from '../plan/box';
import { FsStore, isUrl, storeFor } from './store';
import {
  CreateZarrOptions, ZarrArray, ZarrCodecName, checkCreateZarrOptions, openZarr, prepareDirectory, writeMetadata, zarrMetadata,
} from './zarr';
import { readNode } from './zarr-metadata';

/** NGFF versions Tessera reads and writes. */
export type NgffVersion = '0.4' | '0.5';
const VERSIONS: readonly NgffVersion[] = ['0.4', '0.5'];

/** One axis of an OME-Zarr image. */
export interface OmeAxis {
  /** The axis name (`t`, `c`, `z`, `y`, `x` by convention). */
  name: string;
  /** `'time'`, `'channel'`, `'space'` or another type (NGFF allows custom ones). */
  type?: string;
  /** A UCUM-style unit from the NGFF list, e.g. `'micrometer'`, `'second'`. */
  unit?: string;
}

/** One resolution level of an OME-Zarr image. */
export interface OmeLevel {
  /** The array's path inside the image group (e.g. `'0'`). */
  path: string;
  /** The level's pixels, lazily. */
  array: ZarrArray;
  /** Physical size of one pixel per axis (the level's `scale` transformation). */
  scale: number[];
  /** Physical position of the first pixel's centre per axis (the `translation`, zeros if none). */
  translation: number[];
}

/**
 * An OME-Zarr image: its axes and resolution levels (level 0 is full resolution). Each level's
 * array is a {@link ZarrArray} (a lazy array: slice, read regions, push to the GPU).
 *
 * @example
 * const image = await tessera.openOmeZarr('https://example.org/data/cells.ome.zarr');
 * console.log(String(image));                            // axes, levels, shapes, pixel sizes
 * const small = image.level(image.levels.length - 1);    // the coarsest level
 * const plane = await image.level(0).slice(0, 0, 40).compute();   // t = 0, c = 0, z = 40
 */
export class OmeZarrImage {
  /** @internal Use {@link openOmeZarr}, {@link createOmeZarr} or {@link writeOmeZarr}. */
  constructor(
    /** The image group's directory or URL. */
    readonly path: string,
    /** The NGFF version of the metadata. */
    readonly version: NgffVersion,
    readonly axes: readonly OmeAxis[],
    /** Resolution levels, finest first. */
    readonly levels: readonly OmeLevel[],
    /** The multiscale's `name`, when it has one. */
    readonly name: string | undefined,
    /** The `omero` rendering metadata (channels, colours, windows), as stored, when present. */
    readonly omero: unknown,
  ) {}

  /** Axis names as one string, e.g. `'tczyx'`. */
  get axisNames(): string {
    return this.axes.map((a) => a.name).join('');
  }

  /** The array of level `index` (0: full resolution). */
  level(index = 0): ZarrArray {
    if (!Number.isInteger(index) || index < 0 || index >= this.levels.length) {
      throw new TesseraError(`OmeZarrImage.level: index must be 0 to ${this.levels.length - 1} (the image has ${this.levels.length} levels); got ${index}`);
    }
    return this.levels[index].array;
  }

  toString(): string {
    const axes = this.axes.map((a) => `${a.name}${a.unit ? ` (${a.unit})` : ''}`).join(', ');
    const rows = this.levels.map((l, i) =>
      `  ${String(i).padEnd(3)}${`(${l.array.shape.join(', ')})`.padEnd(28)} chunks (${l.array.chunks.join(', ')})  scale (${l.scale.map((s) => +s.toPrecision(6)).join(', ')})`,
    );
    const dtype = this.levels[0].array.dtype;
    return [`tessera.OmeZarrImage ${this.path} (NGFF ${this.version}${this.name ? `, "${this.name}"` : ''}, ${dtype})`, `axes   ${axes}`, 'levels', ...rows].join('\n');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Options of {@link openOmeZarr}. */
export interface OpenOmeZarrOptions {
  /** Which multiscale of the `multiscales` list (default 0; most images have one). */
  multiscale?: number;
  /** `'r'` (default) or `'r+'` to write into the levels (local paths only). */
  mode?: 'r' | 'r+';
  /** Decoded-chunk cache per level (see OpenZarrOptions.cacheBytes). */
  cacheBytes?: number;
  /** HTTP only: how long one request may take (default 30 000 ms). */
  timeoutMs?: number;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNumbers = (x: unknown, n: number): x is number[] => Array.isArray(x) && x.length === n && x.every((e) => typeof e === 'number' && Number.isFinite(e));

/**
 * Opens an OME-Zarr image (NGFF 0.4 or 0.5) from a local path or an HTTP(S) URL: reads the
 * multiscales metadata and opens every level lazily (no pixels are read).
 *
 * Errors are TesseraErrors naming the file and what is wrong: not a Zarr group, no
 * `multiscales`, an NGFF version other than 0.4 / 0.5 (or one that does not match the Zarr
 * format), a plate or well (open one of its images), missing or inconsistent levels.
 */
export async function openOmeZarr(path: string, options: OpenOmeZarrOptions = {}): Promise<OmeZarrImage> {
  const what = 'openOmeZarr';
  if (typeof path !== 'string' || path === '') throw new TesseraError(`${what}: path must be a non-empty string; got ${JSON.stringify(path)}`);
  const index = options.multiscale ?? 0;
  const store = storeFor(path, { timeoutMs: options.timeoutMs });
  const node = await readNode(store).catch((e) => {
    throw e instanceof TesseraError ? new TesseraError(`${what}: ${e.message}`) : e;
  });
  const where = store.root;
  if (node.kind === 'none') {
    const local = !isUrl(path) && !(await stat(where).catch(() => undefined));
    throw new TesseraError(local ? `${what}: no such file or directory: ${where}` : `${what}: ${where} is not a Zarr group (no zarr.json or .zgroup); an OME-Zarr image is a Zarr group with multiscales metadata`);
  }
  if (node.kind === 'array') throw new TesseraError(`${what}: ${where} is a Zarr array, not an OME-Zarr image (a group); open it with openZarr, or open the image group above it`);

  // NGFF 0.5 keeps its metadata under attributes.ome (Zarr v3); 0.4 at the top of .zattrs (Zarr v2).
  const attrs = node.attributes;
  const ome = node.format === 3 ? attrs.ome : attrs;
  const file = node.file.replace(/\.zgroup$/, '.zattrs');
  if (node.format === 3 && !isObject(ome)) {
    const hint = 'multiscales' in attrs ? ' (it has "multiscales" outside "ome": NGFF 0.4 metadata in a Zarr v3 group, which no NGFF version defines)' : '';
    throw new TesseraError(`${what}: ${file} has no "ome" attributes${hint}; it is not an OME-Zarr 0.5 image`);
  }
  const meta = ome as Record<string, unknown>;
  if ('plate' in meta || 'well' in meta) {
    throw new TesseraError(`${what}: ${where} is an OME-Zarr ${'plate' in meta ? 'plate' : 'well'} (high-content screening), not an image; open one of its images, e.g. '${where}/A/1/0'`);
  }
  if (!('multiscales' in meta)) {
    const b2r = 'bioformats2raw.layout' in meta ? ` It is a bioformats2raw container: open one of its series, e.g. '${where}/0'.` : '';
    throw new TesseraError(`${what}: ${file} has no "multiscales" metadata; it is not an OME-Zarr image.${b2r}`);
  }
  const list = meta.multiscales;
  if (!Array.isArray(list) || list.length === 0 || !list.every(isObject)) throw new TesseraError(`${what}: ${file}: "multiscales" must be a non-empty list of objects`);
  if (!Number.isInteger(index) || index < 0 || index >= list.length) throw new TesseraError(`${what}: options.multiscale must be 0 to ${list.length - 1}; got ${index}`);
  const ms = list[index] as Record<string, unknown>;
  const version = String(node.format === 3 ? meta.version : ms.version ?? meta.version);
  if (!VERSIONS.includes(version as NgffVersion)) {
    throw new TesseraError(
      `${what}: ${file} is OME-Zarr (NGFF) version ${version}; Tessera reads 0.4 (Zarr v2) and 0.5 (Zarr v3). ` +
        'Convert it, e.g. with ome-zarr-py (ome_zarr.writer.write_image with fmt=FormatV04() or FormatV05()).',
    );
  }
  if ((version === '0.4') !== (node.format === 2)) {
    throw new TesseraError(`${what}: ${file} declares NGFF ${version} in a Zarr v${node.format} group; NGFF 0.4 is stored in Zarr v2 and 0.5 in Zarr v3`);
  }

  const bad = (field: string, expected: string): never => {
    throw new TesseraError(`${what}: ${file}: multiscales[${index}].${field} is missing or invalid (expected ${expected})`);
  };
  const axes = ms.axes;
  if (!Array.isArray(axes) || axes.length < 2 || axes.length > 5) bad('axes', 'a list of 2 to 5 axes');
  const axisList = (axes as unknown[]).map((a, k): OmeAxis => {
    if (!isObject(a) || typeof a.name !== 'string') return bad(`axes[${k}]`, 'an object with a "name"');
    return { name: a.name, ...(typeof a.type === 'string' ? { type: a.type } : {}), ...(typeof a.unit === 'string' ? { unit: a.unit } : {}) };
  });
  const n = axisList.length;
  const datasets = ms.datasets;
  if (!Array.isArray(datasets) || datasets.length === 0) bad('datasets', 'a non-empty list of levels');
  const letters = axisList.every((a) => /^[a-z]$/i.test(a.name)) ? axisList.map((a) => a.name.toLowerCase()).join('') : undefined;

  const levels: OmeLevel[] = [];
  for (const [k, d] of (datasets as unknown[]).entries()) {
    if (!isObject(d) || typeof d.path !== 'string' || d.path === '') bad(`datasets[${k}].path`, 'the path of the level array');
    const level = d as { path: string; coordinateTransformations?: unknown };
    const transforms = Array.isArray(level.coordinateTransformations) ? (level.coordinateTransformations as unknown[]) : [];
    const scaleT = transforms.find((t) => isObject(t) && t.type === 'scale') as Record<string, unknown> | undefined;
    if (!scaleT || !isNumbers(scaleT.scale, n)) bad(`datasets[${k}].coordinateTransformations`, `a "scale" transformation of ${n} numbers`);
    const translationT = transforms.find((t) => isObject(t) && t.type === 'translation') as Record<string, unknown> | undefined;
    if (translationT && !isNumbers(translationT.translation, n)) bad(`datasets[${k}].coordinateTransformations`, `a "translation" of ${n} numbers`);
    let array: ZarrArray;
    try {
      array = await openZarr(path, { arrayPath: level.path, mode: options.mode, cacheBytes: options.cacheBytes, timeoutMs: options.timeoutMs, axes: letters });
    } catch (e) {
      throw new TesseraError(`${what}: level ${k} ('${level.path}') of ${where}: ${(e as Error).message}`);
    }
    if (array.ndim !== n) throw new TesseraError(`${what}: level ${k} ('${level.path}') of ${where} has ${array.ndim} dimensions but the image has ${n} axes (${axisList.map((a) => a.name).join('')})`);
    if (array.zarrFormat !== node.format) throw new TesseraError(`${what}: level ${k} ('${level.path}') of ${where} is Zarr v${array.zarrFormat} inside a Zarr v${node.format} image`);
    levels.push({
      path: level.path,
      array,
      scale: [...(scaleT!.scale as number[])],
      translation: translationT ? [...(translationT.translation as number[])] : new Array<number>(n).fill(0),
    });
  }
  for (let k = 1; k < levels.length; k++) {
    if (levels[k].array.dtype !== levels[0].array.dtype) {
      throw new TesseraError(`${what}: level ${k} of ${where} is ${levels[k].array.dtype} but level 0 is ${levels[0].array.dtype}`);
    }
  }
  return new OmeZarrImage(where, version as NgffVersion, axisList, levels, typeof ms.name === 'string' ? ms.name : undefined, meta.omero);
}

/** Axis types from conventional names. */
const AXIS_TYPES: Record<string, string> = { t: 'time', c: 'channel', z: 'space', y: 'space', x: 'space' };

/** Options of {@link createOmeZarr} and {@link writeOmeZarr}. */
export interface OmeZarrOptions {
  /**
   * The axes, outermost first: letters (`'zyx'`, `'tczyx'`, ...; types follow from t/c/z/y/x)
   * or {@link OmeAxis} objects. Default: the last 2 to 5 of `'tczyx'`.
   */
  axes?: string | readonly OmeAxis[];
  /** Units per axis name, e.g. `{ z: 'micrometer', y: 'micrometer', x: 'micrometer', t: 'second' }`. */
  units?: Record<string, string>;
  /** Physical pixel size of level 0 per axis (default 1). */
  scale?: readonly number[];
  /** Physical position of level 0's first pixel per axis (default 0). */
  translation?: readonly number[];
  /** NGFF version: `'0.5'` (default, Zarr v3) or `'0.4'` (Zarr v2). */
  version?: NgffVersion;
  /** The multiscale's name. */
  name?: string;
  /** Chunk shape of level 0 (default: 1 along t and c, up to 128 along z, y, x); coarser levels use it clipped to their shape. */
  chunks?: readonly number[];
  /** Chunk compression (default `'blosc'`: blosc with zstd, level 1). */
  codec?: ZarrCodecName;
  /** Compression level (see CreateZarrOptions.level). */
  level?: number;
  /** Replace an existing Zarr group or array at the path. */
  overwrite?: boolean;
}

/** Checks the axis options and gives the axes. */
function axesFrom(option: OmeZarrOptions['axes'], units: Record<string, string> | undefined, n: number, what: string): OmeAxis[] {
  if (n < 2 || n > 5) throw new TesseraError(`${what}: OME-Zarr images have 2 to 5 dimensions; got ${n}`);
  const given = option ?? 'tczyx'.slice(5 - n);
  let axes: OmeAxis[];
  if (typeof given === 'string') {
    if (given.length !== n || new Set(given).size !== n || ![...given].every((a) => a in AXIS_TYPES)) {
      throw new TesseraError(`${what}: options.axes must be ${n} distinct letters of 'tczyx' for shape of ${n} dimensions (or a list of axis objects); got '${given}'`);
    }
    axes = [...given].map((name) => ({ name, type: AXIS_TYPES[name] }));
  } else if (Array.isArray(given) && given.length === n && given.every((a) => isObject(a) && typeof a.name === 'string' && a.name !== '')) {
    axes = given.map((a) => ({ ...a, ...(a.type || !AXIS_TYPES[a.name] ? {} : { type: AXIS_TYPES[a.name] }) }));
  } else {
    throw new TesseraError(`${what}: options.axes must be ${n} letters or ${n} axis objects with names; got ${JSON.stringify(given)}`);
  }
  const spatial = axes.filter((a) => a.type === 'space').length;
  if (spatial < 2 || spatial > 3) throw new TesseraError(`${what}: an OME-Zarr image has 2 or 3 space axes; '${axes.map((a) => a.name).join('')}' has ${spatial}`);
  for (const [name, unit] of Object.entries(units ?? {})) {
    const axis = axes.find((a) => a.name === name);
    if (!axis) throw new TesseraError(`${what}: options.units names axis '${name}', which is not one of '${axes.map((a) => a.name).join('')}'`);
    if (typeof unit !== 'string') throw new TesseraError(`${what}: options.units.${name} must be a string`);
    axis.unit = unit;
  }
  return axes;
}

/**
 * The scale factor between level 0 and a level of `shape`: the integer f when the level's extent
 * is level 0's divided by f (rounded either way), otherwise the exact ratio.
 */
function factorOf(full: number, part: number): number {
  const f = Math.round(full / part);
  return f >= 1 && (Math.floor(full / f) === part || Math.ceil(full / f) === part) ? f : full / part;
}

/**
 * Creates an empty OME-Zarr image with one array per level and opens it for writing (for tiled
 * jobs that write level 0 tile by tile, then fill the coarser levels). Level shapes are given
 * by the caller: `levelShapes[0]` is the full resolution. Each level's `scale` is level 0's
 * times its downsampling factor per axis, and its `translation` shifts by (factor − 1) / 2
 * pixels of level 0, so that a level's pixel centres sit at the centres of the level-0 blocks
 * they average (ome-zarr-py's convention).
 */
export async function createOmeZarr(path: string, shapes: readonly (readonly number[])[], dtype: DType, options: OmeZarrOptions = {}): Promise<OmeZarrImage> {
  const what = 'createOmeZarr';
  const levelShapes: readonly (readonly number[])[] = shapes;
  if (!Array.isArray(shapes) || levelShapes.length === 0) throw new TesseraError(`${what}: levelShapes must be a non-empty list of shapes (level 0 first)`);
  const n = levelShapes[0]?.length;
  for (const [k, s] of levelShapes.entries()) {
    if (!Array.isArray(s) || s.length !== n || !s.every((e) => Number.isInteger(e) && e >= 1)) {
      throw new TesseraError(`${what}: levelShapes[${k}] must be ${n} positive integers; got ${JSON.stringify(s)}`);
    }
    if (k > 0 && s.some((e, j) => e > levelShapes[k - 1][j])) throw new TesseraError(`${what}: level ${k} of shape [${s}] is larger than level ${k - 1} [${levelShapes[k - 1]}] along some axis`);
  }
  checkDType(dtype, `${what}: dtype`);
  const axes = axesFrom(options.axes, options.units, n, what);
  const version = options.version ?? '0.5';
  if (!VERSIONS.includes(version)) throw new TesseraError(`${what}: options.version must be '0.4' or '0.5'; got ${JSON.stringify(version)}`);
  const scale0 = options.scale ?? new Array<number>(n).fill(1);
  const translation0 = options.translation ?? new Array<number>(n).fill(0);
  if (!isNumbers(scale0, n) || scale0.some((s) => s <= 0)) throw new TesseraError(`${what}: options.scale must be ${n} positive numbers; got ${JSON.stringify(options.scale)}`);
  if (!isNumbers(translation0, n)) throw new TesseraError(`${what}: options.translation must be ${n} numbers; got ${JSON.stringify(options.translation)}`);
  const format = version === '0.4' ? 2 : 3;
  const shape0 = levelShapes[0];
  const chunks0 = options.chunks ?? shape0.map((e, k) => (axes[k].type === 'space' ? Math.min(e, 128) : 1));
  const base: CreateZarrOptions = { chunks: chunks0, codec: options.codec, level: options.level, format };
  checkCreateZarrOptions(shape0, base, what);

  const dir = await prepareDirectory(path, options.overwrite, what);
  const store = new FsStore(dir);
  const datasets = levelShapes.map((shape, k) => {
    const factors = shape.map((e, j) => factorOf(shape0[j], e));
    const scale = scale0.map((s, j) => s * factors[j]);
    const translation = translation0.map((t, j) => t + ((factors[j] - 1) / 2) * scale0[j]);
    const transforms: Array<Record<string, unknown>> = [{ type: 'scale', scale }];
    if (translation.some((t) => t !== 0)) transforms.push({ type: 'translation', translation });
    return { path: String(k), coordinateTransformations: transforms };
  });
  const multiscale = { ...(options.name !== undefined ? { name: String(options.name) } : {}), axes, datasets };
  for (const [k, shape] of levelShapes.entries()) {
    const checked = checkCreateZarrOptions(shape, { ...base, chunks: chunks0.map((c, j) => Math.min(c, shape[j])) }, what);
    await writeMetadata(store.child(String(k)), zarrMetadata(shape, dtype, { ...checked, dimensionNames: format === 3 ? axes.map((a) => a.name) : undefined }));
  }
  await writeMetadata(store, version === '0.4'
    ? { '/.zgroup': { zarr_format: 2 }, '/.zattrs': { multiscales: [{ version: '0.4', ...multiscale }] } }
    : { '/zarr.json': { zarr_format: 3, node_type: 'group', attributes: { ome: { version: '0.5', multiscales: [multiscale] } } } });
  return openOmeZarr(dir, { mode: 'r+' });
}

/** An image to write: host pixels, a GPU image, or a lazy array (copied chunk by chunk). */
export type ImageData = HostImage | { data: TypedArray; shape: readonly number[] } | GpuImage | LazyArray;

/** A caller's downsampling step for {@link writeOmeZarr}: level `level` from level `level - 1`. */
export type Downsample = (previous: HostImage, level: number) => HostImage | { data: TypedArray; shape: readonly number[] } | Promise<HostImage | { data: TypedArray; shape: readonly number[] }>;

/** Options of {@link writeOmeZarr}: those of createOmeZarr, plus the coarser levels. */
export interface WriteOmeZarrOptions extends OmeZarrOptions {
  /**
   * The coarser levels: their pixels (level 1, 2, ...), or a downsampling step and how many
   * levels to make with it. Default: level 0 only. (Computing the pyramid on the GPU is planned.)
   */
  pyramid?: readonly ImageData[] | { levels: number; downsample: Downsample };
}

const shapeOf = (image: ImageData): readonly number[] => image.shape;

/** Writes one image into a level array: host pixels at once, a lazy array chunk by chunk. */
async function writeLevel(target: ZarrArray, image: ImageData, what: string): Promise<void> {
  if (image instanceof LazyArray) {
    if (image.dtype !== target.dtype) throw new TesseraError(`${what}: a level is ${image.dtype} but level 0 is ${target.dtype}`);
    // Tiles of whole target chunks, about 64 MB each: bounded memory for any image size.
    const perChunk = product(target.chunks) * bytesPerPixel(target.dtype);
    const along = Math.max(1, Math.floor((64 * 1024 ** 2) / perChunk));
    const chunksPerTile = target.chunks.map((_, k) => (k === 0 ? along : 1));
    for (const tile of target.grid.tiles(chunksPerTile)) {
      await target.write(tile.start, await image.readRegion(tile.start, tile.size), { partialChunks: 'refuse' });
    }
    return;
  }
  await target.write(target.shape.map(() => 0), image instanceof GpuImage ? image : { data: image.data, shape: image.shape });
}

/**
 * Writes an image as OME-Zarr (NGFF 0.5 on Zarr v3 by default, or 0.4 on Zarr v2), chunked and
 * compressed (blosc-zstd by default), with the caller's pyramid levels. Readable by
 * ome-zarr-py, napari, Fiji (n5-zarr) and other NGFF readers.
 *
 * @example
 * await tessera.writeOmeZarr('out.ome.zarr', await tessera.pull(img), {
 *   axes: 'zyx', scale: [2, 0.65, 0.65], units: { z: 'micrometer', y: 'micrometer', x: 'micrometer' },
 *   pyramid: { levels: 3, downsample: (prev) => halveYX(prev) },
 * });
 */
export async function writeOmeZarr(path: string, image: ImageData, options: WriteOmeZarrOptions = {}): Promise<OmeZarrImage> {
  const what = 'writeOmeZarr';
  if (!image || !Array.isArray((image as { shape?: unknown }).shape)) throw new TesseraError(`${what}: image must be host pixels { data, shape }, a GpuImage or a lazy array`);
  const dtype = image instanceof GpuImage || image instanceof LazyArray ? image.dtype : (image as HostImage).dtype ?? dtypeOfData((image as { data: TypedArray }).data, what);
  const pyramid = options.pyramid;
  let levels: ImageData[] = [image];
  let downsample: { levels: number; downsample: Downsample } | undefined;
  if (Array.isArray(pyramid)) levels = [image, ...pyramid];
  else if (pyramid !== undefined) {
    const p = pyramid as { levels: number; downsample: Downsample };
    if (!Number.isInteger(p.levels) || p.levels < 0 || typeof p.downsample !== 'function') {
      throw new TesseraError(`${what}: options.pyramid must be a list of level images or { levels: number of coarser levels, downsample: (previous, level) => pixels }`);
    }
    downsample = p;
  }
  // With a downsampling step, the levels' shapes are known only once computed: compute them first, in host memory.
  if (downsample) {
    let previous: HostImage = image instanceof GpuImage ? await pull(image) : image instanceof LazyArray ? await image.compute() : { ...(image as HostImage), dtype };
    for (let k = 1; k <= downsample.levels; k++) {
      const next = await downsample.downsample(previous, k);
      if (!next || !ArrayBuffer.isView(next.data) || !Array.isArray(next.shape)) throw new TesseraError(`${what}: options.pyramid.downsample must return { data, shape } (level ${k})`);
      previous = { data: next.data, shape: [...next.shape], dtype: dtypeOfData(next.data, what) };
      levels.push(previous);
    }
  }
  const shapes = levels.map(shapeOf);
  const created = await createOmeZarr(path, shapes, dtype, options);
  for (const [k, level] of levels.entries()) {
    try {
      await writeLevel(created.levels[k].array, level, what);
    } catch (e) {
      throw e instanceof TesseraError ? new TesseraError(`${what}: level ${k}: ${e.message}`) : e;
    }
  }
  return created;
}

/** The Tessera dtype of pixels given as { data, shape } (float64 is refused: convert it first). */
function dtypeOfData(data: TypedArray, what: string): DType {
  if (data instanceof Float64Array) throw new TesseraError(`${what}: pixels are Float64Array; convert them to Float32Array first (no implicit conversion on write)`);
  return checkTypedArray(data, `${what}: pixels`);
}
