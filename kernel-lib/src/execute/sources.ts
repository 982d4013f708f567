/**
 * What the executors read from and write to: lazy arrays (Zarr, OME-Zarr levels, TIFF, views of
 * them, or host pixels wrapped as one) and sinks (a Zarr array written in whole chunks with a
 * WriteLog, or host memory).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { allocTypedArray, type DType, type TypedArray } from '../dtype';
import type { HostImage } from '../array/transfer';
import { TesseraError } from '../errors';
import { LazyArray } from '../io/lazy-array';
import { openTiff, TiffArray } from '../io/tiff';
import { createZarr, openZarr, ZarrArray, type CreateZarrOptions } from '../io/zarr';
import type { WriteLog } from '../io/write-log';
import { copyBox } from '../io/region';
import { Box, product, stridesOf } from '../plan/box';
import { checkTypedArray } from '../validate/arguments';

/** Host pixels as a lazy array, so that the executors treat them like a Zarr array. */
export class HostArray extends LazyArray {
  /** Default chunks (the unit tiles are made of): 64 pixels along the spatial axes, 1 along the others. */
  constructor(private readonly pixels: HostImage, chunks?: readonly number[]) {
    super({ shape: pixels.shape, dtype: pixels.dtype, chunks: chunks ?? pixels.shape.map((e, k, a) => (k < a.length - 3 ? 1 : Math.min(e, 64))) });
  }

  protected async readBox(box: Box, into: TypedArray): Promise<void> {
    const hi = box.start.map((s, k) => s + box.size[k]);
    copyBox(this.pixels.data, stridesOf(this.shape), this.shape.map(() => 0), into, stridesOf(box.size), box.start, box.start, hi);
  }

  protected title(): string {
    return `tessera.HostArray (host memory)`;
  }
}

/** The inputs an executor accepts. */
export type Input = LazyArray | { data: TypedArray; shape: readonly number[] } | string;

const isTiffPath = (p: string) => /\.tiff?$/i.test(p);

/** A lazy array for any accepted input; a path opens a Zarr array (or a TIFF stack by its extension). */
export async function openInput(input: Input, what: string): Promise<LazyArray> {
  if (input instanceof LazyArray) return input;
  if (typeof input === 'string') return isTiffPath(input) ? openTiff(input) : openZarr(input);
  if (input && typeof input === 'object' && ArrayBuffer.isView((input as HostImage).data) && Array.isArray((input as HostImage).shape)) {
    const h = input as { data: TypedArray; shape: readonly number[] };
    const dtype = checkTypedArray(h.data, `${what}: input.data`);
    if (product(h.shape) !== h.data.length) throw new TesseraError(`${what}: input.shape [${h.shape}] holds ${product(h.shape)} pixels but input.data has ${h.data.length}`);
    return new HostArray({ data: h.data, shape: [...h.shape], dtype });
  }
  throw new TesseraError(`${what}: input must be a lazy array (openZarr, openTiff, ...), host pixels { data, shape } or the path of a Zarr array or TIFF file`);
}

/** How a worker process or a Slurm task opens the same input: its file, not a live object. */
export interface InputRef {
  kind: 'zarr' | 'tiff';
  path: string;
}

export function inputRef(input: LazyArray, what: string): InputRef {
  if (input instanceof ZarrArray) return { kind: 'zarr', path: input.path };
  if (input instanceof TiffArray) return { kind: 'tiff', path: input.path };
  throw new TesseraError(`${what}: worker processes and Slurm tasks open the input themselves, so it must be a Zarr array or TIFF file opened from a path (not host pixels or a slice); write it to Zarr first`);
}

export async function openInputRef(ref: InputRef): Promise<LazyArray> {
  return ref.kind === 'tiff' ? openTiff(ref.path) : openZarr(ref.path);
}

/** Where tiles' results go. */
export interface Sink {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Writes the core of a tile (whole chunks of a Zarr output). */
  write(core: Box, data: TypedArray): Promise<void>;
  /** Marks a core done (after its write resolved). */
  record(core: Box): Promise<void>;
  /** Whether an earlier run finished the core. */
  done(core: Box): boolean;
}

/** A Zarr output written in whole chunks, each finished tile recorded in its WriteLog. */
export class ZarrSink implements Sink {
  private constructor(readonly array: ZarrArray, private readonly log: WriteLog, private readonly resume: boolean) {}

  static async open(array: ZarrArray, writer: string, resume: boolean): Promise<ZarrSink> {
    return new ZarrSink(array, await array.writeLog({ writer }), resume);
  }

  get shape() {
    return this.array.shape;
  }

  get dtype() {
    return this.array.dtype;
  }

  write(core: Box, data: TypedArray): Promise<void> {
    return this.array.write(core.start, data, core.size, { partialChunks: 'refuse' });
  }

  record(core: Box): Promise<void> {
    return this.log.record(core);
  }

  done(core: Box): boolean {
    return this.resume && this.log.has(core);
  }

  /** Reads what other writers recorded meanwhile. */
  refresh(): Promise<void> {
    return this.log.refresh();
  }
}

/** Host memory output. */
export class HostSink implements Sink {
  readonly data: TypedArray;

  constructor(readonly shape: readonly number[], readonly dtype: DType) {
    this.data = allocTypedArray(dtype, product(shape));
  }

  async write(core: Box, data: TypedArray): Promise<void> {
    const hi = core.start.map((s, k) => s + core.size[k]);
    copyBox(data, stridesOf(core.size), core.start, this.data, stridesOf(this.shape), this.shape.map(() => 0), core.start, hi);
  }

  async record(): Promise<void> {}

  done(): boolean {
    return false;
  }

  get image(): HostImage {
    return { data: this.data, shape: [...this.shape], dtype: this.dtype };
  }
}

/** What a job's output remembers of the job, to tell a resumable re-run from a different job. */
export interface JobFingerprint {
  pipeline: string;
  input: string;
  shape: number[];
  dtype: DType;
  margin: number[];
}

const fingerprintFile = (dir: string) => join(dir, '.tessera', 'job.json');

/**
 * Opens or creates the Zarr output of a job. An existing array made by the same job (same
 * pipeline, input and margin) is resumed: recorded tiles are skipped. Another existing array is
 * refused unless `overwrite`.
 */
export async function prepareOutput(
  path: string, shape: readonly number[], dtype: DType, fingerprint: JobFingerprint,
  options: CreateZarrOptions & { resume?: boolean }, what: string,
): Promise<{ array: ZarrArray; resumed: boolean }> {
  const same = (() => {
    try {
      return JSON.stringify(JSON.parse(readFileSync(fingerprintFile(path), 'utf8'))) === JSON.stringify(fingerprint);
    } catch {
      return false;
    }
  })();
  if (existsSync(path) && !options.overwrite) {
    if (!same || options.resume === false) {
      throw new TesseraError(
        `${what}: ${path} exists${same ? '' : ' and was not written by this job (another pipeline, input or margin)'}; ` +
          `pass { overwrite: true } to replace it${same ? '' : ', or choose another path'}`,
      );
    }
    const array = await openZarr(path, { mode: 'r+' });
    if (array.shape.join() !== shape.join() || array.dtype !== dtype) {
      throw new TesseraError(`${what}: ${path} has shape [${array.shape}] and dtype ${array.dtype}, the job writes [${shape}] ${dtype}; pass { overwrite: true } to replace it`);
    }
    return { array, resumed: true };
  }
  const array = await createZarr(path, shape, dtype, { ...options, overwrite: options.overwrite });
  mkdirSync(join(array.path, '.tessera'), { recursive: true });
  writeFileSync(fingerprintFile(array.path), JSON.stringify(fingerprint));
  return { array, resumed: false };
}
